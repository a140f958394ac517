import { EgressVpc, type EgressVpcProps } from '../../lib/network/egress-vpc';
import { subnetLayout } from '../../lib/network/subnet-layout';
import { once, onlyResource, refTo, resourceNamed, resources, resourcesWhere, synthConstruct, type TfJson } from '../helpers/construct';

const AZS = ['ap-northeast-1a', 'ap-northeast-1c'];
const synthVpc = (props: Partial<EgressVpcProps> = {}): TfJson =>
  synthConstruct((scope) => new EgressVpc(scope, 'hub', { name: 'dev-hub', cidr: '10.0.0.0/16', azs: AZS, ...props }));

const subnet = (tf: TfJson, kind: 'public' | 'private', az: string) => resourceNamed(tf, 'aws_subnet', `_${kind}-${az}_`);
const privateRouteTable = (tf: TfJson, az: string) => resourceNamed(tf, 'aws_route_table', `_private-${az}-rt_`);
const publicRouteTable = (tf: TfJson) => resourceNamed(tf, 'aws_route_table', '_public-rt_');

describe('subnetLayout', () => {
  it('GIVEN 10.0.0.0/16 and two AZs THEN public subnets take the first /20s and private ones start half way', () => {
    expect(subnetLayout('10.0.0.0/16', 2)).toEqual({ public: ['10.0.0.0/20', '10.0.16.0/20'], private: ['10.0.128.0/20', '10.0.144.0/20'] });
  });

  it('GIVEN a /24 and six AZs THEN the subnets are /28s that do not overlap', () => {
    const layout = subnetLayout('192.168.10.0/24', 6);
    expect(layout.public).toEqual(['192.168.10.0/28', '192.168.10.16/28', '192.168.10.32/28', '192.168.10.48/28', '192.168.10.64/28', '192.168.10.80/28']);
    expect(layout.private[0]).toBe('192.168.10.128/28');
    expect(layout.private[5]).toBe('192.168.10.208/28');
  });
});

describe('EgressVpc (IPv4)', () => {
  const tf = once(() => synthVpc());

  it('GIVEN a CIDR THEN the VPC has it, with DNS support and hostnames and no IPv6 block', () => {
    const vpc = onlyResource(tf(), 'aws_vpc');
    expect(vpc).toMatchObject({ cidr_block: '10.0.0.0/16', enable_dns_support: true, enable_dns_hostnames: true, tags: { Name: 'dev-hub' } });
    expect(vpc).not.toHaveProperty('assign_generated_ipv6_cidr_block');
  });

  it('GIVEN two AZs THEN there is one public and one private subnet per AZ with CIDRs from the layout', () => {
    expect(resources(tf(), 'aws_subnet')).toHaveLength(4);
    const cidrs = AZS.map((az) => [subnet(tf(), 'public', az), subnet(tf(), 'private', az)].map((s) => [s.availability_zone, s.cidr_block]));
    expect(cidrs).toEqual([
      [['ap-northeast-1a', '10.0.0.0/20'], ['ap-northeast-1a', '10.0.128.0/20']],
      [['ap-northeast-1c', '10.0.16.0/20'], ['ap-northeast-1c', '10.0.144.0/20']],
    ]);
  });

  it('GIVEN the subnets THEN none gives instances a public IP by itself or has an IPv6 block', () => {
    for (const s of resources(tf(), 'aws_subnet')) {
      expect(s.map_public_ip_on_launch).toBe(false);
      expect(s).not.toHaveProperty('ipv6_cidr_block');
    }
  });

  it('GIVEN the public route table THEN it sends 0.0.0.0/0 to the internet gateway of this VPC and serves both public subnets', () => {
    const igw = onlyResource(tf(), 'aws_internet_gateway');
    expect(igw.vpc_id).toBe(refTo(tf(), 'aws_vpc', onlyResource(tf(), 'aws_vpc')));
    const rt = refTo(tf(), 'aws_route_table', publicRouteTable(tf()));
    expect(resourcesWhere(tf(), 'aws_route', 'route_table_id', rt)).toEqual([
      { route_table_id: rt, destination_cidr_block: '0.0.0.0/0', gateway_id: refTo(tf(), 'aws_internet_gateway', igw) },
    ]);
    const associated = resourcesWhere(tf(), 'aws_route_table_association', 'route_table_id', rt).map((a) => a.subnet_id).sort();
    expect(associated).toEqual(AZS.map((az) => refTo(tf(), 'aws_subnet', subnet(tf(), 'public', az))).sort());
  });

  it('GIVEN two AZs THEN each private subnet has its own route table, with no route for a NAT to replace', () => {
    expect(resources(tf(), 'aws_route_table')).toHaveLength(3);
    for (const az of AZS) {
      const rt = refTo(tf(), 'aws_route_table', privateRouteTable(tf(), az));
      expect(resourcesWhere(tf(), 'aws_route_table_association', 'route_table_id', rt)).toEqual([
        { route_table_id: rt, subnet_id: refTo(tf(), 'aws_subnet', subnet(tf(), 'private', az)) },
      ]);
      expect(resourcesWhere(tf(), 'aws_route', 'route_table_id', rt)).toEqual([]);
    }
  });

  it('GIVEN IPv4 only THEN no egress-only internet gateway is made', () => {
    expect(resources(tf(), 'aws_egress_only_internet_gateway')).toHaveLength(0);
  });
});

