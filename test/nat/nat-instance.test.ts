import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import {
  decodeUserData,
  once,
  onlyResource,
  refTo,
  resourceNamed,
  resources,
  resourcesWhere,
  shellConfig,
  synthConstruct,
  tokenList,
  type TfJson,
} from '../helpers/construct';

const BASE: NatInstanceProps = {
  natId: 'dev-shared',
  region: 'ap-northeast-1',
  vpcId: 'vpc-0000000000000000a',
  publicSubnetId: 'subnet-public-a',
  servedCidrs: ['10.0.0.0/16'],
  privateRouteTableIds: ['rtb-private-a', 'rtb-private-c'],
  instanceTypes: ['t4g.nano', 't4g.micro'],
};

function synthNat(overrides: Partial<NatInstanceProps> = {}): TfJson {
  return synthConstruct((scope) => new NatInstance(scope, 'nat', { ...BASE, ...overrides }));
}

const SPOKE = { name: 'app1', vpcId: 'vpc-app1', subnetId: 'subnet-app1-a', cidrs: ['10.1.0.0/16'], routeTableIds: ['rtb-app1'] };

describe('NatInstance auto scaling group', () => {
  const tf = once(() => synthNat());
  const asg = () => onlyResource(tf(), 'aws_autoscaling_group');
  const policy = () => asg().mixed_instances_policy;

  it('GIVEN defaults WHEN synthesized THEN there is an ASG of exactly one instance in the public subnet', () => {
    expect(asg()).toMatchObject({ min_size: 1, max_size: 1, desired_capacity: 1, vpc_zone_identifier: ['subnet-public-a'] });
  });

  it('GIVEN defaults THEN the ASG launches the latest version of its own launch template', () => {
    const lt = onlyResource(tf(), 'aws_launch_template');
    expect(policy().launch_template.launch_template_specification).toEqual({
      launch_template_id: refTo(tf(), 'aws_launch_template', lt),
      version: refTo(tf(), 'aws_launch_template', lt, 'latest_version'),
    });
  });

  it('GIVEN defaults THEN a launch hook (default ABANDON) outlasts the longest holder wait, and a terminate hook (default CONTINUE) lets the leaving NAT release its interfaces', () => {
    expect(asg().initial_lifecycle_hook).toEqual([
      { name: 'cdktf-egress-launch', lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', default_result: 'ABANDON', heartbeat_timeout: 1200 },
      { name: 'cdktf-egress-terminate', lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING', default_result: 'CONTINUE', heartbeat_timeout: 120 },
    ]);
    const conf = shellConfig(decodeUserData(tf(), onlyResource(tf(), 'aws_launch_template')).cloudConfig.write_files.find((f) => f.path === '/etc/cdktf-egress/nat.conf')!.content);
    expect(conf).toMatchObject({ LAUNCH_HOOK: 'cdktf-egress-launch', TERMINATE_HOOK: 'cdktf-egress-terminate', HOLDER_WAIT_SECONDS: '900' });
    expect(Number(conf.HOLDER_WAIT_SECONDS)).toBeLessThan(asg().initial_lifecycle_hook[0].heartbeat_timeout);
  });

  it('GIVEN defaults THEN refreshes and health replacements launch the successor before terminating the NAT it replaces', () => {
    expect(asg().instance_maintenance_policy).toEqual({ min_healthy_percentage: 100, max_healthy_percentage: 200 });
    expect(asg().instance_refresh).toMatchObject({ strategy: 'Rolling', preferences: { min_healthy_percentage: 100, max_healthy_percentage: 200 } });
  });

  it('GIVEN two instance types THEN both are overrides of the mixed instances policy, in order', () => {
    expect(policy().launch_template.override).toEqual([{ instance_type: 't4g.nano' }, { instance_type: 't4g.micro' }]);
  });

  it('GIVEN spot left at its default THEN the ASG is all spot, price-capacity-optimized, with capacity rebalance', () => {
    expect(policy().instances_distribution).toMatchObject({
      on_demand_base_capacity: 0,
      on_demand_percentage_above_base_capacity: 0,
      spot_allocation_strategy: 'price-capacity-optimized',
    });
    expect(asg().capacity_rebalance).toBe(true);
  });

  it('GIVEN spot: false THEN every instance is on demand and capacity rebalance is off', () => {
    const onDemand = onlyResource(synthNat({ spot: false }), 'aws_autoscaling_group');
    expect(onDemand.mixed_instances_policy.instances_distribution).toMatchObject({
      on_demand_base_capacity: 0,
      on_demand_percentage_above_base_capacity: 100,
    });
    expect(onDemand.capacity_rebalance).toBe(false);
  });

  it('GIVEN enabled: false THEN the ASG is scaled to zero', () => {
    expect(onlyResource(synthNat({ enabled: false }), 'aws_autoscaling_group')).toMatchObject({ min_size: 0, max_size: 0, desired_capacity: 0 });
  });
});

describe('NatInstance egress ENI, EIP and routes', () => {
  const tf = once(() => synthNat());
  const eni = () => onlyResource(tf(), 'aws_network_interface');

  it('GIVEN defaults THEN one ENI in the public subnet forwards traffic (no source/dest check) and carries the NAT tags', () => {
    expect(eni()).toMatchObject({ subnet_id: 'subnet-public-a', source_dest_check: false });
    expect(eni().tags).toMatchObject({ 'cdktf-egress:nat': 'dev-shared', 'cdktf-egress:device-index': '1' });
  });

  it('GIVEN defaults THEN an EIP in the VPC domain is on that ENI', () => {
    expect(onlyResource(tf(), 'aws_eip')).toMatchObject({ domain: 'vpc', network_interface: refTo(tf(), 'aws_network_interface', eni()) });
  });

  it('GIVEN createEip: false THEN no EIP is made', () => {
    expect(resources(synthNat({ createEip: false }), 'aws_eip')).toHaveLength(0);
  });

  it('GIVEN two private route tables THEN each gets 0.0.0.0/0 to the ENI and no route names an instance', () => {
    const routes = resources(tf(), 'aws_route');
    expect(routes.map((r) => r.route_table_id).sort()).toEqual(['rtb-private-a', 'rtb-private-c']);
    for (const route of routes) {
      expect(route).toMatchObject({ destination_cidr_block: '0.0.0.0/0', network_interface_id: refTo(tf(), 'aws_network_interface', eni()) });
      expect(route).not.toHaveProperty('instance_id');
    }
  });

  it('GIVEN the route tables as a Terraform list WHEN synthesized THEN one aws_route with count covers them all', () => {
    const tokenTf = synthConstruct((scope) => new NatInstance(scope, 'nat', { ...BASE, privateRouteTableIds: tokenList(scope, 'route_table_ids') }));
    const route = onlyResource(tokenTf, 'aws_route');
    expect(route).toMatchObject({
      count: '${length(var.route_table_ids)}',
      route_table_id: '${element(var.route_table_ids, count.index)}',
      destination_cidr_block: '0.0.0.0/0',
      network_interface_id: refTo(tokenTf, 'aws_network_interface', onlyResource(tokenTf, 'aws_network_interface')),
    });
    expect(route).not.toHaveProperty('instance_id');
  });
});

describe('NatInstance security group rules', () => {
  const rules = (tf: TfJson) => resources(tf, 'aws_security_group_rule');
  const ingress = (tf: TfJson) => resourcesWhere(tf, 'aws_security_group_rule', 'type', 'ingress');

  it('GIVEN served CIDRs THEN all protocols are admitted from them and nothing else is open by default', () => {
    const tf = synthNat({ servedCidrs: ['10.0.0.0/16', '100.64.0.0/16'] });
    expect(ingress(tf)).toEqual([
      expect.objectContaining({ protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['10.0.0.0/16', '100.64.0.0/16'] }),
    ]);
  });

  it('GIVEN defaults THEN egress is open to all IPv4 and IPv6 destinations on every protocol', () => {
    const egress = resourcesWhere(synthNat(), 'aws_security_group_rule', 'type', 'egress');
    expect(egress).toEqual([expect.objectContaining({ protocol: '-1', cidr_blocks: ['0.0.0.0/0'], ipv6_cidr_blocks: ['::/0'] })]);
  });

  it.each([
    ['a key pair alone', { keyName: 'ops' }],
    ['SSH sources alone', { sshAllowFrom: ['198.51.100.0/24'] }],
  ])('GIVEN %s THEN there is no SSH rule', (_name, props) => {
    expect(rules(synthNat(props)).filter((r) => r.from_port === 22)).toHaveLength(0);
  });

  it('GIVEN a key pair and SSH sources THEN port 22 is open from those sources only', () => {
    const ssh = rules(synthNat({ keyName: 'ops', sshAllowFrom: ['198.51.100.0/24'] })).filter((r) => r.from_port === 22);
    expect(ssh).toEqual([expect.objectContaining({ type: 'ingress', protocol: 'tcp', to_port: 22, cidr_blocks: ['198.51.100.0/24'] })]);
  });

  it('GIVEN a port forward THEN its listening port is open from allowFrom only', () => {
    const tf = synthNat({ portForwards: [{ protocol: 'udp', port: 5353, to: '10.0.128.10', toPort: 53, allowFrom: ['203.0.113.0/24'] }] });
    const forward = ingress(tf).filter((r) => r.protocol !== '-1');
    expect(forward).toEqual([expect.objectContaining({ protocol: 'udp', from_port: 5353, to_port: 5353, cidr_blocks: ['203.0.113.0/24'] })]);
  });
});

describe('NatInstance launch template', () => {
  const tf = once(() => synthNat({ rootVolumeSize: 12 }));
  const lt = () => onlyResource(tf(), 'aws_launch_template');

  it('GIVEN defaults THEN IMDSv2 is required with a hop limit of 1', () => {
    expect(lt().metadata_options).toMatchObject({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 });
  });

  it('GIVEN rootVolumeSize 12 THEN the root volume is an encrypted 12 GiB gp3', () => {
    expect(lt().block_device_mappings).toEqual([
      expect.objectContaining({ device_name: '/dev/xvda', ebs: expect.objectContaining({ volume_size: 12, volume_type: 'gp3', encrypted: 'true' }) }),
    ]);
  });

  it('GIVEN the IAM role THEN the launch template uses its instance profile', () => {
    const profile = onlyResource(tf(), 'aws_iam_instance_profile');
    expect(lt().iam_instance_profile).toEqual({ arn: refTo(tf(), 'aws_iam_instance_profile', profile, 'arn') });
  });

  it.each([
    [['t4g.nano'], 'arm64'],
    [['t3.nano', 't3a.nano'], 'x86_64'],
  ])('GIVEN instance types %j THEN the AMI is the latest AL2023 for %s from SSM', (instanceTypes, architecture) => {
    expect(onlyResource(synthNat({ instanceTypes }), 'aws_launch_template').image_id).toBe(
      `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`,
    );
  });

  it('GIVEN a custom AMI and key pair THEN both are passed through', () => {
    expect(onlyResource(synthNat({ imageId: 'ami-0123456789abcdef0', keyName: 'ops' }), 'aws_launch_template')).toMatchObject({
      image_id: 'ami-0123456789abcdef0',
      key_name: 'ops',
    });
  });

  it('GIVEN IPv4 only THEN the primary interface gets a public IPv4 address and no IPv6 address', () => {
    expect(lt().network_interfaces).toEqual([expect.objectContaining({ device_index: 0, subnet_id: 'subnet-public-a', associate_public_ip_address: 'true' })]);
    expect(lt().network_interfaces[0]).not.toHaveProperty('ipv6_address_count');
    expect(shellConfig(configFile(tf())).EC2_ENDPOINT_URL).toBe('');
  });

  it('GIVEN ipv6 THEN the primary interface has no public IPv4 but one IPv6 address, and EC2 is reached over its dual-stack endpoint', () => {
    const v6tf = synthNat({ ipv6: true });
    const v6 = onlyResource(v6tf, 'aws_launch_template');
    expect(v6.network_interfaces).toEqual([expect.objectContaining({ associate_public_ip_address: 'false', ipv6_address_count: 1 })]);
    expect(shellConfig(configFile(v6tf)).EC2_ENDPOINT_URL).toBe('https://ec2.ap-northeast-1.api.aws');
  });
});

function configFile(tf: TfJson): string {
  const file = decodeUserData(tf, onlyResource(tf, 'aws_launch_template')).cloudConfig.write_files.find((f) => f.path === '/etc/cdktf-egress/nat.conf');
  if (!file) throw new Error('nat.conf is not written');
  return file.content;
}

describe('NatInstance egress interface modes', () => {
  it('GIVEN egressInterface primary with a spoke THEN no egress ENI or hub route is made and the EIP waits unattached', () => {
    const tf = synthNat({ egressInterface: 'primary', spokes: [SPOKE] });
    const enis = resources(tf, 'aws_network_interface');
    expect(enis).toHaveLength(1);
    expect(enis[0].subnet_id).toBe('subnet-app1-a');
    expect(resources(tf, 'aws_route').map((r) => r.route_table_id)).toEqual(['rtb-app1']);
    expect(onlyResource(tf, 'aws_eip')).not.toHaveProperty('network_interface');
  });

  it('GIVEN egressInterface primary THEN the hub CIDRs are neither admitted nor in the boot config', () => {
    const tf = synthNat({ egressInterface: 'primary', spokes: [SPOKE] });
    const natSg = resourceNamed(tf, 'aws_security_group', 'nat_sg');
    const natIngress = resourcesWhere(tf, 'aws_security_group_rule', 'security_group_id', refTo(tf, 'aws_security_group', natSg))
      .filter((r) => r.type === 'ingress');
    expect(natIngress).toHaveLength(0);
    const conf = shellConfig(configFile(tf));
    expect(conf).toMatchObject({ EGRESS_MODE: 'primary', HUB_CIDRS: '', SPOKES: '1=10.1.0.0/16' });
  });
});

describe('NatInstance validation', () => {
  const attempt = (overrides: Partial<NatInstanceProps>) => () => synthNat(overrides);

  it('GIVEN no instance types THEN it is rejected', () => {
    expect(attempt({ instanceTypes: [] })).toThrow('NatInstance dev-shared: instanceTypes is empty; give at least one type such as t4g.nano');
  });

  it('GIVEN types of two architectures THEN it is rejected, naming both', () => {
    expect(attempt({ instanceTypes: ['t4g.nano', 't3.nano'] })).toThrow(
      'NatInstance dev-shared: instanceTypes mix architectures (arm64 and x86_64); list types of one architecture',
    );
  });

  it('GIVEN a dedicated NAT with one spoke on two-ENI types THEN it is rejected, naming each short type, its limit and the need', () => {
    expect(attempt({ spokes: [SPOKE], instanceTypes: ['t4g.nano', 't4g.small', 't4g.micro'] })).toThrow(
      'NatInstance dev-shared: t4g.nano (2), t4g.micro (2) cannot carry the 3 network interfaces needed',
    );
  });

  it('GIVEN egressInterface primary without spokes THEN it is rejected', () => {
    expect(attempt({ egressInterface: 'primary' })).toThrow(
      'NatInstance dev-shared: egressInterface "primary" serves only spokes; give at least one spoke',
    );
  });

  it('GIVEN egressInterface primary with createEip false THEN it is rejected', () => {
    expect(attempt({ egressInterface: 'primary', spokes: [SPOKE], createEip: false })).toThrow(
      'NatInstance dev-shared: egressInterface "primary" needs the EIP it moves onto the primary interface; leave createEip on',
    );
  });

  it('GIVEN invalid props THEN the constructor fails before it makes any resource', () => {
    let error: unknown;
    const tf = synthConstruct((scope) => {
      try {
        new NatInstance(scope, 'nat', { ...BASE, instanceTypes: [] });
      } catch (e) {
        error = e;
      }
    });
    expect(String(error)).toContain('instanceTypes is empty');
    expect(tf.resource).toEqual({});
  });
});
