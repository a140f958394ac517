import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { NatRole, natBootPolicy } from '../../lib/nat/nat-role';
import { onlyResource, onlyWhere, refTo, synthConstruct, type TfJson } from '../helpers/construct';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

const actionsOf = (s: Statement) => [s.Action].flat();
const statementsFor = (statements: Statement[], action: string) => statements.filter((s) => actionsOf(s).includes(action));
const bootStatements = (tf: TfJson): Statement[] => JSON.parse(onlyWhere(tf, 'aws_iam_role_policy', 'name', 'nat-boot').policy).Statement;

const NAT_TAG_CONDITION = { StringEquals: { 'aws:ResourceTag/cdktf-egress:nat': 'dev-shared' } };

describe('NatRole', () => {
  const synthRole = (ssmPolicyArn?: string) => synthConstruct((scope) => new NatRole(scope, 'role', { natId: 'dev-shared', ssmPolicyArn }));

  it('GIVEN a NAT id THEN the role can be assumed by EC2 only and is reachable through an instance profile', () => {
    const tf = synthRole();
    const role = onlyResource(tf, 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(onlyResource(tf, 'aws_iam_instance_profile').role).toBe(refTo(tf, 'aws_iam_role', role, 'name'));
  });

  it('GIVEN no SSM policy THEN AmazonSSMManagedInstanceCore is attached for Session Manager', () => {
    const tf = synthRole();
    expect(onlyResource(tf, 'aws_iam_role_policy_attachment')).toEqual({
      policy_arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      role: refTo(tf, 'aws_iam_role', onlyResource(tf, 'aws_iam_role'), 'name'),
    });
  });

  it('GIVEN a custom SSM policy ARN THEN that policy is attached instead', () => {
    const arn = 'arn:aws:iam::123456789012:policy/ssm-with-kms';
    expect(onlyResource(synthRole(arn), 'aws_iam_role_policy_attachment').policy_arn).toBe(arn);
  });

  it('GIVEN the boot policy THEN it is inline on the role', () => {
    const tf = synthRole();
    expect(onlyResource(tf, 'aws_iam_role_policy').role).toBe(refTo(tf, 'aws_iam_role', onlyResource(tf, 'aws_iam_role')));
  });
});

describe('natBootPolicy', () => {
  const statements = (eip?: string) => (natBootPolicy('dev-shared', eip) as { Statement: Statement[] }).Statement;

  it('GIVEN any mode THEN every statement allows and none grants a wildcard action', () => {
    for (const s of statements('eipalloc-0123456789abcdef0')) {
      expect(s.Effect).toBe('Allow');
      for (const action of actionsOf(s)) expect(action).not.toMatch(/\*/);
    }
  });

  it('GIVEN any mode THEN ec2:AttachNetworkInterface is allowed only on resources tagged with this NAT', () => {
    const attach = statementsFor(statements(), 'ec2:AttachNetworkInterface');
    expect(attach).toHaveLength(1);
    expect(attach[0].Condition).toEqual(NAT_TAG_CONDITION);
    expect(attach[0].Resource).toEqual(['arn:aws:ec2:*:*:network-interface/*', 'arn:aws:ec2:*:*:instance/*']);
  });

  it('GIVEN any mode THEN ec2:DetachNetworkInterface (the handover) is allowed only between resources tagged with this NAT, with attach', () => {
    const detach = statementsFor(statements(), 'ec2:DetachNetworkInterface');
    expect(detach).toHaveLength(1);
    expect(detach[0].Condition).toEqual(NAT_TAG_CONDITION);
    expect(actionsOf(detach[0])).toContain('ec2:AttachNetworkInterface');
  });

  it('GIVEN any mode THEN lifecycle actions are completed only on the ASG tagged with this NAT', () => {
    for (const action of ['autoscaling:CompleteLifecycleAction']) {
      const found = statementsFor(statements(), action);
      expect(found).toHaveLength(1);
      expect(found[0].Condition).toEqual({ StringEquals: { 'autoscaling:ResourceTag/cdktf-egress:nat': 'dev-shared' } });
    }
  });

  it('GIVEN any mode THEN autoscaling:SetInstanceHealth is allowed only on the ASG tagged with this NAT', () => {
    const health = statementsFor(statements(), 'autoscaling:SetInstanceHealth');
    expect(health).toHaveLength(1);
    expect(health[0].Condition).toEqual({ StringEquals: { 'autoscaling:ResourceTag/cdktf-egress:nat': 'dev-shared' } });
  });

  it('GIVEN no EIP allocation (dedicated mode) THEN ec2:AssociateAddress is not allowed at all', () => {
    expect(statementsFor(statements(), 'ec2:AssociateAddress')).toHaveLength(0);
  });

  it('GIVEN an EIP allocation (primary mode) THEN ec2:AssociateAddress is limited to that EIP and to this NAT\'s interfaces', () => {
    const associate = statementsFor(statements('eipalloc-0123456789abcdef0'), 'ec2:AssociateAddress');
    expect(associate).toHaveLength(2);
    expect(associate).toContainEqual(expect.objectContaining({ Resource: 'arn:aws:ec2:*:*:elastic-ip/eipalloc-0123456789abcdef0' }));
    expect(associate).toContainEqual(expect.objectContaining({ Resource: 'arn:aws:ec2:*:*:network-interface/*', Condition: NAT_TAG_CONDITION }));
    for (const s of associate) expect(s.Resource).not.toBe('*');
  });
});

describe('NatInstance role', () => {
  const base: NatInstanceProps = {
    natId: 'dev-shared',
    region: 'ap-northeast-1',
    vpcId: 'vpc-hub',
    publicSubnetId: 'subnet-public-a',
    instanceTypes: ['t4g.small'],
    servedCidrs: ['10.0.0.0/16'],
  };
  const spoke = { name: 'app1', vpcId: 'vpc-app1', subnetId: 'subnet-app1-a', cidrs: ['10.1.0.0/16'], routeTableIds: ['rtb-app1'] };
  const synthNat = (props: Partial<NatInstanceProps>) => synthConstruct((scope) => new NatInstance(scope, 'nat', { ...base, ...props }));

  it('GIVEN a dedicated egress ENI THEN the instance may not move any EIP', () => {
    expect(statementsFor(bootStatements(synthNat({})), 'ec2:AssociateAddress')).toHaveLength(0);
  });

  it('GIVEN egressInterface primary THEN the instance may associate exactly the NAT\'s own EIP allocation', () => {
    const tf = synthNat({ egressInterface: 'primary', spokes: [spoke] });
    const eip = refTo(tf, 'aws_eip', onlyResource(tf, 'aws_eip'), 'allocation_id');
    const resourcesAllowed = statementsFor(bootStatements(tf), 'ec2:AssociateAddress').map((s) => s.Resource);
    expect(resourcesAllowed).toContain(`arn:aws:ec2:*:*:elastic-ip/${eip}`);
  });

  it('GIVEN a custom ssmPolicyArn THEN the NAT role attaches it', () => {
    const arn = 'arn:aws:iam::123456789012:policy/ssm-with-kms';
    expect(onlyResource(synthNat({ ssmPolicyArn: arn }), 'aws_iam_role_policy_attachment').policy_arn).toBe(arn);
  });

  it('GIVEN the boot policy THEN the ASG launches only after it exists, so the first boot may attach its ENIs', () => {
    const tf = synthNat({});
    const policy = refTo(tf, 'aws_iam_role_policy', onlyWhere(tf, 'aws_iam_role_policy', 'name', 'nat-boot')).replace(/^\$\{(.*)\.id\}$/, '$1');
    expect(onlyResource(tf, 'aws_autoscaling_group').depends_on).toContain(policy);
  });

  it('GIVEN the NAT tag conditions THEN everything the conditions match carries the tag: ENI, ASG, and launched instances and interfaces', () => {
    const tf = synthNat({});
    expect(onlyResource(tf, 'aws_network_interface').tags['cdktf-egress:nat']).toBe('dev-shared');
    expect(onlyResource(tf, 'aws_autoscaling_group').tag).toContainEqual(expect.objectContaining({ key: 'cdktf-egress:nat', value: 'dev-shared' }));
    const launched = onlyResource(tf, 'aws_launch_template').tag_specifications as { resource_type: string; tags: Record<string, string> }[];
    for (const type of ['instance', 'network-interface']) {
      expect(launched.find((t) => t.resource_type === type)?.tags['cdktf-egress:nat']).toBe('dev-shared');
    }
  });
});