describe('EgressVpc (dual stack)', () => {
  const tf = once(() => synthVpc({ ipv6: true }));
  const vpcRef = (attribute: string) => refTo(tf(), 'aws_vpc', onlyResource(tf(), 'aws_vpc'), attribute).replace(/^\$\{|\}$/g, '');

  it('GIVEN ipv6 THEN the VPC asks for an Amazon-provided IPv6 block', () => {
    expect(onlyResource(tf(), 'aws_vpc').assign_generated_ipv6_cidr_block).toBe(true);
  });

  it('GIVEN ipv6 THEN each subnet gets its own /64 of the VPC /56 and IPv6 addresses on creation', () => {
    const expected = [['public', AZS[0], 0], ['public', AZS[1], 1], ['private', AZS[0], 8], ['private', AZS[1], 9]] as const;
    for (const [kind, az, block] of expected) {
      expect(subnet(tf(), kind, az)).toMatchObject({
        ipv6_cidr_block: `\${cidrsubnet(${vpcRef('ipv6_cidr_block')}, 8, ${block})}`,
        assign_ipv6_address_on_creation: true,
      });
    }
  });

  it('GIVEN ipv6 THEN the public route table sends ::/0 to the internet gateway', () => {
    const rt = refTo(tf(), 'aws_route_table', publicRouteTable(tf()));
    expect(resourcesWhere(tf(), 'aws_route', 'route_table_id', rt)).toContainEqual({
      route_table_id: rt,
      destination_ipv6_cidr_block: '::/0',
      gateway_id: refTo(tf(), 'aws_internet_gateway', onlyResource(tf(), 'aws_internet_gateway')),
    });
  });

  it('GIVEN ipv6 THEN every private route table sends ::/0 to the egress-only internet gateway, skipping the NAT', () => {
    const eigw = onlyResource(tf(), 'aws_egress_only_internet_gateway');
    expect(eigw.vpc_id).toBe(refTo(tf(), 'aws_vpc', onlyResource(tf(), 'aws_vpc')));
    for (const az of AZS) {
      const rt = refTo(tf(), 'aws_route_table', privateRouteTable(tf(), az));
      expect(resourcesWhere(tf(), 'aws_route', 'route_table_id', rt)).toEqual([
        { route_table_id: rt, destination_ipv6_cidr_block: '::/0', egress_only_gateway_id: refTo(tf(), 'aws_egress_only_internet_gateway', eigw) },
      ]);
    }
  });
});

