// The NAT instance's boot under its real operating system: systemd as PID 1, systemd-networkd
// and cloud-init (NoCloud seed of the synthesized user data) in a container that is the NAT
// host of the data-plane lab. Each scenario ends with traffic from a hub and a spoke host
// and with every route and rule the NAT needs present exactly once.
import { bundleFromSpec, removeBundles } from '../dataplane/support/boot-bundle';
import { expectEgressViaEip } from '../dataplane/support/expect-net';
import { Lab } from '../dataplane/support/lab';
import { requireTools } from '../dataplane/support/proc';
import { instanceRoot, journal, launchNatHost, natHostLab, reboot, settle, type NatHost } from './support/nat-host';
import { mtus, needs, once } from './support/nat-state';

jest.setTimeout(300_000);

const SPEC = `
project: inst
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

let lab: Lab;
let root: string;
let nat: NatHost;
let spokeIdx: number;

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl', 'systemd-nspawn', 'nsenter', 'debootstrap');
  root = await instanceRoot();
  const bundle = await bundleFromSpec(SPEC, 'inst', 'inst-nat');
  spokeIdx = Number(bundle.conf.SPOKES.split('=')[0]);
  lab = await natHostLab({
    name: 'inst', bundle, natVpcCidr: '10.0.0.0/16',
    hosts: [{ vpc: 'hub', ip: HUB_HOST }, { vpc: spokeIdx, ip: SPOKE_HOST }],
  });
  nat = await launchNatHost(lab, root);
});

afterAll(async () => {
  await nat?.os.destroy();
  await lab?.destroy();
  removeBundles();
});

/** Traffic from both hosts leaves from the EIP, and each route and rule is there once. */
async function expectNat(token: string): Promise<void> {
  await expectEgressViaEip(lab, lab.host('hub', HUB_HOST), `${token}-hub`);
  await expectEgressViaEip(lab, lab.host(spokeIdx, SPOKE_HOST), `${token}-spoke`);
  const found = await needs(lab, nat);
  expect(found).toEqual(once(found));
}

/** Bounded wait until networkd reports the NAT's links configured again. */
async function linksConfigured(): Promise<void> {
  const links = ['ens5', 'ens6', `ens${5 + spokeIdx}`].map((l) => `-i ${l}`).join(' ');
  const r = await nat.os.exec(['sh', '-c', `/lib/systemd/systemd-networkd-wait-online ${links} --timeout=60`], 90_000);
  if (r.code !== 0) {
    const why = await nat.os.exec(['sh', '-c', 'networkctl list --no-pager; journalctl -b --no-pager -o short-monotonic -u systemd-networkd | grep -B30 -A2 -m3 Failed | tail -120']);
    throw new Error(`links not configured within 60 s: ${r.stderr}\n${why.stdout}${why.stderr}`);
  }
}

describe('first boot under cloud-init and systemd', () => {
  test('cloud-init finishes cleanly and the unit succeeds', async () => {
    const s = await settle(nat);
    expect(s).toEqual({ active: 'active', result: 'success', cloudInit: 'status: done' });
  });

  test('hub and spoke hosts reach the internet from the EIP; every route and rule is there once', async () => {
    await expectNat('first');
  });

  test('the ENIs keep the MTU AWS gives them (9001)', async () => {
    expect(await mtus(lab, nat)).toEqual({ ens5: 9001, ens6: 9001, [`ens${5 + spokeIdx}`]: 9001 });
  });

  test('nft was already there: nothing is installed at boot', async () => {
    expect(await journal(nat)).toMatch(/nft present/);
  });
});

describe('systemd-networkd reconfiguring the links', () => {
  test('systemctl restart systemd-networkd', async () => {
    await nat.os.sh('systemctl restart systemd-networkd');
    await linksConfigured();
    await expectNat('restart');
  });

  test('networkctl reload', async () => {
    await nat.os.sh('networkctl reload');
    await linksConfigured();
    await expectNat('reload');
  });

  test('a link bounce on every ENI (carrier loss, as a lease renewal that fails over)', async () => {
    await nat.os.sh(`for d in ens6 ens${5 + spokeIdx}; do ip link set dev $d down; ip link set dev $d up; done`);
    await linksConfigured();
    await expectNat('bounce');
    expect(await mtus(lab, nat)).toEqual({ ens5: 9001, ens6: 9001, [`ens${5 + spokeIdx}`]: 9001 });
  });
});

describe('reboot', () => {
  test('converges to the same rules, routes and MTU', async () => {
    const before = await needs(lab, nat);
    await reboot(lab, nat);
    expect(await settle(nat)).toEqual({ active: 'active', result: 'success', cloudInit: 'status: done' });
    await expectNat('reboot');
    expect(await needs(lab, nat)).toEqual(before);
    expect(await mtus(lab, nat)).toEqual({ ens5: 9001, ens6: 9001, [`ens${5 + spokeIdx}`]: 9001 });
  });
});

describe('the unit failing', () => {
  test('an instance whose boot fails fails its unit, reports itself Unhealthy and leaves the working NAT alone', async () => {
    // A bad setting fails the boot before it touches any interface (a running NAT's
    // successor that can attach would take the ENIs over; see the data-plane tier).
    const second = await launchNatHost(lab, root, { HANDOVER_SECONDS: 'soon' });
    try {
      const s = await settle(second);
      expect({ active: s.active, result: s.result }).toEqual({ active: 'failed', result: 'exit-code' });
      expect(lab.state().health).toContainEqual({ instanceId: second.inst.id, status: 'Unhealthy', respectGrace: false });
      expect(await journal(second)).toMatch(/HANDOVER_SECONDS must be 1-9999/);
      await expectNat('a failed successor');
    } finally {
      await second.os.destroy();
    }
  });
});
