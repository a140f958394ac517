import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type Row } from '../measure';
import type { BenchSection } from '../section';

// Egress gap while the NAT is replaced, next to the int128 approach (retry the attach until it
// succeeds) on the same lab in the same run (bench/replacement.ts; a few minutes on its own).

type Figures = Record<string, Record<string, number | null>>;

const ms = (x: number | null | undefined) => (x === null || x === undefined ? 'no egress afterwards' : `${x} ms`);

export const replacementSection: BenchSection = {
  key: 'replacement',
  needsRoot: true,
  run({ results }) {
    const result = spawnSync('bash', [join(ROOT, 'bench', 'replacement.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 1_800_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) throw new Error(`bench/replacement.sh failed (${result.status ?? result.signal}):\n${(result.stderr ?? '').slice(-3000)}`);
    const figures = JSON.parse(result.stdout) as Figures;
    results.replacement = figures;
    return Object.entries(figures)
      .filter(([name]) => name !== 'settings')
      .map(([name, f]): Row => {
        const ours = f['cdktf-egress (ms)'];
        const base = f['int128 (ms)'];
        const ratio = ours !== null && base !== null && base > 0 ? `${(ours / base).toFixed(2)}x the int128 approach (${ms(base)})` : `int128 approach: ${ms(base)}`;
        return { section: 'replacement gap', name: `${name}: longest egress outage seen by a hub or spoke host (TCP connect every 50 ms)`, value: ms(ours), ratio };
      });
  },
};
