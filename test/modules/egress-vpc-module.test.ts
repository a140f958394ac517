import { moduleJson, resourceOf } from './module-json';

const vpc = () => moduleJson('egress-vpc');
const PER_AZ = '${{ for key, val in var.azs: val => key }}';

describe('modules/egress-vpc', () => {
  it('GIVEN its inputs THEN name, cidr and azs are required and ipv6 is off by default', () => {
    const variables = vpc().variables.variable;
    expect(variables.name).not.toHaveProperty('default');
    expect(variables.cidr).toMatchObject({ type: 'string' });
    expect(variables.azs).toMatchObject({ type: 'list(string)' });
    expect(variables.ipv6).toMatchObject({ type: 'bool', default: false });
  });

  it.each([
    ['aws_subnet', 'public'],
    ['aws_subnet', 'private'],
    ['aws_route_table', 'private'],
    ['aws_route_table_association', 'public'],
    ['aws_route_table_association', 'private'],
  ])('GIVEN azs of any length THEN %s.%s is made per AZ with for_each over { az = index }', (type, name) => {
    expect(resourceOf(vpc(), type, name).for_each).toBe(PER_AZ);
  });

  it('GIVEN an AZ\'s index THEN its subnets take block index (public) and 8 + index (private) of sixteen', () => {
    expect(resourceOf(vpc(), 'aws_subnet', 'public')).toMatchObject({ availability_zone: '${each.key}', cidr_block: '${cidrsubnet(aws_vpc.this.cidr_block, 4, each.value)}' });
    expect(resourceOf(vpc(), 'aws_subnet', 'private').cidr_block).toBe('${cidrsubnet(aws_vpc.this.cidr_block, 4, (8 + each.value))}');
  });

  it('GIVEN ipv6 THEN the /56, the egress-only gateway, its routes and the /64s exist only when it is true', () => {
    expect(resourceOf(vpc(), 'aws_vpc', 'this').assign_generated_ipv6_cidr_block).toBe('${var.ipv6}');
    expect(resourceOf(vpc(), 'aws_egress_only_internet_gateway', 'this').count).toBe('${tonumber(var.ipv6 ? 1 : 0)}');
    expect(resourceOf(vpc(), 'aws_route', 'public_default_v6').count).toBe('${tonumber(var.ipv6 ? 1 : 0)}');
    expect(resourceOf(vpc(), 'aws_route', 'private_default_v6')).toMatchObject({
      for_each: '${var.ipv6 ? { for key, val in var.azs: val => key } : {}}',
      egress_only_gateway_id: '${one(aws_egress_only_internet_gateway.this[*].id)}',
      route_table_id: '${aws_route_table.private[each.key].id}',
    });
    expect(resourceOf(vpc(), 'aws_subnet', 'private').ipv6_cidr_block).toBe('${tostring(var.ipv6 ? cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, (8 + each.value)) : null)}');
  });

  it('GIVEN the outputs THEN they have terraform-aws-modules/vpc names, subnet lists in azs order', () => {
    const outputs = vpc().outputs.output;
    for (const name of ['vpc_id', 'vpc_cidr_block', 'public_subnets', 'private_subnets', 'private_subnets_cidr_blocks', 'private_route_table_ids', 'igw_id']) {
      expect(outputs).toHaveProperty(name);
    }
    expect(vpc().main.locals.private_subnets).toMatch(/^\$\{\[ for key, val in var\.azs: \{"id" = aws_subnet\.private\[val\]\.id/);
    expect(outputs.private_subnets.value).toBe('${[ for key, val in local.private_subnets: val.id]}');
    expect(outputs.private_subnet_objects.value).toBe('${[ for key, val in local.private_subnets: {"id" = val.id, "az" = val.az, "route_table_id" = val.routeTableId}]}');
  });

  it('GIVEN the VPC checks THEN cidr is validated as the spec validates a VPC CIDR', () => {
    expect(vpc().variables.variable.cidr.validation?.map((v) => v.error_message)).toEqual([
      '"${var.cidr}" is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16',
      '"${var.cidr}" has a leading zero in an octet, which AWS and Terraform do not accept; write ${try(join(".", [for o in split(".", split("/", var.cidr)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", var.cidr)[1], "?")}',
      '/${try(split("/", var.cidr)[1], "?")} is outside /16../24; use a prefix length in that range',
      '${var.cidr} is not a network address; did you mean ${try(cidrhost(var.cidr, 0), "?")}/${try(split("/", var.cidr)[1], "?")}?',
    ]);
  });
});
