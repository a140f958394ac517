// Data-plane benchmark (run by bench/dataplane.sh, as root): the synthesized boot script
// in the namespace lab of test/dataplane. Through the NAT against the same namespaces
// and hops with plain routing (no nftables table in the NAT namespace, the private host
// given its own public IP at the IGW), in pairs:
//   - TCP throughput (iperf3), new TCP connections per second and 64-byte UDP packets per
//     second (the per-packet cost), each reported as the median of the per-pair ratios
//     NAT/plain with their min and max;
//   - boot script to first forwarded connection: from starting the boot script on a fresh
//     lab instance (no kernel or cloud-init boot) to the first TCP connection a private
//     host gets through.
// How the pairs are taken, so that neither side inherits the other's conditions:
//   - switching to the NAT loads the table the boot script installed at the start (its
//     sysctls stay set throughout) in one nft transaction, as switching to plain routing
//     deletes it: running the whole script (AWS CLI processes, a second of CPU) before
//     every NAT run only loaded the machine just before the NAT's side;
//   - a pair is A packets, A rate, B rate, B packets, B throughput, A throughput: each
//     measurement sits next to (or around) its counterpart in time, and the side that goes
//     first alternates between the metrics; A is the NAT in even pairs and plain routing
//     in odd ones;
//   - every measurement starts from empty connection tracking in the NAT and IGW
//     namespaces: each connection of a rate run leaves an entry for 10 s after its reset,
//     which otherwise the next run (the other side's) paid for;
//   - a side's connection rate is the median of RATE_BURSTS runs of RATE_CONNECTIONS
//     (half a second each on this machine: one stall of a shared CPU swung a single run
//     by 3x), each from empty tracking and inside the client's port range (no 5-tuple
//     reused within a run); a connect may take 3 s, so a SYN lost while the acceptor is
//     descheduled costs its run the 1 s retransmit (the median absorbs it), not the bench;
//   - iperf3 runs IPERF_SECONDS after one second of ramp-up it discards.
// One JSON object on stdout, progress on stderr.
import { bundleFromSpec, removeBundles } from '../test/dataplane/support/boot-bundle';
import { EIP, INTERNET, Lab, PORTS, type Instance } from '../test/dataplane/support/lab';
import { background, killGroup, requireTools, runOk, sleep } from '../test/dataplane/support/proc';
import { spread, type Spread } from './measure';

const PAIRS = Math.max(5, Number(process.env.BENCH_DATAPLANE_PAIRS ?? 8));
const BOOT_RUNS = Number(process.env.BENCH_DATAPLANE_BOOT_RUNS ?? 5);
const IPERF_SECONDS = Math.max(4, Number(process.env.BENCH_DATAPLANE_IPERF_SECONDS ?? 6));
// Well inside the client's ephemeral port range: no 5-tuple is reused within a run.
const RATE_CONNECTIONS = 10_000;
const PPS_SECONDS = 3;
const RATE_BURSTS = 3;
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
  /** What the NAT namespace does now. */
  mode: Mode;
  /** The table as the boot script installed it (`nft list table`). */
  natTable: string;
}

type Mode = 'nat' | 'plain';

/**
 * Plain routing through the same NAT namespace (its table removed, the host publicly
 * addressed, replies steered back through it), or the NAT: the table the boot script
 * installed, loaded again as one nft transaction, so that both switches cost the same.
 */
async function setMode(b: Bench, mode: Mode): Promise<void> {
  if (mode === b.mode) return;
  if (mode === 'nat') await runOk(['ip', 'netns', 'exec', b.nat.ns, 'nft', '-f', '-'], { input: b.natTable });
  else await runOk(['ip', 'netns', 'exec', b.nat.ns, 'nft', 'delete', 'table', 'ip', 'cdktf_egress']);
  await expectSource(b, mode === 'nat' ? EIP : ROUTED_PUBLIC_IP);
  b.mode = mode;
}

async function expectSource(b: Bench, want: string): Promise<void> {
  const r = await b.lab.probe(b.hostNs, ['tcp-whoami', INTERNET.host, String(PORTS.whoami)]);
  const seen = r.ok ? String(r.seen).split(' ')[0] : `failed: ${String(r.error)}`;
  if (seen !== want) throw new Error(`expected the internet host to see ${want}, saw ${seen}`);
}

/** Every measurement starts with no tracked connections where the path tracks them. */
async function forgetConnections(b: Bench): Promise<void> {
  for (const ns of [b.nat.ns, b.lab.ns('igw')]) await runOk(['ip', 'netns', 'exec', ns, 'conntrack', '-F']);
}

async function throughputGbps(b: Bench): Promise<number> {
  await forgetConnections(b);
  const out = await runOk(['ip', 'netns', 'exec', b.hostNs, 'iperf3', '-c', INTERNET.host, '-p', '5201', '-t', String(IPERF_SECONDS), '-O', '1', '-J'], {
    timeoutMs: (IPERF_SECONDS + 15) * 1000,
  });
  const r = JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } };
  return r.end.sum_received.bits_per_second / 1e9;
}

