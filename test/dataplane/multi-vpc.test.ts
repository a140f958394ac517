// Multi-VPC consolidation: one NAT serves a hub and three spokes through Multi-VPC ENI
// attachments. Two spokes have identical CIDRs with a host at the same address in each.
// Both layouts run side by side: a dedicated egress ENI, and egress on the primary interface.
import { bundleFromSpec, removeBundles } from './support/boot-bundle';
import { EIP, INTERNET, Lab, PORTS, type HostSpec, type Instance, type VpcRef } from './support/lab';
import { expectEgressViaEip, expectNoConnection, forwardDrops, seenIp } from './support/expect-net';
import { requireTools } from './support/proc';

jest.setTimeout(240_000);

const spec = (project: string, egressInterface: string): string => `
project: ${project}
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a] }
  - { name: alpha, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
  - { name: beta, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
existingVpcs:
  - name: gamma
    id: vpc-0123456789abcdef0
    cidr: 10.2.0.0/16
    secondaryCidrs: [10.9.0.0/16]
    subnets: [{ id: subnet-0123456789abcdef0, az: ap-northeast-1a, routeTableId: rtb-0123456789abcdef0 }]
natInstances:
  - name: nat
    vpc: hub
    az: ap-northeast-1a
    egressInterface: ${egressInterface}
    allowHubWithoutEgress: true
    spokes: [alpha, beta, gamma]
    portForwards:
      - { protocol: tcp, port: 8080, to: 10.2.1.10, toPort: 80, allowFrom: [${INTERNET.host}/32] }
`;

const SAME_IP = '10.1.1.10';

interface Layout {
  lab: Lab;
  nat: Instance;
  /** Device index of each spoke, in spec order. */
  alpha: number;
  beta: number;
  gamma: number;
  hosts: HostSpec[];
}
const layouts: Record<'dedicated' | 'primary', Layout> = {} as Record<'dedicated' | 'primary', Layout>;

async function build(mode: 'dedicated' | 'primary'): Promise<void> {
  const project = mode === 'dedicated' ? 'dpmulti' : 'dpprimary';
  const bundle = await bundleFromSpec(spec(project, mode), project, `${project}-nat`);
  const [alpha, beta, gamma] = bundle.conf.SPOKES.split(' ').map((s) => Number(s.split('=')[0]));
  const hosts: HostSpec[] = [
    { vpc: 'hub', ip: '10.0.1.10' },
    { vpc: alpha, ip: SAME_IP },
    { vpc: beta, ip: SAME_IP },
    { vpc: gamma, ip: '10.2.1.10' },
    { vpc: gamma, ip: '10.9.1.10' },
  ];
  const lab = await Lab.create({ name: mode.slice(0, 3), bundle, natVpcCidr: '10.0.0.0/16', hosts });
  layouts[mode] = { lab, nat: await lab.launch(), alpha, beta, gamma, hosts };
  await lab.bootOk(layouts[mode].nat);
}

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  await Promise.all([build('dedicated'), build('primary')]);
});

afterAll(async () => {
  await Promise.all(Object.values(layouts).map((l) => l.lab.destroy()));
  removeBundles();
});

/** Hosts the NAT serves: every spoke host, and the hub's in dedicated mode. */
const served = (mode: 'dedicated' | 'primary'): HostSpec[] => layouts[mode].hosts.filter((h) => h.vpc !== 'hub' || mode === 'dedicated');

async function allEgressViaEip(mode: 'dedicated' | 'primary', tag: string): Promise<void> {
  const { lab } = layouts[mode];
  await Promise.all(served(mode).map((h) => expectEgressViaEip(lab, lab.host(h.vpc, h.ip), `${tag}-${h.vpc}-${h.ip}`)));
}

