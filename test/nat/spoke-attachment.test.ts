import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { SpokeAttachment, type SpokeAttachmentProps } from '../../lib/nat/spoke-attachment';
import { once, onlyResource, onlyWhere, refTo, resources, resourcesWhere, synthConstruct, tokenList, type TfJson, type TfResource } from '../helpers/construct';

const APP1 = { name: 'app1', vpcId: 'vpc-app1', subnetId: 'subnet-app1-a', cidrs: ['10.1.0.0/16'], routeTableIds: ['rtb-app1-a', 'rtb-app1-c'] };
const APP2 = { name: 'app2', vpcId: 'vpc-app2', subnetId: 'subnet-app2-a', cidrs: ['10.2.0.0/16', '10.20.0.0/16'], routeTableIds: ['rtb-app2-a'] };

const NAT: NatInstanceProps = {
  natId: 'dev-shared',
  region: 'ap-northeast-1',
  vpcId: 'vpc-hub',
  publicSubnetId: 'subnet-public-a',
  servedCidrs: ['10.0.0.0/16'],
  privateRouteTableIds: ['rtb-hub-a'],
  instanceTypes: ['t4g.xlarge'],
  spokes: [APP1, APP2],
};

const synthNat = (props: Partial<NatInstanceProps> = {}) => synthConstruct((scope) => new NatInstance(scope, 'nat', { ...NAT, ...props }));

const eniIn = (tf: TfJson, subnetId: string): TfResource => onlyWhere(tf, 'aws_network_interface', 'subnet_id', subnetId);
const sgIn = (tf: TfJson, vpcId: string): TfResource => onlyWhere(tf, 'aws_security_group', 'vpc_id', vpcId);
const rulesOf = (tf: TfJson, sg: TfResource) => resourcesWhere(tf, 'aws_security_group_rule', 'security_group_id', refTo(tf, 'aws_security_group', sg));

describe('NatInstance spokes (dedicated egress ENI)', () => {
  const tf = once(() => synthNat());

  it('GIVEN two spokes THEN there is one ENI per spoke in the spoke\'s subnet, plus the egress ENI', () => {
    expect(resources(tf(), 'aws_network_interface').map((eni) => eni.subnet_id).sort()).toEqual(['subnet-app1-a', 'subnet-app2-a', 'subnet-public-a']);
  });

  it('GIVEN two spokes THEN each spoke ENI forwards traffic and is tagged for devices 2 and 3 in spoke order', () => {
    for (const [spoke, index] of [[APP1, '2'], [APP2, '3']] as const) {
      const eni = eniIn(tf(), spoke.subnetId);
      expect(eni.source_dest_check).toBe(false);
      expect(eni.tags).toMatchObject({ 'cdktf-egress:nat': 'dev-shared', 'cdktf-egress:device-index': index });
    }
  });

  it('GIVEN two spokes THEN each spoke ENI has a security group in the spoke\'s VPC admitting only that spoke\'s CIDRs', () => {
    for (const spoke of [APP1, APP2]) {
      const sg = sgIn(tf(), spoke.vpcId);
      expect(eniIn(tf(), spoke.subnetId).security_groups).toEqual([refTo(tf(), 'aws_security_group', sg)]);
      const ingress = rulesOf(tf(), sg).filter((r) => r.type === 'ingress');
      expect(ingress).toEqual([expect.objectContaining({ protocol: '-1', cidr_blocks: spoke.cidrs })]);
    }
  });

  it('GIVEN two spokes THEN every route table of a spoke sends 0.0.0.0/0 to that spoke\'s ENI and never to another', () => {
    for (const spoke of [APP1, APP2]) {
      const eni = refTo(tf(), 'aws_network_interface', eniIn(tf(), spoke.subnetId));
      const routes = resources(tf(), 'aws_route').filter((r) => spoke.routeTableIds.includes(r.route_table_id));
      expect(routes.map((r) => r.route_table_id).sort()).toEqual([...spoke.routeTableIds].sort());
      for (const route of routes) {
        expect(route).toEqual({ route_table_id: route.route_table_id, destination_cidr_block: '0.0.0.0/0', network_interface_id: eni });
      }
    }
  });

  it('GIVEN two spokes THEN the hub route still goes to the egress ENI', () => {
    const hubRoute = resourcesWhere(tf(), 'aws_route', 'route_table_id', 'rtb-hub-a');
    expect(hubRoute).toEqual([expect.objectContaining({ network_interface_id: refTo(tf(), 'aws_network_interface', eniIn(tf(), 'subnet-public-a')) })]);
  });
});

