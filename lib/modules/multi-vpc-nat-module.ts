import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { INSTANCE_TYPES } from '../nat/instance-types';
import { NatInstance, type EgressInterface, type NatInstanceProps } from '../nat/nat-instance';
import type { NatSpoke } from '../nat/spoke-attachment';
import { ModuleStack } from './module-stack';
import { cidrListInput, idInput, natInputs } from './nat-inputs';
import { monitoringInputs } from './monitoring-inputs';
import { NAT_RESOURCE_NAMES } from './nat-instance-module';
import {
  awsIdListCheck,
  cidrListChecks,
  ENI_LIMITS,
  ENI_LIMITS_TABLE,
  eniCapacityCheck,
  hclString,
  instanceTypeChecks,
  knownInstanceTypeCheck,
  nameCheck,
  oneOfCheck,
  type TerraformCheck,
} from './terraform-checks';

const SPOKE_TYPE = 'list(object({ name = string, vpc_id = string, subnet_id = string, cidr_blocks = list(string), route_table_ids = list(string) }))';

/** Network interfaces the NAT needs: lib/nat/instance-types.ts `enisNeeded`. */
const ENIS_NEEDED = 'local.enis_needed';
const ENIS_NEEDED_EXPRESSION = '1 + (var.egress_interface == "dedicated" ? 1 : 0) + length(var.spokes)';
/** lib/spec/checks.ts `describeEnis`. */
const ENIS_DESCRIBED = 'join(" + ", concat(["primary"], var.egress_interface == "dedicated" ? ["egress ENI"] : [], length(var.spokes) > 0 ? ["${length(var.spokes)} spoke ENI${length(var.spokes) > 1 ? "s" : ""}"] : []))';
/** Graviton catalog types in price order: lib/nat/instance-types.ts `defaultInstanceTypes` picks from these. */
const ARM_TYPES = hclString(INSTANCE_TYPES.filter((info) => info.architecture === 'arm64').map((info) => info.type));
const MAX_ENIS = Math.max(...INSTANCE_TYPES.map((info) => info.maxEnis));

/** Two CIDRs overlap when they name the same network at the shorter of their two prefixes; false for a malformed one (its own check says why). */
const overlapsHcl = (a: string, b: string) => {
  const prefix = `min(tonumber(split("/", ${a})[1]), tonumber(split("/", ${b})[1]))`;
  return `try(cidrhost("\${split("/", ${a})[0]}/\${${prefix}}", 0) == cidrhost("\${split("/", ${b})[0]}/\${${prefix}}", 0), false)`;
};
/** "spoke "app1" 10.0.128.0/20 overlaps the hub's 10.0.0.0/16" for each such pair. */
const HUB_OVERLAPS = `flatten([for s in var.spokes : [for c in s.cidr_blocks : [for h in var.hub_cidr_blocks : "spoke \\"\${s.name}\\" \${c} overlaps the hub's \${h}" if ${overlapsHcl('c', 'h')}]]])`;

/** Spoke and mode checks from lib/spec/checks.ts `checkNats`, in Terraform. */
function spokeChecks(): TerraformCheck[] {
  const names = nameCheck('s.name', 'spokes[*].name');
  return [
    { condition: `alltrue([for s in var.spokes : ${names.condition}])`, message: names.message },
    {
      condition: 'length(distinct(var.spokes[*].name)) == length(var.spokes)',
      message: 'spoke name ${join(", ", [for n, v in { for s in var.spokes : s.name => s... } : "\\"${n}\\"" if length(v) > 1])} is used twice; spoke names must be unique',
    },
    ...cidrListChecks('flatten(var.spokes[*].cidr_blocks)'),
    { condition: 'alltrue([for s in var.spokes : length(s.cidr_blocks) > 0])', message: 'spokes[*].cidr_blocks must list at least 1 item' },
    {
      // lib/spec/nat-checks.ts: a spoke inside the hub (or the hub inside a spoke) takes the hub's replies.
      condition: `length(${HUB_OVERLAPS}) == 0`,
      message: `\${join("; ", ${HUB_OVERLAPS})}; replies to the hub would leave through the spoke's ENI, so give each spoke CIDRs outside the hub's`,
    },
    awsIdListCheck('var.spokes[*].vpc_id', 'spokes[*].vpc_id', 'vpc'),
    awsIdListCheck('var.spokes[*].subnet_id', 'spokes[*].subnet_id', 'subnet'),
    awsIdListCheck('flatten(var.spokes[*].route_table_ids)', 'spokes[*].route_table_ids', 'rtb'),
    {
      condition: 'var.egress_interface != "primary" || length(var.spokes) > 0',
      message: 'egress_interface "primary" serves only spokes; list at least one spoke, or use egress_interface "dedicated" to serve the NAT\'s own VPC',
    },
    {
      // A condition must read the variable it validates, so not through local.enis_needed.
      condition: `${ENIS_NEEDED_EXPRESSION} <= ${MAX_ENIS}`,
      message: `no instance type in the catalog carries \${${ENIS_NEEDED_EXPRESSION}} network interfaces (the most is ${MAX_ENIS})`,
    },
  ];
}

