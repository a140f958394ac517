import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { choose } from '../nat/conditional';
import { mapEach } from '../nat/for-each';
import { EgressVpc } from '../network/egress-vpc';
import { MAX_AZS, MAX_VPC_PREFIX, MIN_VPC_PREFIX } from '../network/subnet-layout';
import type { SubnetRef } from '../network/vpc-ref';
import { ModuleStack } from './module-stack';
import { listLengthChecks, nameCheck, tagChecks, vpcCidrChecks, type TerraformCheck } from './terraform-checks';

/** lib/spec/schema.ts `az` and lib/spec/checks.ts `checkCreatedVpc`. */
const AZ_CHECKS: TerraformCheck[] = [
  ...listLengthChecks('azs', 1, MAX_AZS),
  { condition: 'alltrue([for az in var.azs : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$", az))])', message: 'azs must be availability zone names such as ap-northeast-1a' },
  {
    condition: 'length(distinct(var.azs)) == length(var.azs)',
    message: '${join(", ", [for az, v in { for az in var.azs : az => az... } : "\\"${az}\\"" if length(v) > 1])} is listed twice; list each AZ once',
  },
];

/** `modules/egress-vpc`: a VPC laid out for cheap egress, as `EgressVpc` builds it for spec stacks. */
export class EgressVpcModule extends ModuleStack {
  constructor(scope: Construct) {
    super(scope, 'egress-vpc', {
      requiredVersion: '>= 1.5.0',
      names: {
        'vpc/vpc': 'this', 'vpc/igw': 'this', 'vpc/eigw': 'this', 'vpc/public-rt': 'public', 'vpc/public-default': 'public_default',
        'vpc/public-default-v6': 'public_default_v6', 'vpc/public': 'public', 'vpc/public-rta': 'public', 'vpc/private': 'private',
        'vpc/private-rt': 'private', 'vpc/private-rta': 'private', 'vpc/private-default-v6': 'private_default_v6',
        'vpc/public-subnets': 'public_subnets', 'vpc/private-subnets': 'private_subnets',
      },
    });
    const name = this.input('name', { type: 'string', description: 'Name tag prefix of every resource, e.g. dev-hub.', validations: [nameCheck('var.name', 'name')] });
    const cidr = this.input('cidr', {
      type: 'string',
      description: `IPv4 CIDR of the VPC, /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}: cut into sixteen blocks, AZ i gets block i (public) and 8 + i (private).`,
      validations: vpcCidrChecks('cidr', { min: MIN_VPC_PREFIX, max: MAX_VPC_PREFIX }),
    });
    const azs = this.input('azs', { type: 'list(string)', description: `AZs, 1 to ${MAX_AZS}: one public and one private subnet (with its own route table) each.`, validations: AZ_CHECKS });
    const ipv6 = this.input('ipv6', {
      type: 'bool', default: false,
      description: 'Dual stack: an Amazon-provided /56, a /64 per subnet, ::/0 to the internet gateway from public subnets and to an egress-only internet gateway from private ones, so IPv6 skips the NAT.',
    });
    const tags = this.input('tags', { type: 'map(string)', default: {}, description: 'Tags for every resource of the module (their Name tags win).', validations: tagChecks('tags') });
    const vpc = new EgressVpc(this, 'vpc', { name: name.stringValue, cidr: cidr.stringValue, azs: azs.listValue, ipv6: ipv6.value });
    this.vpcOutputs(vpc, azs.listValue);
    this.tagEverything(Token.asStringMap(tags.value));
  }

  /** Output names as in terraform-aws-modules/vpc, which NAT module examples are written against. */
  private vpcOutputs(vpc: EgressVpc, azs: string[]): void {
    const field = (subnets: SubnetRef[], name: keyof SubnetRef) => mapEach(subnets, (subnet) => subnet[name]);
    this.output('vpc_id', { value: vpc.vpcId, description: 'ID of the VPC.' });
    this.output('vpc_cidr_block', { value: vpc.vpc.cidrBlock, description: 'IPv4 CIDR of the VPC.' });
    this.output('vpc_ipv6_cidr_block', { value: choose(vpc.ipv6Flag, false, vpc.vpc.ipv6CidrBlock, undefined), description: 'The VPC\'s Amazon-provided IPv6 /56; null without ipv6.' });
    this.output('azs', { value: azs, description: 'The AZs, in the order the subnet lists follow.' });
    // A NAT module given these waits for their routes: its first boot fetches its files from S3 through them.
    this.output('public_subnets', { value: field(vpc.publicSubnets, 'id'), description: 'IDs of the public subnets, one per AZ (NAT instances go here), known once their default routes to the internet gateway exist.', dependsOn: vpc.publicRouting });
    this.output('private_subnets', { value: field(vpc.privateSubnets, 'id'), description: 'IDs of the private subnets, one per AZ.' });
    this.output('public_subnets_cidr_blocks', { value: field(vpc.publicSubnets, 'cidr'), description: 'CIDR blocks of the public subnets.' });
    this.output('private_subnets_cidr_blocks', { value: field(vpc.privateSubnets, 'cidr'), description: 'CIDR blocks of the private subnets: what a NAT accepts traffic from.' });
    this.output('public_route_table_ids', { value: [vpc.publicRouteTableId], description: 'The route table of the public subnets (0.0.0.0/0 to the internet gateway), as a list of one.' });
    this.output('private_route_table_ids', { value: field(vpc.privateSubnets, 'routeTableId'), description: 'The route table of each private subnet: give them to a NAT module.' });
    this.output('private_subnet_objects', {
      value: mapEach(vpc.privateSubnets, (subnet) => ({ id: subnet.id, az: subnet.az, route_table_id: subnet.routeTableId })),
      description: 'Private subnets as { id, az, route_table_id } objects: the private_subnets input of the vpc-endpoints module.',
    });
    this.output('igw_id', { value: vpc.internetGatewayId, description: 'ID of the internet gateway.' });
    this.output('egress_only_internet_gateway_id', { value: vpc.egressOnlyGatewayId ?? null, description: 'ID of the egress-only internet gateway; null without ipv6.' });
  }
}
