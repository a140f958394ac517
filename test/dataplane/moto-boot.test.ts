// The boot script and the watcher against the AWS API emulator (Debian's python3-moto)
// instead of the lab's own EC2 fake: the lab's cloud is made in moto, the instances call it
// with the real AWS CLI through a proxy that only adds faults and the few things moto gets
// wrong (support/moto-lab.ts MOTO_LAB_GAPS), and the lab's links and IGW follow what moto
// says. What moto holds afterwards is asked of moto itself.
//
// moto cannot hold an instance in a lifecycle hook or keep PutMetricData; those stay on the
// lab's fake (replacement.test.ts, watchdog.test.ts).
import { bundlesFromSpec, removeBundles, type BootBundle } from './support/boot-bundle';
import { gapProbes } from './support/asg';
import { expectEgressViaEip } from './support/expect-net';
import { EIP, INTERNET, Lab, PORTS, type Instance } from './support/lab';
import { MOTO_LAB_GAPS, type MotoView, type ProxyCall } from './support/moto-lab';
import { requireTools } from './support/proc';

jest.setTimeout(240_000);

// Two NATs, one synth and plan: egress on a dedicated ENI (most labs), and on the primary interface.
const SPEC = `
project: dpmoto
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: app, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
  - { name: hubp, cidr: 10.2.0.0/16, azs: [ap-northeast-1a] }
  - { name: appp, cidr: 10.3.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a, spokes: [app] }
  - { name: natp, vpc: hubp, az: ap-northeast-1a, spokes: [appp], egressInterface: primary, allowHubWithoutEgress: true }
`;
const HUB_HOST = '10.0.1.10';
const SPOKE_HOST = '10.1.1.10';
const PRIMARY_SPOKE_HOST = '10.3.1.10';

let bundle: BootBundle;
let primary: BootBundle;
const labs: Lab[] = [];

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl', 'aws');
  const bundles = await bundlesFromSpec(SPEC, 'dpmoto');
  bundle = bundles.get('dpmoto-nat')!;
  primary = bundles.get('dpmoto-natp')!;
  expect({ dedicated: bundle?.conf.EGRESS_MODE, primary: primary?.conf.EGRESS_MODE }).toEqual({ dedicated: 'dedicated', primary: 'primary' });
}, 120_000);

afterAll(async () => {
  await Promise.all(labs.map((l) => l.destroy()));
  removeBundles();
});

const spokeIdx = (): number => Number(bundle.conf.SPOKES.split('=')[0]);

async function motoLab(name: string): Promise<Lab> {
  const lab = await Lab.create({
    name, bundle, api: 'moto', natVpcCidr: '10.0.0.0/16',
    hosts: [{ vpc: 'hub', ip: HUB_HOST }, { vpc: spokeIdx(), ip: SPOKE_HOST }],
  });
  labs.push(lab);
  return lab;
}

const view = (lab: Lab): Promise<MotoView> => lab.moto!.describe(bundle.conf.NAT_ID);
/** The calls instances made (the lab's own acts go to moto directly, not through the proxy). */
const calls = (lab: Lab, action?: string): ProxyCall[] => lab.moto!.calls().filter((c) => action === undefined || c.action === action);

/** Every ENI of the NAT attached to `inst` at its own device index, and the EIP on the egress ENI at its address. */
async function expectHeldBy(lab: Lab, inst: Instance): Promise<void> {
  const v = await view(lab);
  const own = v.enis.filter((e) => e.deviceIndex !== null);
  expect(own.map((e) => e.id).sort()).toEqual(lab.enis.map((e) => e.id).sort());
  for (const e of own) expect({ eni: e.id, status: e.status, instanceId: e.instanceId }).toEqual({ eni: e.id, status: 'in-use', instanceId: inst.id });
  const egress = lab.enis.find((e) => e.vpc === 'hub')!;
  expect(v.addresses.map((a) => [a.publicIp, a.networkInterfaceId, a.privateIp])).toEqual([[EIP, egress.id, egress.ip]]);
}

async function expectEgress(lab: Lab, token: string): Promise<void> {
  await expectEgressViaEip(lab, lab.host('hub', HUB_HOST), `${token}-hub`);
  await expectEgressViaEip(lab, lab.host(spokeIdx(), SPOKE_HOST), `${token}-spoke`);
}

