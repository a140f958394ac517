import { amiParameter } from '../../lib/nat/nat-instance';
import { DEFAULT_SSM_POLICY_ARN } from '../../lib/nat/nat-role';
import { bootFile, bootScript, bootUnit, BOOT_LOADER_PATH, BOOT_SCRIPT_PATH, BOOT_CONFIG_PATH, SHIPPED_BOOT_FILES } from '../../lib/nat/user-data';
import { WATCHDOG_BOOT_FILES } from '../../lib/nat/watchdog';
import { messagesOf, moduleJson, resourceOf } from './module-json';

const nat = () => moduleJson('nat-instance');

// int128/nat-instance/aws variables.tf and outputs.tf: names, types and defaults a root relies on.
const INT128_INPUTS: Record<string, { type: string; default?: unknown }> = {
  enabled: { type: 'bool', default: true },
  name: { type: 'string' },
  vpc_id: { type: 'string' },
  public_subnet: { type: 'string' },
  private_subnets_cidr_blocks: { type: 'list(string)' },
  private_route_table_ids: { type: 'list(string)', default: [] },
  image_id: { type: 'string', default: '' },
  instance_types: { type: 'list(string)', default: ['t3.nano', 't3a.nano'] },
  use_spot_instance: { type: 'bool', default: true },
  key_name: { type: 'string', default: '' },
  tags: { type: 'map(string)', default: {} },
  user_data_write_files: { type: 'list(map(string))', default: [] },
  user_data_runcmd: { type: 'list(list(string))', default: [] },
  ssm_policy_arn: { type: 'string', default: DEFAULT_SSM_POLICY_ARN },
};
const INT128_OUTPUTS = ['eni_id', 'eni_private_ip', 'sg_id', 'iam_role_name'];

describe('modules/nat-instance as a drop-in for int128/nat-instance/aws', () => {
  it.each(Object.entries(INT128_INPUTS))('GIVEN input %s THEN it keeps int128\'s type and default', (name, expected) => {
    const variable = nat().variables.variable[name];
    expect(variable).toBeDefined();
    expect(variable.type).toBe(expected.type);
    if ('default' in expected) expect(variable.default).toEqual(expected.default);
    else expect(variable).not.toHaveProperty('default');
  });

  it('GIVEN user_data_write_files THEN it takes int128\'s map entries but only as strings (no `any`)', () => {
    expect(nat().variables.variable.user_data_write_files.type).toBe('list(map(string))');
  });

  it('GIVEN new inputs THEN each has a default, so int128 callers need no change', () => {
    const added = Object.keys(nat().variables.variable).filter((name) => !(name in INT128_INPUTS));
    expect(added.sort()).toEqual([
      'alarm_conntrack_percent', 'alarm_email', 'alarm_no_in_service_minutes', 'alarm_topic_arn', 'alarms_enabled', 'block_public_access',
      'conntrack_max', 'conntrack_tcp_established_timeout', 'conntrack_udp_stream_timeout', 'conntrack_udp_timeout', 'create_eip',
      'metrics_enabled', 'metrics_period', 'port_forwards', 'root_volume_size', 'schedule', 'watchdog_egress_probe', 'watchdog_enabled',
      'watchdog_repairs_before_unhealthy',
    ]);
    for (const name of added) expect(nat().variables.variable[name]).toHaveProperty('default');
  });

  it.each(INT128_OUTPUTS)('GIVEN output %s THEN it is there, described', (name) => {
    expect(nat().outputs.output[name]).toEqual(expect.objectContaining({ description: expect.any(String) }));
  });

  it('GIVEN outputs THEN eni_id is the ENI, eni_private_ip its address, sg_id the group and iam_role_name the role', () => {
    expect(nat().outputs.output.eni_id.value).toBe('${aws_network_interface.this.id}');
    expect(nat().outputs.output.eni_private_ip.value).toBe('${aws_network_interface.this.private_ip}');
    expect(nat().outputs.output.sg_id.value).toBe('${aws_security_group.this.id}');
    expect(nat().outputs.output.iam_role_name.value).toBe('${aws_iam_role.this.name}');
  });

  it('GIVEN defaults THEN no EIP is made (count 0): a root attaching its own to eni_id ends with exactly one', () => {
    expect(nat().variables.variable.create_eip.default).toBe(false);
    expect(resourceOf(nat(), 'aws_eip', 'this')).toMatchObject({ count: '${tonumber(var.create_eip ? 1 : 0)}', network_interface: '${aws_network_interface.this.id}' });
    expect(nat().outputs.output.public_ip.value).toBe('${one(aws_eip.this[*].public_ip)}');
  });

  it('GIVEN the resources int128 has THEN they keep its addresses, so a migrating state keeps the ENI and its EIP', () => {
    for (const [type, name] of [
      ['aws_security_group', 'this'], ['aws_network_interface', 'this'], ['aws_route', 'this'], ['aws_launch_template', 'this'],
      ['aws_autoscaling_group', 'this'], ['aws_iam_role', 'this'], ['aws_iam_instance_profile', 'this'],
      ['aws_iam_role_policy_attachment', 'ssm'], ['aws_security_group_rule', 'egress'], ['aws_security_group_rule', 'ingress_any'],
    ]) {
      expect(resourceOf(nat(), type, name)).toBeDefined();
    }
  });
});

