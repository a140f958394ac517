// ENI attach under faults: the old instance still holding the ENI, and an interface that
// never shows up. Each case gets its own lab; they are built in parallel.
import { bundleFromSpec, removeBundles, type BootBundle } from './support/boot-bundle';
import { Lab, type Instance } from './support/lab';
import { expectEgressViaEip } from './support/expect-net';
import type { RunResult } from './support/proc';
import { requireTools } from './support/proc';

jest.setTimeout(60_000);

const SPEC = `
project: dpfault
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a }
`;
const HOST = '10.0.1.10';

let bundle: BootBundle;
const labs: Lab[] = [];

async function labWith(name: string, faults: { attachFailures?: number; deliver?: boolean }, conf: Record<string, string> = {}): Promise<{ lab: Lab; nat: Instance; boot: RunResult }> {
  const lab = await Lab.create({ name, bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HOST }] });
  labs.push(lab);
  lab.setFaults(faults);
  const nat = await lab.launch(conf);
  return { lab, nat, boot: await lab.boot(nat) };
}

let retried: Awaited<ReturnType<typeof labWith>>;
let exhausted: Awaited<ReturnType<typeof labWith>>;
let missing: Awaited<ReturnType<typeof labWith>>;
const WAIT_SECONDS = 3;

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  bundle = await bundleFromSpec(SPEC, 'dpfault', 'dpfault-nat');
  expect(bundle.conf.ATTACH_MAX_ATTEMPTS).toBe('8');
  // The wait bound is shortened in this instance's nat.conf so the case stays quick.
  [retried, exhausted, missing] = await Promise.all([
    labWith('retry', { attachFailures: 3 }),
    labWith('giveup', { attachFailures: 5 }, { ATTACH_MAX_ATTEMPTS: '2' }),
    labWith('noif', { deliver: false }, { INTERFACE_WAIT_SECONDS: String(WAIT_SECONDS) }),
  ]);
});

afterAll(async () => {
  await Promise.all(labs.map((l) => l.destroy()));
  removeBundles();
});

async function noNatTable(lab: Lab, nat: Instance): Promise<void> {
  expect((await lab.sh(nat.ns, 'nft list tables')).trim()).toBe('');
  expect((await lab.sh(nat.ns, 'cat /proc/sys/net/ipv4/ip_forward')).trim()).toBe('0');
}

describe('the old instance still holds the ENI for the first 3 attach calls', () => {
  test('the script retries with growing backoff and succeeds', () => {
    const { lab, boot } = retried;
    expect(boot.code).toBe(0);
    const attaches = lab.calls().filter((c) => c.operation === 'attach-network-interface');
    expect(attaches.map((c) => c.ok)).toEqual([false, false, false, true]);
    expect(boot.stderr.match(/failed \(attempt \d\/8\), retrying in \d+s/g)).toEqual([
      'failed (attempt 1/8), retrying in 1s', 'failed (attempt 2/8), retrying in 2s', 'failed (attempt 3/8), retrying in 4s',
    ]);
    expect(boot.ms).toBeGreaterThanOrEqual(7000);
    expect(lab.state().health).toEqual([]);
  });

  test('traffic then flows through the EIP', async () => {
    await expectEgressViaEip(retried.lab, retried.lab.host('hub', HOST), 'after-retries');
  });
});

describe('attach keeps failing', () => {
  test('the script gives up after ATTACH_MAX_ATTEMPTS, reports Unhealthy and leaves no NAT behind', async () => {
    const { lab, nat, boot } = exhausted;
    expect(boot.code).not.toBe(0);
    expect(boot.stderr).toMatch(/FAILED: attach eni-\w+ as device 1: gave up after 2 attempts/);
    expect(lab.calls().filter((c) => c.operation === 'attach-network-interface')).toHaveLength(2);
    expect(lab.state().health).toEqual([{ instanceId: nat.id, status: 'Unhealthy', respectGrace: false }]);
    await noNatTable(lab, nat);
  });
});

describe('the attached interface never appears', () => {
  test('the script exits non-zero within its bound and reports the instance Unhealthy', () => {
    const { lab, nat, boot } = missing;
    expect(boot.code).not.toBe(0);
    expect(boot.stderr).toMatch(/FAILED: interface 02:ee:00:00:01:01 did not appear within 3s/);
    expect(boot.ms).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000);
    expect(boot.ms).toBeLessThan(WAIT_SECONDS * 1000 + 5000);
    expect(lab.state().health).toEqual([{ instanceId: nat.id, status: 'Unhealthy', respectGrace: false }]);
  });

  test('no half-configured masquerade, forwarding off, no default route switch', async () => {
    const { lab, nat } = missing;
    await noNatTable(lab, nat);
    expect((await lab.sh(nat.ns, 'ip -4 route show default')).trim()).toBe('default via 10.0.0.1 dev ens5 proto dhcp metric 512');
  });
});