describe('first boot: the ENIs, the EIP and the group are moto\'s', () => {
  let lab: Lab;
  let nat: Instance;

  beforeAll(async () => {
    lab = await motoLab('mfirst');
    nat = await lab.launch();
    await lab.bootOk(nat);
  }, 300_000);

  test('moto has every ENI attached to the instance and the EIP on the egress ENI; hub and spoke hosts leave through the EIP', async () => {
    await expectHeldBy(lab, nat);
    await expectEgress(lab, 'first');
  });

  test('every EC2 and Auto Scaling call went to moto, from the instance, and was answered 200; none reached the lab\'s fake', () => {
    const made = calls(lab);
    expect(made.length).toBeGreaterThan(0);
    expect(made.filter((c) => c.status !== 200 || c.fault || c.labError)).toEqual([]);
    // Dedicated egress: the EIP stays on the egress ENI, where the stack put it; the boot does not touch it.
    expect(new Set(made.map((c) => c.action))).toEqual(new Set(['DescribeAutoScalingInstances', 'DescribeNetworkInterfaces', 'AttachNetworkInterface']));
    // From the instance's own public IPv4 address until the egress ENI is up, then from the EIP.
    expect(new Set(made.map((c) => c.peer))).toEqual(new Set(['192.0.2.101', EIP]));
    expect(calls(lab, 'AttachNetworkInterface')).toHaveLength(lab.enis.length);
    expect(lab.state().calls).toEqual([]);
  });

  test('the group moto keeps has the instance InService and Healthy', async () => {
    expect((await view(lab)).group).toEqual([{ instanceId: nat.id, health: 'Healthy', lifecycle: 'InService' }]);
  });

  test('GIVEN the boot runs again (a unit restart) THEN it attaches nothing and egress stays on the EIP', async () => {
    const before = calls(lab, 'AttachNetworkInterface').length;
    const r = await lab.bootOk(nat);
    expect(r.stderr).toMatch(/already attached as device 1/);
    expect(calls(lab, 'AttachNetworkInterface')).toHaveLength(before);
    await expectHeldBy(lab, nat);
    await expectEgress(lab, 'again');
  });

  test(`${MOTO_LAB_GAPS.ATTACH_IN_USE}`, async () => {
    const egress = lab.enis.find((e) => e.vpc === 'hub')!;
    const r = await lab.moto!.cli(['ec2', 'attach-network-interface', '--network-interface-id', egress.id, '--instance-id', nat.id, '--device-index', '3']);
    // A service error: 254 from CLI v2, 255 from v1.
    expect({ failed: r.code !== 0, stderr: r.stderr.trim() }).toEqual({ failed: true, stderr: expect.stringMatching(/\(InvalidParameterValue\).*Interface: \[eni-\w+\] in use\./) });
    await expectHeldBy(lab, nat);
  });

  test(`${MOTO_LAB_GAPS.MAC_ADDRESSES}; moto's own is not one`, async () => {
    const egress = lab.enis.find((e) => e.vpc === 'hub')!;
    const viaProxy = await lab.moto!.cli(['ec2', 'describe-network-interfaces', '--network-interface-ids', egress.id, '--query', 'NetworkInterfaces[0].MacAddress']);
    expect(viaProxy.stdout.trim()).toBe(egress.mac);
    expect((await view(lab)).enis.find((e) => e.id === egress.id)?.mac).not.toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });
});

