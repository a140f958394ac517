import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { Route } from '@cdktf/provider-aws/lib/route';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Fn, Op, TerraformIterator, TerraformLocal, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { choose, isPlainFlag, mergeMaps, type Flag } from './conditional';
import { forEachItem, forEachValue, mapEach, optionalAttribute } from './for-each';
import { architectureOf, enisNeeded, firstSpokeDeviceIndex, typesShortOfEnis, type Architecture } from './instance-types';
import { BootObjects, bootObjectsStatement, SHIPPED_BOOT_DIR } from './boot-objects';
import { BlockPublicAccessExclusion, type BlockPublicAccessExclusionProps } from './block-public-access-exclusion';
import { NatRole } from './nat-role';
import { NatScheduleActions, type NatScheduleProps } from './nat-schedule';
import { SpokeAttachment, type IndexedSpoke, type NatSpoke } from './spoke-attachment';
import { DEVICE_INDEX_TAG, NAT_TAG } from './tags';
import { eniConnectionTracking, type ConntrackSettings } from './conntrack';
import { LONGEST_BUCKET_NAME } from './boot-files';
import { compressUserData, renderBootConfig, s3DualstackEndpoint, shippedBootFiles, USER_DATA_LIMIT, userDataTooLarge, type BootPortForward, type WriteFile } from './user-data';
import { plainCloudConfigText, renderUserDataInTerraform } from './user-data-terraform';
import { renderWatchdogConfig, type NatWatchdogProps } from './watchdog';

export type EgressInterface = 'dedicated' | 'primary';

export interface PortForward {
  /** Transport protocol forwarded. */
  readonly protocol: 'tcp' | 'udp';
  /** Port on the NAT's public address (the EIP). */
  readonly port: number;
  /** Private IPv4 address the traffic is forwarded to, in a served network. */
  readonly to: string;
  /** Port on `to`. @default - same as `port` */
  readonly toPort?: number;
  /** Source CIDRs admitted by the security group; nothing else reaches the port. */
  readonly allowFrom: string[];
}

