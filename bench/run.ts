import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, type Row } from './measure';
import type { BenchContext, BenchSection } from './section';
import { dataplaneSection } from './sections/dataplane';
import { planSection } from './sections/plan';
import { scalingSection } from './sections/scaling';
import { synthSection } from './sections/synth';
import { testTiersSection } from './sections/test-tiers';

// `npm run bench`: every section's table rows, one table, and bench/results.json with the
// raw figures and the conditions they were measured under. Ratios compare figures from
// the same run; paired ones alternate A and B and take the median of the per-pair ratios.
//
// BENCH_SECTIONS=synth,plan picks sections; BENCH_SKIP_TESTS=1 leaves the test tiers out;
// BENCH_RUNS (default 5) and BENCH_SLOW_RUNS (default 3) set the runs and pairs.

/** In the order they run. A new section is a file under bench/sections and a line here. */
const SECTIONS: readonly BenchSection[] = [synthSection, scalingSection, planSection, testTiersSection, dataplaneSection];

function selected(): BenchSection[] {
  const wanted = process.env.BENCH_SECTIONS?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (wanted ?? []).filter((key) => !SECTIONS.some((s) => s.key === key));
  if (unknown.length > 0) throw new Error(`BENCH_SECTIONS: unknown ${unknown.join(', ')}; use ${SECTIONS.map((s) => s.key).join(', ')}`);
  return SECTIONS.filter((s) => (wanted ? wanted.includes(s.key) : !(s.key === 'tests' && process.env.BENCH_SKIP_TESTS === '1')));
}

function printTable(rows: readonly Row[]): void {
  const cell = (n: number | undefined, digits: number) => (n === undefined ? '' : n.toFixed(digits));
  const lines = ['| section | measurement | wall (s) | peak RSS (MiB) | value | compared |', '| --- | --- | ---: | ---: | ---: | --- |'];
  for (const row of rows) lines.push(`| ${row.section} | ${row.name} | ${cell(row.seconds, 2)} | ${cell(row.rssMb, 0)} | ${row.value ?? ''} | ${row.ratio ?? ''} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const sections = selected();
  const root = process.getuid?.() === 0;
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    conditions: { cpus: cpus().length, loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))) },
  };
  const context: BenchContext = { runs: Number(process.env.BENCH_RUNS ?? 5), slowRuns: Number(process.env.BENCH_SLOW_RUNS ?? 3), results };
  Object.assign(results, { runs: context.runs, slowRuns: context.slowRuns });
  const rows: Row[] = [];
  for (const section of sections) {
    if (section.needsRoot && !root) throw new Error(`bench section ${section.key} needs root (network namespaces); run as root or leave it out with BENCH_SECTIONS`);
    process.stderr.write(`bench: ${section.key}...\n`);
    rows.push(...(await section.run(context)));
  }
  (results.conditions as Record<string, unknown>).loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
  printTable(rows);
  const conditions = results.conditions as { cpus: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  process.stdout.write(`\n${conditions.cpus} CPUs; load average (1, 5, 15 min) ${conditions.loadAverageAtStart.join(', ')} at the start, ${conditions.loadAverageAtEnd.join(', ')} at the end\n`);
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
