// The NAT instance end to end, in network namespaces: the boot script, unit and config
// come from the synthesized launch template's user data, not from lib/nat/boot.
import { bundleFromSpec, removeBundles, type BootBundle } from './support/boot-bundle';
import { EIP, INTERNET, Lab, PORTS, type Instance } from './support/lab';
import { expectEgressViaEip, expectNoConnection, seenIp } from './support/expect-net';
import { requireTools } from './support/proc';

jest.setTimeout(240_000);

const SPEC = `
project: dpnat
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - name: nat
    vpc: hub
    az: ap-northeast-1a
    portForwards:
      - { protocol: tcp, port: 8080, to: 10.0.1.10, toPort: 80, allowFrom: [${INTERNET.host}/32] }
`;
const HOST = '10.0.1.10';

let bundle: BootBundle;
let lab: Lab;
let nat: Instance;
let hostNs: string;

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  bundle = await bundleFromSpec(SPEC, 'dpnat', 'dpnat-nat');
  lab = await Lab.create({ name: 'nat', bundle, natVpcCidr: '10.0.0.0/16', hosts: [{ vpc: 'hub', ip: HOST }] });
  hostNs = lab.host('hub', HOST);
  nat = await lab.launch();
  await lab.bootOk(nat);
});

afterAll(async () => {
  await lab?.destroy();
  removeBundles();
});

describe('first boot (dedicated egress ENI)', () => {
  test('a private host reaches the internet over TCP, UDP and ICMP, seen from the EIP', async () => {
    await expectEgressViaEip(lab, hostNs, 'first-boot');
  });

  test('the default route is on the egress ENI, found by MAC (AL2023 names it ens6), and declared for systemd-networkd', async () => {
    const eni = lab.enis.find((e) => e.idx === 1)!;
    const link = (await lab.sh(nat.ns, `ip -br link show | awk '$3 == "${eni.mac}" { sub(/@.*/, "", $1); print $1 }'`)).trim();
    expect(link).toBe('ens6');
    expect((await lab.sh(nat.ns, 'ip -4 route show default')).trim().split('\n').map((l) => l.trim())).toEqual([
      'default via 10.0.0.1 dev ens6', // metric 0: wins over DHCP's route on the primary interface
      'default via 10.0.0.1 dev ens5 proto dhcp metric 512',
    ]);
    const files = await lab.sh(nat.ns, `cat ${nat.dir}/networkd/*.network`);
    expect(files).toContain(`MACAddress=${eni.mac}`);
    expect(files).toContain(`Address=${eni.ip}/24`);
    expect(files).toMatch(/\[Route\]\nGateway=10\.0\.0\.1\n/);
  });

  test('forwarding is on, reverse-path filtering loose and ICMP redirects off', async () => {
    const read = async (key: string): Promise<string> => (await lab.sh(nat.ns, `cat /proc/sys/net/ipv4/${key}`)).trim();
    expect(await read('ip_forward')).toBe('1');
    for (const dev of ['all', 'default', 'ens5', 'ens6']) {
      expect({ dev, rp_filter: await read(`conf/${dev}/rp_filter`), send_redirects: await read(`conf/${dev}/send_redirects`) })
        .toEqual({ dev, rp_filter: '2', send_redirects: '0' });
    }
  });

  test('nftables hooks only what this NAT uses: no prerouting filter chains without spokes, a nat prerouting chain for the port forward', async () => {
    const chains = (await lab.sh(nat.ns, 'nft list table ip cdktf_egress')).match(/^\s*chain \w+/gm)?.map((c) => c.trim().slice(6));
    expect(chains).toEqual(['dnat_in', 'snat_out', 'filter_forward']);
  });

  test("the primary interface still answers on its own public IP (SSH) after the default route moved", async () => {
    await lab.serveWhoami(nat.ns, 22);
    const r = await lab.probe(lab.ns('inet'), ['tcp-whoami', lab.state().igw[nat.primaryIp], '22', '--src', INTERNET.host]);
    expect(seenIp(r)).toBe(INTERNET.host);
  });

  test('the script used IMDSv2 only and attached the ENI once', async () => {
    const imds = await lab.sh(nat.ns, `cat ${lab.dir}/imds-${nat.id}.log`);
    expect(imds).toMatch(/^PUT \/latest\/api\/token 200$/m);
    expect(imds).not.toMatch(/ 401$/m);
    const attaches = lab.calls().filter((c) => c.operation === 'attach-network-interface');
    expect(attaches.map((c) => [c.params['network-interface-id'], c.params['device-index'], c.params['instance-id'], c.ok])).toEqual([
      [lab.enis[0].id, '1', nat.id, true],
    ]);
  });
});

describe('running the script again', () => {
  test('leaves exactly one copy of every rule, route and address, and traffic still flows', async () => {
    const before = await lab.snapshot(nat);
    await lab.bootOk(nat);
    const after = await lab.snapshot(nat);
    expect(after).toEqual(before);
    expect((await lab.sh(nat.ns, 'nft list tables')).trim()).toBe('table ip cdktf_egress');
    expect(after.nft.match(/masquerade/g)).toHaveLength(1);
    expect(after.routes.match(/^default via 10\.0\.0\.1 dev ens6 $/gm)).toHaveLength(1);
    await expectEgressViaEip(lab, hostNs, 'second-run');
  });
});

describe('port forward from the spec', () => {
  test('the allowed internet host reaches the private host through the EIP, and keeps its own source address', async () => {
    const r = await lab.probe(lab.ns('inet'), ['tcp-whoami', EIP, '8080', '--src', INTERNET.host]);
    expect(seenIp(r)).toBe(INTERNET.host);
  });

  test('another internet host is not let in, and a port that is not forwarded stays closed', async () => {
    await expectNoConnection(lab, lab.ns('inet'), EIP, 8080, ['--src', INTERNET.other]);
    await expectNoConnection(lab, lab.ns('inet'), EIP, 8081, ['--src', INTERNET.host]);
    await expectNoConnection(lab, lab.ns('inet'), EIP, 80, ['--src', INTERNET.host]);
  });

  test('outbound traffic to port 8080 on the internet is not caught by the forward', async () => {
    const r = await lab.probe(hostNs, ['tcp-whoami', INTERNET.host, String(PORTS.forwarded)]);
    expect(seenIp(r)).toBe(EIP);
  });
});

describe('replacement', () => {
  test('a new instance takes over the same ENI and traffic resumes from the same EIP', async () => {
    const old = nat;
    await lab.terminate(old);
    await expectNoConnection(lab, hostNs, INTERNET.host, PORTS.whoami);
    nat = await lab.launch();
    expect(nat.id).not.toBe(old.id);
    await lab.bootOk(nat);
    await expectEgressViaEip(lab, hostNs, 'replacement');
    const attaches = lab.calls().filter((c) => c.operation === 'attach-network-interface' && c.ok);
    expect(attaches.map((c) => c.params['instance-id'])).toEqual([old.id, nat.id]);
  });
});