/** lib/spec/checks.ts `checkInstanceTypes`, on a list that may be null (the module picks types). */
function instanceTypeListChecks(): TerraformCheck[] {
  // Terraform evaluates both sides of `||` and every message: null must not reach `for`.
  const list = 'coalesce(var.instance_types, [])';
  const checks = [
    ...instanceTypeChecks(list, 'instance_types'),
    knownInstanceTypeCheck(list),
    eniCapacityCheck(list, ENIS_NEEDED, ENIS_DESCRIBED, 'egress_interface "primary"'),
  ];
  return checks.map((check) => ({ ...check, condition: `var.instance_types == null ? true : (${check.condition})` }));
}

/** The VPCs the NAT serves, as `{ vpc, cidr }` pairs: the hub (dedicated) and every spoke. */
const SERVED = 'concat(var.egress_interface == "dedicated" ? [for c in var.hub_cidr_blocks : { vpc = "hub", cidr = c }] : [], flatten([for s in var.spokes : [for c in s.cidr_blocks : { vpc = s.name, cidr = c }]]))';
/** Names of the served VPCs whose CIDRs hold the address `to`. */
function servedBy(to: string): string {
  const network = '"${' + to + '}/${split("/", v.cidr)[1]}"';
  return `distinct([for v in ${SERVED} : v.vpc if can(cidrhost(${network}, 0)) && can(cidrnetmask(v.cidr)) && try(cidrhost(${network}, 0) == cidrhost(v.cidr, 0), false)])`;
}

/** lib/spec/checks.ts `checkPortForwards`: every forward goes to a host in exactly one VPC the NAT serves. */
function forwardTargetCheck(): TerraformCheck {
  const owners = servedBy('f.to');
  const none = '"${f.to} is in none of the VPCs this NAT serves (${join("; ", [for v in ' + SERVED + ' : "${v.vpc} ${v.cidr}"])}); forward to a host in one of them"';
  const several = '"${f.to} is in ${join(" and ", ' + owners + ')}, whose CIDRs overlap; a forward must name one host"';
  return {
    condition: `alltrue([for f in var.port_forwards : length(${owners}) == 1])`,
    message: `\${join("; ", [for f in var.port_forwards : length(${owners}) == 0 ? ${none} : ${several} if length(${owners}) != 1])}`,
  };
}

/** `modules/multi-vpc-nat`: one NAT instance for its own VPC and spoke VPCs through Multi-VPC ENI attachments. */
export class MultiVpcNatModule extends ModuleStack {
  constructor(scope: Construct) {
    super(scope, 'multi-vpc-nat', {
      requiredVersion: '>= 1.9.0',
      names: {
        ...NAT_RESOURCE_NAMES,
        'nat/indexed-spokes': 'indexed_spokes', 'nat/spoke/by-name': 'spokes_by_name', 'nat/spoke/route-tables': 'spoke_route_tables',
        'nat/spoke/sg': 'spoke', 'nat/spoke/from-spoke': 'spoke_ingress', 'nat/spoke/egress': 'spoke_egress', 'nat/spoke/eni': 'spoke', 'nat/spoke/default': 'spoke',
      },
    });
    const mode = this.input('egress_interface', {
      type: 'string', default: 'dedicated',
      description: 'dedicated: an egress ENI with the EIP serves the NAT\'s own VPC too (route target of private_route_table_ids). primary: the EIP moves onto the primary interface, one ENI fewer, and only spokes are served.',
      validations: [oneOfCheck('var.egress_interface', 'egress_interface', ['dedicated', 'primary'])],
    }).stringValue as EgressInterface;
    const instanceTypes = this.instanceTypesInput();
    const shared = natInputs(this, 'local.instance_types[0]');
    const monitoring = monitoringInputs(this);
    const hub = this.hubInputs();
    this.input('spokes', {
      type: SPOKE_TYPE, default: [],
      description: 'VPCs served through ENIs of the NAT in them: name (unique), vpc_id, subnet_id (a private subnet in the NAT\'s AZ), cidr_blocks (sources admitted and routed back), route_table_ids (each gets 0.0.0.0/0 to that ENI). Device indexes follow the list order.',
      validations: spokeChecks(),
    });
    const spokes = this.local('spokes', '[for s in var.spokes : { name = s.name, vpcId = s.vpc_id, subnetId = s.subnet_id, cidrs = s.cidr_blocks, routeTableIds = s.route_table_ids }]');
    this.addValidation('port_forwards', forwardTargetCheck());

    const nat = new NatInstance(this, 'nat', {
      ...shared,
      watchdog: monitoring.watchdog,
      ...hub,
      region: this.region,
      egressInterface: mode,
      spokes: Token.asAny(spokes.expression) as unknown as NatSpoke[],
      instanceTypes,
    });
    monitoring.alarms(nat, shared.natId);
    this.outputs(nat, instanceTypes);
    this.tagEverything(shared.tags);
  }

