import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// What every bench section measures with: one command under /usr/bin/time, medians of
// several runs, and paired runs (A, B, A, B, ...) whose per-pair ratios cancel out the
// load of a shared machine better than a ratio of two medians does.

export const ROOT = resolve(__dirname, '..');

export interface Sample {
  readonly seconds: number;
  /** User + system CPU of the command's tree: steadier than wall time on a loaded machine. */
  readonly cpuSeconds?: number;
  /** Peak resident set of the largest process in the command's tree. */
  readonly rssMb: number;
}

/** One line of the printed table. Every name says what was measured, and how often. */
export interface Row {
  readonly section: string;
  readonly name: string;
  readonly seconds?: number;
  readonly cpuSeconds?: number;
  readonly rssMb?: number;
  /** A figure that is not a time (a rate, a count), with its unit in `name`. */
  readonly value?: string;
  /** How it compares, e.g. `0.18x root import (median of 5 pairs, 0.15-0.22)`. */
  readonly ratio?: string;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const spread = (xs: readonly number[]): Spread => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

export interface CommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** @default 600 s */
  readonly timeoutMs?: number;
}

/** Runs a command under /usr/bin/time: wall seconds and peak RSS. Throws, with its output, when it fails. */
export function timed(command: readonly string[], options: CommandOptions = {}): Sample {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...command], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = (result.stderr ?? '').trim().split('\n').pop() ?? '';
  const match = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(last);
  if (result.status !== 0 || !match) {
    throw new Error(`${command.join(' ')} failed (${result.status ?? result.signal}):\n${(result.stderr ?? '').slice(-2000)}${(result.stdout ?? '').slice(-1000)}`);
  }
  return { seconds: Number(match[1]), cpuSeconds: Number(match[2]) + Number(match[3]), rssMb: Number(match[4]) / 1024 };
}

const cpu = (s: Sample): number => s.cpuSeconds ?? Number.NaN;

function medianSample(samples: readonly Sample[]): Sample {
  return { seconds: median(samples.map((s) => s.seconds)), cpuSeconds: median(samples.map(cpu)), rssMb: median(samples.map((s) => s.rssMb)) };
}

export function medianOf(runs: number, measure: () => Sample): Sample & { runs: number } {
  return { ...medianSample(Array.from({ length: runs }, measure)), runs };
}

export interface Paired {
  readonly pairs: number;
  readonly a: Sample;
  readonly b: Sample;
  /** a/b per pair. */
  readonly time: Spread;
  readonly cpu: Spread;
  readonly rss: Spread;
}

/** `pairs` runs of A then B, alternating; medians of each and of the per-pair ratios A/B. */
export function paired(pairs: number, a: () => Sample, b: () => Sample): Paired {
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < pairs; i++) {
    as.push(a());
    bs.push(b());
  }
  return {
    pairs,
    a: medianSample(as),
    b: medianSample(bs),
    time: spread(as.map((s, i) => s.seconds / bs[i].seconds)),
    cpu: spread(as.map((s, i) => cpu(s) / cpu(bs[i]))),
    rss: spread(as.map((s, i) => s.rssMb / bs[i].rssMb)),
  };
}

/** `0.18x (median of 5 pairs; min 0.15x, max 0.22x)` */
export function formatSpread(s: Spread, pairs: number, digits = 2): string {
  return `${s.median.toFixed(digits)}x (median of ${pairs} pairs; min ${s.min.toFixed(digits)}x, max ${s.max.toFixed(digits)}x)`;
}