describe('the platform misbehaves: the proxy throttles, fails and stalls moto\'s answers', () => {
  let lab: Lab;
  let nat: Instance;
  let stderr: string;

  beforeAll(async () => {
    lab = await motoLab('mfault');
    nat = await lab.launch();
    // The two ENIs attach in parallel, each CLI call absorbing at most 2 throttles in its 3
    // attempts: with 5, at least one call fails and the script's own retry has to carry it.
    lab.moto!.injectFaults('AttachNetworkInterface', Array.from({ length: 5 }, () => ({ code: 'RequestLimitExceeded' })));
    lab.moto!.injectFaults('DescribeAutoScalingInstances', Array.from({ length: 3 }, () => ({ code: 'ServiceUnavailable' })));
    // Longer than the script's 30 s bound on one call: killed, counted as a timeout, retried;
    // then a front end's 502 page for every attempt of the CLI, which has no error code to report.
    lab.moto!.injectFaults('DescribeNetworkInterfaces', [{ stallMs: 33_000 }, { status: 502 }, { status: 502 }, { status: 502 }]);
    stderr = (await lab.bootOk(nat)).stderr;
  }, 300_000);

  test('the boot succeeds: moto holds every ENI on the instance, the EIP on the egress ENI, and egress works', async () => {
    await expectHeldBy(lab, nat);
    await expectEgress(lab, 'faults');
  });

  test('each fault was retried: by the CLI, then by the script, with its own log line', () => {
    expect(stderr).toMatch(/attach-network-interface: RequestLimitExceeded \(attempt 1\/\d+\), retrying/);
    expect(stderr).toMatch(/describe-auto-scaling-instances: ServiceUnavailable \(attempt 1\/\d+\), retrying/);
    expect(stderr).toMatch(/describe-network-interfaces: Timeout \(attempt 1\/\d+\), retrying/);
    expect(stderr).toMatch(/describe-network-interfaces: 502 \(attempt 2\/\d+\), retrying/);
    const attach = calls(lab, 'AttachNetworkInterface');
    expect(attach.filter((c) => c.fault === 'RequestLimitExceeded')).toHaveLength(5);
    expect(attach.filter((c) => c.status === 200)).toHaveLength(lab.enis.length);
    expect(calls(lab, 'DescribeAutoScalingInstances').map((c) => c.fault ?? c.status)).toEqual(['ServiceUnavailable', 'ServiceUnavailable', 'ServiceUnavailable', 200]);
    expect(calls(lab, 'DescribeNetworkInterfaces').slice(0, 5).map((c) => c.stalledMs ?? c.fault ?? c.status)).toEqual([33_000, '502', '502', '502', 200]);
  });
});

