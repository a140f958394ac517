// The package path of the boot: an image without nft gets nftables from the package manager
// (a dnf stand-in over the root's local repository), bounded; when the repositories cannot
// be reached the unit fails after its two attempts and the instance reports itself Unhealthy.
import { bundleFromSpec, removeBundles } from '../dataplane/support/boot-bundle';
import { expectEgressViaEip } from '../dataplane/support/expect-net';
import { Lab } from '../dataplane/support/lab';
import { requireTools } from '../dataplane/support/proc';
import { instanceRoot, journal, launchNatHost, natHostLab, settle, settleOk, withoutNft, type NatHost } from './support/nat-host';

jest.setTimeout(300_000);

const SPEC = `
project: pkg
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a }
`;
const HOST = '10.0.1.10';

let lab: Lab;
let root: string;
const hosts: NatHost[] = [];

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl', 'systemd-nspawn', 'nsenter', 'debootstrap');
  root = await instanceRoot();
  const bundle = await bundleFromSpec(SPEC, 'pkg', 'pkg-nat');
  lab = await natHostLab({ name: 'pkg', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HOST }] });
});

afterAll(async () => {
  for (const h of hosts) await h.os.destroy();
  await lab?.destroy();
  removeBundles();
});

test('GIVEN an image without nft WHEN it boots THEN nftables is installed once through the package manager and the NAT works', async () => {
  const nat = await launchNatHost(lab, root, {}, (os) => withoutNft(os));
  hosts.push(nat);
  await settleOk(nat);
  const log = await journal(nat);
  // Installed before the handover, while the NAT being replaced still forwards.
  expect(log).toMatch(/nft missing; installing nftables before the handover\n.*installing nftables with dnf \(attempt 1\/1\)/);
  expect(log).toMatch(/nftables installed/);
  expect((await nat.os.sh('cat /var/log/dnf-standin.log')).trim().split('\n')).toEqual([
    'dnf stand-in: -y -q --setopt=install_weak_deps=False install nftables',
  ]);
  await expectEgressViaEip(lab, lab.host('hub', HOST), 'installed');
});

test('GIVEN the repositories cannot be reached THEN three bounded attempts (one before the handover, two once egress is up), the unit fails and the instance reports itself Unhealthy', async () => {
  // The first instance is terminated first, so its replacement gets the ENI at once.
  await hosts[0].os.destroy();
  await lab.terminate(hosts[0].inst);
  const nat = await launchNatHost(lab, root, {}, (os) => withoutNft(os, false));
  hosts.push(nat);
  const s = await settle(nat);
  expect({ active: s.active, result: s.result }).toEqual({ active: 'failed', result: 'exit-code' });
  expect((await nat.os.sh('cat /var/log/dnf-standin.log')).trim().split('\n')).toHaveLength(3);
  expect(await journal(nat)).toMatch(/nft not found and dnf could not install nftables/);
  expect(lab.state().health).toContainEqual({ instanceId: nat.inst.id, status: 'Unhealthy', respectGrace: false });
});
