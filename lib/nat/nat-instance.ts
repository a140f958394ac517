import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { Route } from '@cdktf/provider-aws/lib/route';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { forEachValue } from './for-each';
import { architectureOf, enisNeeded, typesShortOfEnis, type Architecture } from './instance-types';
import { NatRole } from './nat-role';
import { SpokeAttachment, type NatSpoke } from './spoke-attachment';
import { DEVICE_INDEX_TAG, NAT_TAG } from './tags';
import { renderBootConfig, renderUserData, type BootPortForward, type WriteFile } from './user-data';

export type EgressInterface = 'dedicated' | 'primary';

export interface PortForward {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly to: string;
  /** @default - same as `port` */
  readonly toPort?: number;
  readonly allowFrom: string[];
}

export interface NatInstanceProps {
  /** Name prefix and value of the `cdktf-egress:nat` tag, e.g. `dev-shared`. */
  readonly natId: string;
  readonly region: string;
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
  /** Hub route tables that get `0.0.0.0/0 -> egress ENI` (dedicated). @default [] */
  readonly privateRouteTableIds?: string[];
  /** VPCs served through Multi-VPC ENI attachments, attached in this order. @default [] */
  readonly spokes?: readonly NatSpoke[];
  /** Types of one architecture; the first decides the AMI unless `architecture` is given. */
  readonly instanceTypes: string[];
  /** @default - from the first instance type */
  readonly architecture?: Architecture;
  /** @default true */
  readonly spot?: boolean;
  /** false scales the ASG to zero. @default true */
  readonly enabled?: boolean;
  /** AMI ID or `resolve:ssm:` parameter. @default - latest Amazon Linux 2023 for the architecture */
  readonly imageId?: string;
  /** @default - no key pair */
  readonly keyName?: string;
  /** SSH is opened from these only when `keyName` is set too. @default [] */
  readonly sshAllowFrom?: string[];
  /** @default 8 */
  readonly rootVolumeSize?: number;
  /** @default [] */
  readonly portForwards?: readonly PortForward[];
  /** Extra cloud-init `write_files`. @default [] */
  readonly userDataWriteFiles?: readonly WriteFile[];
  /** Extra cloud-init `runcmd` entries, run after the NAT is up. @default [] */
  readonly userDataRuncmd?: readonly string[];
  /** @default 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' */
  readonly ssmPolicyArn?: string;
  /** Allocate an EIP for the egress interface. @default true */
  readonly createEip?: boolean;
  /**
   * Dual-stack public subnet: the primary interface gets an IPv6 address and no public IPv4,
   * and the boot script reaches EC2 through its dual-stack endpoint.
   * @default false
   */
  readonly ipv6?: boolean;
  /** Tags for what the ASG launches (provider default_tags do not reach it). @default {} */
  readonly tags?: Record<string, string>;
}

