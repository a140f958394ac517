import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import { loadSpecFile, validateSpec } from '../../lib/spec/load';
import type { Spec } from '../../lib/spec/schema';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { decodeUserData, once, onlyResource, onlyWhere, refTo, resourceNamed, resources, resourcesWhere, shellConfig, synthStack, type TfJson } from '../helpers/construct';

const checked = (raw: Record<string, unknown>): Spec => validateSpec({ project: 'dev', region: 'ap-northeast-1', ...raw }).spec;
const synthSpec = (spec: Spec): TfJson => synthStack((app) => new EgressStack(app, spec));

const HUB = { name: 'hub', cidr: '10.0.0.0/16', azs: ['ap-northeast-1a', 'ap-northeast-1c'] };
const APP1 = { name: 'app1', cidr: '10.1.0.0/16', azs: ['ap-northeast-1a'] };
const APP2 = { name: 'app2', cidr: '10.2.0.0/16', azs: ['ap-northeast-1a'] };
const LEGACY = {
  name: 'legacy',
  id: 'vpc-0123456789abcdef0',
  cidr: '10.9.0.0/16',
  secondaryCidrs: ['100.64.0.0/20'],
  subnets: [{ id: 'subnet-0123456789abcdef0', az: 'ap-northeast-1a', routeTableId: 'rtb-0123456789abcdef0' }],
};

const overridesOf = (tf: TfJson) =>
  (onlyResource(tf, 'aws_autoscaling_group').mixed_instances_policy.launch_template.override as { instance_type: string }[]).map((o) => o.instance_type);

