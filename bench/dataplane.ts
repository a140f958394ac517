// Data-plane benchmark (run by bench/dataplane.sh, as root): the synthesized boot script
// in the namespace lab of test/dataplane. Through the NAT against the same namespaces
// and hops with plain routing (no nftables table in the NAT namespace, the private host
// given its own public IP at the IGW), in alternated pairs (NAT, plain, NAT, plain, ...):
//   - TCP throughput (iperf3) and new TCP connections per second, each reported as the
//     median of the per-pair ratios NAT/plain with their min and max;
//   - boot script to first forwarded connection: from starting the boot script on a fresh
//     lab instance (no kernel or cloud-init boot) to the first TCP connection a private
//     host gets through.
// One JSON object on stdout, progress on stderr.
import { bundleFromSpec, removeBundles } from '../test/dataplane/support/boot-bundle';
import { EIP, INTERNET, Lab, PORTS, type Instance } from '../test/dataplane/support/lab';
import { background, killGroup, requireTools, runOk, sleep } from '../test/dataplane/support/proc';
import { spread, type Spread } from './measure';

const PAIRS = Math.max(5, Number(process.env.BENCH_DATAPLANE_PAIRS ?? 6));
const BOOT_RUNS = Number(process.env.BENCH_DATAPLANE_BOOT_RUNS ?? 5);
const IPERF_SECONDS = 4;
// Each connection leaves a conntrack entry for 10 s after its reset: a count well inside
// the masquerade's port space keeps runs from starving each other.
const RATE_CONNECTIONS = 10_000;
const RATE_MAX_SECONDS = 20;
const HOST = '10.0.1.10';
const ROUTED_PUBLIC_IP = '192.0.2.50';
const SPEC = `
project: dpbench
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a }
`;

const median = (xs: number[]): number => spread(xs).median;
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const say = (msg: string): boolean => process.stderr.write(`dataplane bench: ${msg}\n`);

interface Bench {
  lab: Lab;
  nat: Instance;
  hostNs: string;
}

/** Plain routing through the same NAT namespace: its table removed, the host publicly addressed, replies steered back through it. */
async function routedMode(b: Bench): Promise<void> {
  await runOk(['ip', 'netns', 'exec', b.nat.ns, 'nft', 'delete', 'table', 'ip', 'cdktf_egress']);
}

async function natMode(b: Bench): Promise<void> {
  await b.lab.bootOk(b.nat);
}

async function expectSource(b: Bench, want: string): Promise<void> {
  const r = await b.lab.probe(b.hostNs, ['tcp-whoami', INTERNET.host, String(PORTS.whoami)]);
  const seen = r.ok ? String(r.seen).split(' ')[0] : `failed: ${String(r.error)}`;
  if (seen !== want) throw new Error(`expected the internet host to see ${want}, saw ${seen}`);
}

async function throughputGbps(b: Bench): Promise<number> {
  const out = await runOk(['ip', 'netns', 'exec', b.hostNs, 'iperf3', '-c', INTERNET.host, '-p', '5201', '-t', String(IPERF_SECONDS), '-O', '1', '-J'], {
    timeoutMs: (IPERF_SECONDS + 15) * 1000,
  });
  const r = JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } };
  return r.end.sum_received.bits_per_second / 1e9;
}

async function connectionsPerSecond(b: Bench): Promise<number> {
  const r = await b.lab.probe(b.hostNs, ['connect-rate', INTERNET.host, String(PORTS.accept), '--count', String(RATE_CONNECTIONS), '--seconds', String(RATE_MAX_SECONDS)], (RATE_MAX_SECONDS + 10) * 1000);
  if (!r.ok) throw new Error(`connect-rate had failures: ${JSON.stringify(r)}`);
  return Number(r.perSecond);
}

/** A fresh instance each time: the probe starts with the script and times the first connection that gets through. */
async function bootToForwarding(b: Bench): Promise<{ forwardingMs: number; scriptMs: number }> {
  await b.lab.terminate(b.nat);
  b.nat = await b.lab.launch();
  const probe = b.lab.probe(b.hostNs, ['first-connect', INTERNET.host, String(PORTS.whoami), '--timeout', '30'], 40_000);
  await sleep(200); // the probe is trying before the script starts
  const t0 = Date.now();
  const r = await b.lab.bootOk(b.nat);
  const p = await probe;
  if (!p.ok) throw new Error(`no connection got through after boot: ${JSON.stringify(p)}`);
  return { forwardingMs: round(Number(p.atMs) - t0, 0), scriptMs: r.ms };
}

