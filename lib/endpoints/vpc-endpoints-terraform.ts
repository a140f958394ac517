import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn, FOR_EXPRESSION_VALUE, forExpression, Op, propertyAccess, TerraformIterator, TerraformLocal, Token, type IResolvable } from 'cdktf';
import type { Construct } from 'constructs';
import { choose } from '../nat/conditional';
import { optionalAttribute } from '../nat/for-each';
import type { SubnetRef } from '../network/vpc-ref';
import { PRESETS } from './services';
import type { VpcEndpointsProps } from './vpc-endpoints';

/** `isFullServiceName` as a Terraform regex (`[.]` for `\.`, which HCL strings would need doubled). */
export const FULL_SERVICE_NAME_PATTERN = '^(com[.]amazonaws|aws[.][a-z0-9-]+)[.][a-z0-9.-]+$';

/** True when the endpoint lists or the private subnets are only known to Terraform (module variables). */
export function hasUnresolvedEndpoints(props: VpcEndpointsProps): boolean {
  return [props.interface ?? [], props.gateway ?? [], props.vpc.privateSubnets, props.placement ?? ''].some((value) => Token.isUnresolved(value));
}

export interface TerraformEndpoints {
  readonly gateway: VpcEndpoint;
  readonly interface: VpcEndpoint;
  readonly securityGroup: SecurityGroup;
  readonly securityGroupId: string;
}

/**
 * `VpcEndpoints` for lists only Terraform knows: the same presets, service names, route
 * tables and placement, evaluated by Terraform; one `for_each` endpoint resource per kind and
 * a security group made only when there are interface endpoints.
 */
export function endpointsInTerraform(scope: Construct, props: VpcEndpointsProps): TerraformEndpoints {
  const presets = new TerraformLocal(scope, 'endpoint-presets', PRESETS).expression;
  const interfaces = props.interface ?? [];
  const isPreset = (entry: IResolvable) => Fn.contains(Fn.keys(presets), entry);
  const fromPresets = (kind: 'interface' | 'gateway', otherwise: (entry: IResolvable) => unknown) =>
    Fn.flatten(Token.asList(forExpression(interfaces, Fn.conditional(isPreset(FOR_EXPRESSION_VALUE), propertyAccess(presets, [FOR_EXPRESSION_VALUE, kind]), otherwise(FOR_EXPRESSION_VALUE)))));
  const interfaceServices = new TerraformLocal(scope, 'interface-services', Fn.distinct(fromPresets('interface', (entry) => [entry]))).asList;
  const gatewayServices = new TerraformLocal(scope, 'gateway-services', Fn.distinct(Fn.concat([props.gateway ?? [], fromPresets('gateway', () => [])]))).asList;
  const fullName = (service: string) => Fn.conditional(Fn.can(Fn.regex(FULL_SERVICE_NAME_PATTERN, service)), service, `com.amazonaws.${props.region}.${service}`);

  const gateways = TerraformIterator.fromList(gatewayServices);
  const gateway = new VpcEndpoint(scope, 'gateway', {
    vpcId: props.vpc.vpcId,
    serviceName: Token.asString(fullName(Token.asString(gateways.value))),
    vpcEndpointType: 'Gateway',
    routeTableIds: privateRouteTableIdsInTerraform(props.vpc.privateSubnets),
    tags: { Name: `${props.name}-${gateways.key}` },
    forEach: gateways,
  });

  const anyInterface = Op.gte(Fn.lengthOf(interfaceServices), 1);
  const count = choose(anyInterface, false, 1, 0);
  const securityGroup = new SecurityGroup(scope, 'sg', {
    namePrefix: `${props.name}-endpoints-`,
    description: `Interface endpoints of ${props.vpc.name}: HTTPS from the VPC`,
    vpcId: props.vpc.vpcId,
    tags: { Name: `${props.name}-endpoints` },
    lifecycle: { createBeforeDestroy: true },
    count,
  });
  const securityGroupId = optionalAttribute(securityGroup, 'id');
  new SecurityGroupRule(scope, 'https', {
    type: 'ingress', securityGroupId, protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: props.vpc.cidrBlocks,
    description: 'HTTPS from the VPC', count,
  });
  const subnets = placementSubnetIdsInTerraform(props.vpc.privateSubnets, props.placement ?? 'single-subnet');
  const services = TerraformIterator.fromList(interfaceServices);
  const endpoint = new VpcEndpoint(scope, 'interface', {
    vpcId: props.vpc.vpcId,
    serviceName: Token.asString(fullName(Token.asString(services.value))),
    vpcEndpointType: 'Interface',
    privateDnsEnabled: true,
    subnetIds: subnets,
    securityGroupIds: [securityGroupId],
    tags: { Name: `${props.name}-${services.key}` },
    forEach: services,
    lifecycle: {
      precondition: [{
        condition: Op.gte(Fn.lengthOf(subnets), 1),
        errorMessage: `VpcEndpoints ${props.name}: VPC ${props.vpc.name} has no private subnet for interface endpoints`,
      }],
    },
  });
  return { gateway, interface: endpoint, securityGroup, securityGroupId };
}

/** `privateRouteTableIds` in Terraform: each route table once. */
function privateRouteTableIdsInTerraform(subnets: readonly SubnetRef[]): string[] {
  return Token.asList(Fn.distinct(Token.asList(forExpression(subnets, propertyAccess(FOR_EXPRESSION_VALUE, ['routeTableId'])))));
}

/** `placementSubnets` in Terraform: the first subnet of each AZ (`per-az`), or the first subnet. */
function placementSubnetIdsInTerraform(subnets: readonly SubnetRef[], placement: string): string[] {
  // `{ for s in subnets : s.az => s.id... }` groups the IDs by AZ, keeping their order.
  const idsByAz = forExpression(subnets, 'val.id...', 'val.az');
  const firstPerAz = Token.asList(forExpression(idsByAz, 'val[0]'));
  const first = Token.asList(forExpression(Fn.slice(subnets, 0, Fn.min([1, Fn.lengthOf(subnets)])), propertyAccess(FOR_EXPRESSION_VALUE, ['id'])));
  return Token.isUnresolved(placement) ? choose(Op.eq(placement, 'per-az'), false, firstPerAz, first) : placement === 'per-az' ? firstPerAz : first;
}
