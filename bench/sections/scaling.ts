import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSpread, medianOf, paired, timed, type Row, type Sample } from '../measure';
import { scalingSpec } from '../scaling-spec';
import type { BenchSection } from '../section';

// Synth of 1 to 500 VPCs (bench/scaling-spec.ts: groups of a dual-stack hub with a NAT and
// two spokes with endpoints). 500 VPCs run paired with 1 VPC, so their ratio is per pair.

const LARGE = 500;

export interface ScaledSpec {
  readonly file: string;
  readonly outdir: string;
  readonly stackDir: string;
}

/** Writes the scaling spec for `count` VPCs under `dir`. */
export function writeScalingSpec(dir: string, count: number): ScaledSpec {
  const file = join(dir, `scale-${count}.json`);
  writeFileSync(file, JSON.stringify(scalingSpec(count)));
  const outdir = join(dir, `out-${count}`);
  return { file, outdir, stackDir: join(outdir, 'stacks', 'scale') };
}

export const synthOf = (spec: ScaledSpec) => (): Sample => timed(['npm', 'run', '-s', 'synth'], { env: { EGRESS_SPEC: spec.file, EGRESS_OUTDIR: spec.outdir } });

export function resourceCount(stackDir: string): number {
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
  return Object.values(stack.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

export const scalingSection: BenchSection = {
  key: 'scaling',
  run({ runs, results }) {
    const dir = mkdtempSync(join(tmpdir(), 'egress-bench-scale-'));
    const rows: Row[] = [];
    const figures: Record<number, unknown> = {};
    const one = writeScalingSpec(dir, 1);
    const large = writeScalingSpec(dir, LARGE);
    synthOf(one)(); // not measured: builds dist/ if a source is newer and keeps the code cache
    const pair = paired(runs, synthOf(large), synthOf(one));
    const single = pair.b;
    const describe = (count: number, spec: ScaledSpec) => {
      const resources = resourceCount(spec.stackDir);
      return `${count} VPC${count > 1 ? 's' : ''}, ${resources} resources (${(resources / count).toFixed(1)} a VPC)`;
    };
    rows.push({ section: 'scaling', name: `synth ${describe(1, one)} (median of ${runs})`, ...single });
    for (const count of [10, 50]) {
      const spec = writeScalingSpec(dir, count);
      const sample = medianOf(runs, synthOf(spec));
      figures[count] = sample;
      rows.push({ section: 'scaling', name: `synth ${describe(count, spec)} (median of ${runs})`, ...sample, ratio: `${(sample.seconds / single.seconds).toFixed(2)}x the 1-VPC time (ratio of medians)` });
    }
    rows.push({
      section: 'scaling',
      name: `synth ${describe(LARGE, large)} (median of ${runs}, paired with 1 VPC)`,
      ...pair.a,
      ratio: `wall ${formatSpread(pair.time, runs)} the 1-VPC synth; CPU ${formatSpread(pair.cpu, runs)}; peak RSS ${formatSpread(pair.rss, runs)}`,
    });
    results.scaling = { single, ...figures, [LARGE]: pair };
    return rows;
  },
};
