// The NAT watchdog, decoded from the synthesized user data and run in the lab instance as
// its timer would: each way the NAT can break is injected into a working NAT, and the
// watchdog must repair it by converging again, or report the instance Unhealthy after its
// repairs fail. The timer's 20 s is compressed to 0.5 s here; bounds are per run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromSpec, removeBundles, type BootBundle } from './support/boot-bundle';
import { EIP, INTERNET, Lab, PORTS, type Instance, type MetricDatum } from './support/lab';
import { expectEgressViaEip } from './support/expect-net';
import { parseNetworkFile } from './support/networkd';
import { requireTools, runOk } from './support/proc';
import {
  detachEni, healthReports, resetWatchdogState, runTimer, runWatchdog, shippedWatchdogConf, stateFile, writeWatchdogConf, type TimerOutcome,
} from './support/watchdog';

jest.setTimeout(180_000);

const SPEC = `
project: dpwatch
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: alpha, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - name: nat
    vpc: hub
    az: ap-northeast-1a
    spokes: [alpha]
    monitoring: { metrics: true, metricsPeriod: 60, repairsBeforeUnhealthy: 2 }
`;
const HUB_HOST = '10.0.1.10';
const SPOKE_HOST = '10.1.1.10';
/** One watchdog run, detection and repair (the boot script converging) included, on 2 busy cores. */
const RUN_BOUND_MS = 60_000;

let bundle: BootBundle;
let lab: Lab;
let nat: Instance;
let spokeIdx: number;
const hubNs = () => lab.host('hub', HUB_HOST);
const spokeNs = () => lab.host(spokeIdx, SPOKE_HOST);

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  bundle = await bundleFromSpec(SPEC, 'dpwatch', 'dpwatch-nat');
  spokeIdx = Number(bundle.conf.SPOKES.split('=')[0]);
  lab = await Lab.create({ name: 'wdog', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HUB_HOST }, { vpc: spokeIdx, ip: SPOKE_HOST }] });
  nat = await lab.launch();
  await lab.bootOk(nat);
});

afterAll(async () => {
  await lab?.destroy();
  removeBundles();
});

/** A healthy NAT before each case: the shipped config (metrics every second), fresh state. */
async function healthyStart(overrides: Record<string, string> = {}): Promise<void> {
  writeWatchdogConf(bundle, nat, { METRICS_PERIOD: '1', ...overrides });
  resetWatchdogState(nat);
  const r = await runWatchdog(lab, nat);
  expect({ code: r.code, log: r.stderr }).toEqual({ code: 0, log: '' });
}

async function spokeEgress(): Promise<string> {
  const r = await lab.probe(spokeNs(), ['tcp-whoami', INTERNET.host, String(PORTS.whoami)]);
  return r.ok ? String(r.seen).split(' ')[0] : `failed: ${String(r.error)}`;
}

const repaired = (r: { code: number | null }) => r.code === 0;

/** Forgets earlier Unhealthy reports, so a case sees only its own. */
function clearHealth(): void {
  const s = lab.state();
  s.health = [];
  lab.writeState(s);
}

/** Injects the fault, runs the timer until a run ends healthy, and checks traffic again. */
async function expectRepaired(fault: string, inject: () => Promise<void>, detected: RegExp): Promise<TimerOutcome> {
  await healthyStart();
  await inject();
  const out = await runTimer(lab, nat, repaired);
  const first = out.runs[0];
  expect({ fault, exit: first.code, detected: detected.test(first.stderr), repaired: /repaired$/m.test(first.stderr) })
    .toEqual({ fault, exit: 0, detected: true, repaired: true });
  expect(first.ms).toBeLessThan(RUN_BOUND_MS);
  expect(healthReports(lab, nat)).toEqual([]);
  await expectEgressViaEip(lab, hubNs(), `after-${fault}`);
  expect(await spokeEgress()).toBe(EIP);
  // The next run finds nothing to do.
  const again = await runWatchdog(lab, nat);
  expect({ fault, code: again.code, log: again.stderr }).toEqual({ fault, code: 0, log: '' });
  timings.push({ fault, outcome: 'repaired', runs: out.runs.length, ms: first.ms });
  return out;
}

const timings: { fault: string; outcome: string; runs: number; ms: number }[] = [];
afterAll(() => {
  // For the record in the test log; the bench measures these on its own.
  if (timings.length > 0) console.log(timings.map((t) => `${t.fault}: ${t.outcome} after ${t.runs} run(s), ${t.ms} ms`).join('\n'));
});

