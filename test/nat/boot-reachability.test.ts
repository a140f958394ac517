import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import { loadSpecFile } from '../../lib/spec/load';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { moduleJson } from '../modules/module-json';
import { onlyResource, resourcesByName, synthConstruct, synthStack, type TfJson } from '../helpers/construct';

// The first boot fetches the boot files from S3 (and calls EC2) through the public subnet's
// route to the internet gateway, before the egress ENI or the EIP is attached (the primary
// interface has its own public IPv4, or IPv6 and the dual-stack endpoints). The Auto Scaling
// group launches only once that way exists: the routes, the subnet's association and, where
// VPC Block Public Access is on, the NAT's exclusion.
const addresses = (tf: TfJson, type: string, match: (name: string, r: Record<string, unknown>) => boolean): string[] =>
  Object.entries(resourcesByName(tf, type)).filter(([name, r]) => match(name, r)).map(([name]) => `${type}.${name}`);

describe('the way to S3 at first boot', () => {
  it('GIVEN the built-in example THEN the NAT\'s group waits for the hub\'s IPv4 and IPv6 routes to the internet gateway and the public subnets\' associations', () => {
    const tf = synthStack((app) => new EgressStack(app, loadSpecFile(EXAMPLE_SPEC_FILE).spec));
    const dependsOn = onlyResource(tf, 'aws_autoscaling_group').depends_on as string[];
    const toIgw = addresses(tf, 'aws_route', (name, r) => name.startsWith('vpc-hub_public-default') && String(r.gateway_id).includes('aws_internet_gateway.'));
    expect(toIgw).toHaveLength(2);
    const associations = addresses(tf, 'aws_route_table_association', (name) => name.startsWith('vpc-hub_public-'));
    expect(associations).toHaveLength(2);
    expect(dependsOn).toEqual(expect.arrayContaining([...toIgw, ...associations]));
  });

  const NAT: NatInstanceProps = {
    natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-hub', publicSubnetId: 'subnet-pub-a', servedCidrs: ['10.0.0.0/16'],
    privateRouteTableIds: ['rtb-priv'], instanceTypes: ['t4g.nano'],
  };

  it('GIVEN VPC Block Public Access THEN the group waits for the NAT\'s exclusion', () => {
    const tf = synthConstruct((scope) => new NatInstance(scope, 'nat', { ...NAT, blockPublicAccess: { accountMode: 'block-bidirectional' } }));
    const [exclusion] = addresses(tf, 'aws_vpc_block_public_access_exclusion', () => true);
    expect(onlyResource(tf, 'aws_autoscaling_group').depends_on).toContain(exclusion);
  });

  it('GIVEN no Block Public Access and nothing to wait for THEN the group waits only for the NAT\'s own role and boot objects', () => {
    const tf = synthConstruct((scope) => new NatInstance(scope, 'nat', NAT));
    const dependsOn = onlyResource(tf, 'aws_autoscaling_group').depends_on as string[];
    expect(dependsOn.filter((d) => !/^aws_(iam_role_policy|s3_object)\./.test(d))).toEqual([]);
  });

  it('GIVEN modules/egress-vpc THEN its public_subnets output waits for the public routes and associations, so a NAT module given them does too', () => {
    const output = moduleJson('egress-vpc').outputs.output.public_subnets as { depends_on?: string[] };
    expect(output.depends_on?.map((d) => d.replace(/^\$\{(.*)\}$/, '$1')).sort()).toEqual(['aws_route.public_default', 'aws_route.public_default_v6', 'aws_route_table_association.public']);
  });
});