  /** instance_types, or when null the two cheapest Graviton types carrying the interfaces needed (`defaultInstanceTypes`). */
  private instanceTypesInput(): string[] {
    this.table('eni_limits', ENI_LIMITS_TABLE);
    this.input('instance_types', {
      type: 'list(string)', default: null, nullable: true,
      description: 'Instance types of one architecture, each carrying the network interfaces needed (primary, egress ENI when dedicated, one per spoke). null picks the two cheapest Graviton types that do.',
      validations: instanceTypeListChecks(),
    });
    this.local('enis_needed', ENIS_NEEDED_EXPRESSION);
    this.local('fitting_types', `[for t in ${ARM_TYPES} : t if ${ENI_LIMITS}[t] >= ${ENIS_NEEDED}]`);
    return this.local('instance_types', 'var.instance_types != null ? var.instance_types : slice(local.fitting_types, 0, min(2, length(local.fitting_types)))').asList;
  }

  /** The hub: where the NAT lives, and what it serves there in dedicated mode. */
  private hubInputs(): Pick<NatInstanceProps, 'vpcId' | 'publicSubnetId' | 'servedCidrs' | 'privateRouteTableIds'> {
    const vpcId = idInput(this, 'vpc_id', 'vpc', 'ID of the VPC the NAT instance lives in (the hub).');
    const publicSubnetId = idInput(this, 'public_subnet', 'subnet', 'ID of a public subnet of the hub: it fixes the AZ, and every spoke needs a subnet in that AZ.');
    const servedCidrs = cidrListInput(this, 'hub_cidr_blocks', 'CIDR blocks of the hub served through the egress ENI (dedicated only).', []);
    this.input('private_route_table_ids', {
      type: 'list(string)', default: [],
      description: 'Hub route tables that get 0.0.0.0/0 to the egress ENI (dedicated only).',
      validations: [awsIdListCheck('var.private_route_table_ids', 'private_route_table_ids', 'rtb')],
    });
    const routes = this.local('hub_route_table_ids', 'var.egress_interface == "dedicated" ? var.private_route_table_ids : []');
    return { vpcId, publicSubnetId, servedCidrs, privateRouteTableIds: routes.asList };
  }

  private outputs(nat: NatInstance, instanceTypes: string[]): void {
    const spoke = nat.spokes[0];
    this.output('public_ip', { value: nat.eipPublicIp, description: 'Egress IPv4 address (the EIP) of every VPC the NAT serves.' });
    this.output('eip_allocation_id', { value: nat.eipAllocationId, description: 'Allocation ID of the EIP.' });
    this.output('eni_id', { value: nat.eniId, description: 'ID of the egress ENI, the hub routes\' target (dedicated); null with primary.' });
    this.output('sg_id', { value: nat.securityGroup.id, description: 'ID of the security group of the instance and its egress ENI.' });
    this.output('iam_role_name', { value: nat.role.role.name, description: 'Name of the instance role (attach extra policies here).' });
    this.output('spoke_eni_ids', { value: `\${{ for name, eni in ${spoke.eni.terraformResourceType}.${spoke.eni.friendlyUniqueId} : name => eni.id }}`, description: 'ENI of the NAT in each spoke, by spoke name: the target of that spoke\'s routes.' });
    this.output('spoke_sg_ids', { value: `\${{ for name, sg in ${spoke.securityGroup.terraformResourceType}.${spoke.securityGroup.friendlyUniqueId} : name => sg.id }}`, description: 'Security group of each spoke ENI, by spoke name.' });
    this.output('instance_types', { value: instanceTypes, description: 'The instance types the auto scaling group launches (given or picked).' });
    this.output('autoscaling_group_name', { value: nat.asg.name, description: 'Name of the auto scaling group of one that keeps the instance running.' });
  }
}