const ENV_KEYS = ['TF_CLOUD_ORGANIZATION', 'TF_WORKSPACE'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
beforeEach(() => ENV_KEYS.forEach((key) => delete process.env[key]));
afterAll(() => ENV_KEYS.forEach((key) => (savedEnv[key] === undefined ? delete process.env[key] : (process.env[key] = savedEnv[key]))));

describe('EgressStack provider and versions', () => {
  it('GIVEN spec tags THEN the aws provider is in the spec region and its default tags carry them and the project', () => {
    const tf = synthSpec(checked({ tags: { owner: 'platform', 'cost-center': '42' } }));
    expect(tf.provider?.aws).toEqual([
      { region: 'ap-northeast-1', default_tags: [{ tags: { owner: 'platform', 'cost-center': '42', 'cdktf-egress:project': 'dev' } }] },
    ]);
  });

  it('GIVEN any spec THEN the aws provider range admits the 5.100 line and 6.x', () => {
    expect(synthSpec(checked({})).terraform.required_providers.aws.version).toBe('>= 5.100.0, < 7.0.0');
  });
});

describe('EgressStack backend', () => {
  it('GIVEN no backend THEN state is local in terraform.<project>.tfstate beside the output directory, outside the regenerated stack directory', () => {
    const tf = synthSpec(checked({}));
    expect(tf.terraform.backend).toEqual({ local: { path: '../../../terraform.dev.tfstate' } });
    expect(tf.terraform).not.toHaveProperty('cloud');
  });

  it('GIVEN a resolved state path WHEN passed to the stack THEN the local backend uses it as given', () => {
    const tf = synthStack((app) => new EgressStack(app, checked({ backend: { type: 'local', path: 'state/dev.tfstate' } }), { localStatePath: '../../../state/dev.tfstate' }));
    expect(tf.terraform.backend).toEqual({ local: { path: '../../../state/dev.tfstate' } });
  });

  it('GIVEN an s3 backend THEN state is encrypted in that bucket with S3-native locking', () => {
    const tf = synthSpec(checked({ backend: { type: 's3', bucket: 'tf-state-dev', key: 'egress/dev.tfstate', region: 'us-west-2' } }));
    expect(tf.terraform.backend).toEqual({
      s3: { bucket: 'tf-state-dev', key: 'egress/dev.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true },
    });
  });

  it('GIVEN a cloud backend THEN a cloud block names the organization and workspace, and there is no backend block', () => {
    const tf = synthSpec(checked({ backend: { type: 'cloud', organization: 'acme', workspace: 'egress-dev' } }));
    expect(tf.terraform.cloud).toEqual({ organization: 'acme', workspaces: { name: 'egress-dev' } });
    expect(tf.terraform).not.toHaveProperty('backend');
  });

  it('GIVEN a local spec WHEN TF_CLOUD_ORGANIZATION and TF_WORKSPACE are set THEN the stack runs in that Terraform Cloud workspace', () => {
    process.env.TF_CLOUD_ORGANIZATION = 'acme';
    process.env.TF_WORKSPACE = 'egress-ci';
    const tf = synthSpec(checked({}));
    expect(tf.terraform.cloud).toEqual({ organization: 'acme', workspaces: { name: 'egress-ci' } });
    expect(tf.terraform).not.toHaveProperty('backend');
  });

  it('GIVEN a local spec WHEN only TF_CLOUD_ORGANIZATION is set THEN state stays local', () => {
    process.env.TF_CLOUD_ORGANIZATION = 'acme';
    expect(synthSpec(checked({})).terraform.backend).toEqual({ local: { path: '../../../terraform.dev.tfstate' } });
  });

  it('GIVEN an s3 spec WHEN the Terraform Cloud variables are set THEN the spec wins', () => {
    process.env.TF_CLOUD_ORGANIZATION = 'acme';
    process.env.TF_WORKSPACE = 'egress-ci';
    const tf = synthSpec(checked({ backend: { type: 's3', bucket: 'tf-state-dev', key: 'k', region: 'us-west-2' } }));
    expect(Object.keys(tf.terraform.backend)).toEqual(['s3']);
    expect(tf.terraform).not.toHaveProperty('cloud');
  });
});

describe('EgressStack NAT instance types', () => {
  it('GIVEN egressInterface primary and two spokes without instanceTypes THEN the cheapest 3-interface Graviton types are used', () => {
    const tf = synthSpec(checked({ vpcs: [HUB, APP1, APP2], natInstances: [{ name: 'shared', vpc: 'hub', az: 'ap-northeast-1a', egressInterface: 'primary', allowHubWithoutEgress: true, spokes: ['app1', 'app2'] }] }));
    expect(overridesOf(tf)).toEqual(['t4g.small', 't4g.medium']);
  });

  it('GIVEN a dedicated NAT without spokes or instanceTypes THEN t4g.nano and t4g.micro are used', () => {
    const tf = synthSpec(checked({ vpcs: [HUB], natInstances: [{ name: 'shared', vpc: 'hub', az: 'ap-northeast-1a' }] }));
    expect(overridesOf(tf)).toEqual(['t4g.nano', 't4g.micro']);
  });

  it('GIVEN instanceTypes THEN exactly those are used', () => {
    const tf = synthSpec(checked({ vpcs: [HUB], natInstances: [{ name: 'shared', vpc: 'hub', az: 'ap-northeast-1a', instanceTypes: ['t3a.nano', 't3.nano'], spot: false }] }));
    expect(overridesOf(tf)).toEqual(['t3a.nano', 't3.nano']);
    expect(onlyResource(tf, 'aws_autoscaling_group').mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity).toBe(100);
  });
});

describe('EgressStack dedicated NAT with an existing spoke', () => {
  const tf = once(() =>
    synthSpec(checked({
      tags: { owner: 'platform' },
      vpcs: [HUB],
      existingVpcs: [LEGACY],
      natInstances: [{ name: 'shared', vpc: 'hub', az: 'ap-northeast-1a', instanceTypes: ['t4g.small'], spokes: ['legacy'] }],
    })),
  );

  it('GIVEN the hub THEN its private route tables in both AZs send 0.0.0.0/0 to the NAT egress ENI in the public subnet of the NAT AZ', () => {
    const egress = onlyWhere(tf(), 'aws_network_interface', 'description', 'NAT dev-shared egress (device 1)');
    expect(egress.subnet_id).toBe(refTo(tf(), 'aws_subnet', resourceNamed(tf(), 'aws_subnet', '_public-ap-northeast-1a_')));
    const toEgress = resourcesWhere(tf(), 'aws_route', 'network_interface_id', refTo(tf(), 'aws_network_interface', egress));
    expect(toEgress.map((r) => r.route_table_id).sort()).toEqual(
      ['a', 'c'].map((az) => refTo(tf(), 'aws_route_table', resourceNamed(tf(), 'aws_route_table', `_private-ap-northeast-1${az}-rt_`))).sort(),
    );
  });

  it('GIVEN an existing spoke THEN its ENI is in the given subnet and its route table points at that ENI', () => {
    const eni = onlyWhere(tf(), 'aws_network_interface', 'subnet_id', LEGACY.subnets[0].id);
    expect(eni.tags['cdktf-egress:device-index']).toBe('2');
    expect(resourcesWhere(tf(), 'aws_route', 'route_table_id', 'rtb-0123456789abcdef0')).toEqual([
      { route_table_id: 'rtb-0123456789abcdef0', destination_cidr_block: '0.0.0.0/0', network_interface_id: refTo(tf(), 'aws_network_interface', eni) },
    ]);
  });

  it('GIVEN an existing spoke with a secondary CIDR THEN its security group admits both CIDRs', () => {
    const sg = onlyWhere(tf(), 'aws_security_group', 'vpc_id', LEGACY.id);
    const ingress = resourcesWhere(tf(), 'aws_security_group_rule', 'security_group_id', refTo(tf(), 'aws_security_group', sg)).filter((r) => r.type === 'ingress');
    expect(ingress).toEqual([expect.objectContaining({ cidr_blocks: ['10.9.0.0/16', '100.64.0.0/20'] })]);
  });

  it('GIVEN spec tags THEN the ASG and what it launches carry them (provider default tags do not reach them)', () => {
    expect(onlyResource(tf(), 'aws_autoscaling_group').tag).toContainEqual({ key: 'owner', value: 'platform', propagate_at_launch: false });
    for (const spec of onlyResource(tf(), 'aws_launch_template').tag_specifications) expect(spec.tags.owner).toBe('platform');
  });
});

describe('EgressStack built-in example', () => {
  const tf = once(() => synthSpec(loadSpecFile(EXAMPLE_SPEC_FILE).spec));
  const spokeEni = (spoke: string) => resourceNamed(tf(), 'aws_network_interface', `nat-shared_spoke-${spoke}_eni_`);
  const privateSubnet = (vpc: string, az: string) => resourceNamed(tf(), 'aws_subnet', `vpc-${vpc}_private-${az}_`);
  const privateTable = (vpc: string, az: string) => refTo(tf(), 'aws_route_table', resourceNamed(tf(), 'aws_route_table', `vpc-${vpc}_private-${az}-rt_`));

  it('GIVEN the example THEN it makes three VPCs and one NAT instance', () => {
    expect(resources(tf(), 'aws_vpc')).toHaveLength(3);
    expect(resources(tf(), 'aws_autoscaling_group')).toHaveLength(1);
  });

  it('GIVEN the example THEN the NAT has one ENI per spoke, at devices 1 and 2, in each spoke\'s private subnet in the NAT AZ', () => {
    expect(resources(tf(), 'aws_network_interface')).toHaveLength(2);
    expect(spokeEni('app1')).toMatchObject({ subnet_id: refTo(tf(), 'aws_subnet', privateSubnet('app1', 'ap-northeast-1a')), tags: { 'cdktf-egress:device-index': '1' } });
    expect(spokeEni('app2')).toMatchObject({ subnet_id: refTo(tf(), 'aws_subnet', privateSubnet('app2', 'ap-northeast-1a')), tags: { 'cdktf-egress:device-index': '2' } });
  });

  it('GIVEN the example THEN every private route table of each spoke sends 0.0.0.0/0 to its own ENI, and none of the hub\'s does', () => {
    const defaults = resourcesWhere(tf(), 'aws_route', 'destination_cidr_block', '0.0.0.0/0').filter((r) => r.network_interface_id !== undefined);
    const byTable = Object.fromEntries(defaults.map((r) => [r.route_table_id, r.network_interface_id]));
    const app1 = refTo(tf(), 'aws_network_interface', spokeEni('app1'));
    const app2 = refTo(tf(), 'aws_network_interface', spokeEni('app2'));
    expect(byTable).toEqual({
      [privateTable('app1', 'ap-northeast-1a')]: app1,
      [privateTable('app1', 'ap-northeast-1c')]: app1,
      [privateTable('app2', 'ap-northeast-1a')]: app2,
    });
  });

  it('GIVEN the example THEN the NAT boots in primary mode with both spokes, the port forward, and EC2 over IPv6', () => {
    const lt = onlyResource(tf(), 'aws_launch_template');
    const conf = decodeUserData(tf(), lt).cloudConfig.write_files.find((f) => f.path === '/etc/cdktf-egress/nat.conf');
    expect(shellConfig(conf?.content ?? '')).toMatchObject({
      NAT_ID: 'dev-shared',
      EGRESS_MODE: 'primary',
      SPOKES: '1=10.1.0.0/16 2=10.2.0.0/16',
      PORT_FORWARDS: 'tcp:8080:10.1.128.10:80:203.0.113.0/24',
      EC2_ENDPOINT_URL: 'https://ec2.ap-northeast-1.api.aws',
    });
    expect(lt.network_interfaces[0]).toMatchObject({ associate_public_ip_address: 'false', ipv6_address_count: 1 });
    expect(decodeUserData(tf(), lt).bytes).toBeLessThanOrEqual(16 * 1024);
  });

  it('GIVEN the example THEN the EIP is an output and the NAT may associate only it', () => {
    const eip = onlyResource(tf(), 'aws_eip');
    expect(tf().output?.['shared-eip']).toMatchObject({ value: refTo(tf(), 'aws_eip', eip, 'public_ip') });
    expect(onlyWhere(tf(), 'aws_iam_role_policy', 'name', 'nat-boot').policy).toContain(`elastic-ip/${refTo(tf(), 'aws_eip', eip, 'allocation_id')}`);
  });

  it('GIVEN the example THEN app1 gets the SSM endpoints and S3, app2 only S3', () => {
    const endpoints = resources(tf(), 'aws_vpc_endpoint');
    const app1Vpc = refTo(tf(), 'aws_vpc', resourceNamed(tf(), 'aws_vpc', 'vpc-app1_vpc_'));
    const app2Vpc = refTo(tf(), 'aws_vpc', resourceNamed(tf(), 'aws_vpc', 'vpc-app2_vpc_'));
    const names = (vpc: string) => endpoints.filter((e) => e.vpc_id === vpc).map((e) => e.service_name.replace('com.amazonaws.ap-northeast-1.', '')).sort();
    expect(names(app1Vpc)).toEqual(['ec2messages', 's3', 'ssm', 'ssmmessages']);
    expect(names(app2Vpc)).toEqual(['s3']);
    expect(endpoints).toHaveLength(5);
  });
});
