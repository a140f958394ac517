import { EgressOnlyInternetGateway } from '@cdktf/provider-aws/lib/egress-only-internet-gateway';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Fn, FOR_EXPRESSION_KEY, FOR_EXPRESSION_VALUE, forExpression, Op, propertyAccess, TerraformIterator, TerraformLocal, Token, type ITerraformDependable, type MapTerraformIterator } from 'cdktf';
import { Construct } from 'constructs';
import { choose, isPlainFlag, type Flag } from '../nat/conditional';
import { instanceAttribute, optionalAttribute } from '../nat/for-each';
import { MAX_AZS, PRIVATE_BLOCK_OFFSET, SUBNET_NEW_BITS, subnetLayout } from './subnet-layout';
import type { SubnetRef, VpcRef } from './vpc-ref';

export interface EgressVpcProps {
  /** Name tag prefix of every resource, e.g. `dev-hub`. */
  readonly name: string;
  /** IPv4 CIDR of the VPC, /16 to /24. */
  readonly cidr: string;
  /**
   * One public and one private subnet per AZ, in this order. A list only Terraform knows
   * (a module variable) gives subnets, route tables and routes `for_each`, keyed by AZ.
   */
  readonly azs: readonly string[];
  /**
   * Dual stack: an Amazon-provided /56, a /64 per subnet, `::/0` to the IGW from public
   * subnets and to an egress-only internet gateway from private ones.
   * @default false
   */
  readonly ipv6?: Flag;
  /**
   * An internet gateway, a public route table to it and a public subnet per AZ. Without
   * them the VPC reaches the internet only through a NAT's ENI in its private subnets
   * (a spoke), and IPv6 through its egress-only internet gateway.
   * @default true
   */
  readonly publicSubnets?: boolean;
}

/**
 * A VPC laid out for cheap egress: public subnets behind an internet gateway for NATs (left
 * out for spokes), and private subnets with one route table per AZ for the NAT (or anything
 * else) to route into.
 */
export class EgressVpc extends Construct implements VpcRef {
  readonly name: string;
  readonly vpcId: string;
  readonly cidrBlocks: string[];
  /** True also when only Terraform knows (see `ipv6Flag`). */
  readonly ipv6: boolean;
  readonly ipv6Flag: Flag;
  /** Per AZ, in the order of `azs`; a list only Terraform knows when `azs` is one. Empty without public subnets. */
  readonly publicSubnets: SubnetRef[] = [];
  readonly privateSubnets: SubnetRef[] = [];
  /** Undefined without public subnets. */
  readonly publicRouteTableId?: string;
  /** Undefined without public subnets. */
  readonly internetGatewayId?: string;
  /** Null when an IPv6 flag only Terraform knows is false. */
  readonly egressOnlyGatewayId?: string;
  /**
   * The public subnets' way out: their default routes to the internet gateway and their route
   * table associations. A NAT's first boot needs them (it fetches its boot files from S3 and
   * calls EC2 through them); empty without public subnets.
   */
  readonly publicRouting: ITerraformDependable[] = [];
  readonly vpc: Vpc;

