import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, type Row } from './measure';
import type { BenchContext, BenchSection } from './section';
import { dataplaneSection } from './sections/dataplane';
import { planSection } from './sections/plan';
import { replacementSection } from './sections/replacement';
import { scalingSection } from './sections/scaling';
import { synthSection } from './sections/synth';
import { testTiersSection } from './sections/test-tiers';
import { watchdogSection } from './sections/watchdog';

// `npm run bench`: every section's table rows, one table, and bench/results.json with the
// raw figures and the conditions they were measured under. Ratios compare figures from
// the same run; paired ones alternate A and B and take the median of the per-pair ratios.
//
// BENCH_SECTIONS=synth,plan picks sections (results.json keeps the other sections' last
// figures, each with the date and load it was measured under); BENCH_SKIP_TESTS=1 leaves the test tiers out;
// BENCH_RUNS (default 5) and BENCH_SLOW_RUNS (default 3) set the runs and pairs.

/** In the order they run. A new section is a file under bench/sections and a line here. */
const SECTIONS: readonly BenchSection[] = [synthSection, scalingSection, planSection, testTiersSection, dataplaneSection, replacementSection, watchdogSection];

function selected(): BenchSection[] {
  const wanted = process.env.BENCH_SECTIONS?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (wanted ?? []).filter((key) => !SECTIONS.some((s) => s.key === key));
  if (unknown.length > 0) throw new Error(`BENCH_SECTIONS: unknown ${unknown.join(', ')}; use ${SECTIONS.map((s) => s.key).join(', ')}`);
  return SECTIONS.filter((s) => (wanted ? wanted.includes(s.key) : !(s.key === 'tests' && process.env.BENCH_SKIP_TESTS === '1')));
}

function printTable(rows: readonly Row[]): void {
  const cell = (n: number | undefined, digits: number) => (n === undefined ? '' : n.toFixed(digits));
  const lines = ['| section | measurement | wall (s) | CPU (s) | peak RSS (MiB) | value | compared |', '| --- | --- | ---: | ---: | ---: | ---: | --- |'];
  for (const row of rows) lines.push(`| ${row.section} | ${row.name} | ${cell(row.seconds, 2)} | ${cell(row.cpuSeconds, 2)} | ${cell(row.rssMb, 0)} | ${row.value ?? ''} | ${row.ratio ?? ''} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const RESULTS = join(ROOT, 'bench', 'results.json');
const load = () => loadavg().map((x) => Number(x.toFixed(2)));

async function main(): Promise<void> {
  const sections = selected();
  const root = process.getuid?.() === 0;
  if (!root) {
    const needy = sections.filter((s) => s.needsRoot).map((s) => s.key);
    if (needy.length > 0) throw new Error(`bench sections ${needy.join(', ')} need root (network namespaces); run as root or pick others with BENCH_SECTIONS`);
  }
  const previous = process.env.BENCH_SECTIONS && existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : {};
  const results: Record<string, unknown> = { ...previous, cpus: cpus().length };
  const conditions = { ...(previous.conditions as Record<string, unknown> | undefined) };
  const context: BenchContext = { runs: Number(process.env.BENCH_RUNS ?? 5), slowRuns: Number(process.env.BENCH_SLOW_RUNS ?? 3), results };
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const section of sections) {
    process.stderr.write(`bench: ${section.key}...\n`);
    const start = { date: new Date().toISOString(), loadAverageAtStart: load() };
    rows.push(...(await section.run(context)));
    const measured = { ...start, loadAverageAtEnd: load(), runs: context.runs, slowRuns: context.slowRuns };
    conditions[section.key] = measured;
    notes.push(`${section.key}: load average (1, 5, 15 min) ${measured.loadAverageAtStart.join(', ')} at its start, ${measured.loadAverageAtEnd.join(', ')} at its end`);
  }
  results.conditions = conditions;
  printTable(rows);
  process.stdout.write(`\n${cpus().length} CPUs. ${notes.join('; ')}.\n`);
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