/** One UDP flow of 64-byte datagrams as fast as the sender goes: what each forwarded packet costs, which a TCP stream's 64 KiB segments hide. */
async function smallPacketsPerSecond(b: Bench): Promise<number> {
  await forgetConnections(b);
  const out = await runOk(['ip', 'netns', 'exec', b.hostNs, 'iperf3', '-c', INTERNET.host, '-p', '5201', '-u', '-b', '0', '-l', '64', '-t', String(PPS_SECONDS), '-O', '1', '-J'], {
    timeoutMs: (PPS_SECONDS + 15) * 1000,
  });
  const r = JSON.parse(out) as { end: { sum: { packets: number; lost_packets: number; seconds: number } } };
  return (r.end.sum.packets - r.end.sum.lost_packets) / r.end.sum.seconds;
}

async function connectionsPerSecond(b: Bench): Promise<number> {
  const bursts: number[] = [];
  for (let i = 0; i < RATE_BURSTS; i++) {
    await forgetConnections(b);
    const r = await b.lab.probe(b.hostNs, ['connect-rate', INTERNET.host, String(PORTS.accept), '--count', String(RATE_CONNECTIONS), '--seconds', String(RATE_MAX_SECONDS), '--timeout', '3'], (RATE_MAX_SECONDS + 10) * 1000);
    if (!r.ok) throw new Error(`connect-rate (${b.mode}) had failures: ${JSON.stringify(r)}`);
    if (Number(r.slowestMs) > 500) say(`${b.mode}: a connect took ${String(r.slowestMs)} ms (a SYN lost and sent again): ${Number(r.perSecond).toFixed(0)} conn/s this run`);
    bursts.push(Number(r.perSecond));
  }
  return median(bursts);
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
  readonly smallPackets: { natPerSecond: number; plainPerSecond: number; ratio: Spread; bytes: number; seconds: number };
  readonly newConnections: { natPerSecond: number; plainPerSecond: number; ratio: Spread; perRun: number; runsPerSide: number };
  readonly bootScript: { toFirstForwardMs: number; wallMs: number; runs: number };
}

async function main(): Promise<void> {
  requireTools('ip', 'nft', 'python3', 'curl', 'iperf3', 'conntrack');
  const bundle = await bundleFromSpec(SPEC, 'dpbench', 'dpbench-nat');
  const lab = await Lab.create({ name: 'bench', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HOST }] });
  const stop = (): void => void lab.destroy().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const iperf = background(['ip', 'netns', 'exec', lab.ns('inet'), 'iperf3', '-s', '-B', INTERNET.host, '-p', '5201']);
  try {
    const b: Bench = { lab, nat: await lab.launch(), hostNs: lab.host('hub', HOST), mode: 'plain', natTable: '' };
    // For plain routing: the host's own public IP, and replies to it sent through the NAT namespace like the requests.
    const s = lab.state();
    s.igw[HOST] = ROUTED_PUBLIC_IP;
    lab.writeState(s);
    await lab.syncIgw();
    await runOk(['ip', '-n', lab.router('hub'), 'rule', 'add', 'iif', 'igw', 'to', HOST, 'lookup', '100', 'pref', '99']);
    // ...and let the host's own address leave through the egress ENI towards the IGW.
    await runOk(['ip', 'netns', 'exec', lab.router('hub'), 'nft', 'add', 'element', 'ip', 'vpc', 'own_address', `{ "e1" . ${HOST} }`]);
    await sleep(300); // iperf3 server up
    // The boot script has to run once before the NAT namespace forwards at all.
    await lab.bootOk(b.nat);
    b.mode = 'nat';
    b.natTable = await runOk(['ip', 'netns', 'exec', b.nat.ns, 'nft', 'list', 'table', 'ip', 'cdktf_egress']);
    const fastPath = b.natTable.includes('flowtable fastpath') ? 'flowtable' : 'none (the kernel refused the flowtable)';

    const gbps: Record<Mode, number[]> = { nat: [], plain: [] };
    const cps: Record<Mode, number[]> = { nat: [], plain: [] };
    const pps: Record<Mode, number[]> = { nat: [], plain: [] };
    for (let i = 0; i < PAIRS; i++) {
      const [first, second]: Mode[] = i % 2 === 0 ? ['nat', 'plain'] : ['plain', 'nat'];
      await setMode(b, first);
      pps[first].push(await smallPacketsPerSecond(b));
      cps[first].push(await connectionsPerSecond(b));
      await setMode(b, second);
      cps[second].push(await connectionsPerSecond(b));
      pps[second].push(await smallPacketsPerSecond(b));
      gbps[second].push(await throughputGbps(b));
      await setMode(b, first);
      gbps[first].push(await throughputGbps(b));
      const side = (m: Mode): string => `${gbps[m][i].toFixed(2)} Gbit/s ${cps[m][i].toFixed(0)} conn/s ${(pps[m][i] / 1000).toFixed(0)}k small packets/s`;
      say(`pair ${i + 1}/${PAIRS} (${first} first): NAT ${side('nat')}; plain ${side('plain')}`);
    }
    const nat = { gbps: gbps.nat, cps: cps.nat };
    const routed = { gbps: gbps.plain, cps: cps.plain };
    await setMode(b, 'nat');
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
      smallPackets: { natPerSecond: round(median(pps.nat), 0), plainPerSecond: round(median(pps.plain), 0), ratio: ratios(pps.nat, pps.plain), bytes: 64, seconds: PPS_SECONDS },
      newConnections: { natPerSecond: round(median(nat.cps), 0), plainPerSecond: round(median(routed.cps), 0), ratio: ratios(nat.cps, routed.cps), perRun: RATE_CONNECTIONS, runsPerSide: RATE_BURSTS },
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
