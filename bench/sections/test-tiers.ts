import { timed, type Row, type Sample } from '../measure';
import type { BenchSection } from '../section';

// The test commands as users run them (`npm run test:<tier>`), once each: their times are
// what the README quotes for them. BENCH_SKIP_TESTS=1 leaves this section out.

const TIERS = ['unit', 'terraform', 'dataplane'] as const;

export const testTiersSection: BenchSection = {
  key: 'tests',
  needsRoot: true,
  run({ results }) {
    const figures: Record<string, Sample> = {};
    const rows: Row[] = TIERS.map((tier) => {
      figures[tier] = timed(['npm', 'run', '-s', `test:${tier}`, '--', '--silent'], { timeoutMs: 1_800_000 });
      return { section: 'tests', name: `\`npm run test:${tier}\` (one run)`, ...figures[tier] };
    });
    results.tests = figures;
    return rows;
  },
};
