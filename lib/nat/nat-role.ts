import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { choose, type Flag } from './conditional';
import { NAT_TAG } from './tags';
import { METRICS_NAMESPACE } from './watchdog';

export interface NatRoleProps {
  readonly natId: string;
  /** @default 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' */
  readonly ssmPolicyArn?: string;
  /** The EIP the boot script may associate (primary egress mode). @default - none */
  readonly eipAllocationId?: string;
  /** Let the watchdog put metrics, into its own namespace only. @default false */
  readonly metrics?: Flag;
}

export const DEFAULT_SSM_POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

/**
 * The instance's role: Session Manager, plus exactly what the boot script and watcher do,
 * limited by the NAT tag to this NAT's own ENIs, instances, EIP, ASG and its lifecycle hooks.
 */
export class NatRole extends Construct {
  readonly role: IamRole;
  readonly profile: IamInstanceProfile;
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: NatRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      namePrefix: `${props.natId}-`,
      description: `NAT instance ${props.natId}`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    new IamRolePolicyAttachment(this, 'ssm', { role: this.role.name, policyArn: props.ssmPolicyArn ?? DEFAULT_SSM_POLICY_ARN });
    this.policy = new IamRolePolicy(this, 'boot', {
      name: 'nat-boot',
      role: this.role.id,
      policy: JSON.stringify(natBootPolicy(props.natId, props.eipAllocationId)),
    });
    if (props.metrics !== undefined && props.metrics !== false) {
      new IamRolePolicy(this, 'metrics', {
        name: 'nat-metrics', role: this.role.id, policy: JSON.stringify(natMetricsPolicy()),
        count: props.metrics === true ? undefined : choose(props.metrics, false, 1, 0),
      });
    }
    this.profile = new IamInstanceProfile(this, 'profile', { namePrefix: `${props.natId}-`, role: this.role.name });
  }
}

export function natBootPolicy(natId: string, eipAllocationId?: string): object {
  const ownTag = { StringEquals: { [`aws:ResourceTag/${NAT_TAG}`]: natId } };
  const statements: object[] = [
    // Describe calls take no resource-level conditions.
    {
      Sid: 'FindOwnInterfaces',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeAddresses', 'ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingInstances'],
      Resource: '*',
    },
    {
      // Detach too: a successor takes the interfaces over from the instance it replaces,
      // and a leaving instance releases them; both ends carry this NAT's tag.
      Sid: 'MoveOwnInterfaces',
      Effect: 'Allow',
      Action: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'],
      Resource: ['arn:aws:ec2:*:*:network-interface/*', 'arn:aws:ec2:*:*:instance/*'],
      Condition: ownTag,
    },
    {
      Sid: 'ReportToOwnGroup',
      Effect: 'Allow',
      Action: ['autoscaling:SetInstanceHealth', 'autoscaling:CompleteLifecycleAction'],
      Resource: '*',
      Condition: { StringEquals: { [`autoscaling:ResourceTag/${NAT_TAG}`]: natId } },
    },
  ];
  if (eipAllocationId !== undefined) {
    statements.push(
      { Sid: 'AssociateOwnAddress', Effect: 'Allow', Action: 'ec2:AssociateAddress', Resource: `arn:aws:ec2:*:*:elastic-ip/${eipAllocationId}` },
      { Sid: 'AssociateOntoOwnInterface', Effect: 'Allow', Action: 'ec2:AssociateAddress', Resource: 'arn:aws:ec2:*:*:network-interface/*', Condition: ownTag },
    );
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** PutMetricData has no resource ARN; the namespace condition is the only way to scope it. */
export function natMetricsPolicy(): object {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'PutOwnMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }],
  };
}