describe('the shipped watchdog', () => {
  test('its config comes from the spec: 2 repairs before Unhealthy, metrics every 60 s, VPC names for the metrics', () => {
    const conf = shippedWatchdogConf(bundle);
    expect(conf).toMatch(/^WATCHDOG_REPAIRS="2"$/m);
    expect(conf).toMatch(/^METRICS_PERIOD="60"$/m);
    expect(conf).toMatch(/^METRICS_NAMESPACE="CdktfEgress"$/m);
    expect(conf).toMatch(/^METRIC_HUB="hub"$/m);
    expect(conf).toMatch(new RegExp(`^METRIC_SPOKES="${spokeIdx}=alpha"$`, 'm'));
  });

  test('its units: a timer every 30 s or less with 1 s accuracy, a oneshot that runs only after the boot unit succeeded', () => {
    const unit = (path: string) => Object.fromEntries(parseNetworkFile(readFileSync(join(bundle.root, path), 'utf8')).map((x) => [x.name, x.keys]));
    const timer = unit('/etc/systemd/system/cdktf-egress-watchdog.timer');
    expect(parseInt(timer.Timer.OnUnitActiveSec, 10)).toBeLessThanOrEqual(30);
    expect(timer.Timer).toMatchObject({ AccuracySec: '1s' });
    expect(timer.Install).toEqual({ WantedBy: 'timers.target' });
    const service = unit('/etc/systemd/system/cdktf-egress-watchdog.service');
    expect(service.Unit).toMatchObject({ Requisite: 'cdktf-egress-nat.service', After: 'cdktf-egress-nat.service' });
    expect(service.Service).toMatchObject({ Type: 'oneshot', ExecStart: '/opt/cdktf-egress/nat-watchdog.sh' });
    expect(bundle.cloudConfig.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'cdktf-egress-watchdog.timer']);
  });

  test('on a healthy NAT a run is silent, exits 0 and changes nothing', async () => {
    const before = await lab.snapshot(nat);
    await healthyStart();
    const after = await lab.snapshot(nat);
    // Only the watchdog's own counting table is new.
    expect(after.nft.replace(/table ip cdktf_egress_metrics \{[\s\S]*?\n\}\n?/, '')).toBe(before.nft);
    expect({ rules: after.rules, routes: after.routes, addrs: after.addrs }).toEqual({ rules: before.rules, routes: before.routes, addrs: before.addrs });
  });
});

describe('faults the watchdog repairs by converging again', () => {
  test('the nftables table flushed', async () => {
    await expectRepaired('table-flushed', () => lab.sh(nat.ns, 'nft flush table ip cdktf_egress').then(() => undefined), /no masquerade rule for ens6/);
  });

  test('forwarding turned off', async () => {
    await expectRepaired('forwarding-off', () => lab.sh(nat.ns, 'echo 0 > /proc/sys/net/ipv4/ip_forward').then(() => undefined), /IPv4 forwarding is off/);
  });

  test('the default route on the egress ENI removed', async () => {
    await expectRepaired('default-route', () => lab.sh(nat.ns, 'ip route del default dev ens6').then(() => undefined), /default route is on ens5, not ens6/);
  });

  test('the egress ENI detached: the repair attaches it again', async () => {
    const attachesBefore = lab.calls().filter((c) => c.operation === 'attach-network-interface' && c.ok).length;
    await expectRepaired('egress-eni-detached', () => detachEni(lab, nat, 1), /device 1 \(02:ee:00:00:01:01\) is not attached/);
    expect(lab.calls().filter((c) => c.operation === 'attach-network-interface' && c.ok)).toHaveLength(attachesBefore + 1);
  });

  test('the spoke ENI detached', async () => {
    await expectRepaired('spoke-eni-detached', () => detachEni(lab, nat, spokeIdx), new RegExp(`device ${spokeIdx} \\(\\S+\\) is not attached`));
  });

  test('the spoke ENI down', async () => {
    await expectRepaired('spoke-eni-down', () => lab.sh(nat.ns, `ip link set dev ens${5 + spokeIdx} down`).then(() => undefined), new RegExp(`device ${spokeIdx} \\(ens${5 + spokeIdx}\\) is down`));
  });

  test('the spoke ENI without its address', async () => {
    await expectRepaired('spoke-eni-unaddressed', () => lab.sh(nat.ns, `ip addr flush dev ens${5 + spokeIdx}`).then(() => undefined), new RegExp(`device ${spokeIdx} \\(ens${5 + spokeIdx}\\) lacks its address`));
  });

  test('masquerade running out of ports: the repair restores the full port range', async () => {
    await healthyStart({ PORT_FAILURES_LIMIT: '3' });
    // One source port for every connection to the same destination: the second and later cannot get one.
    await lab.sh(nat.ns, 'nft insert rule ip cdktf_egress snat_out oifname "ens6" meta l4proto tcp masquerade to :40000-40000');
    await lab.probe(hubNs(), ['connect-rate', INTERNET.host, String(PORTS.accept), '--count', '20', '--seconds', '5'], 30_000);
    const out = await runTimer(lab, nat, repaired);
    expect(out.runs[0].stderr).toMatch(/\d+ port-allocation failures since the last run \(limit 3\)/);
    expect(out.runs[0].stderr).toMatch(/repaired$/m);
    expect(await lab.sh(nat.ns, 'nft list chain ip cdktf_egress snat_out')).not.toContain('40000');
    await expectEgressViaEip(lab, hubNs(), 'after-ports');
    timings.push({ fault: 'port-allocation-failures', outcome: 'repaired', runs: out.runs.length, ms: out.runs[0].ms });
  });
});