export interface NatInstanceProps {
  /** Name prefix and value of the `cdktf-egress:nat` tag, e.g. `dev-shared`. */
  readonly natId: string;
  /** AWS region; the boot script calls the EC2 API there. */
  readonly region: string;
  /** The VPC of `publicSubnetId` (the hub): the security group is made there. */
  readonly vpcId: string;
  /** The public subnet the instance and its egress ENI live in (fixes the AZ). */
  readonly publicSubnetId: string;
  /**
   * `dedicated`: an egress ENI with the EIP is the way out and the hub's route target (int128's layout).
   * `primary`: the boot script moves the EIP onto the primary interface; only spokes are served.
   * @default 'dedicated'
   */
  readonly egressInterface?: EgressInterface;
  /** Hub CIDRs served through the egress ENI (dedicated). @default [] */
  readonly servedCidrs?: string[];
  /**
   * Whether a `servedCidrs` list only Terraform knows may be empty. true counts its ingress
   * rule by the list's length, which Terraform must then know at plan time; false makes the
   * rule whatever the length, so a list known only at apply still plans (as int128's does).
   * @default true
   */
  readonly servedCidrsMayBeEmpty?: boolean;
  /** Hub route tables that get `0.0.0.0/0 -> egress ENI` (dedicated). @default [] */
  readonly privateRouteTableIds?: string[];
  /**
   * VPCs served through Multi-VPC ENI attachments, attached in this order. A list only
   * Terraform knows (a module variable) gives every spoke resource `for_each`, keyed by name.
   * @default []
   */
  readonly spokes?: readonly NatSpoke[];
  /** Types of one architecture; the first decides the AMI unless `architecture` or `imageId` is given. */
  readonly instanceTypes: string[];
  /** CPU architecture of the AMI. @default - from the first instance type */
  readonly architecture?: Architecture;
  /** Run on spot capacity (on-demand when false). @default true */
  readonly spot?: Flag;
  /** false scales the ASG to zero. @default true */
  readonly enabled?: Flag;
  /** AMI ID or `resolve:ssm:` parameter. @default - latest Amazon Linux 2023 for the architecture */
  readonly imageId?: string;
  /** EC2 key pair for SSH. @default - no key pair */
  readonly keyName?: string;
  /** SSH is opened from these only when `keyName` is set too. @default [] */
  readonly sshAllowFrom?: string[];
  /** Root volume size in GiB (encrypted gp3). @default 8 */
  readonly rootVolumeSize?: number;
  /** A list only Terraform knows must give `toPort` on every element. @default [] */
  readonly portForwards?: readonly PortForward[];
  /** Extra cloud-init `write_files`. @default [] */
  readonly userDataWriteFiles?: readonly WriteFile[];
  /** Extra cloud-init `runcmd` entries, run after the NAT is up. @default [] */
  readonly userDataRuncmd?: readonly string[];
  /** Managed policy for Session Manager access to the instance. @default 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' */
  readonly ssmPolicyArn?: string;
  /** Allocate an EIP for the egress interface. @default true */
  readonly createEip?: Flag;
  /**
   * Dual-stack public subnet: the primary interface gets an IPv6 address and no public IPv4,
   * and the boot script reaches EC2 through its dual-stack endpoint.
   * @default false
   */
  readonly ipv6?: boolean;
  /** Tags for what the ASG launches (provider default_tags do not reach it). @default {} */
  readonly tags?: Record<string, string>;
  /**
   * Start and stop the NAT on a timetable. The ASG's desired capacity then belongs to the
   * schedule (Terraform ignores its drift), and private subnets have no IPv4 egress while it is off.
   * @default - always on
   */
  readonly schedule?: NatScheduleProps;
  /** Exclusions from VPC Block Public Access for the NAT's subnet or VPC. @default - none */
  readonly blockPublicAccess?: Omit<BlockPublicAccessExclusionProps, 'natId' | 'vpcId' | 'subnetId' | 'inbound'>;
  /**
   * The on-instance watchdog (checks every 20 s, repairs, reports Unhealthy) and its opt-in
   * CloudWatch metrics; `false` ships no watchdog.
   * @default - the watchdog with its defaults, no metrics
   */
  readonly watchdog?: NatWatchdogProps | false;
  /** The hub VPC's name, the `Vpc` dimension of its traffic metrics. @default 'hub' */
  readonly hubName?: string;
  /** Connection tracking: table size and idle timeouts. @default - sized by memory; timeouts 7440 s TCP, 30 s UDP, 120 s UDP stream */
  readonly conntrack?: ConntrackSettings;
  /**
   * Where the boot files come from: always `s3`, a private bucket of this NAT, with user data
   * carrying only the loader and a manifest pinning their digests (docs/boot-files.md). The
   * files do not fit EC2's 16 KB of user data unchanged, so there is no inline option.
   * @default 's3'
   */
  readonly bootFilesFrom?: 's3';
  /**
   * What the first boot needs besides the NAT's own resources, which the Auto Scaling group
   * waits for: the public subnet's default route to the internet gateway and its route table
   * association, through which the instance fetches its boot files from S3 and calls EC2.
   * `EgressStack` gives its VPC's (`EgressVpc.publicRouting`).
   * @default []
   */
  readonly bootDependsOn?: ITerraformDependable[];
}

/** Auto Scaling lifecycle hooks the instance completes itself (see lib/nat/boot). */
export const LAUNCH_HOOK = 'cdktf-egress-launch';
export const TERMINATE_HOOK = 'cdktf-egress-terminate';
/**
 * The launch hook outlasts the boot script's longest wait for a holder that is shutting
 * down (HOLDER_WAIT_SECONDS, 900) plus the boot itself; the terminate hook gives the
 * leaving instance time to release its interfaces.
 */
export const LAUNCH_HOOK_TIMEOUT_SECONDS = 1200;
export const TERMINATE_HOOK_TIMEOUT_SECONDS = 120;

