import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scalingSpec } from './scaling-spec';

// `npm run bench`: every figure is the median of several runs, next to a baseline measured
// in the same run. Prints one table and writes bench/results.json.

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SLOW_RUNS = Number(process.env.BENCH_SLOW_RUNS ?? 3);
const SKIP_TESTS = process.env.BENCH_SKIP_TESTS === '1';

interface Sample {
  readonly seconds: number;
  readonly rssMb: number;
}

interface Row {
  readonly section: string;
  readonly name: string;
  readonly seconds?: number;
  readonly rssMb?: number;
  readonly value?: string;
  readonly baseline?: string;
  readonly ratio?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs a command under /usr/bin/time (wall seconds, peak RSS of the process tree's largest member). */
function timed(command: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Sample {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', ...command], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  const last = result.stderr.trim().split('\n').pop() ?? '';
  const match = /^([\d.]+) (\d+)$/.exec(last);
  if (result.status !== 0 || !match) throw new Error(`${command.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  return { seconds: Number(match[1]), rssMb: Number(match[2]) / 1024 };
}

function medianOf(runs: number, measure: () => Sample): Sample {
  const samples = Array.from({ length: runs }, measure);
  return { seconds: median(samples.map((s) => s.seconds)), rssMb: median(samples.map((s) => s.rssMb)) };
}

function synthBench(rows: Row[], results: Record<string, unknown>): void {
  const out = mkdtempSync(join(tmpdir(), 'egress-bench-'));
  const env = { EGRESS_OUTDIR: join(out, 'cdktf.out'), EGRESS_SPEC: '' };
  const synth = medianOf(RUNS, () => timed(['npm', 'run', '-s', 'synth'], { env }));
  const rootImport = medianOf(RUNS, () => timed([process.execPath, '-e', "require('@cdktf/provider-aws')"]));
  const tfrc = join(out, 'terraformrc');
  writeFileSync(tfrc, '');
  const usual = medianOf(SLOW_RUNS, () =>
    timed(['npx', 'cdktf', 'synth', '--output', join(out, 'baseline.out')], {
      cwd: join(ROOT, 'bench', 'baseline'),
      env: { CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: tfrc, CI: '1' },
    }),
  );
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  rows.push(
    { section: 'synth', name: 'npm run synth (built-in example)', ...synth },
    { section: 'synth', name: "baseline a: node -e \"require('@cdktf/provider-aws')\"", ...rootImport, ratio: `synth/a time ${ratio(synth.seconds, rootImport.seconds)}, RSS ${ratio(synth.rssMb, rootImport.rssMb)}` },
    { section: 'synth', name: 'baseline b: cdktf synth, ts-node type-check, root import', ...usual, ratio: `synth/b time ${ratio(synth.seconds, usual.seconds)}, RSS ${ratio(synth.rssMb, usual.rssMb)}` },
  );
  results.synth = { example: synth, rootImport, usualCdktf: usual };
}

function scalingBench(rows: Row[], results: Record<string, unknown>): void {
  const dir = mkdtempSync(join(tmpdir(), 'egress-scale-'));
  const figures: Record<string, Sample> = {};
  for (const count of [1, 10, 25, 50]) {
    const file = join(dir, `scale-${count}.json`);
    writeFileSync(file, JSON.stringify(scalingSpec(count)));
    figures[count] = medianOf(RUNS, () => timed(['npm', 'run', '-s', 'synth'], { env: { EGRESS_SPEC: file, EGRESS_OUTDIR: join(dir, `out-${count}`) } }));
    const stack = JSON.parse(readFileSync(join(dir, `out-${count}`, 'stacks', 'scale', 'cdk.tf.json'), 'utf8'));
    const resources = Object.values(stack.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
    rows.push({
      section: 'scaling',
      name: `${count} VPC${count > 1 ? 's' : ''} (${resources} resources)`,
      ...figures[count],
      ratio: `${(figures[count].seconds / figures[1].seconds).toFixed(2)}x time of 1 VPC`,
    });
  }
  results.scaling = figures;
}

function testTierBench(rows: Row[], results: Record<string, unknown>): void {
  const tiers: Record<string, Sample> = {};
  for (const tier of ['unit', 'terraform', 'dataplane']) {
    tiers[tier] = timed(['npx', 'jest', '--selectProjects', tier, '--maxWorkers=2', '--silent']);
    rows.push({ section: 'npm test', name: `jest ${tier} tier (one run)`, ...tiers[tier] });
  }
  results.tests = tiers;
}

/** A root-only bench script in bench/ that prints one JSON object of figures. */
function scriptBench(rows: Row[], results: Record<string, unknown>, file: string, section: string, key: string): void {
  const script = join(ROOT, 'bench', file);
  if (!existsSync(script)) throw new Error(`bench/${file} is missing`);
  const result = spawnSync('bash', [script], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`bench/${file} failed:\n${result.stderr.slice(-3000)}`);
  const figures = JSON.parse(result.stdout) as Record<string, unknown>;
  for (const [name, value] of Object.entries(figures)) {
    rows.push({ section, name, value: typeof value === 'object' ? JSON.stringify(value) : String(value) });
  }
  results[key] = figures;
}

function printTable(rows: Row[]): void {
  const lines = ['| section | measurement | median wall (s) | median peak RSS (MB) | value / ratio |', '| --- | --- | ---: | ---: | --- |'];
  for (const row of rows) {
    const cell = (n?: number, digits = 2) => (n === undefined ? '' : n.toFixed(digits));
    lines.push(`| ${row.section} | ${row.name} | ${cell(row.seconds)} | ${cell(row.rssMb, 0)} | ${row.value ?? row.ratio ?? ''} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function main(): void {
  const rows: Row[] = [];
  const results: Record<string, unknown> = { date: new Date().toISOString(), runs: RUNS, slowRuns: SLOW_RUNS };
  synthBench(rows, results);
  scalingBench(rows, results);
  if (!SKIP_TESTS) testTierBench(rows, results);
  scriptBench(rows, results, 'dataplane.sh', 'data plane', 'dataplane');
  scriptBench(rows, results, 'watchdog.sh', 'watchdog', 'watchdog');
  printTable(rows);
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main();