describe('faults converging cannot fix: Unhealthy after the configured repairs', () => {
  test('a fault that comes back after each repair: the repairs count as failed, then Unhealthy', async () => {
    clearHealth();
    await healthyStart();
    const forwardingOff = () => lab.sh(nat.ns, 'echo 0 > /proc/sys/net/ipv4/ip_forward');
    await forwardingOff();
    // Something on the host keeps turning forwarding off again between runs.
    const out = await runTimer(lab, nat, async () => {
      await forwardingOff();
      return healthReports(lab, nat).length > 0;
    }, { maxRuns: 4 });
    expect(out.runs.map((r) => r.code)).toEqual([0, 0, 1]);
    expect(out.log.match(/^cdktf-egress-watchdog: repaired$/gm)).toHaveLength(2);
    expect(out.log).toMatch(/reported i-\w+ Unhealthy after 2 failed repairs/);
    timings.push({ fault: 'forwarding-off-recurring', outcome: 'Unhealthy', runs: out.runs.length, ms: out.ms });
    await lab.sh(nat.ns, 'echo 1 > /proc/sys/net/ipv4/ip_forward');
  });

  test('conntrack near full: two failed repairs, then one Unhealthy report, and no more', async () => {
    clearHealth();
    // 1 % of the namespace's fixed maximum is a few thousand entries: UDP flows to as many ports.
    await healthyStart({ CONNTRACK_FULL_PERCENT: '1' });
    const max = Number(await lab.sh(nat.ns, 'cat /proc/sys/net/netfilter/nf_conntrack_max'));
    await lab.sh(nat.ns, 'echo 600 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout');
    const flows = Math.ceil(max / 100) + 200;
    await runOk(['ip', 'netns', 'exec', hubNs(), 'python3', '-c',
      `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor p in range(${flows}): s.sendto(b"x",("${INTERNET.other}",10000+p))`]);
    const out = await runTimer(lab, nat, () => healthReports(lab, nat).length > 0);
    expect(out.runs.map((r) => r.code)).toEqual([1, 1]);
    expect(out.log).toMatch(/conntrack is \d+\/\d+ full \(limit 1%\)/);
    expect(out.log).toMatch(/repair 1\/2 did not help/);
    expect(out.log).toMatch(/repair 2\/2 did not help/);
    expect(out.log).toMatch(/reported i-\w+ Unhealthy after 2 failed repairs/);
    expect(lab.state().health.at(-1)).toEqual({ instanceId: nat.id, status: 'Unhealthy', respectGrace: false });
    out.runs.forEach((r) => expect(r.ms).toBeLessThan(RUN_BOUND_MS));
    // Reported once: a later run still failing does not repeat it.
    const later = await runWatchdog(lab, nat);
    expect(later.code).toBe(1);
    expect(healthReports(lab, nat)).toEqual(['Unhealthy']);
    timings.push({ fault: 'conntrack-full', outcome: 'Unhealthy', runs: out.runs.length, ms: out.ms });
    await lab.sh(nat.ns, 'echo 30 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout');
    await runOk(['ip', 'netns', 'exec', nat.ns, 'sh', '-c', 'command -v conntrack >/dev/null && conntrack -F || true']);
  });

  test('the egress probe failing upstream: Unhealthy after the configured repairs, the report retried until the API answers', async () => {
    clearHealth();
    await healthyStart({ WATCHDOG_PROBE: `${INTERNET.host}:${PORTS.accept}`, WATCHDOG_PROBE_TIMEOUT: '2' });
    // Upstream loses the probe target's answers to the EIP; the NAT itself is intact.
    await lab.sh(lab.ns('igw'), `nft add table ip wdfault && nft add chain ip wdfault pre '{ type filter hook prerouting priority -300; }' && nft add rule ip wdfault pre ip daddr ${EIP} tcp sport ${PORTS.accept} drop`);
    // And the Auto Scaling API cannot be reached at first.
    const endpoints = join(lab.dir, 'endpoints.json');
    const dns = readFileSync(endpoints, 'utf8');
    writeFileSync(endpoints, JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(dns) as Record<string, string>).filter(([h]) => !h.startsWith('autoscaling.')))));
    try {
      const out = await runTimer(lab, nat, () => false, { maxRuns: 2 });
      expect(out.log).toMatch(new RegExp(`no TCP connection to ${INTERNET.host.replace(/\./g, '\\.')}:${PORTS.accept} through ens6`));
      expect(out.runs.map((r) => r.code)).toEqual([1, 1]);
      expect(out.log.match(/Unhealthy report failed \(attempt \d\/4\)/g)).toHaveLength(4);
      expect(out.log).toMatch(/could not report the instance Unhealthy; the next run tries again/);
      expect(healthReports(lab, nat)).toEqual([]);
      // The API is back: the next run reports.
      writeFileSync(endpoints, dns);
      const next = await runWatchdog(lab, nat);
      expect(next.code).toBe(1);
      expect(next.stderr).toMatch(/reported i-\w+ Unhealthy after 2 failed repairs/);
      expect(healthReports(lab, nat)).toEqual(['Unhealthy']);
      timings.push({ fault: 'egress-probe', outcome: 'Unhealthy (report retried)', runs: out.runs.length + 1, ms: out.ms + next.ms });
    } finally {
      writeFileSync(endpoints, dns);
      await lab.sh(lab.ns('igw'), 'nft delete table ip wdfault');
    }
    // Healthy again: the count starts over.
    const r = await runWatchdog(lab, nat);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/healthy again after 2 failed repairs/);
    expect(stateFile(nat)).toMatchObject({ FAILED_REPAIRS: '0', REPORTED: '0' });
  });
});