export function amiParameter(architecture: Architecture): string {
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/**
 * An int128-style NAT instance: an ASG of one on spot, and a pre-allocated ENI + EIP so the
 * egress address and the route target survive every replacement.
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

  constructor(scope: Construct, id: string, props: NatInstanceProps) {
    super(scope, id);
    const mode = props.egressInterface ?? 'dedicated';
    validateNatInstanceProps(props, mode);
    const tags = { ...props.tags, [NAT_TAG]: props.natId };

    this.securityGroup = new SecurityGroup(this, 'sg', {
      namePrefix: `${props.natId}-`,
      description: `NAT instance ${props.natId}`,
      vpcId: props.vpcId,
      tags: { Name: props.natId },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupRules(props, mode);

    if (mode === 'dedicated') {
      this.eni = new NetworkInterface(this, 'eni', {
        subnetId: props.publicSubnetId,
        securityGroups: [this.securityGroup.id],
        sourceDestCheck: false,
        description: `NAT ${props.natId} egress (device 1)`,
        tags: { Name: props.natId, [NAT_TAG]: props.natId, [DEVICE_INDEX_TAG]: '1' },
      });
      const eni = this.eni;
      forEachValue(this, 'default', props.privateRouteTableIds ?? [], (scope, routeId, routeTableId, count) =>
        new Route(scope, routeId, { routeTableId, destinationCidrBlock: '0.0.0.0/0', networkInterfaceId: eni.id, count }),
      );
    }
    if (props.createEip ?? true) {
      this.eip = new Eip(this, 'eip', {
        domain: 'vpc',
        networkInterface: this.eni?.id,
        tags: { Name: props.natId, [NAT_TAG]: props.natId },
      });
    }

    const firstSpokeIndex = mode === 'dedicated' ? 2 : 1;
    this.spokes = (props.spokes ?? []).map(
      (spoke, i) => new SpokeAttachment(this, `spoke-${spoke.name}`, { ...spoke, natId: props.natId, deviceIndex: firstSpokeIndex + i }),
    );

    this.role = new NatRole(this, 'role', {
      natId: props.natId,
      ssmPolicyArn: props.ssmPolicyArn,
      eipAllocationId: mode === 'primary' ? this.eip?.allocationId : undefined,
    });
    this.launchTemplate = this.createLaunchTemplate(props, mode, tags);
    this.asg = this.createAsg(props, tags);
  }

  private securityGroupRules(props: NatInstanceProps, mode: EgressInterface): void {
    const sg = this.securityGroup.id;
    const served = props.servedCidrs ?? [];
    if (mode === 'dedicated' && (Token.isUnresolved(served) || served.length > 0)) {
      new SecurityGroupRule(this, 'from-served', {
        type: 'ingress', securityGroupId: sg, protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: served,
        description: 'all protocols (TCP, UDP, ICMP) from the served private subnets',
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
    (props.portForwards ?? []).forEach((forward) => {
      new SecurityGroupRule(this, `forward-${forward.protocol}-${forward.port}`, {
        type: 'ingress', securityGroupId: sg, protocol: forward.protocol, fromPort: forward.port, toPort: forward.port,
        cidrBlocks: forward.allowFrom, description: `port forward to ${forward.to}:${forward.toPort ?? forward.port}`,
      });
    });
  }

  private createLaunchTemplate(props: NatInstanceProps, mode: EgressInterface, tags: Record<string, string>): LaunchTemplate {
    const architecture = props.architecture ?? architectureOf(props.instanceTypes[0]);
    const bootConfig = renderBootConfig({
      natId: props.natId,
      region: props.region,
      egressMode: mode,
      ec2EndpointUrl: props.ipv6 ? `https://ec2.${props.region}.api.aws` : undefined,
      hubCidrs: mode === 'dedicated' ? props.servedCidrs ?? [] : [],
      spokes: this.spokes.map((s, i) => ({ deviceIndex: s.deviceIndex, cidrs: (props.spokes ?? [])[i].cidrs })),
      portForwards: (props.portForwards ?? []).map((f): BootPortForward => ({ ...f, toPort: f.toPort ?? f.port })),
    });
    const instanceTags = { ...tags, Name: props.natId };
    return new LaunchTemplate(this, 'lt', {
      namePrefix: `${props.natId}-`,
      description: `NAT instance ${props.natId}`,
      imageId: props.imageId ?? amiParameter(architecture),
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
      }],
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{
        deviceName: '/dev/xvda',
        ebs: { volumeSize: props.rootVolumeSize ?? 8, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
      }],
      userData: renderUserData({ bootConfig, writeFiles: props.userDataWriteFiles, runcmd: props.userDataRuncmd }),
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({ resourceType, tags: instanceTags })),
      tags: { Name: props.natId },
    });
  }

  private createAsg(props: NatInstanceProps, tags: Record<string, string>): AutoscalingGroup {
    const spot = props.spot ?? true;
    const size = props.enabled === false ? 0 : 1;
    return new AutoscalingGroup(this, 'asg', {
      namePrefix: `${props.natId}-`,
      minSize: size,
      maxSize: size,
      desiredCapacity: size,
      vpcZoneIdentifier: [props.publicSubnetId],
      healthCheckType: 'EC2',
      capacityRebalance: spot,
      mixedInstancesPolicy: {
        instancesDistribution: {
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: spot ? 0 : 100,
          spotAllocationStrategy: 'price-capacity-optimized',
          onDemandAllocationStrategy: 'lowest-price',
        },
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
          override: props.instanceTypes.map((instanceType) => ({ instanceType })),
        },
      },
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 0 } },
      tag: Object.entries({ ...tags, Name: props.natId }).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
      dependsOn: [this.role.policy],
    });
  }

  /** The ENI private route tables point at (dedicated) — int128's `eni_id`. */
  get eniId(): string | undefined {
    return this.eni?.id;
  }
}

function validateNatInstanceProps(props: NatInstanceProps, mode: EgressInterface): void {
  const types = props.instanceTypes;
  if (Token.isUnresolved(types)) return;
  if (types.length === 0) throw new Error(`NatInstance ${props.natId}: instanceTypes is empty; give at least one type such as t4g.nano`);
  const architectures = new Set(types.map(architectureOf));
  if (architectures.size > 1) {
    throw new Error(`NatInstance ${props.natId}: instanceTypes mix architectures (${[...architectures].join(' and ')}); list types of one architecture`);
  }
  const needed = enisNeeded(mode, props.spokes?.length ?? 0);
  const short = typesShortOfEnis(types, needed);
  if (short.length > 0) {
    throw new Error(`NatInstance ${props.natId}: ${short.map((s) => `${s.type} (${s.maxEnis})`).join(', ')} cannot carry the ${needed} network interfaces needed`);
  }
  if (mode === 'primary' && (props.spokes?.length ?? 0) === 0) {
    throw new Error(`NatInstance ${props.natId}: egressInterface "primary" serves only spokes; give at least one spoke`);
  }
  if (mode === 'primary' && props.createEip === false) {
    throw new Error(`NatInstance ${props.natId}: egressInterface "primary" needs the EIP it moves onto the primary interface; leave createEip on`);
  }
}
