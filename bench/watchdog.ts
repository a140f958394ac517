// Watchdog benchmark (run by bench/watchdog.sh, as root): the synthesized watchdog in the
// namespace lab of test/dataplane. For each fault, the wall time of the watchdog run that
// finds and repairs it, against two baselines from the same run: a run on a healthy NAT
// (the checks alone) and the boot script converging with nothing to fix. For a fault that
// converging cannot fix (conntrack full), the wall time of the runs up to the Unhealthy
// report. The bound on a real instance adds the timer: up to 21 s (OnUnitActiveSec=20s,
// AccuracySec=1s) before the first run sees a fault, 20 s between runs.
// Medians of several runs; one JSON object on stdout, progress on stderr.
import { bundleFromSpec, removeBundles } from '../test/dataplane/support/boot-bundle';
import { INTERNET, Lab, type Instance } from '../test/dataplane/support/lab';
import { requireTools, run, runOk } from '../test/dataplane/support/proc';
import { detachEni, healthReports, resetWatchdogState, runWatchdog, writeWatchdogConf } from '../test/dataplane/support/watchdog';

const RUNS = Number(process.env.BENCH_WATCHDOG_RUNS ?? 3);
const TIMER_FIRST_S = 21;
const TIMER_INTERVAL_S = 20;
const REPAIRS = 3;
const SPEC = `
project: wdbench
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: alpha, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a, spokes: [alpha], monitoring: { repairsBeforeUnhealthy: ${REPAIRS} } }
`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const say = (msg: string): boolean => process.stderr.write(`watchdog bench: ${msg}\n`);

async function healthy(lab: Lab, nat: Instance): Promise<number> {
  resetWatchdogState(nat);
  const r = await runWatchdog(lab, nat);
  if (r.code !== 0 || r.stderr !== '') throw new Error(`the NAT is not healthy before a fault: ${r.stderr}`);
  return r.ms;
}

async function repairMs(lab: Lab, nat: Instance, name: string, inject: () => Promise<unknown>): Promise<number> {
  await healthy(lab, nat);
  await inject();
  const r = await runWatchdog(lab, nat);
  if (r.code !== 0 || !/repaired$/m.test(r.stderr)) throw new Error(`${name}: not repaired in one run:\n${r.stderr}`);
  return r.ms;
}

async function convergeMs(lab: Lab, nat: Instance): Promise<number> {
  const r = await run(['ip', 'netns', 'exec', nat.ns, 'env', `PATH=${lab.dir}/bin:/usr/sbin:/usr/bin:/sbin:/bin`, `EGRESS_CONF=${nat.dir}/nat.conf`,
    `EGRESS_NETWORKD_DIR=${nat.dir}/networkd`, lab.opts.bundle.scriptPath, '--repair'], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`boot --repair failed: ${r.stderr}`);
  return r.ms;
}

async function toUnhealthyMs(lab: Lab, nat: Instance, hostNs: string): Promise<number> {
  const s = lab.state();
  s.health = [];
  lab.writeState(s);
  writeWatchdogConf(lab.opts.bundle, nat, { CONNTRACK_FULL_PERCENT: '1' });
  await healthy(lab, nat);
  await lab.sh(nat.ns, 'echo 600 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout');
  const flows = Math.ceil(Number(await lab.sh(nat.ns, 'cat /proc/sys/net/netfilter/nf_conntrack_max')) / 100) + 200;
  await runOk(['ip', 'netns', 'exec', hostNs, 'python3', '-c',
    `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor p in range(${flows}): s.sendto(b"x",("${INTERNET.other}",20000+p))`]);
  let total = 0;
  for (let i = 0; i < REPAIRS; i++) total += (await runWatchdog(lab, nat)).ms;
  if (!healthReports(lab, nat).includes('Unhealthy')) throw new Error(`no Unhealthy report after ${REPAIRS} runs`);
  writeWatchdogConf(lab.opts.bundle, nat);
  return total;
}

async function main(): Promise<void> {
  requireTools('ip', 'nft', 'python3', 'curl');
  const bundle = await bundleFromSpec(SPEC, 'wdbench', 'wdbench-nat');
  const spoke = Number(bundle.conf.SPOKES.split('=')[0]);
  const lab = await Lab.create({ name: 'wdbench', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: '10.0.1.10' }, { vpc: spoke, ip: '10.1.1.10' }] });
  const stop = (): void => void lab.destroy().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const nat = await lab.launch();
    await lab.bootOk(nat);
    writeWatchdogConf(bundle, nat);
    const sh = (cmd: string) => () => lab.sh(nat.ns, cmd);
    const faults: [string, () => Promise<unknown>][] = [
      ['nftables table flushed', sh('nft flush table ip cdktf_egress')],
      ['forwarding off', sh('echo 0 > /proc/sys/net/ipv4/ip_forward')],
      ['default route removed', sh('ip route del default dev ens6')],
      ['egress ENI detached', () => detachEni(lab, nat, 1)],
      ['spoke ENI detached', () => detachEni(lab, nat, spoke)],
      ['spoke ENI down', sh(`ip link set dev ens${5 + spoke} down`)],
      ['spoke ENI unaddressed', sh(`ip addr flush dev ens${5 + spoke}`)],
    ];
    const checks: number[] = [];
    const converge: number[] = [];
    const repairs = new Map<string, number[]>(faults.map(([name]) => [name, []]));
    for (let i = 0; i < RUNS; i++) {
      checks.push(await healthy(lab, nat));
      converge.push(await convergeMs(lab, nat));
      for (const [name, inject] of faults) repairs.get(name)!.push(await repairMs(lab, nat, name, inject));
      say(`run ${i + 1}/${RUNS}: checks ${checks[i]} ms, converge ${converge[i]} ms, ${[...repairs].map(([n, ms]) => `${n} ${ms[i]} ms`).join(', ')}`);
    }
    const unhealthy = await toUnhealthyMs(lab, nat, lab.host('hub', '10.0.1.10'));
    say(`conntrack full: ${REPAIRS} runs to the Unhealthy report, ${unhealthy} ms`);
    const base = median(converge);
    const result: Record<string, unknown> = {
      'watchdog run, healthy NAT (ms)': median(checks),
      'boot script converging, nothing to fix (ms)': base,
    };
    let worst = 0;
    for (const [name, ms] of repairs) {
      worst = Math.max(worst, ...ms);
      result[`repair run: ${name} (ms)`] = median(ms);
      result[`repair run / converge: ${name}`] = round(median(ms) / base);
    }
    result['slowest repair run (ms)'] = worst;
    result['bound on an instance: time to repair (s)'] = round(TIMER_FIRST_S + worst / 1000, 1);
    result[`conntrack full: ${REPAIRS} runs to Unhealthy, timer gaps excluded (ms)`] = unhealthy;
    result['bound on an instance: time to Unhealthy (s)'] = round(TIMER_FIRST_S + (REPAIRS - 1) * TIMER_INTERVAL_S + unhealthy / 1000, 1);
    result.runs = RUNS;
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await lab.destroy();
    removeBundles();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`watchdog bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
