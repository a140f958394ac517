// What moto (python3-moto 5.1 from Debian trixie) does not emulate, as the re-plan after an apply
// shows it: an in-place update of exactly these attributes on every resource of the type. The
// apply tier asserts each gap is seen where expected and nowhere else, so a gap that closes
// (moto fixed) or grows (a real perpetual diff of ours) fails the tier. docs/apply-tier.md lists them.

export interface Gap {
  readonly id: string;
  readonly type: string;
  /** The top-level attributes the re-plan changes, all of them. */
  readonly attributes: readonly string[];
  readonly reason: string;
  /** What `lifecycle { ignore_changes }` (an override file in the scratch copy) hides once the gap is proven, so the rest re-plans to "No changes". */
  readonly ignore: readonly string[];
  /** Only resources whose state matches show the gap. @default every resource of the type */
  readonly applies?: (values: Record<string, unknown>) => boolean;
}

export const GAPS: readonly Gap[] = [
  {
    id: 'launch-template-read-back',
    type: 'aws_launch_template',
    attributes: ['default_version', 'latest_version', 'network_interfaces', 'tag_specifications'],
    ignore: ['network_interfaces', 'tag_specifications'],
    reason: 'CreateLaunchTemplate copies the template\'s own tags into its data as a "launch-template" tag specification, and DescribeLaunchTemplateVersions returns the interfaces\' security groups as securityGroupIdSet instead of groupSet; the provider sees both as drift, and the versions follow',
  },
  {
    id: 'asg-maintenance-policy-and-version',
    type: 'aws_autoscaling_group',
    attributes: ['capacity_reservation_specification', 'instance_maintenance_policy', 'mixed_instances_policy'],
    ignore: ['instance_maintenance_policy'],
    reason: 'moto\'s Auto Scaling ignores InstanceMaintenancePolicy (not stored, not returned); mixed_instances_policy follows the launch template\'s new version (the gap above)',
  },
];

/**
 * Not a re-plan diff but a call moto fails: DescribeInstanceRefreshes answers 500, so an apply
 * that starts an instance refresh (a new launch template version, other instance types or spot
 * settings) waits forever. The tier's user changes are the ones that start none.
 */
export const NO_INSTANCE_REFRESH = 'moto has no Auto Scaling instance refresh (DescribeInstanceRefreshes answers 500)';

/**
 * Not a re-plan diff but a resource moto lacks: CreateVpcBlockPublicAccessExclusion is not
 * implemented (500 NotImplementedError), so a spec with `blockPublicAccess` cannot be applied.
 * The tier applies such a spec without it (everything else it makes is still proven), and
 * proves the gap on its own root so that a moto which gains the call fails the tier.
 */
export const NO_BLOCK_PUBLIC_ACCESS = {
  id: 'no-block-public-access-exclusion',
  reason: 'moto does not implement CreateVpcBlockPublicAccessExclusion (500 NotImplementedError)',
  /** What moto answers when the provider asks for the exclusion. */
  error: /create_vpc_block_public_access_exclusion action has not been implemented|NotImplemented|500/,
};

/**
 * Not a re-plan diff but what destroy leaves: an instance the Auto Scaling group terminates
 * (scaled to 0, or deleted with the group) keeps its primary interface in moto, though the
 * launch template sets `delete_on_termination` (moto compares the template's boolean with the
 * string "true", and drops the interface's description). EC2 deletes it with the instance.
 * Inventory lines are `<region> network-interface <id> <subnet> "<description>"`: such an
 * interface has no description and lies in one of the group's subnets.
 */
export const TERMINATED_INSTANCE_ENI = {
  id: 'terminated-instance-primary-eni-kept',
  reason: 'moto keeps the primary interface of an instance the Auto Scaling group terminated, although the launch template sets delete_on_termination',
  matches: (line: string, groupSubnets: readonly string[]): boolean => {
    const m = / network-interface eni-[0-9a-f]+ (subnet-[0-9a-f]+) ""$/.exec(line);
    return m !== null && groupSubnets.includes(m[1]);
  },
};

/**
 * Not a re-plan diff but a policy moto enforces wrongly: it applies a bucket policy's
 * statements without their conditions, so the boot bucket's TLS-only Deny
 * (`aws:SecureTransport` false) denies every object call, the provider's uploads and reads
 * included. In the scratch copy an override gives each bucket policy the same statement with
 * a principal moto does not evaluate (it checks only "*"); the rest of the root is proven as is.
 */
export const BUCKET_POLICY_CONDITIONS = {
  id: 'bucket-policy-conditions-ignored',
  reason: 'moto applies a bucket policy\'s statements without their conditions: the TLS-only Deny denies every object call',
  /** A principal moto leaves unevaluated, for the statement in the override. */
  inertPrincipal: 'arn:aws:iam::123456789012:root',
};
