// The boot under AWS's ordinary faults: EC2 still calling a free ENI in use, an interface
// that never shows up, throttling and 5xx answers, permanent errors, an IMDS that answers
// the token request with nothing, and a failure before the first API call. Each case gets
// its own lab; they are built in parallel.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromSpec, removeBundles, type BootBundle } from './support/boot-bundle';
import { Lab, type Instance } from './support/lab';
import { expectEgressViaEip } from './support/expect-net';
import type { RunResult } from './support/proc';
import { requireTools } from './support/proc';

jest.setTimeout(240_000);

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

type Faults = Parameters<Lab['setFaults']>[0];

async function labWith(name: string, faults: Faults, conf: Record<string, string> = {}, emptyTokens = 0): Promise<{ lab: Lab; nat: Instance; boot: RunResult }> {
  const lab = await Lab.create({ name, bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HOST }] });
  labs.push(lab);
  lab.setFaults(faults);
  const nat = await lab.launch(conf);
  if (emptyTokens) writeFileSync(join(lab.dir, `imds-faults-${nat.id}.json`), JSON.stringify({ emptyTokens }));
  return { lab, nat, boot: await lab.boot(nat) };
}

let retried: Awaited<ReturnType<typeof labWith>>;
let exhausted: Awaited<ReturnType<typeof labWith>>;
let missing: Awaited<ReturnType<typeof labWith>>;
let throttled: Awaited<ReturnType<typeof labWith>>;
let permanent: Awaited<ReturnType<typeof labWith>>;
let early: Awaited<ReturnType<typeof labWith>>;
const WAIT_SECONDS = 3;
const DEFAULT_WAIT_SECONDS = 60;

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  bundle = await bundleFromSpec(SPEC, 'dpfault', 'dpfault-nat');
  expect(bundle.conf.ATTACH_MAX_ATTEMPTS).toBe('8');
  expect(bundle.conf.INTERFACE_WAIT_SECONDS).toBe(String(DEFAULT_WAIT_SECONDS));
  // The wait bound is shortened in this instance's nat.conf so the case stays quick.
  [retried, exhausted, missing, throttled, permanent, early] = await Promise.all([
    labWith('retry', { attachFailures: 3 }),
    labWith('giveup', { attachFailures: 5 }, { ATTACH_MAX_ATTEMPTS: '2' }),
    labWith('noif', { deliver: false }, { INTERFACE_WAIT_SECONDS: String(WAIT_SECONDS) }),
    labWith('throttle', {
      errors: {
        'describe-network-interfaces': ['RequestLimitExceeded', 'ServiceUnavailable'],
        'attach-network-interface': ['RequestLimitExceeded', 'InternalError'],
        'describe-auto-scaling-instances': ['Throttling'],
      },
    }, {}, 2),
    labWith('perm', { errors: { 'attach-network-interface': ['AttachmentLimitExceeded'] } }),
    // A bad config fails before any API call; the health report is throttled twice.
    labWith('early', { errors: { 'set-instance-health': ['Throttling', 'Throttling'] } }, { HANDOVER_SECONDS: 'soon' }),
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
  test('the script tries again at its short poll interval (no growing backoff) and succeeds', () => {
    const { lab, boot } = retried;
    expect(boot.code).toBe(0);
    const attaches = lab.calls().filter((c) => c.operation === 'attach-network-interface');
    expect(attaches.map((c) => c.ok)).toEqual([false, false, false, true]);
    expect(boot.stderr.match(/attach device 1: in use \(attempt \d\/8\), trying again/g)).toEqual([
      'attach device 1: in use (attempt 1/8), trying again', 'attach device 1: in use (attempt 2/8), trying again', 'attach device 1: in use (attempt 3/8), trying again',
    ]);
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
    expect(boot.stderr).toMatch(/FAILED: attach device 1: still in use after 2 attempts/);
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
    // Under the 60 s default: the shortened bound was the one obeyed. How close the exit
    // comes to the bound is the machine's load, not the script's.
    expect(boot.ms).toBeLessThan(DEFAULT_WAIT_SECONDS * 1000);
    expect(lab.state().health).toEqual([{ instanceId: nat.id, status: 'Unhealthy', respectGrace: false }]);
  });

  test('no half-configured masquerade, forwarding off, no default route switch', async () => {
    const { lab, nat } = missing;
    await noNatTable(lab, nat);
    expect((await lab.sh(nat.ns, 'ip -4 route show default')).trim()).toBe('default via 10.0.0.1 dev ens5 proto dhcp metric 512');
  });
});

describe('throttling, 5xx and an IMDS that answers the token request with nothing', () => {
  test('every call is retried with jittered backoff and the boot succeeds without an Unhealthy report', async () => {
    const { lab, boot } = throttled;
    expect(boot.code).toBe(0);
    expect(boot.stderr).toMatch(/IMDSv2 token request 2\/10 got no token; retrying/);
    for (const [op, code] of [['describe-network-interfaces', 'RequestLimitExceeded'], ['describe-network-interfaces', 'ServiceUnavailable'],
      ['attach-network-interface', 'RequestLimitExceeded'], ['attach-network-interface', 'InternalError'], ['describe-auto-scaling-instances', 'Throttling']]) {
      expect(boot.stderr).toMatch(new RegExp(`${op}: ${code} \\(attempt \\d/7\\), retrying in \\d+ ms`));
    }
    expect(lab.state().health).toEqual([]);
    await expectEgressViaEip(lab, lab.host('hub', HOST), 'after-throttling');
  });
});

describe('a permanent error', () => {
  test('is not retried; the log names it, and the instance is reported Unhealthy', async () => {
    const { lab, nat, boot } = permanent;
    expect(boot.code).not.toBe(0);
    expect(boot.stderr).toMatch(/permanent error AttachmentLimitExceeded, not retried/);
    expect(lab.calls().filter((c) => c.operation === 'attach-network-interface')).toHaveLength(1);
    expect(lab.state().health).toEqual([{ instanceId: nat.id, status: 'Unhealthy', respectGrace: false }]);
    await noNatTable(lab, nat);
  });
});

describe('a failure before the first API call', () => {
  test('still learns the instance ID from IMDS and reports Unhealthy, retrying the throttled report', () => {
    const { lab, nat, boot } = early;
    expect(boot.code).not.toBe(0);
    expect(boot.stderr).toMatch(/FAILED: HANDOVER_SECONDS must be 1-9999/);
    const reports = lab.calls().filter((c) => c.operation === 'set-instance-health');
    expect(reports.map((c) => c.ok)).toEqual([false, false, true]);
    expect(lab.state().health).toEqual([{ instanceId: nat.id, status: 'Unhealthy', respectGrace: false }]);
  });
});
