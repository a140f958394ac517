import { EgressNat, type EgressNatProps } from '../lib/egress-nat';
import { EgressVpc } from '../lib/network/egress-vpc';
import { awsProvider } from '../lib/testing';
import { decodeUserData, once, onlyResource, onlyWhere, refTo, resources, resourcesWhere, shellConfig, synthConstruct, type TfJson } from './helpers/construct';

const HUB = { id: 'vpc-0aaaaaaaaaaaaaaaa', cidrBlock: '10.0.0.0/16' };
const SPOKES: EgressNatProps['spokes'] = [
  { name: 'app1', vpc: 'vpc-0bbbbbbbbbbbbbbbb', cidrBlocks: ['10.1.0.0/16'], subnet: 'subnet-0b1', routeTables: ['rtb-0b1', 'rtb-0b2'] },
  { name: 'app2', vpc: { id: 'vpc-0cccccccccccccccc', cidrBlock: '10.2.0.0/16' }, subnet: { id: 'subnet-0c1' }, routeTables: [{ id: 'rtb-0c1' }] },
];
const PROPS: EgressNatProps = { vpc: HUB, publicSubnet: 'subnet-0a-public', privateRouteTables: ['rtb-0a1', 'rtb-0a2'], spokes: SPOKES };

function synth(props: Partial<EgressNatProps> = {}, provider: Parameters<typeof awsProvider>[1] | null = { region: 'eu-west-1', defaultTags: { owner: 'platform' } }): TfJson {
  return synthConstruct((scope) => {
    if (provider) awsProvider(scope, provider);
    new EgressNat(scope, 'nat', { ...PROPS, ...props });
  });
}

function bootConfig(tf: TfJson): Record<string, string> {
  const file = decodeUserData(tf, onlyResource(tf, 'aws_launch_template')).cloudConfig.write_files.find((f) => f.path === '/etc/cdktf-egress/nat.conf');
  return shellConfig(file?.content ?? '');
}

describe('EgressNat for an existing VPC with two spokes, given by IDs and objects', () => {
  const tf = once(() => synth());

  it('GIVEN the hub and two spokes WHEN synthesized THEN the cheapest Graviton types with 4 interfaces are chosen (primary, egress ENI, two spokes)', () => {
    const overrides = onlyResource(tf(), 'aws_autoscaling_group').mixed_instances_policy.launch_template.override;
    expect(overrides).toEqual([{ instance_type: 't4g.xlarge' }, { instance_type: 'c6g.xlarge' }]);
  });

  it('GIVEN the provider region WHEN synthesized THEN the boot script is told that region and every spoke at its device index', () => {
    expect(bootConfig(tf())).toMatchObject({ REGION: 'eu-west-1', EGRESS_MODE: 'dedicated', HUB_CIDRS: '10.0.0.0/16', SPOKES: '2=10.1.0.0/16 3=10.2.0.0/16' });
  });

  it('GIVEN no name WHEN synthesized THEN names derive from the stack and construct, and the provider default tags reach what the ASG launches', () => {
    const lt = onlyResource(tf(), 'aws_launch_template');
    expect(lt.name_prefix).toBe('stack-nat-');
    const instanceTags = lt.tag_specifications.find((t: { resource_type: string }) => t.resource_type === 'instance').tags;
    expect(instanceTags).toMatchObject({ owner: 'platform', 'cdktf-egress:nat': 'stack-nat', Name: 'stack-nat' });
  });

  it('GIVEN hub and spoke route tables WHEN synthesized THEN each gets one default route to the right ENI', () => {
    const eni = onlyWhere(tf(), 'aws_network_interface', 'subnet_id', 'subnet-0a-public');
    for (const rtb of ['rtb-0a1', 'rtb-0a2']) expect(onlyWhere(tf(), 'aws_route', 'route_table_id', rtb).network_interface_id).toBe(refTo(tf(), 'aws_network_interface', eni));
    const app2Eni = onlyWhere(tf(), 'aws_network_interface', 'subnet_id', 'subnet-0c1');
    expect(onlyWhere(tf(), 'aws_route', 'route_table_id', 'rtb-0c1').network_interface_id).toBe(refTo(tf(), 'aws_network_interface', app2Eni));
    expect(resources(tf(), 'aws_route')).toHaveLength(5);
    expect(resourcesWhere(tf(), 'aws_security_group', 'vpc_id', 'vpc-0cccccccccccccccc')).toHaveLength(1);
  });
});

