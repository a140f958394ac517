// Dual-stack bootstrap: the hub is IPv6-enabled, so the NAT's primary interface has no
// public IPv4 and the boot script must reach the EC2 API over IPv6 (the dual-stack
// endpoint in EC2_ENDPOINT_URL). The lab's EC2 API listens on IPv6 only.
import { bundleFromSpec, removeBundles } from './support/boot-bundle';
import { INTERNET, Lab, PORTS, type Instance } from './support/lab';
import { expectEgressViaEip, expectNoConnection } from './support/expect-net';
import { requireTools } from './support/proc';

jest.setTimeout(240_000);

const spec = (project: string, egressInterface: string): string => `
project: ${project}
region: ap-northeast-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [ap-northeast-1a], ipv6: true }
  - { name: alpha, cidr: 10.1.0.0/16, azs: [ap-northeast-1a] }
natInstances:
  - { name: nat, vpc: hub, az: ap-northeast-1a, egressInterface: ${egressInterface}, allowHubWithoutEgress: true, spokes: [alpha] }
`;
const PRIMARY_V6 = '2001:db8:0:a::a';

type Mode = 'dedicated' | 'primary';
const labs = {} as Record<Mode, { lab: Lab; nat: Instance; hostNs: string; preBoot: Record<string, unknown> }>;

async function build(mode: Mode): Promise<void> {
  const project = mode === 'dedicated' ? 'dpv6' : 'dpv6primary';
  const bundle = await bundleFromSpec(spec(project, mode), project, `${project}-nat`);
  const spoke = Number(bundle.conf.SPOKES.split('=')[0]);
  const lab = await Lab.create({
    name: `v6${mode[0]}`, bundle, natVpcCidr: '10.0.0.0/16', ipv6Only: true,
    // Dedicated: not even a DHCP IPv4 default route before attach. Primary: DHCP's route, but no public IPv4 behind it.
    ipv4DefaultRoute: mode === 'primary',
    hosts: [{ vpc: 'hub', ip: '10.0.1.10' }, { vpc: spoke, ip: '10.1.1.10' }],
  });
  const nat = await lab.launch();
  const preBoot = await lab.probe(nat.ns, ['tcp-whoami', INTERNET.host, String(PORTS.whoami), '--timeout', '1']);
  labs[mode] = { lab, nat, hostNs: lab.host(mode === 'dedicated' ? 'hub' : spoke, mode === 'dedicated' ? '10.0.1.10' : '10.1.1.10'), preBoot };
  await lab.bootOk(nat);
}

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  await Promise.all([build('dedicated'), build('primary')]);
});

afterAll(async () => {
  await Promise.all(Object.values(labs).map((l) => l.lab.destroy()));
  removeBundles();
});

describe.each(['dedicated', 'primary'] as const)('%s egress on an IPv6-enabled hub', (mode) => {
  test('the synthesized config names the dual-stack EC2 endpoint', () => {
    expect(labs[mode].lab.conf.EC2_ENDPOINT_URL).toBe('https://ec2.ap-northeast-1.api.aws');
  });

  test('before boot the instance had no IPv4 way to the internet', () => {
    expect(labs[mode].preBoot.ok).toBe(false);
  });

  test('every EC2 call went to the endpoint URL over IPv6, and the attach succeeded', () => {
    const { lab } = labs[mode];
    const ec2 = lab.calls().filter((c) => c.service === 'ec2');
    expect(ec2.length).toBeGreaterThan(0);
    for (const c of ec2) expect({ op: c.operation, peer: c.peer, url: c.endpointUrl }).toEqual({ op: c.operation, peer: PRIMARY_V6, url: lab.conf.EC2_ENDPOINT_URL });
    const ops = ec2.filter((c) => c.ok).map((c) => c.operation);
    expect(ops).toContain('attach-network-interface');
    if (mode === 'primary') expect(ops).toContain('associate-address');
  });

  test('served hosts then reach the internet over IPv4 with the EIP as source', async () => {
    const { lab, hostNs } = labs[mode];
    await expectEgressViaEip(lab, hostNs, `v6-${mode}`);
  });
});

describe('a failure during the IPv6 bootstrap', () => {
  test('is still reported Unhealthy (Auto Scaling through its dual-stack endpoint)', async () => {
    const { lab } = labs.dedicated;
    // A second instance whose role may not list the ENIs: a permanent error before the handover.
    const calls = lab.calls().length;
    lab.setFaults({ errors: { 'describe-network-interfaces': ['UnauthorizedOperation'] } });
    const nat = await lab.launch();
    const boot = await lab.boot(nat);
    expect(boot.stderr).toMatch(/permanent error UnauthorizedOperation, not retried/);
    expect(boot.code).not.toBe(0);
    expect(lab.state().health).toEqual([{ instanceId: nat.id, status: 'Unhealthy', respectGrace: false }]);
    const autoscaling = lab.calls().slice(calls).filter((c) => c.service === 'autoscaling');
    expect(autoscaling.map((c) => c.operation)).toContain('set-instance-health');
    expect(new Set(autoscaling.map((c) => c.peer))).toEqual(new Set([`${PRIMARY_V6.slice(0, -1)}b`]));
    await expectNoConnection(lab, nat.ns, INTERNET.host, PORTS.whoami);
  });
});