export function amiParameter(architecture: Architecture): string {
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/**
 * An int128-style NAT instance: an ASG of one on spot, and a pre-allocated ENI + EIP so the
 * egress address and the route target survive every replacement.
 *
 * Every prop may also be a value only Terraform knows (a module variable): lists become
 * `count`/`for_each`, flags become conditional expressions, and the user data is rendered
 * by Terraform.
 */
export class NatInstance extends Construct {
  readonly securityGroup: SecurityGroup;
  /** The egress ENI (dedicated); undefined with `egressInterface: 'primary'`. */
  readonly eni?: NetworkInterface;
  readonly eip?: Eip;
  readonly role: NatRole;
  readonly launchTemplate: LaunchTemplate;
  readonly asg: AutoscalingGroup;
  readonly spokes: SpokeAttachment[];
  readonly schedule?: NatScheduleActions;
  readonly blockPublicAccessExclusion?: BlockPublicAccessExclusion;
  /** The bucket and objects of the boot files. */
  readonly bootObjects: BootObjects;
  /**
   * The user data's size as EC2 counts it (gzip bytes), measured with the longest bucket name
   * S3 allows; undefined when Terraform alone knows some of it (a module's inputs).
   */
  readonly userDataBytes?: number;
  /** The egress ENI's ID (dedicated); with a mode only Terraform knows, null in primary mode. */
  readonly eniId?: string;
  /** The EIP's allocation ID and public address; null when an EIP made by `count` is not made. */
  readonly eipAllocationId?: string;
  readonly eipPublicIp?: string;

  private readonly bootFilesPolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: NatInstanceProps) {
    super(scope, id);
    const mode = props.egressInterface ?? 'dedicated';
    validateNatInstanceProps(props, mode);
    const dedicated: Flag = Token.isUnresolved(mode) ? Op.eq(mode, 'dedicated') : mode === 'dedicated';

    this.securityGroup = new SecurityGroup(this, 'sg', {
      namePrefix: `${props.natId}-`,
      description: `NAT instance ${props.natId}`,
      vpcId: props.vpcId,
      tags: { Name: props.natId },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupRules(props, dedicated);

    ({ eni: this.eni, eniId: this.eniId } = this.createEni(props, dedicated));
    if (props.createEip !== false) {
      ({ eip: this.eip, allocationId: this.eipAllocationId, publicIp: this.eipPublicIp } = this.createEip(props, dedicated));
    }
    const spokes = this.attachSpokes(props, choose(dedicated, true, firstSpokeDeviceIndex('dedicated'), firstSpokeDeviceIndex('primary')));
    this.spokes = spokes.attachments;

    this.role = new NatRole(this, 'role', {
      natId: props.natId,
      ssmPolicyArn: props.ssmPolicyArn,
      eipAllocationId: dedicated === true ? undefined : this.eipAllocationId,
      metrics: metricsFlag(props.watchdog),
    });
    this.bootObjects = new BootObjects(this, 'boot-files', {
      natId: props.natId, region: props.region,
      files: shippedBootFiles(props.watchdog !== false),
      endpointUrl: props.ipv6 ? s3DualstackEndpoint(props.region) : undefined,
      moduleDir: SHIPPED_BOOT_DIR,
    });
    this.bootFilesPolicy = new IamRolePolicy(this, 'boot-files-read', {
      name: 'nat-boot-files', role: this.role.role.id,
      policy: Fn.jsonencode({ Version: '2012-10-17', Statement: [bootObjectsStatement(this.bootObjects.objectsArn)] }),
    });
    // Before the group: where VPC Block Public Access is on, the first boot reaches S3 and EC2 only once the exclusion exists.
    if (props.blockPublicAccess) {
      this.blockPublicAccessExclusion = new BlockPublicAccessExclusion(this, 'bpa', {
        ...props.blockPublicAccess, natId: props.natId, vpcId: props.vpcId, subnetId: props.publicSubnetId, inbound: inboundFromInternet(props),
      });
    }
    ({ launchTemplate: this.launchTemplate, userDataBytes: this.userDataBytes } = this.createLaunchTemplate(props, mode, dedicated, spokes.indexed));
    this.asg = this.createAsg(props);
    if (props.schedule) {
      this.schedule = new NatScheduleActions(this, 'schedule', { natId: props.natId, autoscalingGroupName: this.asg.name, schedule: props.schedule, enabled: props.enabled });
    }
  }

  /** The egress ENI and the hub's default routes to it (dedicated); `count` when the mode is only known to Terraform. */
  private createEni(props: NatInstanceProps, dedicated: Flag): { eni?: NetworkInterface; eniId?: string } {
    if (dedicated === false) return {};
    const plain = dedicated === true;
    const eni = new NetworkInterface(this, 'eni', {
      subnetId: props.publicSubnetId,
      securityGroups: [this.securityGroup.id],
      sourceDestCheck: false,
      description: `NAT ${props.natId} egress (device 1)`,
      tags: { Name: props.natId, [NAT_TAG]: props.natId, [DEVICE_INDEX_TAG]: '1' },
      count: plain ? undefined : choose(dedicated, true, 1, 0),
    });
    const eniId = plain ? eni.id : optionalAttribute(eni, 'id');
    forEachValue(this, 'default', props.privateRouteTableIds ?? [], (scope, routeId, routeTableId, count) =>
      new Route(scope, routeId, { routeTableId, destinationCidrBlock: '0.0.0.0/0', networkInterfaceId: eniId, count }),
    );
    return { eni, eniId };
  }

  private createEip(props: NatInstanceProps, dedicated: Flag): { eip: Eip; allocationId: string; publicIp: string } {
    const plain = isPlainFlag(props.createEip);
    const eip = new Eip(this, 'eip', {
      domain: 'vpc',
      networkInterface: isPlainFlag(dedicated) ? this.eniId : choose(dedicated, true, this.eniId, undefined),
      tags: { Name: props.natId, [NAT_TAG]: props.natId },
      count: plain ? undefined : choose(props.createEip, true, 1, 0),
    });
    return {
      eip,
      allocationId: plain ? eip.allocationId : optionalAttribute(eip, 'allocation_id'),
      publicIp: plain ? eip.publicIp : optionalAttribute(eip, 'public_ip'),
    };
  }

  /** One attachment per spoke, device indexes from `firstIndex` in list order; one `for_each` attachment for a list only Terraform knows. */
  private attachSpokes(props: NatInstanceProps, firstIndex: number): { attachments: SpokeAttachment[]; indexed: readonly IndexedSpoke[] } {
    const spokes = props.spokes ?? [];
    if (Token.isUnresolved(spokes)) {
      const withIndex = mapEach(spokes, (_fields, index, spoke) => Fn.merge([spoke, { deviceIndex: Op.add(firstIndex, index) }]));
      const indexed = Token.asAny(new TerraformLocal(this, 'indexed-spokes', withIndex).expression) as unknown as IndexedSpoke[];
      return { attachments: [SpokeAttachment.forEachSpoke(this, 'spoke', { natId: props.natId, spokes: indexed })], indexed };
    }
    const deviceIndex = (i: number) => (Token.isUnresolved(firstIndex) ? Token.asNumber(Op.add(firstIndex, i)) : firstIndex + i);
    const attachments = spokes.map(
      (spoke, i) => new SpokeAttachment(this, `spoke-${spoke.name}`, { ...spoke, natId: props.natId, deviceIndex: deviceIndex(i) }),
    );
    return { attachments, indexed: attachments.map((s, i) => ({ ...spokes[i], deviceIndex: s.deviceIndex })) };
  }

  private securityGroupRules(props: NatInstanceProps, dedicated: Flag): void {
    const sg = this.securityGroup.id;
    const served = props.servedCidrs ?? [];
    if (dedicated !== false && (Token.isUnresolved(served) || served.length > 0)) {
      // A list only Terraform knows may be empty, and a rule with no source is refused.
      const nonEmpty = props.servedCidrsMayBeEmpty === false ? true : Op.gte(Fn.lengthOf(served), 1);
      const hasSources = !Token.isUnresolved(served) || nonEmpty === true ? dedicated : dedicated === true ? nonEmpty : Op.and(dedicated, nonEmpty);
      new SecurityGroupRule(this, 'from-served', {
        type: 'ingress', securityGroupId: sg, protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: served,
        description: 'all protocols (TCP, UDP, ICMP) from the served private subnets',
        count: hasSources === true ? undefined : choose(hasSources, true, 1, 0),
      });
    }
    new SecurityGroupRule(this, 'egress', {
      type: 'egress', securityGroupId: sg, protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'], ipv6CidrBlocks: ['::/0'],
      description: 'NAT traffic to the internet',
    });
    if (props.keyName && (props.sshAllowFrom ?? []).length > 0) {
      new SecurityGroupRule(this, 'ssh', {
        type: 'ingress', securityGroupId: sg, protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: props.sshAllowFrom,
        description: 'SSH with the key pair',
      });
    }
    const forwards = { id: 'forward', key: ['protocol', 'port'] as const, idOf: (f: PortForward) => `forward-${f.protocol}-${f.port}` };
    forEachItem(this, props.portForwards ?? [], forwards, (scope, ruleId, forward, forEach) => {
      new SecurityGroupRule(scope, ruleId, {
        type: 'ingress', securityGroupId: sg, protocol: forward.protocol, fromPort: forward.port, toPort: forward.port,
        cidrBlocks: forward.allowFrom, description: `port forward to ${forward.to}:${forward.toPort ?? forward.port}`,
        forEach,
      });
    });
  }

  private createLaunchTemplate(props: NatInstanceProps, mode: EgressInterface, dedicated: Flag, spokes: readonly IndexedSpoke[]): { launchTemplate: LaunchTemplate; userDataBytes?: number } {
    const forwards = props.portForwards ?? [];
    const bootConfig = renderBootConfig({
      natId: props.natId,
      region: props.region,
      egressMode: mode,
      ec2EndpointUrl: props.ipv6 ? `https://ec2.${props.region}.api.aws` : undefined,
      hubCidrs: choose(dedicated, true, props.servedCidrs ?? [], []),
      spokes,
      portForwards: Token.isUnresolved(forwards) ? (forwards as readonly BootPortForward[]) : forwards.map((f): BootPortForward => ({ ...f, toPort: f.toPort ?? f.port })),
      conntrack: props.conntrack,
      launchHook: LAUNCH_HOOK,
      terminateHook: TERMINATE_HOOK,
    });
    const watchdogConfig = props.watchdog === false ? undefined : renderWatchdogConfig({
      ...props.watchdog, hubName: props.hubName ?? 'hub', spokes,
    });
    const userDataProps = { bootConfig, writeFiles: props.userDataWriteFiles, runcmd: props.userDataRuncmd, watchdogConfig, bootManifest: this.bootObjects.manifest };
    // Terraform renders the user data: the manifest names the bucket, whose name S3 gives at
    // apply. When every other value is known here, the user data is measured now, with the
    // longest bucket name S3 allows, so too much of it fails the synth, not the apply.
    const largest = this.bootObjects.manifestFor(LONGEST_BUCKET_NAME);
    const text = largest === undefined ? undefined : plainCloudConfigText({ ...userDataProps, bootManifest: largest });
    const userDataBytes = text === undefined ? undefined : compressUserData(text).length;
    if (userDataBytes !== undefined && userDataBytes > USER_DATA_LIMIT) throw new Error(userDataTooLarge(userDataBytes));
    const userData = renderUserDataInTerraform(this, userDataProps);
    const instanceTags = mergeMaps(props.tags, { [NAT_TAG]: props.natId, Name: props.natId });
    const launchTemplate = new LaunchTemplate(this, 'lt', {
      namePrefix: `${props.natId}-`,
      description: `NAT instance ${props.natId}`,
      imageId: props.imageId ?? amiParameter(props.architecture ?? architectureOf(props.instanceTypes[0])),
      keyName: props.keyName,
      updateDefaultVersion: true,
      iamInstanceProfile: { arn: this.role.profile.arn },
      networkInterfaces: [{
        deviceIndex: 0,
        subnetId: props.publicSubnetId,
        securityGroups: [this.securityGroup.id],
        associatePublicIpAddress: props.ipv6 ? 'false' : 'true',
        ipv6AddressCount: props.ipv6 ? 1 : undefined,
        deleteOnTermination: 'true',
        description: `NAT ${props.natId} primary`,
        connectionTrackingSpecification: eniConnectionTracking(props.conntrack),
      }],
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{
        deviceName: '/dev/xvda',
        ebs: { volumeSize: props.rootVolumeSize ?? 8, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
      }],
      userData: userData.userData,
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({ resourceType, tags: instanceTags })),
      tags: { Name: props.natId },
      lifecycle: { precondition: [userData.sizeCheck] },
    });
    return { launchTemplate, userDataBytes };
  }

  private createAsg(props: NatInstanceProps): AutoscalingGroup {
    const spot = props.spot ?? true;
    const size = choose(props.enabled, true, 1, 0);
    // A schedule moves the desired capacity between 0 and 1; a minimum of 1 would undo its off.
    const scheduled = props.schedule ? (props.schedule.create ?? true) : false;
    const tags = mergeMaps(props.tags, { [NAT_TAG]: props.natId, Name: props.natId });
    const tagIterator = Token.isUnresolved(tags) ? TerraformIterator.fromMap(tags) : undefined;
    const types = props.instanceTypes;
    // A list iterated as is (not as a set): the override order is the order given.
    const typeIterator = Token.isUnresolved(types) ? TerraformIterator.fromMap(Token.asAnyMap(types)) : undefined;
    return new AutoscalingGroup(this, 'asg', {
      namePrefix: `${props.natId}-`,
      minSize: scheduled === false ? size : choose(scheduled, true, 0, size),
      maxSize: size,
      desiredCapacity: size,
      vpcZoneIdentifier: [props.publicSubnetId],
      healthCheckType: 'EC2',
      // Free at one-minute granularity; the "no InService NAT" alarm reads them.
      metricsGranularity: '1Minute',
      enabledMetrics: ['GroupInServiceInstances', 'GroupDesiredCapacity'],
      capacityRebalance: spot,
      mixedInstancesPolicy: {
        instancesDistribution: {
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: choose(spot, true, 0, 100),
          spotAllocationStrategy: 'price-capacity-optimized',
          onDemandAllocationStrategy: 'lowest-price',
        },
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
          override: typeIterator
            ? typeIterator.dynamic({ instance_type: typeIterator.value })
            : types.map((instanceType) => ({ instanceType })),
        },
      },
      // Launch before terminate, for refreshes and health replacements alike: the old NAT
      // forwards until its successor has taken the interfaces over.
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200 } },
      instanceMaintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 200 },
      // A new instance is InService (and the old one may go) only once it forwards; a leaving
      // one releases its interfaces before it shuts down.
      initialLifecycleHook: [
        { name: LAUNCH_HOOK, lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', defaultResult: 'ABANDON', heartbeatTimeout: LAUNCH_HOOK_TIMEOUT_SECONDS },
        { name: TERMINATE_HOOK, lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', defaultResult: 'CONTINUE', heartbeatTimeout: TERMINATE_HOOK_TIMEOUT_SECONDS },
      ],
      tag: tagIterator
        ? tagIterator.dynamic({ key: tagIterator.key, value: tagIterator.value, propagate_at_launch: false })
        : Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
      // Before an instance boots: the boot files' objects, the right to read them, and the way
      // to S3 (the public subnet's route, the Block Public Access exclusion).
      dependsOn: [
        this.role.policy, this.bootFilesPolicy, ...this.bootObjects.objects,
        ...(this.blockPublicAccessExclusion ? [this.blockPublicAccessExclusion.exclusion] : []), ...(props.bootDependsOn ?? []),
      ],
      // With min = max the desired capacity follows them anyway; with a schedule it is the schedule's.
      lifecycle: scheduled === false ? undefined : { ignoreChanges: ['desired_capacity'] },
    });
  }
}