describe('modules/nat-instance lists of any length', () => {
  it('GIVEN private_route_table_ids THEN one route per element with count, each to the ENI', () => {
    expect(resourceOf(nat(), 'aws_route', 'this')).toMatchObject({
      count: '${length(var.private_route_table_ids)}',
      route_table_id: '${element(var.private_route_table_ids, count.index)}',
      destination_cidr_block: '0.0.0.0/0',
      network_interface_id: '${aws_network_interface.this.id}',
    });
  });

  it('GIVEN instance_types THEN the mixed instances policy has one override per type, in the given order (not a set)', () => {
    const policy = resourceOf(nat(), 'aws_autoscaling_group', 'this').mixed_instances_policy;
    expect(policy.launch_template.dynamic.override).toEqual({ for_each: '${var.instance_types}', iterator: 'each', content: { instance_type: '${each.value}' } });
  });

  it('GIVEN port_forwards THEN one security group rule per forward, keyed by protocol and port', () => {
    const rule = resourceOf(nat(), 'aws_security_group_rule', 'port_forward');
    expect(rule.for_each).toBe('${{ for key, val in local.port_forwards: join("/", [val.protocol, val.port]) => val }}');
    expect(rule).toMatchObject({ protocol: '${each.value.protocol}', from_port: '${each.value.port}', cidr_blocks: '${each.value.allowFrom}' });
  });

  it('GIVEN private_subnets_cidr_blocks THEN the ingress rule admits them, made whatever the length (a list known only at apply plans) and the list checked non-empty', () => {
    const rule = resourceOf(nat(), 'aws_security_group_rule', 'ingress_any');
    expect(rule).toMatchObject({ cidr_blocks: '${var.private_subnets_cidr_blocks}' });
    expect(rule).not.toHaveProperty('count');
    expect(messagesOf(nat(), 'private_subnets_cidr_blocks')).toContain('private_subnets_cidr_blocks must list at least 1 item');
  });

  it('GIVEN tags THEN every taggable resource merges them under its own tags, and the ASG propagates them to nothing but itself', () => {
    expect(resourceOf(nat(), 'aws_network_interface', 'this').tags).toMatch(/^\$\{merge\(var\.tags, \{.*"cdktf-egress:nat" = var\.name.*\}\)\}$/);
    const asg = resourceOf(nat(), 'aws_autoscaling_group', 'this');
    expect(asg.dynamic.tag).toMatchObject({ content: { key: '${each.key}', value: '${each.value}', propagate_at_launch: false } });
  });

  it('GIVEN enabled and use_spot_instance THEN they become conditional sizes and on-demand shares', () => {
    const asg = resourceOf(nat(), 'aws_autoscaling_group', 'this');
    // A schedule owns the desired capacity between 0 and max, so min is 0 when one is set.
    expect(asg).toMatchObject({
      min_size: '${tonumber((var.schedule != null) ? 0 : tonumber(var.enabled ? 1 : 0))}',
      max_size: '${tonumber(var.enabled ? 1 : 0)}',
      capacity_rebalance: '${var.use_spot_instance}',
      lifecycle: { ignore_changes: ['desired_capacity'] },
    });
    expect(asg.mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity).toBe('${tonumber(var.use_spot_instance ? 0 : 100)}');
  });
});

