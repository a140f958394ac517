// The watchdog as shipped, under the real systemd: cloud-init enables its timer after the
// boot unit, the timer starts the oneshot every 20 s, and a NAT broken behind its back is
// repaired by the next run, or reported Unhealthy when converging cannot fix it. Times are
// from the fault to the journal line, with the real timer; the bounds are the README's.
import { bundleFromSpec, removeBundles } from '../dataplane/support/boot-bundle';
import { expectEgressViaEip } from '../dataplane/support/expect-net';
import { INTERNET, Lab } from '../dataplane/support/lab';
import { requireTools, sleep } from '../dataplane/support/proc';
import { instanceRoot, launchNatHost, natHostLab, settle, type NatHost } from './support/nat-host';

jest.setTimeout(600_000);

const SPEC = `
project: instwd
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: spoke, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - name: nat
    vpc: hub
    az: ap-northeast-1a
    spokes: [spoke]
`;
const HUB_HOST = '10.0.1.10';
const SPOKE_HOST = '10.1.1.10';
const WATCHDOG = 'cdktf-egress-watchdog';
/** The README's bounds: one timer interval (20 s + 1 s accuracy) and a run, on 2 busy cores. */
const REPAIR_BOUND_MS = 30_000;

let lab: Lab;
let nat: NatHost;
let spokeIdx: number;
const timings: string[] = [];

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl', 'systemd-nspawn', 'nsenter', 'debootstrap');
  const root = await instanceRoot();
  const bundle = await bundleFromSpec(SPEC, 'instwd', 'instwd-nat');
  spokeIdx = Number(bundle.conf.SPOKES.split('=')[0]);
  lab = await natHostLab({
    name: 'instwd', bundle, natVpcCidr: '10.0.0.0/16',
    hosts: [{ vpc: 'hub', ip: HUB_HOST }, { vpc: spokeIdx, ip: SPOKE_HOST }],
  });
  nat = await launchNatHost(lab, root);
  expect(await settle(nat)).toEqual({ active: 'active', result: 'success', cloudInit: 'status: done' });
});

afterAll(async () => {
  if (timings.length > 0) console.log(timings.join('\n'));
  await nat?.os.destroy();
  await lab?.destroy();
  removeBundles();
});

/** What the watchdog (and the boot script it runs) logged this boot, prefixes stripped. */
async function watchdogLog(): Promise<string[]> {
  const r = await nat.os.exec(['journalctl', '-b', '-o', 'cat', '--no-pager', '-t', WATCHDOG]);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^cdktf-egress-(watchdog|nat): /, ''));
}

/** Polls the journal (bounded) until a new line matches; returns the milliseconds it took. */
async function untilLogged(re: RegExp, from: number, t0: number, timeoutMs: number): Promise<number> {
  while (Date.now() - t0 < timeoutMs) {
    if ((await watchdogLog()).slice(from).some((l) => re.test(l))) return Date.now() - t0;
    await sleep(500);
  }
  throw new Error(`no watchdog line matching ${re} within ${timeoutMs} ms:\n${(await watchdogLog()).slice(from).join('\n')}`);
}

describe('the watchdog under systemd', () => {
  test('cloud-init enabled the timer; it keeps starting the oneshot, which succeeds and stays quiet on a healthy NAT', async () => {
    expect((await nat.os.sh(`systemctl is-enabled ${WATCHDOG}.timer; systemctl is-active ${WATCHDOG}.timer`)).trim().split('\n')).toEqual(['enabled', 'active']);
    // Two runs seen: the timer repeats.
    const runs = async () => Number((await nat.os.sh(`journalctl -b -o cat --no-pager -u ${WATCHDOG}.service | grep -c '^Finished' || true`)).trim());
    const t0 = Date.now();
    while ((await runs()) < 2 && Date.now() - t0 < 60_000) await sleep(1000);
    expect(await runs()).toBeGreaterThanOrEqual(2);
    const result = (await nat.os.sh(`systemctl show -p Result -p ExecMainStatus ${WATCHDOG}.service`)).trim().split('\n').sort();
    expect(result).toEqual(['ExecMainStatus=0', 'Result=success']);
    expect(await watchdogLog()).toEqual([]);
  });

  test('the nftables table flushed: repaired by the next timer run, within one interval and a run', async () => {
    const from = (await watchdogLog()).length;
    const t0 = Date.now();
    await lab.sh(nat.inst.ns, 'nft flush table ip cdktf_egress');
    const ms = await untilLogged(/^repaired$/, from, t0, 60_000);
    timings.push(`table flushed: repaired ${ms} ms after the fault (timer included)`);
    expect(ms).toBeLessThan(REPAIR_BOUND_MS);
    expect((await watchdogLog()).slice(from)[0]).toMatch(/^failed: no masquerade rule for ens6/);
    await expectEgressViaEip(lab, lab.host('hub', HUB_HOST), 'wd-table');
    await expectEgressViaEip(lab, lab.host(spokeIdx, SPOKE_HOST), 'wd-table-spoke');
  });

  test('the spoke ENI down: repaired by the next timer run', async () => {
    const from = (await watchdogLog()).length;
    const t0 = Date.now();
    await lab.sh(nat.inst.ns, `ip link set dev ens${5 + spokeIdx} down`);
    const ms = await untilLogged(/^repaired$/, from, t0, 60_000);
    timings.push(`spoke ENI down: repaired ${ms} ms after the fault (timer included)`);
    expect(ms).toBeLessThan(REPAIR_BOUND_MS);
    await expectEgressViaEip(lab, lab.host(spokeIdx, SPOKE_HOST), 'wd-link');
  });

  test('an egress probe that always fails, one repair allowed: the timer run reports the instance Unhealthy', async () => {
    // The config is read at every run: the instance's own file, edited in place.
    await nat.os.sh(`sed -i -e 's/^WATCHDOG_REPAIRS=.*/WATCHDOG_REPAIRS="1"/' -e 's/^WATCHDOG_PROBE=.*/WATCHDOG_PROBE="${INTERNET.host}:7999"/' /etc/cdktf-egress/watchdog.conf`);
    const from = (await watchdogLog()).length;
    const t0 = Date.now();
    const ms = await untilLogged(/^reported i-\w+ Unhealthy after 1 failed repairs$/, from, t0, 90_000);
    timings.push(`probe failing: Unhealthy reported ${ms} ms after the change (timer included)`);
    expect(ms).toBeLessThan(REPAIR_BOUND_MS + 15_000);
    expect(lab.state().health).toContainEqual({ instanceId: nat.inst.id, status: 'Unhealthy', respectGrace: false });
    // The unit reports the failure to systemd too.
    expect((await nat.os.sh(`systemctl show -p Result ${WATCHDOG}.service`)).trim()).toBe('Result=exit-code');
  });
});
