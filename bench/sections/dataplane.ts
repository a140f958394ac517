import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { DataplaneFigures } from '../dataplane';
import { ROOT, type Row, type Spread } from '../measure';
import type { BenchSection } from '../section';

// Through the NAT against plain routing over the same namespaces (bench/dataplane.ts).

const pairs = (s: Spread, n: number) => `${s.median.toFixed(3)}x plain routing (median of ${n} per-pair ratios; min ${s.min.toFixed(3)}x, max ${s.max.toFixed(3)}x)`;

export const dataplaneSection: BenchSection = {
  key: 'dataplane',
  needsRoot: true,
  run({ results }) {
    const result = spawnSync('bash', [join(ROOT, 'bench', 'dataplane.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 1_200_000, stdio: ['ignore', 'pipe', 'inherit'] });
    if (result.status !== 0) throw new Error(`bench/dataplane.sh failed (${result.status ?? result.signal})`);
    const f = JSON.parse(result.stdout) as DataplaneFigures;
    results.dataplane = f;
    const where = `fast path: ${f.fastPath}`;
    return [
      { section: 'data plane', name: `TCP throughput through the NAT, iperf3 ${f.throughput.iperfSeconds} s (Gbit/s, median of ${f.pairs}; ${where})`, value: `${f.throughput.natGbps} (plain routing ${f.throughput.plainGbps})`, ratio: pairs(f.throughput.ratio, f.pairs) },
      { section: 'data plane', name: `UDP packets of ${f.smallPackets.bytes} bytes a second through the NAT, one flow, iperf3 ${f.smallPackets.seconds} s (median of ${f.pairs}; ${where})`, value: `${f.smallPackets.natPerSecond} (plain routing ${f.smallPackets.plainPerSecond})`, ratio: pairs(f.smallPackets.ratio, f.pairs) },
      { section: 'data plane', name: `new TCP connections a second through the NAT, ${f.newConnections.perRun} a run (each side of a pair the median of ${f.newConnections.runsPerSide} runs; median of ${f.pairs}; ${where})`, value: `${f.newConnections.natPerSecond} (plain routing ${f.newConnections.plainPerSecond})`, ratio: pairs(f.newConnections.ratio, f.pairs) },
      { section: 'data plane', name: `boot script started on a fresh lab instance to the first forwarded TCP connection, ms (median of ${f.bootScript.runs}; the script alone ${f.bootScript.wallMs} ms; no kernel or cloud-init boot)`, value: String(f.bootScript.toFirstForwardMs) },
    ] satisfies Row[];
  },
};
