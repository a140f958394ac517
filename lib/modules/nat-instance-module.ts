import type { Construct } from 'constructs';
import { NatInstance } from '../nat/nat-instance';
import { ModuleStack } from './module-stack';
import { cidrListInput, idInput, natInputs } from './nat-inputs';
import { monitoringInputs } from './monitoring-inputs';
import { awsIdListCheck, instanceTypeChecks, listLengthChecks } from './terraform-checks';

/**
 * Names as in int128/nat-instance where it has the resource, so a root moving from it keeps
 * its state addresses: the ENI (and the caller's EIP on it) stays in place.
 */
export const NAT_RESOURCE_NAMES: Readonly<Record<string, string>> = {
  'nat/sg': 'this',
  'nat/from-served': 'ingress_any',
  'nat/egress': 'egress',
  'nat/forward': 'port_forward',
  'nat/eni': 'this',
  'nat/default': 'this',
  'nat/eip': 'this',
  'nat/role/role': 'this',
  'nat/role/ssm': 'ssm',
  'nat/role/boot': 'boot',
  'nat/role/profile': 'this',
  'nat/lt': 'this',
  'nat/asg': 'this',
  'nat/cloud-config-base': 'cloud_config_base',
  'nat/cloud-config': 'cloud_config',
  'nat/user-data-text': 'user_data_text',
  'nat/user-data-gzip': 'user_data_gzip',
  'nat/role/metrics': 'metrics',
};

/** int128/nat-instance's defaults: x86 burstable types. */
const INT128_INSTANCE_TYPES = ['t3.nano', 't3a.nano'];

/** `modules/nat-instance`: a drop-in for the int128/nat-instance/aws module. */
export class NatInstanceModule extends ModuleStack {
  constructor(scope: Construct) {
    super(scope, 'nat-instance', { requiredVersion: '>= 1.5.0', names: NAT_RESOURCE_NAMES });
    const shared = natInputs(this, 'var.instance_types[0]');
    const monitoring = monitoringInputs(this);
    const vpcId = idInput(this, 'vpc_id', 'vpc', 'ID of the VPC the NAT instance serves.');
    const publicSubnet = idInput(this, 'public_subnet', 'subnet', 'ID of the public subnet the instance and its ENI live in (it fixes the AZ).');
    // Checked non-empty rather than counted by length, so a list known only at apply plans.
    const servedCidrs = cidrListInput(this, 'private_subnets_cidr_blocks', 'CIDR blocks the NAT accepts traffic from (usually the private subnets of the VPC).', undefined, listLengthChecks('private_subnets_cidr_blocks', 1));
    const routeTableIds = this.input('private_route_table_ids', {
      type: 'list(string)', default: [],
      description: 'Route tables that get 0.0.0.0/0 to the NAT ENI (one route each).',
      validations: [awsIdListCheck('var.private_route_table_ids', 'private_route_table_ids', 'rtb')],
    }).listValue;
    const instanceTypes = this.input('instance_types', {
      type: 'list(string)', default: INT128_INSTANCE_TYPES,
      description: 'Instance types for the mixed instances policy, of one architecture; the first decides the AMI when image_id is "".',
      validations: instanceTypeChecks('var.instance_types', 'instance_types'),
    }).listValue;
    const createEip = this.input('create_eip', {
      type: 'bool', default: false,
      description: 'Allocate an EIP on the ENI here. Leave false when your configuration attaches its own aws_eip to eni_id (as int128/nat-instance asks), or the ENI would get two.',
    });

    const nat = new NatInstance(this, 'nat', {
      ...shared,
      watchdog: monitoring.watchdog,
      region: this.region,
      vpcId,
      publicSubnetId: publicSubnet,
      egressInterface: 'dedicated',
      servedCidrs,
      servedCidrsMayBeEmpty: false,
      privateRouteTableIds: routeTableIds,
      instanceTypes,
      createEip: createEip.value,
    });
    monitoring.alarms(nat, shared.natId);
    this.natOutputs(nat);
    this.tagEverything(shared.tags);
  }

  private natOutputs(nat: NatInstance): void {
    this.output('eni_id', { value: nat.eniId, description: 'ID of the NAT ENI: the target of the private routes, and where an EIP goes.' });
    this.output('eni_private_ip', { value: nat.eni?.privateIp, description: 'Private IPv4 address of the NAT ENI.' });
    this.output('sg_id', { value: nat.securityGroup.id, description: 'ID of the security group of the instance and its ENI (add rules such as SSH here).' });
    this.output('iam_role_name', { value: nat.role.role.name, description: 'Name of the instance role (attach extra policies here).' });
    this.output('public_ip', { value: nat.eipPublicIp, description: 'Egress IPv4 address when create_eip is true; null otherwise.' });
    this.output('eip_allocation_id', { value: nat.eipAllocationId, description: 'Allocation ID of the EIP when create_eip is true; null otherwise.' });
    this.output('autoscaling_group_name', { value: nat.asg.name, description: 'Name of the auto scaling group of one that keeps the instance running.' });
    this.output('launch_template_id', { value: nat.launchTemplate.id, description: 'ID of the launch template (its user data installs the boot script).' });
  }
}
