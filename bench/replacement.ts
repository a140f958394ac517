// Replacement-gap benchmark (run by bench/replacement.sh, as root): how long new connections
// from a hub host and a spoke host fail (a TCP connect every 50 ms) while the simulated
// Auto Scaling group of test/dataplane replaces the NAT, for the shipped boot (lifecycle
// hooks, handover, watcher) and for the int128 approach on the same lab: no hooks, the new
// instance retries attach-network-interface once a second until the old one has let go
// (bench/baseline/int128-attach.sh), then the same configuration.
//
// Lab assumptions, the same for both: an instance's shutdown takes SHUTDOWN_MS between
// forwarding stopping and EC2 detaching its ENIs; launch time is the lab's (a namespace in
// well under a second), where EC2 adds about a minute before any boot script runs.
// The 10-minute holder runs on a 1:100 clock (6 s hold, HOLDER_WAIT_SECONDS=9 against the
// shipped 900, int128's 180 s attach budget as 1.8 s).
import { join } from 'node:path';
import { bundleFromSpec, removeBundles, type BootBundle } from '../test/dataplane/support/boot-bundle';
import { gapProbes, SimulatedAsg, type GapResult } from '../test/dataplane/support/asg';
import { INTERNET, Lab, PORTS, type Instance } from '../test/dataplane/support/lab';
import { requireTools } from '../test/dataplane/support/proc';

const RUNS = Number(process.env.BENCH_REPLACEMENT_RUNS ?? 3);
const SHUTDOWN_MS = Number(process.env.BENCH_SHUTDOWN_MS ?? 3000);
const SCALE = 100;
const HUB_HOST = '10.0.1.10';
const SPOKE_HOST = '10.1.1.10';
const INT128 = join(__dirname, 'baseline', 'int128-attach.sh');
const SPEC = `
project: dpgap
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: app, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a, spokes: [app] }
`;

type Approach = 'cdktf-egress' | 'int128';
type Scenario = (asg: SimulatedAsg, old: Instance) => Promise<{ releasedAtMs?: number }>;
const HOLDER = 'holder keeps the ENI 10 min (1:100), after release';

const SCENARIOS: Record<string, Scenario> = {
  'crash replacement (terminate, then launch)': async (asg) => (await asg.crashAndReplace(), {}),
  'instance refresh (launch before terminate)': async (asg) => (await asg.replace(), {}),
  'capacity rebalance': async (asg, old) => {
    await asg.rebalanceRecommendation(old);
    await asg.replace();
    return {};
  },
  'spot interruption notice': async (asg, old) => {
    await asg.spotNotice(old, 120);
    await asg.replace();
    return {};
  },
  [HOLDER]: async (asg) => ({ releasedAtMs: (await asg.slowShutdownAndReplace((600 / SCALE) * 1000)).releasedAtMs }),
};

const say = (msg: string): boolean => process.stderr.write(`replacement bench: ${msg}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The worst gap of either host, in ms; from the release for the holder; null when egress never came back. */
function worstGap(gaps: Record<string, GapResult>, releasedAtMs?: number): number | null {
  let worst = 0;
  for (const g of Object.values(gaps)) {
    // No answers, or an outage still going when the probes stopped (they run 3 s past the scenario).
    if (!g.ok || g.maxGapMs === null || g.endMs - (g.lastMs ?? 0) > 1000) return null;
    worst = Math.max(worst, releasedAtMs !== undefined ? (g.gapToMs ?? 0) - releasedAtMs : g.maxGapMs);
  }
  return Math.round(worst);
}

async function measure(bundle: BootBundle, approach: Approach, name: string, scenario: Scenario): Promise<number | null> {
  const spoke = Number(bundle.conf.SPOKES.split('=')[0]);
  const lab = await Lab.create({ name: 'gap', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HUB_HOST }, { vpc: spoke, ip: SPOKE_HOST }] });
  try {
    const ours = approach === 'cdktf-egress';
    // Only the holder runs on the scaled clock; elsewhere both get their shipped bounds.
    const scale = name === HOLDER ? SCALE : 1;
    const asg = new SimulatedAsg({
      lab,
      hooks: ours,
      shutdownMs: SHUTDOWN_MS,
      conf: { HOLDER_WAIT_SECONDS: String(900 / scale) },
      boot: (inst) => (ours ? lab.boot(inst, 300_000) : lab.boot(inst, 300_000, [`INT128_ATTACH_SECONDS=${180 / scale}`, INT128])),
    });
    await asg.init();
    const old = await asg.start();
    const probes = gapProbes(lab, { hub: lab.host('hub', HUB_HOST), spoke: lab.host(spoke, SPOKE_HOST) }, { host: INTERNET.host, port: PORTS.whoami }, 120);
    const { releasedAtMs } = await scenario(asg, old);
    // A moment for egress to come back (or to show it does not).
    await new Promise((r) => setTimeout(r, 3000));
    const gap = worstGap(await probes.stop(), releasedAtMs);
    say(`${approach}, ${name}: ${gap === null ? 'no egress afterwards' : `${gap} ms`}`);
    return gap;
  } finally {
    await lab.destroy();
  }
}

async function main(): Promise<void> {
  requireTools('ip', 'nft', 'python3', 'curl');
  const bundle = await bundleFromSpec(SPEC, 'dpgap', 'dpgap-nat');
  const result: Record<string, unknown> = {};
  try {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      const figures: Record<Approach, (number | null)[]> = { 'cdktf-egress': [], int128: [] };
      for (let i = 0; i < RUNS; i++) {
        for (const approach of ['cdktf-egress', 'int128'] as const) figures[approach].push(await measure(bundle, approach, name, scenario));
      }
      const med = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : median(xs as number[]));
      result[name] = { 'cdktf-egress (ms)': med(figures['cdktf-egress']), 'int128 (ms)': med(figures.int128) };
    }
    result.settings = { runs: RUNS, shutdownMs: SHUTDOWN_MS, probeIntervalMs: 50, holderScale: `1:${SCALE}` };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    removeBundles();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`replacement bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
