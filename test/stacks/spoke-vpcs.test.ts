import { validateSpec } from '../../lib/spec/load';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { resources, synthStack, type TfJson } from '../helpers/construct';

const AZ = 'ap-northeast-1a';
const synthSpec = (raw: Record<string, unknown>): TfJson =>
  synthStack((app) => new EgressStack(app, validateSpec({ project: 'dev', region: 'ap-northeast-1', ...raw }).spec));

/** Name tags of the resources of a type, so each VPC's share can be told apart. */
const names = (tf: TfJson, type: string): string[] => resources(tf, type).map((r) => String(r.tags?.Name)).sort();

describe('EgressStack spoke VPCs', () => {
  const tf = synthSpec({
    vpcs: [
      { name: 'hub', cidr: '10.0.0.0/16', azs: [AZ] },
      { name: 'app1', cidr: '10.1.0.0/16', azs: [AZ] },
      { name: 'app2', cidr: '10.2.0.0/16', azs: [AZ], publicSubnets: true },
      { name: 'solo', cidr: '10.3.0.0/16', azs: [AZ] },
    ],
    natInstances: [{ name: 'shared', vpc: 'hub', az: AZ, spokes: ['app1', 'app2'] }],
  });

  it('GIVEN a spoke that does not ask for them THEN it gets no internet gateway and no public subnets', () => {
    expect(names(tf, 'aws_internet_gateway')).toEqual(['dev-app2-igw', 'dev-hub-igw', 'dev-solo-igw']);
    expect(names(tf, 'aws_subnet').filter((n) => n.startsWith('dev-app1'))).toEqual([`dev-app1-private-${AZ}`]);
  });

  it('GIVEN a spoke with publicSubnets true, and a VPC no NAT serves THEN both keep their internet gateway and public subnets', () => {
    expect(names(tf, 'aws_subnet')).toEqual(expect.arrayContaining([`dev-app2-public-${AZ}`, `dev-solo-public-${AZ}`, `dev-hub-public-${AZ}`]));
  });

  it('GIVEN the spoke without public subnets THEN its private route table still sends 0.0.0.0/0 to its NAT ENI', () => {
    const spokeRoutes = resources(tf, 'aws_route').filter((r) => r.destination_cidr_block === '0.0.0.0/0' && String(r.route_table_id).includes('vpc-app1'));
    expect(spokeRoutes).toHaveLength(1);
    expect(String(spokeRoutes[0].network_interface_id)).toMatch(/aws_network_interface\..*spoke-app1/);
  });
});