describe('EgressNat choices', () => {
  it('GIVEN only spokes WHEN synthesized THEN the EIP moves onto the primary interface and a 3-interface type is enough', () => {
    const tf = synth({ privateRouteTables: undefined });
    expect(bootConfig(tf)).toMatchObject({ EGRESS_MODE: 'primary', SPOKES: '1=10.1.0.0/16 2=10.2.0.0/16', HUB_CIDRS: '' });
    expect(resourcesWhere(tf, 'aws_network_interface', 'subnet_id', 'subnet-0a-public')).toHaveLength(0);
    expect(onlyResource(tf, 'aws_autoscaling_group').mixed_instances_policy.launch_template.override[0]).toEqual({ instance_type: 't4g.small' });
  });

  it('GIVEN an EgressVpc (provider objects) WHEN synthesized THEN served CIDRs and IDs are references into it', () => {
    const tf = synthConstruct((scope) => {
      awsProvider(scope, { region: 'eu-west-1' });
      const hub = new EgressVpc(scope, 'hub', { name: 'hub', cidr: '10.0.0.0/16', azs: ['eu-west-1a'] });
      new EgressNat(scope, 'nat', { vpc: hub.vpc, publicSubnet: hub.publicSubnets[0], privateRouteTables: [{ id: hub.privateSubnets[0].routeTableId }], name: 'dev' });
    });
    const fromServed = resources(tf, 'aws_security_group_rule').find((r) => r.description.startsWith('all protocols'));
    expect(fromServed?.cidr_blocks).toEqual([refTo(tf, 'aws_vpc', onlyResource(tf, 'aws_vpc'), 'cidr_block')]);
    expect(onlyResource(tf, 'aws_security_group').vpc_id).toBe(refTo(tf, 'aws_vpc', onlyResource(tf, 'aws_vpc')));
    expect(onlyResource(tf, 'aws_launch_template').name_prefix).toBe('dev-');
  });

  it('GIVEN a region prop and explicit types WHEN synthesized THEN they win over the provider and the interface budget', () => {
    const tf = synth({ region: 'ap-northeast-1', instanceTypes: ['c7gn.xlarge'], tags: { owner: 'net', team: 'a' } });
    expect(bootConfig(tf).REGION).toBe('ap-northeast-1');
    expect(onlyResource(tf, 'aws_autoscaling_group').mixed_instances_policy.launch_template.override).toEqual([{ instance_type: 'c7gn.xlarge' }]);
    const tags = onlyResource(tf, 'aws_launch_template').tag_specifications[0].tags;
    expect(tags).toMatchObject({ owner: 'net', team: 'a' });
  });
});

describe('EgressNat errors', () => {
  it.each([
    ['no region anywhere', {}, null, /no region: give the default aws provider a region before creating EgressNat, or set the region prop/],
    ['an aliased provider only', {}, { region: 'eu-west-1', alias: 'other' }, /no region/],
    ['a hub VPC by ID without CIDRs', { vpc: 'vpc-0aaaaaaaaaaaaaaaa' }, undefined, /vpc is the ID vpc-0aaaaaaaaaaaaaaaa, so give cidrBlocks beside it/],
    ['a spoke VPC by ID without CIDRs', { spokes: [{ ...SPOKES[0], cidrBlocks: undefined }] }, undefined, /spoke "app1" vpc is the ID vpc-0bbbbbbbbbbbbbbbb, so give cidrBlocks/],
    ['nothing to serve', { privateRouteTables: [], spokes: [] }, undefined, /serves nothing; give privateRouteTables/],
    ['a bad name', { name: 'Dev_NAT' }, undefined, /name "Dev_NAT" must match/],
    ['two spokes of one name', { spokes: [SPOKES[0], { ...SPOKES[1], name: 'app1' }] }, undefined, /spoke name "app1" is used twice/],
    ['a spoke without route tables', { spokes: [{ ...SPOKES[0], routeTables: [] }] }, undefined, /spoke "app1" has no routeTables/],
    ['primary mode with hub route tables', { egressInterface: 'primary' as const }, undefined, /egressInterface "primary" serves only spokes, but privateRouteTables are given/],
    ['types short of interfaces', { instanceTypes: ['t4g.nano'] }, undefined, /t4g.nano \(2\) cannot carry the 4 network interfaces needed/],
  ])('GIVEN %s WHEN constructed THEN it throws naming the prop', (_name, props, provider, message) => {
    expect(() => synth(props as Partial<EgressNatProps>, provider === undefined ? { region: 'eu-west-1' } : provider)).toThrow(message);
  });
});
