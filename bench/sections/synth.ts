import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSpread, medianOf, paired, ROOT, timed, type Row, type Sample } from '../measure';
import type { BenchSection } from '../section';

// The built-in example's synth against the root import of the provider package (the one
// cost every CDKTF user of the prebuilt provider knows), and against the usual setup
// (`cdktf synth` running ts-node with type-checking and root imports, bench/baseline)
// broken into its parts.

const BASELINE = join(ROOT, 'bench', 'baseline');

/** Resources of a synthesized stack by the construct that made them (`vpc-hub`, `nat-shared`, ...). */
export function resourcesByConstruct(stackDir: string): Record<string, number> {
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, { '//'?: { metadata?: { path?: string } } }>> };
  const counts: Record<string, number> = {};
  for (const byName of Object.values(stack.resource)) {
    for (const resource of Object.values(byName)) {
      const construct = resource['//']?.metadata?.path?.split('/')[1] ?? '(stack)';
      counts[construct] = (counts[construct] ?? 0) + 1;
    }
  }
  return counts;
}

/** The `synth` script of package.json as `npm run` would run it, without npm. */
function synthScript(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return ['sh', '-c', scripts.synth];
}

export const synthSection: BenchSection = {
  key: 'synth',
  run({ runs, slowRuns, results }) {
    const out = mkdtempSync(join(tmpdir(), 'egress-bench-synth-'));
    const env = { EGRESS_OUTDIR: join(out, 'cdktf.out'), EGRESS_SPEC: '' };
    const rootImport = (): Sample => timed([process.execPath, '-e', "require('@cdktf/provider-aws')"]);
    // Not measured: builds dist/ when a source is newer and keeps the code cache, as any earlier synth would have.
    timed(synthScript(), { env });
    const npmSynth = paired(runs, () => timed(['npm', 'run', '-s', 'synth'], { env }), rootImport);
    const bareSynth = paired(runs, () => timed(synthScript(), { env }), rootImport);
    // The same script with V8's code cache off, paired with it on: what the cache buys (at
    // least 10 pairs: the cache stays only while it saves more than 100 ms).
    const cachePairs = Math.max(runs, 10);
    const uncached = paired(cachePairs, () => timed(synthScript(), { env: { ...env, EGRESS_CODE_CACHE: '0' } }), () => timed(synthScript(), { env }));

    const tfrc = join(out, 'terraformrc');
    writeFileSync(tfrc, '');
    const cliEnv = { CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: tfrc, CI: '1' };
    const usual = medianOf(slowRuns, () => timed(['npx', 'cdktf', 'synth', '--output', join(out, 'baseline.out')], { cwd: BASELINE, env: cliEnv }));
    const appAlone = medianOf(slowRuns, () =>
      timed(['npx', 'ts-node', '-P', 'tsconfig.json', 'main.ts'], { cwd: BASELINE, env: { CDKTF_OUTDIR: join(out, 'baseline-app.out') } }),
    );
    const typeCheck = medianOf(slowRuns, () => timed(['npx', 'tsc', '--noEmit', '-p', join(BASELINE, 'tsconfig.json')]));
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    const rows: Row[] = [
      { section: 'synth', name: `example: \`npm run synth\` (median of ${runs})`, ...npmSynth.a, ratio: `wall ${formatSpread(npmSynth.time, runs)} the root import's; CPU ${formatSpread(npmSynth.cpu, runs)}; RSS ${formatSpread(npmSynth.rss, runs)}` },
      { section: 'synth', name: `example: the synth script without npm (\`sh -c\` of package.json's synth, median of ${runs})`, ...bareSynth.a, ratio: `wall ${formatSpread(bareSynth.time, runs)} the root import's; CPU ${formatSpread(bareSynth.cpu, runs)}; RSS ${formatSpread(bareSynth.rss, runs)}` },
      { section: 'synth', name: `example: the synth script with its code cache off (\`EGRESS_CODE_CACHE=0\`, median of ${cachePairs}, paired with it on)`, ...uncached.a, ratio: `wall ${formatSpread(uncached.time, cachePairs)} the script's with the cache, ${((uncached.a.seconds - uncached.b.seconds) * 1000).toFixed(0)} ms more; CPU ${formatSpread(uncached.cpu, cachePairs)}` },
      { section: 'synth', name: `root import: \`node -e "require('@cdktf/provider-aws')"\` (median of ${runs * 2}, paired with the two above)`, seconds: (npmSynth.b.seconds + bareSynth.b.seconds) / 2, cpuSeconds: ((npmSynth.b.cpuSeconds ?? 0) + (bareSynth.b.cpuSeconds ?? 0)) / 2, rssMb: (npmSynth.b.rssMb + bareSynth.b.rssMb) / 2 },
      { section: 'synth', name: `usual setup: \`cdktf synth\` of bench/baseline, ts-node type-checking, root imports (median of ${slowRuns})`, ...usual, ratio: `example \`npm run synth\` takes ${x(npmSynth.a.seconds, usual.seconds)} its time` },
      { section: 'synth', name: `usual setup, part: its app under ts-node without the CLI (median of ${slowRuns})`, ...appAlone },
      { section: 'synth', name: `usual setup, part: type-checking alone, \`tsc --noEmit\` of the app (median of ${slowRuns})`, ...typeCheck },
      // CPU adds up across the process tree; a difference of two wall medians on a busy machine does not.
      { section: 'synth', name: 'usual setup, part: the cdktf CLI around the app (CPU of the whole minus CPU of the app alone, derived)', cpuSeconds: (usual.cpuSeconds ?? 0) - (appAlone.cpuSeconds ?? 0) },
    ];
    const byConstruct = resourcesByConstruct(join(out, 'cdktf.out', 'stacks', 'dev'));
    const total = Object.values(byConstruct).reduce((a, b) => a + b, 0);
    rows.push({ section: 'synth', name: `example: resources by construct (${total} in all)`, value: Object.entries(byConstruct).map(([k, v]) => `${k} ${v}`).join(', ') });
    results.synth = { npmSynth, bareSynth, uncached, usual, appAlone, typeCheck, resourcesByConstruct: byConstruct };
    return rows;
  },
};
