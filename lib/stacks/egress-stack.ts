import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { VpcEndpoints } from '../endpoints/vpc-endpoints';
import { instanceTypesFor } from '../nat/instance-types';
import { NatAlarms } from '../nat/nat-alarms';
import { NatInstance } from '../nat/nat-instance';
import type { NatSpoke } from '../nat/spoke-attachment';
import { EgressVpc } from '../network/egress-vpc';
import { existingVpcRef, privateRouteTableIds, type VpcRef } from '../network/vpc-ref';
import { hasPublicSubnets } from '../spec/public-subnets';
import { natWatchdogProps } from '../spec/monitoring';
import type { NatInstanceSpec, Spec } from '../spec/schema';

/** The aws provider range every synthesized stack and module admits: the 5.100 line and 6.x. */
export const AWS_PROVIDER_CONSTRAINT = '>= 5.100.0, < 7.0.0';

/** How the stack is placed on disk. */
export interface EgressStackOptions {
  /**
   * The local backend's state path as Terraform resolves it: relative to the stack directory
   * (`<outdir>/stacks/<project>`), which synthesis regenerates, so never a bare file name.
   * @default `../../../terraform.<project>.tfstate`: beside the output directory, the project root for cdktf.out
   */
  readonly localStatePath?: string;
}

/** Maps a checked spec onto constructs; all resource logic lives in the constructs. */
export class EgressStack extends TerraformStack {
  readonly vpcs = new Map<string, VpcRef>();
  readonly nats = new Map<string, NatInstance>();

  constructor(scope: Construct, spec: Spec, options: EgressStackOptions = {}) {
    super(scope, spec.project);
    new AwsProvider(this, 'aws', { region: spec.region, defaultTags: [{ tags: { ...spec.tags, 'cdktf-egress:project': spec.project } }] });
    this.addOverride('terraform.required_providers.aws.version', AWS_PROVIDER_CONSTRAINT);
    configureBackend(this, spec, options.localStatePath ?? defaultLocalStatePath(spec.project));

    for (const vpc of spec.vpcs) {
      this.vpcs.set(vpc.name, new EgressVpc(this, `vpc-${vpc.name}`, {
        name: `${spec.project}-${vpc.name}`, cidr: vpc.cidr, azs: vpc.azs, ipv6: vpc.ipv6, publicSubnets: hasPublicSubnets(spec, vpc),
      }));
    }
    for (const vpc of spec.existingVpcs) {
      this.vpcs.set(vpc.name, existingVpcRef({ name: vpc.name, id: vpc.id, cidrBlocks: [vpc.cidr, ...vpc.secondaryCidrs], subnets: vpc.subnets }));
    }
    for (const nat of spec.natInstances) this.nats.set(nat.name, this.natInstance(spec, nat));
    for (const entry of spec.endpoints) {
      new VpcEndpoints(this, `endpoints-${entry.vpc}`, {
        name: `${spec.project}-${entry.vpc}`,
        region: spec.region,
        vpc: this.vpc(entry.vpc),
        gateway: entry.gateway,
        interface: entry.interface,
        placement: entry.placement,
      });
    }
  }

  private vpc(name: string): VpcRef {
    const vpc = this.vpcs.get(name);
    if (!vpc) throw new Error(`unknown VPC ${name}`);
    return vpc;
  }

  private natInstance(spec: Spec, nat: NatInstanceSpec): NatInstance {
    const hub = this.vpc(nat.vpc);
    const publicSubnet = hub.publicSubnets.find((s) => s.az === nat.az);
    if (!publicSubnet) throw new Error(`VPC ${hub.name} has no public subnet in ${nat.az}`);
    const natId = `${spec.project}-${nat.name}`;
    const spokes = nat.spokes.map((name): NatSpoke => {
      const spoke = this.vpc(name);
      const subnet = spoke.privateSubnets.find((s) => s.az === nat.az);
      if (!subnet) throw new Error(`spoke ${name} has no private subnet in ${nat.az}`);
      return { name, vpcId: spoke.vpcId, subnetId: subnet.id, cidrs: spoke.cidrBlocks, routeTableIds: privateRouteTableIds(spoke) };
    });
    const instance = new NatInstance(this, `nat-${nat.name}`, {
      natId,
      region: spec.region,
      vpcId: hub.vpcId,
      publicSubnetId: publicSubnet.id,
      egressInterface: nat.egressInterface,
      servedCidrs: hub.cidrBlocks,
      privateRouteTableIds: nat.egressInterface === 'dedicated' ? privateRouteTableIds(hub) : [],
      spokes,
      instanceTypes: instanceTypesFor(nat.instanceTypes, nat.egressInterface, spokes.length),
      spot: nat.spot,
      enabled: nat.enabled,
      imageId: nat.imageId,
      keyName: nat.keyName,
      sshAllowFrom: nat.sshAllowFrom,
      rootVolumeSize: nat.rootVolumeSize,
      conntrack: nat.conntrack,
      portForwards: nat.portForwards,
      userDataWriteFiles: nat.userData.writeFiles,
      userDataRuncmd: nat.userData.runcmd,
      ipv6: hub.ipv6,
      // The ASG launches once the public subnet routes to the internet gateway: the first boot fetches its files from S3 that way.
      bootDependsOn: hub instanceof EgressVpc ? hub.publicRouting : undefined,
      tags: spec.tags,
      schedule: nat.schedule,
      blockPublicAccess: nat.blockPublicAccess,
      watchdog: natWatchdogProps(spec, nat),
      hubName: nat.vpc,
    });
    const alarms = nat.monitoring.alarms;
    if (alarms) {
      new NatAlarms(this, `nat-${nat.name}-alarms`, {
        natId, autoScalingGroupName: instance.asg.name, metrics: nat.monitoring.metrics && nat.monitoring.watchdog,
        noInServiceMinutes: alarms.noInServiceMinutes, conntrackPercent: alarms.conntrackPercent, email: alarms.email, topicArn: alarms.topicArn,
      });
    }
    new TerraformOutput(this, `${nat.name}-eip`, { value: instance.eip?.publicIp, description: `Egress IPv4 address of NAT ${natId}` });
    return instance;
  }
}

/** `terraform.<project>.tfstate` beside the output directory, seen from `<outdir>/stacks/<project>`. */
export function defaultLocalStatePath(project: string): string {
  return `../../../terraform.${project}.tfstate`;
}

function configureBackend(stack: TerraformStack, spec: Spec, localStatePath: string): void {
  const backend = spec.backend;
  const organization = process.env.TF_CLOUD_ORGANIZATION;
  const workspace = process.env.TF_WORKSPACE;
  if (backend.type === 'cloud') {
    new CloudBackend(stack, { organization: backend.organization, workspaces: new NamedCloudWorkspace(backend.workspace) });
  } else if (backend.type === 's3') {
    new S3Backend(stack, { bucket: backend.bucket, key: backend.key, region: backend.region, encrypt: true });
    // S3-native state locking (Terraform >= 1.10); cdktf 0.21 predates the option.
    stack.addOverride('terraform.backend.s3.use_lockfile', true);
  } else if (organization && workspace) {
    new CloudBackend(stack, { organization, workspaces: new NamedCloudWorkspace(workspace) });
  } else {
    new LocalBackend(stack, { path: localStatePath });
  }
}
