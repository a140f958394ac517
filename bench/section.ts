import type { Row } from './measure';

/** What a section gets: how many runs to make, and where to record its raw figures. */
export interface BenchContext {
  /** Runs (or pairs) for quick measurements; BENCH_RUNS. */
  readonly runs: number;
  /** Runs for measurements of several seconds each; BENCH_SLOW_RUNS. */
  readonly slowRuns: number;
  /** Raw figures for bench/results.json, by section key. */
  readonly results: Record<string, unknown>;
}

/**
 * One part of `npm run bench`. Sections are listed in bench/run.ts; adding one is a new
 * file and one line there.
 */
export interface BenchSection {
  /** Key in results.json and the name BENCH_SECTIONS selects it by. */
  readonly key: string;
  /** Only with root (network namespaces). */
  readonly needsRoot?: boolean;
  run(context: BenchContext): Row[] | Promise<Row[]>;
}
