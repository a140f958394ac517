import { EgressOnlyInternetGateway } from '@cdktf/provider-aws/lib/egress-only-internet-gateway';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { MAX_AZS, PRIVATE_BLOCK_OFFSET, SUBNET_NEW_BITS, subnetLayout } from './subnet-layout';
import type { SubnetRef, VpcRef } from './vpc-ref';

export interface EgressVpcProps {
  /** Name tag prefix of every resource, e.g. `dev-hub`. */
  readonly name: string;
  /** IPv4 CIDR of the VPC, /16 to /24. */
  readonly cidr: string;
  /** One public and one private subnet per AZ, in this order. */
  readonly azs: readonly string[];
  /**
   * Dual stack: an Amazon-provided /56, a /64 per subnet, `::/0` to the IGW from public
   * subnets and to an egress-only internet gateway from private ones.
   * @default false
   */
  readonly ipv6?: boolean;
}

/**
 * A VPC laid out for cheap egress: public subnets behind an internet gateway for NATs, and
 * private subnets with one route table per AZ for the NAT (or anything else) to route into.
 */
export class EgressVpc extends Construct implements VpcRef {
  readonly name: string;
  readonly vpcId: string;
  readonly cidrBlocks: string[];
  readonly ipv6: boolean;
  readonly publicSubnets: SubnetRef[] = [];
  readonly privateSubnets: SubnetRef[] = [];
  readonly publicRouteTableId: string;
  readonly internetGatewayId: string;
  readonly egressOnlyGatewayId?: string;
  readonly vpc: Vpc;

  constructor(scope: Construct, id: string, props: EgressVpcProps) {
    super(scope, id);
    validateEgressVpcProps(props);
    this.name = props.name;
    this.ipv6 = props.ipv6 ?? false;
    const tag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      assignGeneratedIpv6CidrBlock: this.ipv6 || undefined,
      tags: { Name: props.name },
    });
    this.vpcId = this.vpc.id;
    this.cidrBlocks = [props.cidr];

    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: tag('igw') });
    this.internetGatewayId = igw.id;
    const eigw = this.ipv6 ? new EgressOnlyInternetGateway(this, 'eigw', { vpcId: this.vpc.id, tags: tag('eigw') }) : undefined;
    this.egressOnlyGatewayId = eigw?.id;

    const publicRt = new RouteTable(this, 'public-rt', { vpcId: this.vpc.id, tags: tag('public') });
    this.publicRouteTableId = publicRt.id;
    new Route(this, 'public-default', { routeTableId: publicRt.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
    if (this.ipv6) new Route(this, 'public-default-v6', { routeTableId: publicRt.id, destinationIpv6CidrBlock: '::/0', gatewayId: igw.id });

    const layout = Token.isUnresolved(props.cidr) ? undefined : subnetLayout(props.cidr, props.azs.length);
    props.azs.forEach((az, i) => {
      const publicSubnet = this.subnet(`public-${az}`, az, i, layout?.public[i], tag(`public-${az}`));
      new RouteTableAssociation(this, `public-${az}-rta`, { subnetId: publicSubnet.id, routeTableId: publicRt.id });
      this.publicSubnets.push({ id: publicSubnet.id, az, routeTableId: publicRt.id, cidr: publicSubnet.cidrBlock });

      const privateSubnet = this.subnet(`private-${az}`, az, PRIVATE_BLOCK_OFFSET + i, layout?.private[i], tag(`private-${az}`));
      const privateRt = new RouteTable(this, `private-${az}-rt`, { vpcId: this.vpc.id, tags: tag(`private-${az}`) });
      new RouteTableAssociation(this, `private-${az}-rta`, { subnetId: privateSubnet.id, routeTableId: privateRt.id });
      if (eigw) {
        new Route(this, `private-${az}-default-v6`, { routeTableId: privateRt.id, destinationIpv6CidrBlock: '::/0', egressOnlyGatewayId: eigw.id });
      }
      this.privateSubnets.push({ id: privateSubnet.id, az, routeTableId: privateRt.id, cidr: privateSubnet.cidrBlock });
    });
  }

  private subnet(id: string, az: string, block: number, cidr: string | undefined, tags: Record<string, string>): Subnet {
    return new Subnet(this, id, {
      vpcId: this.vpc.id,
      availabilityZone: az,
      cidrBlock: cidr ?? Fn.cidrsubnet(this.vpc.cidrBlock, SUBNET_NEW_BITS, block),
      mapPublicIpOnLaunch: false,
      ipv6CidrBlock: this.ipv6 ? Fn.cidrsubnet(this.vpc.ipv6CidrBlock, 8, block) : undefined,
      assignIpv6AddressOnCreation: this.ipv6 || undefined,
      tags,
    });
  }
}

function validateEgressVpcProps(props: EgressVpcProps): void {
  if (props.azs.length === 0 || props.azs.length > MAX_AZS) {
    throw new Error(`EgressVpc ${props.name}: ${props.azs.length} AZs given; give 1 to ${MAX_AZS}`);
  }
  if (new Set(props.azs).size !== props.azs.length) {
    throw new Error(`EgressVpc ${props.name}: azs lists an AZ twice (${props.azs.join(', ')})`);
  }
}