/** Port forwards and SSH with a key take connections from the internet. */
function inboundFromInternet(props: NatInstanceProps): Flag {
  const forwards = props.portForwards ?? [];
  const ssh = Boolean(props.keyName) && (props.sshAllowFrom ?? []).length > 0;
  if (ssh) return true;
  if (Token.isUnresolved(forwards)) return Op.gte(Fn.lengthOf(forwards), 1);
  return forwards.length > 0;
}

/** Whether the watchdog sends metrics: decided here, or by Terraform for a period only it knows. */
function metricsFlag(watchdog: NatWatchdogProps | false | undefined): Flag {
  const period = watchdog === false ? undefined : watchdog?.metricsPeriod;
  if (period === undefined) return false;
  if (!Token.isUnresolved(period)) return period > 0;
  // Not `> 0`: cdktf's operators drop a literal 0.
  return Op.gte(period, 1);
}

function validateNatInstanceProps(props: NatInstanceProps, mode: EgressInterface): void {
  const from: string | undefined = props.bootFilesFrom;
  if (from !== undefined && from !== 's3') {
    throw new Error(`NatInstance ${props.natId}: bootFilesFrom "${from}" is not available; the boot files come from S3 (leave bootFilesFrom out)`);
  }
  const types = props.instanceTypes;
  const spokes = props.spokes ?? [];
  if (Token.isUnresolved(types) || Token.isUnresolved(mode) || Token.isUnresolved(spokes)) return;
  if (types.length === 0) throw new Error(`NatInstance ${props.natId}: instanceTypes is empty; give at least one type such as t4g.nano`);
  const architectures = new Set(types.map(architectureOf));
  if (architectures.size > 1) {
    throw new Error(`NatInstance ${props.natId}: instanceTypes mix architectures (${[...architectures].join(' and ')}); list types of one architecture`);
  }
  const needed = enisNeeded(mode, spokes.length);
  const short = typesShortOfEnis(types, needed);
  if (short.length > 0) {
    throw new Error(`NatInstance ${props.natId}: ${short.map((s) => `${s.type} (${s.maxEnis})`).join(', ')} cannot carry the ${needed} network interfaces needed`);
  }
  if (mode === 'primary' && spokes.length === 0) {
    throw new Error(`NatInstance ${props.natId}: egressInterface "primary" serves only spokes; give at least one spoke`);
  }
  if (mode === 'primary' && props.createEip === false) {
    throw new Error(`NatInstance ${props.natId}: egressInterface "primary" needs the EIP it moves onto the primary interface; leave createEip on`);
  }
}
