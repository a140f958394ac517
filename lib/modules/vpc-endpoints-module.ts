import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { ENDPOINT_PLACEMENTS } from '../spec/schema';
import { GATEWAY_SERVICES, INTERFACE_SERVICES, PRESETS, type GatewayService } from '../endpoints/services';
import { FULL_SERVICE_NAME_PATTERN } from '../endpoints/vpc-endpoints-terraform';
import { VpcEndpoints, type EndpointPlacement } from '../endpoints/vpc-endpoints';
import type { SubnetRef } from '../network/vpc-ref';
import { ModuleStack } from './module-stack';
import { cidrListInput, idInput } from './nat-inputs';
import { awsIdListCheck, hclString, nameCheck, oneOfCheck, tagChecks, type TerraformCheck } from './terraform-checks';

const PRESET_TABLE = JSON.stringify(PRESETS);
const KNOWN = `contains(keys(${PRESET_TABLE}), e) || contains(${hclString(INTERFACE_SERVICES)}, e) || can(regex("${FULL_SERVICE_NAME_PATTERN}", e))`;
/** lib/endpoints/services.ts `shortName`: a known service's full name counts as its short name. */
const SHORT_NAME = `can(regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)) && contains(${hclString(INTERFACE_SERVICES)}, try(regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)[0], "")) ? regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)[0] : s`;
/** Every service an entry stands for, with the entry: presets expanded. */
const SOURCES = `flatten([for e in var.interface : [for s in (contains(keys(${PRESET_TABLE}), e) ? ${PRESET_TABLE}[e].interface : [e]) : { service = ${SHORT_NAME}, from = e }]])`;
const BY_SERVICE = `{ for p in ${SOURCES} : p.service => p.from... }`;

/** lib/endpoints/services.ts `expandEndpoints` problems, in Terraform. */
const INTERFACE_CHECKS: TerraformCheck[] = [
  {
    condition: 'alltrue([for e in var.interface : can(regex("^[a-z0-9][a-z0-9.-]*$", e))])',
    message: 'interface entries must be a short service name such as ssm, a preset such as ecr, or a full service name such as com.amazonaws.ap-northeast-1.ssm',
  },
  {
    condition: `alltrue([for e in var.interface : ${KNOWN}])`,
    message: `\${join("; ", [for e in var.interface : "unknown interface endpoint \\"\${e}\\"; use a preset (${Object.keys(PRESETS).join(', ')}), a short name (${INTERFACE_SERVICES.join(', ')}) or a full name such as com.amazonaws.<region>.<service>" if !(${KNOWN})])}`,
  },
  {
    condition: `alltrue([for s, from in ${BY_SERVICE} : length(from) == 1])`,
    message: `\${join("; ", [for s, from in ${BY_SERVICE} : "\\"\${s}\\" is listed twice (also from \\"\${from[0]}\\"); list it once" if length(from) > 1])}`,
  },
];

const GATEWAY_CHECKS: TerraformCheck[] = [
  { ...oneOfCheck('g', 'gateway entries', GATEWAY_SERVICES), condition: `alltrue([for g in var.gateway : contains(${hclString(GATEWAY_SERVICES)}, g)])` },
  {
    condition: 'length(distinct(var.gateway)) == length(var.gateway)',
    message: '${join(", ", [for g, v in { for g in var.gateway : g => g... } : "\\"${g}\\"" if length(v) > 1])} is listed twice; list it once',
  },
];

/** `modules/vpc-endpoints`: gateway and interface endpoints for one VPC, as `VpcEndpoints` makes them. */
export class VpcEndpointsModule extends ModuleStack {
  constructor(scope: Construct) {
    super(scope, 'vpc-endpoints', {
      requiredVersion: '>= 1.5.0',
      names: {
        'endpoints/gateway': 'gateway', 'endpoints/interface': 'interface', 'endpoints/sg': 'this', 'endpoints/https': 'https', 'endpoints/endpoint-presets': 'presets',
        'endpoints/interface-services': 'interface_services', 'endpoints/gateway-services': 'gateway_services',
      },
    });
    const name = this.input('name', { type: 'string', description: 'Name tag prefix, e.g. dev-app1.', validations: [nameCheck('var.name', 'name')] });
    const vpcId = idInput(this, 'vpc_id', 'vpc', 'ID of the VPC.');
    const cidrs = cidrListInput(this, 'vpc_cidr_blocks', 'CIDR blocks of the VPC: interface endpoints admit HTTPS from them.');
    this.input('private_subnets', {
      type: 'list(object({ id = string, az = string, route_table_id = string }))', default: [],
      description: 'Private subnets of the VPC (the egress-vpc module\'s private_subnet_objects output): gateway endpoints are routed from their route tables, interface endpoints placed in them.',
      validations: [awsIdListCheck('var.private_subnets[*].id', 'private_subnets[*].id', 'subnet'), awsIdListCheck('var.private_subnets[*].route_table_id', 'private_subnets[*].route_table_id', 'rtb')],
    });
    const gateway = this.input('gateway', { type: 'list(string)', default: [], description: 'Free gateway endpoints: s3, dynamodb.', validations: GATEWAY_CHECKS });
    const interfaces = this.input('interface', {
      type: 'list(string)', default: [],
      description: `Interface endpoints: presets (${Object.keys(PRESETS).join(', ')}), short names such as ssm, or full service names.`,
      validations: INTERFACE_CHECKS,
    });
    const placement = this.input('placement', {
      type: 'string', default: 'single-subnet',
      description: 'single-subnet: one ENI per endpoint in the first private subnet (every AZ reaches it; cheapest). per-az: one per AZ (survives an AZ loss).',
      validations: [oneOfCheck('var.placement', 'placement', ENDPOINT_PLACEMENTS)],
    });
    const tags = this.input('tags', { type: 'map(string)', default: {}, description: 'Tags for every resource of the module (their Name tags win).', validations: tagChecks('tags') });
    const subnets = this.local('private_subnets', '[for s in var.private_subnets : { id = s.id, az = s.az, routeTableId = s.route_table_id }]');

    const endpoints = new VpcEndpoints(this, 'endpoints', {
      name: name.stringValue,
      region: this.region,
      vpc: { name: name.stringValue, vpcId, cidrBlocks: cidrs, publicSubnets: [], privateSubnets: Token.asAny(subnets.expression) as unknown as SubnetRef[], ipv6: false },
      gateway: gateway.listValue as GatewayService[],
      interface: interfaces.listValue,
      placement: placement.stringValue as EndpointPlacement,
    });
    const [gatewayEndpoint] = endpoints.gatewayEndpoints;
    const [interfaceEndpoint] = endpoints.interfaceEndpoints;
    const byKey = (resource: typeof gatewayEndpoint) => `\${{ for k, e in ${resource.terraformResourceType}.${resource.friendlyUniqueId} : k => e.id }}`;
    this.output('gateway_endpoint_ids', { value: byKey(gatewayEndpoint), description: 'Gateway endpoint IDs by service (s3, dynamodb).' });
    this.output('interface_endpoint_ids', { value: byKey(interfaceEndpoint), description: 'Interface endpoint IDs by service as listed (presets expanded).' });
    this.output('security_group_id', { value: endpoints.securityGroupId, description: 'Security group of the interface endpoints; null when there are none.' });
    this.tagEverything(Token.asStringMap(tags.value));
  }
}