describe('modules/nat-instance image and user data', () => {
  it('GIVEN image_id "" THEN the AMI is the latest Amazon Linux 2023 for the first instance type\'s architecture', () => {
    const imageId = nat().main.locals.image_id as string;
    expect(resourceOf(nat(), 'aws_launch_template', 'this').image_id).toBe('${local.image_id}');
    expect(imageId).toContain('var.image_id != "" ? var.image_id');
    expect(imageId).toContain(`"${amiParameter('arm64')}"`);
    expect(imageId).toContain(`"${amiParameter('x86_64')}"`);
    expect(imageId).toContain('split(".", var.instance_types[0])[0]');
  });

  it('GIVEN key_name "" THEN the launch template gets no key pair', () => {
    expect(nat().main.locals.key_name).toBe('${var.key_name != "" ? var.key_name : null}');
  });

  it('GIVEN the user data THEN Terraform renders it: base64 of the gzip of "#cloud-config" and yamlencode of the config', () => {
    expect(resourceOf(nat(), 'aws_launch_template', 'this').user_data).toBe('${base64gzip(local.user_data_text)}');
    expect(nat().main.locals.user_data_text).toBe('${join("", ["#cloud-config\\n", yamlencode(local.cloud_config)])}');
  });

  it('GIVEN the boot files THEN the module ships them as its own boot/ files, byte for byte those of lib/nat/boot, each uploaded from there and pinned by filesha256()', () => {
    const objects = Object.values(nat().main.resource.aws_s3_object ?? {}) as { key: string; source: string; source_hash: string }[];
    const manifest = String(nat().main.locals.nat_boot_files_manifest);
    const files = [...SHIPPED_BOOT_FILES, ...WATCHDOG_BOOT_FILES];
    expect(objects).toHaveLength(files.length);
    for (const file of files) {
      expect(nat().files[`boot/${file.name}`]).toBe(bootFile(file.name));
      const digest = `\${filesha256("\${path.module}/boot/${file.name}")}`;
      expect(objects).toContainEqual(expect.objectContaining({
        source: `\${path.module}/boot/${file.name}`, source_hash: digest, key: `boot/${digest}/${file.name}`,
      }));
      expect(manifest).toContain(`file ${file.name} ${digest} ${file.permissions} ${file.path}\n`);
    }
    const written = (nat().main.locals.cloud_config_base.write_files as { path: string; content: string }[]);
    expect(written.map((f) => f.path)).not.toContain(BOOT_SCRIPT_PATH);
    // The loader is in user data as it is in lib/nat/boot (Terraform's `$${` read as `${`).
    expect(written.find((f) => f.path === BOOT_LOADER_PATH)?.content.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')).toBe(bootFile('nat-load.sh'));
    expect(bootFile('nat-boot.sh')).toBe(bootScript());
    expect(bootFile('cdktf-egress-nat.service')).toBe(bootUnit());
  });

  it('GIVEN the boot config THEN it is rendered from the variables and the provider region', () => {
    const conf = (nat().main.locals.cloud_config_base.write_files as { path: string; content: string }[]).find((f) => f.path === BOOT_CONFIG_PATH)?.content;
    expect(conf).toContain('NAT_ID="${var.name}"');
    expect(conf).toContain('REGION="${data.aws_region.current.id}"');
    expect(conf).toContain('HUB_CIDRS="${join(" ", var.private_subnets_cidr_blocks)}"');
    expect(conf).toContain('EGRESS_MODE="dedicated"');
    expect(conf).toMatch(/PORT_FORWARDS="\$\{join\(" ", \[ for key, val in local\.port_forwards: .*\]\)\}"/);
  });

  it('GIVEN extra write_files and runcmd THEN they are appended after the NAT\'s own, 0644 unless given', () => {
    expect(nat().main.locals.cloud_config).toBe(
      '${merge(local.cloud_config_base, {"write_files" = concat(local.cloud_config_base.write_files, [ for key, val in var.user_data_write_files: merge({"permissions" = "0644"}, val)]), "runcmd" = concat(local.cloud_config_base.runcmd, var.user_data_runcmd)})}',
    );
  });

  it('GIVEN the launch template THEN a precondition refuses user data over EC2\'s 16 KB', () => {
    expect(resourceOf(nat(), 'aws_launch_template', 'this').lifecycle.precondition).toEqual([
      // Base64 of at most 16383 gzip bytes: EC2's limit applies to the compressed user data.
      expect.objectContaining({ condition: '${(length(base64gzip(local.user_data_text)) <= 21844)}', error_message: expect.stringContaining('EC2 accepts at most 16384') }),
    ]);
  });

  it('GIVEN instance_types THEN they must be non-empty, well formed and of one architecture', () => {
    expect(messagesOf(nat(), 'instance_types')).toEqual([
      'instance_types is empty; give at least one type such as t4g.nano',
      'instance_types must be EC2 instance types such as t4g.nano',
      expect.stringMatching(/^instance types mix architectures \(\$\{.*\}\); one launch template boots one AMI, so list types of one architecture$/),
    ]);
  });
});
