// Connection tracking on the NAT instance under its real boot: the configured timeouts are
// applied, and the NAT holds concurrent connections up to 90% of a small configured
// nf_conntrack_max with no drops and still takes new ones. (The table size itself is the
// kernel's, read-only outside the initial network namespace: the boot says so and goes on.)
import { bundleFromSpec, removeBundles } from '../dataplane/support/boot-bundle';
import { expectEgressViaEip } from '../dataplane/support/expect-net';
import { INTERNET, Lab, PORTS } from '../dataplane/support/lab';
import { requireTools } from '../dataplane/support/proc';
import { conntrackStats, holdConnections } from './support/conntrack';
import { instanceRoot, journal, launchNatHost, natHostLab, settle, type NatHost } from './support/nat-host';

jest.setTimeout(300_000);

const SPEC = `
project: ct
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a, conntrack: { max: 2048, tcpEstablishedTimeout: 600, udpTimeout: 45, udpStreamTimeout: 150 } }
`;
const HOST = '10.0.1.10';
const MAX = 2048;

let lab: Lab;
let nat: NatHost;

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl', 'conntrack', 'systemd-nspawn', 'nsenter', 'debootstrap');
  const root = await instanceRoot();
  const bundle = await bundleFromSpec(SPEC, 'ct', 'ct-nat');
  lab = await natHostLab({ name: 'ct', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HOST }] });
  nat = await launchNatHost(lab, root);
  expect(await settle(nat)).toEqual({ active: 'active', result: 'success', cloudInit: 'status: done' });
});

afterAll(async () => {
  await nat?.os.destroy();
  await lab?.destroy();
  removeBundles();
});

test('GIVEN conntrack settings in the spec THEN the boot applies the timeouts and reports the table size it wanted', async () => {
  const read = async (k: string): Promise<string> => (await lab.sh(nat.inst.ns, `cat /proc/sys/net/netfilter/${k}`)).trim();
  expect({
    tcp: await read('nf_conntrack_tcp_timeout_established'),
    udp: await read('nf_conntrack_udp_timeout'),
    udpStream: await read('nf_conntrack_udp_timeout_stream'),
  }).toEqual({ tcp: '600', udp: '45', udpStream: '150' });
  expect(await journal(nat)).toMatch(new RegExp(`conntrack: max \\d+ \\(wanted ${MAX}\\)`));
});

test('GIVEN 90% of the configured maximum held open through the NAT THEN none is refused or dropped, and a new connection still gets through', async () => {
  const hostNs = lab.host('hub', HOST);
  const before = await conntrackStats(nat.inst.ns);
  const want = Math.floor(MAX * 0.9);
  const held = await holdConnections(hostNs, INTERNET.host, PORTS.accept, want);
  try {
    const during = await conntrackStats(nat.inst.ns);
    process.stdout.write(`conntrack: ${held.opened}/${want} held in ${held.seconds} s; NAT table ${during.count} entries; drop/early_drop/insert_failed +${
      during.stats.drop - before.stats.drop}/+${during.stats.early_drop - before.stats.early_drop}/+${during.stats.insert_failed - before.stats.insert_failed}\n`);
    expect({ opened: held.opened, errors: held.errors }).toEqual({ opened: want, errors: {} });
    expect(during.count).toBeGreaterThanOrEqual(want);
    expect({
      drop: during.stats.drop - before.stats.drop,
      earlyDrop: during.stats.early_drop - before.stats.early_drop,
      insertFailed: during.stats.insert_failed - before.stats.insert_failed,
    }).toEqual({ drop: 0, earlyDrop: 0, insertFailed: 0 });
    await expectEgressViaEip(lab, hostNs, 'conntrack-full');
  } finally {
    await held.release();
  }
});