describe('EgressVpc construct API', () => {
  it('GIVEN two AZs THEN the construct exposes the subnets per AZ with their route tables for the NAT to use', () => {
    let vpc: EgressVpc | undefined;
    synthConstruct((scope) => {
      vpc = new EgressVpc(scope, 'hub', { name: 'dev-hub', cidr: '10.0.0.0/16', azs: AZS });
    });
    expect(vpc?.privateSubnets.map((s) => s.az)).toEqual(AZS);
    expect(vpc?.publicSubnets.map((s) => s.az)).toEqual(AZS);
    expect(new Set(vpc?.privateSubnets.map((s) => s.routeTableId)).size).toBe(2);
    expect(vpc?.cidrBlocks).toEqual(['10.0.0.0/16']);
  });
});

describe('EgressVpc without public subnets (a spoke)', () => {
  const tf = once(() => synthVpc({ publicSubnets: false, ipv6: true }));

  it('GIVEN publicSubnets false THEN there is no internet gateway, no public route table and only private subnets', () => {
    expect(resources(tf(), 'aws_internet_gateway')).toHaveLength(0);
    expect(resources(tf(), 'aws_subnet').map((s) => s.cidr_block).sort()).toEqual(subnetLayout('10.0.0.0/16', 2).private);
    expect(resources(tf(), 'aws_route_table').map((rt) => rt.tags.Name).sort()).toEqual(['dev-hub-private-ap-northeast-1a', 'dev-hub-private-ap-northeast-1c']);
    expect(resourcesWhere(tf(), 'aws_route', 'destination_cidr_block', '0.0.0.0/0')).toHaveLength(0);
  });

  it('GIVEN publicSubnets false and ipv6 THEN private subnets still send ::/0 to the egress-only internet gateway', () => {
    const routes = resourcesWhere(tf(), 'aws_route', 'destination_ipv6_cidr_block', '::/0');
    const eigw = refTo(tf(), 'aws_egress_only_internet_gateway', onlyResource(tf(), 'aws_egress_only_internet_gateway'));
    expect(routes.map((r) => r.egress_only_gateway_id)).toEqual([eigw, eigw]);
  });

  it('GIVEN publicSubnets false THEN the construct exposes no public subnets, route table or gateway, and the private ones as before', () => {
    let vpc: EgressVpc | undefined;
    synthConstruct((scope) => {
      vpc = new EgressVpc(scope, 'spoke', { name: 'dev-spoke', cidr: '10.1.0.0/16', azs: AZS, publicSubnets: false });
    });
    expect(vpc?.publicSubnets).toEqual([]);
    expect([vpc?.publicRouteTableId, vpc?.internetGatewayId]).toEqual([undefined, undefined]);
    expect(vpc?.privateSubnets.map((s) => s.az)).toEqual(AZS);
  });
});

describe('EgressVpc validation', () => {
  it.each([
    [[], 'EgressVpc dev-hub: 0 AZs given; give 1 to 6'],
    [['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((z) => `us-east-1${z}`), 'EgressVpc dev-hub: 7 AZs given; give 1 to 6'],
  ])('GIVEN azs %j THEN it is rejected', (azs, message) => {
    expect(() => synthVpc({ azs })).toThrow(message);
  });

  it('GIVEN an AZ listed twice THEN it is rejected, listing the AZs', () => {
    expect(() => synthVpc({ azs: ['ap-northeast-1a', 'ap-northeast-1a'] })).toThrow(
      'EgressVpc dev-hub: azs lists an AZ twice (ap-northeast-1a, ap-northeast-1a)',
    );
  });

  it('GIVEN six AZs THEN it is accepted with twelve subnets', () => {
    expect(resources(synthVpc({ azs: ['a', 'b', 'c', 'd', 'e', 'f'].map((z) => `us-east-1${z}`) }), 'aws_subnet')).toHaveLength(12);
  });
});