describe('NatInstance spokes (egress on the primary interface)', () => {
  it('GIVEN egressInterface primary THEN the spoke ENIs take devices 1 and 2', () => {
    const tf = synthNat({ egressInterface: 'primary', instanceTypes: ['t4g.small'] });
    expect(eniIn(tf, APP1.subnetId).tags['cdktf-egress:device-index']).toBe('1');
    expect(eniIn(tf, APP2.subnetId).tags['cdktf-egress:device-index']).toBe('2');
    expect(resources(tf, 'aws_network_interface')).toHaveLength(2);
  });
});

describe('SpokeAttachment', () => {
  const props: SpokeAttachmentProps = { ...APP2, natId: 'dev-shared', deviceIndex: 3 };
  const synthSpoke = (overrides: Partial<SpokeAttachmentProps> = {}) =>
    synthConstruct((scope) => new SpokeAttachment(scope, 'spoke', { ...props, ...overrides }));
  const tf = once(() => synthSpoke());

  it('GIVEN a spoke THEN one ENI is made in its subnet with source/dest check off, described and tagged with its device index', () => {
    expect(onlyResource(tf(), 'aws_network_interface')).toMatchObject({
      subnet_id: 'subnet-app2-a',
      source_dest_check: false,
      description: 'NAT dev-shared in spoke app2 (device 3)',
      tags: { Name: 'dev-shared-app2', 'cdktf-egress:nat': 'dev-shared', 'cdktf-egress:device-index': '3' },
    });
  });

  it('GIVEN a spoke THEN its security group lives in the spoke VPC and admits all protocols from the spoke CIDRs only', () => {
    const sg = onlyResource(tf(), 'aws_security_group');
    expect(sg.vpc_id).toBe('vpc-app2');
    expect(rulesOf(tf(), sg).filter((r) => r.type === 'ingress')).toEqual([
      expect.objectContaining({ protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['10.2.0.0/16', '10.20.0.0/16'] }),
    ]);
  });

  it('GIVEN a spoke THEN its route table sends 0.0.0.0/0 to the spoke ENI, not to an instance', () => {
    const route = onlyResource(tf(), 'aws_route');
    expect(route).toMatchObject({ route_table_id: 'rtb-app2-a', destination_cidr_block: '0.0.0.0/0' });
    expect(route.network_interface_id).toBe(refTo(tf(), 'aws_network_interface', onlyResource(tf(), 'aws_network_interface')));
    expect(route).not.toHaveProperty('instance_id');
  });

  it('GIVEN the route tables as a Terraform list THEN one aws_route with count points them at the ENI', () => {
    const tokenTf = synthConstruct((scope) => new SpokeAttachment(scope, 'spoke', { ...props, routeTableIds: tokenList(scope, 'spoke_route_table_ids') }));
    expect(onlyResource(tokenTf, 'aws_route')).toMatchObject({
      count: '${length(var.spoke_route_table_ids)}',
      route_table_id: '${element(var.spoke_route_table_ids, count.index)}',
      network_interface_id: refTo(tokenTf, 'aws_network_interface', onlyResource(tokenTf, 'aws_network_interface')),
    });
  });

  it.each([0, -1])('GIVEN deviceIndex %i THEN it is rejected: the primary interface holds device 0', (deviceIndex) => {
    expect(() => synthSpoke({ deviceIndex })).toThrow(
      `SpokeAttachment app2: deviceIndex ${deviceIndex} is taken by the primary interface; use 1 or more`,
    );
  });
});
