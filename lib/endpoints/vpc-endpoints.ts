import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import { privateRouteTableIds, type VpcRef } from '../network/vpc-ref';
import { placementSubnets, type EndpointPlacement } from './placement';
import { expandEndpoints, serviceName, type GatewayService } from './services';
import { endpointsInTerraform, hasUnresolvedEndpoints } from './vpc-endpoints-terraform';

export type { EndpointPlacement } from './placement';

export interface VpcEndpointsProps {
  /** Name tag prefix, e.g. `dev-app1`. */
  readonly name: string;
  /** AWS region: part of every endpoint's service name. */
  readonly region: string;
  /** The VPC the endpoints are made in (an `EgressVpc` or `existingVpcRef(...)`). */
  readonly vpc: VpcRef;
  /** Free gateway endpoints, routed from every private route table. @default [] */
  readonly gateway?: readonly GatewayService[];
  /** Interface endpoints: presets (`ssm`, `ecr`), short names or full service names. @default [] */
  readonly interface?: readonly string[];
  /**
   * `single-subnet`: one ENI per endpoint, in the first private subnet; every subnet of the VPC
   * reaches it (intra-VPC routing is local) for one AZ-hour per hour.
   * `per-az`: one ENI per private subnet's AZ; survives an AZ loss, at one AZ-hour per AZ.
   * @default 'single-subnet'
   */
  readonly placement?: EndpointPlacement;
}

/** VPC endpoints: traffic to AWS services that never crosses the NAT. */
export class VpcEndpoints extends Construct {
  readonly gatewayEndpoints: VpcEndpoint[] = [];
  readonly interfaceEndpoints: VpcEndpoint[] = [];
  readonly securityGroup?: SecurityGroup;
  /** With lists only Terraform knows, null when no interface endpoint is made. */
  readonly securityGroupId?: string;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    if (hasUnresolvedEndpoints(props)) {
      const made = endpointsInTerraform(this, props);
      this.gatewayEndpoints.push(made.gateway);
      this.interfaceEndpoints.push(made.interface);
      this.securityGroup = made.securityGroup;
      this.securityGroupId = made.securityGroupId;
      return;
    }
    const expanded = expandEndpoints(props.interface ?? [], [...(props.gateway ?? [])]);
    if (expanded.problems.length > 0) throw new Error(`VpcEndpoints ${props.name}: ${expanded.problems.map((p) => p.message).join('; ')}`);
    const routeTableIds = privateRouteTableIds(props.vpc);

    for (const service of expanded.gateway) {
      this.gatewayEndpoints.push(new VpcEndpoint(this, `gateway-${service}`, {
        vpcId: props.vpc.vpcId,
        serviceName: serviceName(props.region, service),
        vpcEndpointType: 'Gateway',
        routeTableIds,
        tags: { Name: `${props.name}-${service}` },
      }));
    }
    if (expanded.interface.length === 0) return;

    const subnets = placementSubnets(props.vpc.privateSubnets, props.placement ?? 'single-subnet').map((s) => s.id);
    if (subnets.length === 0) throw new Error(`VpcEndpoints ${props.name}: VPC ${props.vpc.name} has no private subnet for interface endpoints`);
    this.securityGroup = new SecurityGroup(this, 'sg', {
      namePrefix: `${props.name}-endpoints-`,
      description: `Interface endpoints of ${props.vpc.name}: HTTPS from the VPC`,
      vpcId: props.vpc.vpcId,
      tags: { Name: `${props.name}-endpoints` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = this.securityGroup.id;
    new SecurityGroupRule(this, 'https', {
      type: 'ingress',
      securityGroupId: this.securityGroup.id,
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrBlocks: props.vpc.cidrBlocks,
      description: 'HTTPS from the VPC',
    });
    for (const service of expanded.interface) {
      this.interfaceEndpoints.push(new VpcEndpoint(this, `interface-${service}`, {
        vpcId: props.vpc.vpcId,
        serviceName: serviceName(props.region, service),
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: subnets,
        securityGroupIds: [this.securityGroup.id],
        tags: { Name: `${props.name}-${service}` },
      }));
    }
  }
}