describe('one NAT over its life in moto: replaced, released by its watcher, a launch that fails, a launch that works', () => {
  let lab: Lab;
  let old: Instance;
  let next: Instance;
  let gaps: Awaited<ReturnType<ReturnType<typeof gapProbes>['stop']>>;

  beforeAll(async () => {
    lab = await motoLab('mlife');
    old = await lab.launch();
    await lab.bootOk(old);
    const probes = gapProbes(lab, { hub: lab.host('hub', HUB_HOST), spoke: lab.host(spokeIdx(), SPOKE_HOST) }, { host: INTERNET.host, port: PORTS.whoami });
    next = await lab.launch();
    await lab.bootOk(next);
    gaps = await probes.stop();
  }, 300_000);

  describe('a successor takes the ENIs from the running NAT it replaces', () => {
    test('moto has every ENI on the successor, detached from the old one first; the EIP stayed on the egress ENI', async () => {
      await expectHeldBy(lab, next);
      expect(calls(lab, 'DetachNetworkInterface').filter((c) => c.status === 200)).toHaveLength(lab.enis.length);
      expect(calls(lab, 'AttachNetworkInterface').filter((c) => c.refused)).toEqual([]);
    });

    test('every answer the hosts got during the handover came from the EIP, and egress is up at the end', async () => {
      for (const [name, g] of Object.entries(gaps)) expect({ name, seen: Object.keys(g.seen), ok: g.ok }).toEqual({ name, seen: [EIP], ok: true });
      await expectEgress(lab, 'after');
    });

    test('GIVEN the old instance is terminated THEN moto lists it terminated and the successor keeps everything', async () => {
      await lab.terminate(old);
      const v = await view(lab);
      expect(v.instances).toEqual(expect.arrayContaining([{ instanceId: old.id, state: 'terminated' }, { instanceId: next.id, state: 'running' }]));
      await expectHeldBy(lab, next);
      await expectEgress(lab, 'terminated');
    });
  });

  describe('the group terminates it: its watcher releases the ENIs in moto', () => {
    let watchLog: () => string;

    beforeAll(async () => {
      watchLog = lab.watch(next, { EGRESS_WATCH_INTERVAL_MS: '200' }).output;
      await lab.patchState({ instances: { [next.id]: { targetLifecycleState: 'Terminated' } } });
      for (let i = 0; i < 120 && (watchLog().match(/released eni-/g) ?? []).length < lab.enis.length; i++) await new Promise((r) => setTimeout(r, 500));
      await lab.terminate(next);
    }, 120_000);

    test('moto has every ENI available again, detached by the instance, the egress ENI last', async () => {
      const v = await view(lab);
      for (const e of v.enis.filter((x) => x.deviceIndex !== null)) expect({ eni: e.id, status: e.status, instanceId: e.instanceId }).toEqual({ eni: e.id, status: 'available', instanceId: null });
      const released = [...watchLog().matchAll(/released (eni-\w+) \(device (\d+)\)/g)].map((m) => Number(m[2]));
      expect(released).toHaveLength(lab.enis.length);
      expect(released[released.length - 1]).toBe(1);
      expect(watchLog()).toMatch(/stepped aside/);
    });
  });

  describe('a launch that meets a permanent error', () => {
    let failed: Instance;
    let result: { code: number | null; stderr: string };

    beforeAll(async () => {
      failed = await lab.launch();
      lab.moto!.injectFaults('AttachNetworkInterface', [{ code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' }]);
      result = await lab.boot(failed);
    }, 120_000);

    test('is not retried: the boot fails saying which call and why', () => {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/attach .* permanent error UnauthorizedOperation, not retried/);
      expect(calls(lab, 'AttachNetworkInterface').filter((c) => c.fault)).toHaveLength(1);
    });

    test('the instance reports itself Unhealthy to the group, and moto\'s group has it so', async () => {
      expect(calls(lab, 'SetInstanceHealth').map((c) => c.status)).toEqual([200]);
      expect((await view(lab)).group).toContainEqual({ instanceId: failed.id, health: 'Unhealthy', lifecycle: 'InService' });
    });

    test('GIVEN the group replaces it THEN the new instance attaches the free ENIs without waiting and forwards', async () => {
      await lab.terminate(failed);
      const last = await lab.launch();
      const r = await lab.bootOk(last);
      expect(r.stderr).not.toMatch(/waiting for/);
      await expectHeldBy(lab, last);
      await expectEgress(lab, 'relaunch');
    });
  });
});

describe('egress on the primary interface: each instance moves the EIP to itself in moto', () => {
  let lab: Lab;
  let first: Instance;
  let next: Instance;
  const eipAt = async (): Promise<[string, string | null, string | null][]> =>
    (await lab.moto!.describe(primary.conf.NAT_ID)).addresses.map((a) => [a.publicIp, a.networkInterfaceId, a.privateIp]);
  const primaryEni = (inst: Instance): string => String(lab.state().instances[inst.id].primaryEni);
  const spokeHost = (): string => lab.host(Number(primary.conf.SPOKES.split('=')[0]), PRIMARY_SPOKE_HOST);

  beforeAll(async () => {
    lab = await Lab.create({
      name: 'mprim', bundle: primary, api: 'moto', natVpcCidr: '10.2.0.0/16',
      hosts: [{ vpc: Number(primary.conf.SPOKES.split('=')[0]), ip: PRIMARY_SPOKE_HOST }],
    });
    labs.push(lab);
    first = await lab.launch();
    await lab.bootOk(first);
  }, 300_000);

  test('the first instance associated the EIP with its primary interface; the spoke leaves through it', async () => {
    expect(await eipAt()).toEqual([[EIP, primaryEni(first), first.primaryIp]]);
    expect(calls(lab, 'AssociateAddress').map((c) => [c.status, c.peer])).toEqual([[200, '192.0.2.101']]);
    await expectEgressViaEip(lab, spokeHost(), 'prim-first');
  });

  test('GIVEN a successor THEN it takes the spoke ENI and re-associates the EIP with its own primary interface', async () => {
    next = await lab.launch();
    await lab.bootOk(next);
    expect(await eipAt()).toEqual([[EIP, primaryEni(next), next.primaryIp]]);
    const v = await lab.moto!.describe(primary.conf.NAT_ID);
    expect(v.enis.filter((e) => e.deviceIndex !== null).map((e) => e.instanceId)).toEqual([next.id]);
    await expectEgressViaEip(lab, spokeHost(), 'prim-next');
  });
});