/** What bench/dataplane.sh prints. */
export interface DataplaneFigures {
  /** `flowtable`, or why not. */
  readonly fastPath: string;
  readonly pairs: number;
  readonly throughput: { natGbps: number; plainGbps: number; ratio: Spread; iperfSeconds: number };
  readonly newConnections: { natPerSecond: number; plainPerSecond: number; ratio: Spread; perRun: number };
  readonly bootScript: { toFirstForwardMs: number; wallMs: number; runs: number };
}

async function main(): Promise<void> {
  requireTools('ip', 'nft', 'python3', 'curl', 'iperf3');
  const bundle = await bundleFromSpec(SPEC, 'dpbench', 'dpbench-nat');
  const lab = await Lab.create({ name: 'bench', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HOST }] });
  const stop = (): void => void lab.destroy().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const iperf = background(['ip', 'netns', 'exec', lab.ns('inet'), 'iperf3', '-s', '-B', INTERNET.host, '-p', '5201']);
  try {
    const b: Bench = { lab, nat: await lab.launch(), hostNs: lab.host('hub', HOST) };
    await lab.bootOk(b.nat);
    // For plain routing: the host's own public IP, and replies to it sent through the NAT namespace like the requests.
    const s = lab.state();
    s.igw[HOST] = ROUTED_PUBLIC_IP;
    lab.writeState(s);
    await lab.syncIgw();
    await runOk(['ip', '-n', lab.router('hub'), 'rule', 'add', 'iif', 'igw', 'to', HOST, 'lookup', '100', 'pref', '99']);
    // ...and let the host's own address leave through the egress ENI towards the IGW.
    await runOk(['ip', 'netns', 'exec', lab.router('hub'), 'nft', 'add', 'element', 'ip', 'vpc', 'own_address', `{ "e1" . ${HOST} }`]);
    await sleep(300); // iperf3 server up

    const nat = { gbps: [] as number[], cps: [] as number[] };
    const routed = { gbps: [] as number[], cps: [] as number[] };
    let fastPath = '';
    for (let i = 0; i < PAIRS; i++) {
      await natMode(b);
      await expectSource(b, EIP);
      fastPath ||= (await runOk(['ip', 'netns', 'exec', b.nat.ns, 'nft', 'list', 'table', 'ip', 'cdktf_egress'])).includes('flowtable fastpath')
        ? 'flowtable' : 'none (the kernel refused the flowtable)';
      nat.gbps.push(await throughputGbps(b));
      nat.cps.push(await connectionsPerSecond(b));
      await routedMode(b);
      await expectSource(b, ROUTED_PUBLIC_IP);
      routed.gbps.push(await throughputGbps(b));
      routed.cps.push(await connectionsPerSecond(b));
      say(`pair ${i + 1}/${PAIRS}: NAT ${nat.gbps[i].toFixed(2)} Gbit/s ${nat.cps[i].toFixed(0)} conn/s; plain ${routed.gbps[i].toFixed(2)} Gbit/s ${routed.cps[i].toFixed(0)} conn/s`);
    }
    await natMode(b);
    const boots: { forwardingMs: number; scriptMs: number }[] = [];
    for (let i = 0; i < BOOT_RUNS; i++) {
      boots.push(await bootToForwarding(b));
      say(`boot ${i + 1}/${BOOT_RUNS}: forwarding after ${boots[i].forwardingMs} ms, script ${boots[i].scriptMs} ms`);
    }
    const ratios = (a: number[], b: number[]): Spread => {
      const s = spread(a.map((x, i) => x / b[i]));
      return { median: round(s.median, 3), min: round(s.min, 3), max: round(s.max, 3) };
    };
    const result: DataplaneFigures = {
      fastPath,
      pairs: PAIRS,
      throughput: { natGbps: round(median(nat.gbps)), plainGbps: round(median(routed.gbps)), ratio: ratios(nat.gbps, routed.gbps), iperfSeconds: IPERF_SECONDS },
      newConnections: { natPerSecond: round(median(nat.cps), 0), plainPerSecond: round(median(routed.cps), 0), ratio: ratios(nat.cps, routed.cps), perRun: RATE_CONNECTIONS },
      bootScript: { toFirstForwardMs: round(median(boots.map((x) => x.forwardingMs)), 0), wallMs: round(median(boots.map((x) => x.scriptMs)), 0), runs: BOOT_RUNS },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    killGroup(iperf.child);
    await lab.destroy();
    removeBundles();
  }
}

if (require.main === module) main().catch((e: unknown) => {
  process.stderr.write(`dataplane bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
