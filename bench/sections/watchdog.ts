import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type Row } from '../measure';
import type { BenchSection } from '../section';

// How long the watchdog takes to repair each fault, or to report the instance Unhealthy, next
// to the boot script converging with nothing to fix, on the same lab (bench/watchdog.ts).

export const watchdogSection: BenchSection = {
  key: 'watchdog',
  needsRoot: true,
  run({ results }) {
    const result = spawnSync('bash', [join(ROOT, 'bench', 'watchdog.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 900_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) throw new Error(`bench/watchdog.sh failed (${result.status ?? result.signal}):\n${(result.stderr ?? '').slice(-3000)}`);
    const figures = JSON.parse(result.stdout) as Record<string, unknown>;
    results.watchdog = figures;
    return Object.entries(figures).map(([name, value]): Row => ({ section: 'watchdog', name, value: typeof value === 'object' ? JSON.stringify(value) : String(value) }));
  },
};