describe.each(['dedicated', 'primary'] as const)('%s egress', (mode) => {
  test('the spec put two spokes on identical CIDRs', () => {
    const { lab, alpha, beta } = layouts[mode];
    expect(lab.conf.SPOKES).toContain(`${alpha}=10.1.0.0/16 ${beta}=10.1.0.0/16`);
    expect(lab.conf.EGRESS_MODE).toBe(mode);
  });

  test('every served host reaches the internet with the EIP as source', async () => {
    await allEgressViaEip(mode, 'boot');
  });

  test('two simultaneous flows from the identically addressed hosts, same source port, same internet port, both complete intact', async () => {
    const { lab, alpha, beta } = layouts[mode];
    const send = (vpc: number, seed: string): Promise<Record<string, unknown>> =>
      lab.probe(lab.host(vpc, SAME_IP), ['tcp-send', INTERNET.host, String(PORTS.sink), '--sport', '40000', '--bytes', '1000000', '--seed', seed, '--seconds', '1']);
    const [a, b] = await Promise.all([send(alpha, 'alpha'), send(beta, 'beta')]);
    for (const r of [a, b]) expect(r).toMatchObject({ ok: true, local: `${SAME_IP} 40000`, peer: EIP, bytes: 1_000_000, match: true });
    expect(a.peerPort).not.toBe(b.peerPort);
  });

  test('a spoke host cannot reach another spoke or the hub through the NAT', async () => {
    const { lab, nat, alpha, beta, gamma } = layouts[mode];
    const drops = await forwardDrops(lab, nat);
    await Promise.all([
      expectNoConnection(lab, lab.host(alpha, SAME_IP), '10.2.1.10', PORTS.whoami),
      expectNoConnection(lab, lab.host(alpha, SAME_IP), '10.0.1.10', PORTS.whoami),
      expectNoConnection(lab, lab.host(gamma, '10.9.1.10'), SAME_IP, PORTS.whoami),
      expectNoConnection(lab, lab.host(beta, SAME_IP), '10.9.1.10', PORTS.whoami),
      ...(mode === 'dedicated' ? [expectNoConnection(lab, lab.host('hub', '10.0.1.10'), SAME_IP, PORTS.whoami)] : []),
    ]);
    expect(await forwardDrops(lab, nat)).toBeGreaterThanOrEqual(drops + (mode === 'dedicated' ? 5 : 4));
  });

  test('a host sending from an address outside its own VPC gets nothing masqueraded: spokes only from their CIDRs, the hub only from its own', async () => {
    const { lab, nat, alpha, gamma } = layouts[mode];
    // [VPC of the sender, its real address, the address it forges]
    const spoofs: [VpcRef, string, string][] = [
      [alpha, SAME_IP, '10.0.1.99'], // a hub address
      [gamma, '10.2.1.10', '10.1.1.99'], // another spoke's address
      ...(mode === 'dedicated' ? [['hub', '10.0.1.10', '10.2.1.99'] as [VpcRef, string, string]] : []),
    ];
    for (const [vpc, ip, forged] of spoofs) {
      const ns = lab.host(vpc, ip);
      const token = `spoof-${mode}-${forged}`;
      const drops = await forwardDrops(lab, nat);
      // The forged source is the host's own (a second address), used only towards the internet host.
      await lab.sh(ns, `ip addr add ${forged}/32 dev eth0 && ip route add ${INTERNET.host}/32 $(ip -4 route show default | cut -d' ' -f2-3) src ${forged}`);
      try {
        const r = await lab.probe(ns, ['icmp', INTERNET.host, '--token', token, '--timeout', '1.5']);
        expect({ forged, ok: r.ok }).toEqual({ forged, ok: false });
      } finally {
        await lab.sh(ns, `ip route del ${INTERNET.host}/32; ip addr del ${forged}/32 dev eth0`);
      }
      expect({ forged, seenByInternet: lab.icmpLog().split('\n').filter((l) => l.endsWith(` ${token}`)) }).toEqual({ forged, seenByInternet: [] });
      expect(await forwardDrops(lab, nat)).toBeGreaterThan(drops);
      // The same host, from its own address, still gets out.
      await expectEgressViaEip(lab, ns, `${token}-after`);
    }
  });

  test('the port forward reaches the host in the spoke that owns the address', async () => {
    const { lab } = layouts[mode];
    const r = await lab.probe(lab.ns('inet'), ['tcp-whoami', EIP, '8080', '--src', INTERNET.host]);
    expect(seenIp(r)).toBe(INTERNET.host);
    await expectNoConnection(lab, lab.ns('inet'), EIP, 8080, ['--src', INTERNET.other]);
  });

  test('a reboot keeps it all: same rules and routes, no new attach, traffic from every host', async () => {
    const { lab, nat } = layouts[mode];
    const before = await lab.snapshot(nat);
    const attaches = lab.calls().filter((c) => c.operation === 'attach-network-interface').length;
    await lab.reboot(nat);
    const boot = await lab.bootOk(nat);
    expect(boot.stderr).toMatch(/already attached as device/);
    expect(lab.calls().filter((c) => c.operation === 'attach-network-interface')).toHaveLength(attaches);
    expect(await lab.snapshot(nat)).toEqual(before);
    await allEgressViaEip(mode, 'reboot');
  });
});