describe('metrics sent to the fake CloudWatch', () => {
  const sent = (): MetricDatum[] => lab.state().metrics ?? [];

  test('every datum is in the CdktfEgress namespace with the NAT as a dimension, in CloudWatch units', async () => {
    await healthyStart();
    const data = sent();
    expect(data.length).toBeGreaterThan(0);
    for (const d of data) {
      expect({ ns: d.namespace, nat: d.Dimensions.NatId }).toEqual({ ns: 'CdktfEgress', nat: 'dpwatch-nat' });
      expect(['Count', 'Bytes']).toContain(d.Unit);
    }
    const names = new Set(data.map((d) => d.MetricName));
    expect([...names].sort()).toEqual([
      'BytesForwarded', 'ConntrackEntries', 'ConntrackMax', 'DroppedPackets', 'PacketsForwarded', 'PortAllocationFailures',
      'WatchdogRepairFailures', 'WatchdogRepairs',
    ]);
  });

  test('bytes and packets forwarded are counted per served VPC, by name, as the change since the last send', async () => {
    await healthyStart();
    const mark = sent().length;
    await lab.probe(hubNs(), ['tcp-send', INTERNET.host, String(PORTS.sink), '--bytes', '200000', '--seed', '1']);
    await lab.probe(spokeNs(), ['tcp-send', INTERNET.host, String(PORTS.sink), '--bytes', '50000', '--seed', '2']);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await runWatchdog(lab, nat)).code).toBe(0);
    const batch = sent().slice(mark);
    const bytes = (vpc: string) => batch.find((d) => d.MetricName === 'BytesForwarded' && d.Dimensions.Vpc === vpc);
    expect(bytes('hub')).toMatchObject({ Unit: 'Bytes' });
    expect(bytes('hub')!.Value).toBeGreaterThan(200_000);
    expect(bytes('hub')!.Value).toBeLessThan(400_000);
    expect(bytes('alpha')!.Value).toBeGreaterThan(50_000);
    expect(bytes('alpha')!.Value).toBeLessThan(200_000);
    const packets = batch.filter((d) => d.MetricName === 'PacketsForwarded');
    expect(packets.map((d) => d.Dimensions.Vpc).sort()).toEqual(['alpha', 'hub']);
    const ct = batch.find((d) => d.MetricName === 'ConntrackMax');
    expect(ct?.Value).toBe(Number(await lab.sh(nat.ns, 'cat /proc/sys/net/netfilter/nf_conntrack_max')));
  });

  test('a repair is counted in WatchdogRepairs; the calls went to the monitoring endpoint', async () => {
    await healthyStart();
    const mark = sent().length;
    await lab.sh(nat.ns, 'echo 0 > /proc/sys/net/ipv4/ip_forward');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await runWatchdog(lab, nat)).code).toBe(0);
    const repairs = sent().slice(mark).filter((d) => d.MetricName === 'WatchdogRepairs');
    expect(repairs.map((d) => d.Value)).toEqual([1]);
    const puts = lab.calls().filter((c) => c.service === 'cloudwatch');
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.every((c) => c.ok && c.operation === 'put-metric-data' && c.params.namespace === 'CdktfEgress')).toBe(true);
  });
});