  constructor(scope: Construct, id: string, props: EgressVpcProps) {
    super(scope, id);
    validateEgressVpcProps(props);
    this.name = props.name;
    this.ipv6Flag = props.ipv6 ?? false;
    this.ipv6 = this.ipv6Flag !== false;
    const plainIpv6 = isPlainFlag(this.ipv6Flag);
    const ipv6Count = plainIpv6 ? undefined : choose(this.ipv6Flag, false, 1, 0);
    const tag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      assignGeneratedIpv6CidrBlock: plainIpv6 ? this.ipv6 || undefined : this.ipv6Flag,
      tags: { Name: props.name },
    });
    this.vpcId = this.vpc.id;
    this.cidrBlocks = [props.cidr];

    const igw = props.publicSubnets === false ? undefined : new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: tag('igw') });
    this.internetGatewayId = igw?.id;
    const eigw = this.ipv6 ? new EgressOnlyInternetGateway(this, 'eigw', { vpcId: this.vpc.id, tags: tag('eigw'), count: ipv6Count }) : undefined;
    this.egressOnlyGatewayId = eigw && (plainIpv6 ? eigw.id : optionalAttribute(eigw, 'id'));

    const publicRt = igw && this.publicRouteTable(igw, ipv6Count, tag);
    this.publicRouteTableId = publicRt?.id;

    if (Token.isUnresolved(props.azs)) {
      ({ publicSubnets: this.publicSubnets, privateSubnets: this.privateSubnets } = this.subnetsForEachAz(props, publicRt?.id, tag));
      return;
    }
    const layout = Token.isUnresolved(props.cidr) ? undefined : subnetLayout(props.cidr, props.azs.length);
    props.azs.forEach((az, i) => {
      if (publicRt) {
        const publicSubnet = this.subnet(`public-${az}`, az, i, layout?.public[i], tag(`public-${az}`));
        this.publicRouting.push(new RouteTableAssociation(this, `public-${az}-rta`, { subnetId: publicSubnet.id, routeTableId: publicRt.id }));
        this.publicSubnets.push({ id: publicSubnet.id, az, routeTableId: publicRt.id, cidr: publicSubnet.cidrBlock });
      }

      const privateSubnet = this.subnet(`private-${az}`, az, PRIVATE_BLOCK_OFFSET + i, layout?.private[i], tag(`private-${az}`));
      const privateRt = new RouteTable(this, `private-${az}-rt`, { vpcId: this.vpc.id, tags: tag(`private-${az}`) });
      new RouteTableAssociation(this, `private-${az}-rta`, { subnetId: privateSubnet.id, routeTableId: privateRt.id });
      if (eigw && this.egressOnlyGatewayId) {
        new Route(this, `private-${az}-default-v6`, {
          routeTableId: privateRt.id, destinationIpv6CidrBlock: '::/0', egressOnlyGatewayId: this.egressOnlyGatewayId, count: ipv6Count,
        });
      }
      this.privateSubnets.push({ id: privateSubnet.id, az, routeTableId: privateRt.id, cidr: privateSubnet.cidrBlock });
    });
  }

  /** The public subnets' route table: `0.0.0.0/0` (and with IPv6 `::/0`) to the internet gateway. */
  private publicRouteTable(igw: InternetGateway, ipv6Count: number | undefined, tag: (suffix: string) => Record<string, string>): RouteTable {
    const publicRt = new RouteTable(this, 'public-rt', { vpcId: this.vpc.id, tags: tag('public') });
    this.publicRouting.push(new Route(this, 'public-default', { routeTableId: publicRt.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id }));
    if (this.ipv6) {
      this.publicRouting.push(new Route(this, 'public-default-v6', { routeTableId: publicRt.id, destinationIpv6CidrBlock: '::/0', gatewayId: igw.id, count: ipv6Count }));
    }
    return publicRt;
  }

  /**
   * AZs only Terraform knows: each subnet, route table, association and route is one resource
   * with `for_each` over `{ <az> = <index> }`, and the subnet lists are for expressions in AZ order.
   */
  private subnetsForEachAz(
    props: EgressVpcProps,
    publicRouteTableId: string | undefined,
    tag: (suffix: string) => Record<string, string>,
  ): { publicSubnets: SubnetRef[]; privateSubnets: SubnetRef[] } {
    const azIndex = forExpression(props.azs, FOR_EXPRESSION_KEY, FOR_EXPRESSION_VALUE);
    const perAz = TerraformIterator.fromMap(Token.asAnyMap(azIndex));
    const index = Token.asNumber(perAz.value);
    const named = (kind: string) => ({ Name: `${tag(kind).Name}-${perAz.key}` });
    const publicSubnet = publicRouteTableId === undefined ? undefined : this.subnet('public', perAz.key, index, undefined, named('public'), perAz);
    if (publicSubnet && publicRouteTableId !== undefined) {
      this.publicRouting.push(new RouteTableAssociation(this, 'public-rta', { subnetId: instanceAttribute(publicSubnet, perAz.key, 'id'), routeTableId: publicRouteTableId, forEach: perAz }));
    }
    const privateSubnet = this.subnet('private', perAz.key, Token.asNumber(Op.add(PRIVATE_BLOCK_OFFSET, index)), undefined, named('private'), perAz);
    const privateRt = new RouteTable(this, 'private-rt', { vpcId: this.vpc.id, tags: named('private'), forEach: perAz });
    new RouteTableAssociation(this, 'private-rta', {
      subnetId: instanceAttribute(privateSubnet, perAz.key, 'id'), routeTableId: instanceAttribute(privateRt, perAz.key, 'id'), forEach: perAz,
    });
    if (this.egressOnlyGatewayId) {
      const ipv6Azs = isPlainFlag(this.ipv6Flag) ? perAz : TerraformIterator.fromMap(Token.asAnyMap(Fn.conditional(this.ipv6Flag, azIndex, {})));
      new Route(this, 'private-default-v6', {
        routeTableId: instanceAttribute(privateRt, ipv6Azs.key, 'id'), destinationIpv6CidrBlock: '::/0', egressOnlyGatewayId: this.egressOnlyGatewayId, forEach: ipv6Azs,
      });
    }
    const az = FOR_EXPRESSION_VALUE;
    const inAzOrder = (id: string, value: Record<string, unknown>) =>
      Token.asAny(new TerraformLocal(this, id, forExpression(props.azs, value)).expression) as unknown as SubnetRef[];
    const at = (resource: Subnet | RouteTable, attribute: string) => propertyAccess(resource, [az, attribute]);
    return {
      publicSubnets: publicSubnet ? inAzOrder('public-subnets', { id: at(publicSubnet, 'id'), az, routeTableId: publicRouteTableId, cidr: at(publicSubnet, 'cidr_block') }) : [],
      privateSubnets: inAzOrder('private-subnets', { id: at(privateSubnet, 'id'), az, routeTableId: at(privateRt, 'id'), cidr: at(privateSubnet, 'cidr_block') }),
    };
  }

  private subnet(id: string, az: string, block: number, cidr: string | undefined, tags: Record<string, string>, forEach?: MapTerraformIterator): Subnet {
    const ipv6CidrBlock = Fn.cidrsubnet(this.vpc.ipv6CidrBlock, 8, block);
    return new Subnet(this, id, {
      vpcId: this.vpc.id,
      availabilityZone: az,
      cidrBlock: cidr ?? Fn.cidrsubnet(this.vpc.cidrBlock, SUBNET_NEW_BITS, block),
      mapPublicIpOnLaunch: false,
      ipv6CidrBlock: isPlainFlag(this.ipv6Flag) ? (this.ipv6 ? ipv6CidrBlock : undefined) : choose(this.ipv6Flag, false, ipv6CidrBlock, undefined),
      assignIpv6AddressOnCreation: isPlainFlag(this.ipv6Flag) ? this.ipv6 || undefined : this.ipv6Flag,
      tags,
      forEach,
    });
  }
}

function validateEgressVpcProps(props: EgressVpcProps): void {
  if (Token.isUnresolved(props.azs)) return;
  if (props.azs.length === 0 || props.azs.length > MAX_AZS) {
    throw new Error(`EgressVpc ${props.name}: ${props.azs.length} AZs given; give 1 to ${MAX_AZS}`);
  }
  if (new Set(props.azs).size !== props.azs.length) {
    throw new Error(`EgressVpc ${props.name}: azs lists an AZ twice (${props.azs.join(', ')})`);
  }
}
