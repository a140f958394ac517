import { placementSubnets } from '../endpoints/placement';
import { expandEndpoints } from '../endpoints/services';
import { firstSpokeDeviceIndex, instanceTypesFor } from '../nat/instance-types';
import { subnetLayout } from '../network/subnet-layout';
import type { NatSchedule } from '../spec/schedule';
import { hasPublicSubnets } from '../spec/public-subnets';
import type { EndpointsSpec, NatInstanceSpec, Spec } from '../spec/schema';

/**
 * What a checked spec builds, as plain values: the one reading of the spec that the cost model
 * and the diagram share, so the two cannot disagree about which subnets route where. It mirrors
 * the constructs (EgressVpc, NatInstance, VpcEndpoints) without loading cdktf.
 */

export interface SubnetView {
  readonly vpc: string;
  readonly az: string;
  readonly public: boolean;
  /** Created subnets: from the subnet layout. */
  readonly cidr?: string;
  /** Existing subnets: the IDs given in the spec. */
  readonly id?: string;
  readonly routeTableId?: string;
}

export interface VpcView {
  readonly name: string;
  readonly existing: boolean;
  /** Existing VPCs only. */
  readonly id?: string;
  readonly cidrs: string[];
  readonly ipv6: boolean;
  readonly subnets: SubnetView[];
  /** AZs with a private subnet, in spec order: where workloads send traffic from. */
  readonly privateAzs: string[];
  readonly trafficGbPerMonth: number;
  /** Where the traffic figure came from, as a spec path. */
  readonly trafficSource: string;
}

export type EniRole = 'primary' | 'egress' | 'spoke';

export interface EniView {
  readonly role: EniRole;
  readonly deviceIndex: number;
  readonly vpc: string;
  readonly subnet: SubnetView;
}

export interface NatView {
  readonly name: string;
  readonly hub: string;
  readonly az: string;
  readonly mode: NatInstanceSpec['egressInterface'];
  readonly enabled: boolean;
  readonly spot: boolean;
  readonly instanceTypes: string[];
  /** True when the spec leaves instanceTypes out and the defaults apply. */
  readonly defaultTypes: boolean;
  readonly rootVolumeSize: number;
  /** Primary first, then the egress ENI (dedicated), then one per spoke in spoke order. */
  readonly enis: EniView[];
  /** The ENI the EIP sits on: the egress ENI, or the primary interface in primary mode. */
  readonly eipEni: EniView;
  /** The primary interface gets an auto-assigned public IPv4 until (or unless) the EIP replaces it. */
  readonly autoPublicIpv4: boolean;
  /** VPC name -> the ENI its private route tables send 0.0.0.0/0 to. */
  readonly routes: ReadonlyMap<string, EniView>;
  readonly portForwards: NatInstanceSpec['portForwards'];
  /** When it runs, if not always; off, the VPCs it serves have no IPv4 egress. */
  readonly schedule?: NatSchedule;
}

export interface EndpointView {
  readonly vpc: string;
  readonly gateway: string[];
  readonly interface: string[];
  readonly placement: EndpointsSpec['placement'];
  /** The private subnets the interface endpoints' ENIs go in: one, or the first of each AZ. */
  readonly subnets: SubnetView[];
}

export interface TopologyView {
  readonly project: string;
  readonly region: string;
  readonly vpcs: VpcView[];
  readonly nats: NatView[];
  readonly endpoints: EndpointView[];
}

export function describeTopology(spec: Spec): TopologyView {
  const vpcs = [...createdVpcs(spec), ...existingVpcs(spec)];
  const byName = new Map(vpcs.map((vpc) => [vpc.name, vpc]));
  const vpc = (name: string): VpcView => {
    const found = byName.get(name);
    if (!found) throw new Error(`unknown VPC ${name}; describeTopology takes a checked spec`);
    return found;
  };
  return {
    project: spec.project,
    region: spec.region,
    vpcs,
    nats: spec.natInstances.map((nat) => describeNat(nat, vpc)),
    endpoints: spec.endpoints.map((entry) => describeEndpoints(entry, vpc(entry.vpc))),
  };
}

function createdVpcs(spec: Spec): VpcView[] {
  return spec.vpcs.map((vpc, i) => {
    const layout = subnetLayout(vpc.cidr, vpc.azs.length);
    const withPublic = hasPublicSubnets(spec, vpc);
    const subnets = vpc.azs.flatMap((az, j): SubnetView[] => [
      ...(withPublic ? [{ vpc: vpc.name, az, public: true, cidr: layout.public[j] }] : []),
      { vpc: vpc.name, az, public: false, cidr: layout.private[j] },
    ]);
    return {
      name: vpc.name,
      existing: false,
      cidrs: [vpc.cidr],
      ipv6: vpc.ipv6,
      subnets,
      privateAzs: [...vpc.azs],
      ...traffic(spec, vpc.trafficGbPerMonth, `vpcs[${i}].trafficGbPerMonth`),
    };
  });
}

function existingVpcs(spec: Spec): VpcView[] {
  return spec.existingVpcs.map((vpc, i) => {
    const subnets = vpc.subnets.map((s): SubnetView => ({ vpc: vpc.name, az: s.az, public: s.public, id: s.id, routeTableId: s.routeTableId }));
    return {
      name: vpc.name,
      existing: true,
      id: vpc.id,
      cidrs: [vpc.cidr, ...vpc.secondaryCidrs],
      // EgressStack references existing VPCs as IPv4-only; nothing adds an EIGW to them.
      ipv6: false,
      subnets,
      privateAzs: [...new Set(subnets.filter((s) => !s.public).map((s) => s.az))],
      ...traffic(spec, vpc.trafficGbPerMonth, `existingVpcs[${i}].trafficGbPerMonth`),
    };
  });
}

function traffic(spec: Spec, own: number | undefined, path: string): { trafficGbPerMonth: number; trafficSource: string } {
  return own === undefined
    ? { trafficGbPerMonth: spec.trafficGbPerMonth, trafficSource: 'trafficGbPerMonth (spec default)' }
    : { trafficGbPerMonth: own, trafficSource: path };
}

function firstSubnet(vpc: VpcView, az: string, isPublic: boolean): SubnetView {
  const subnet = vpc.subnets.find((s) => s.az === az && s.public === isPublic);
  if (!subnet) throw new Error(`VPC ${vpc.name} has no ${isPublic ? 'public' : 'private'} subnet in ${az}; describeTopology takes a checked spec`);
  return subnet;
}

function describeNat(nat: NatInstanceSpec, vpc: (name: string) => VpcView): NatView {
  const hub = vpc(nat.vpc);
  const publicSubnet = firstSubnet(hub, nat.az, true);
  const primary: EniView = { role: 'primary', deviceIndex: 0, vpc: hub.name, subnet: publicSubnet };
  const egress: EniView | undefined =
    nat.egressInterface === 'dedicated' ? { role: 'egress', deviceIndex: 1, vpc: hub.name, subnet: publicSubnet } : undefined;
  const firstSpokeIndex = firstSpokeDeviceIndex(nat.egressInterface);
  const spokes = nat.spokes.map((name, i): EniView => ({
    role: 'spoke',
    deviceIndex: firstSpokeIndex + i,
    vpc: name,
    // SpokeAttachment takes the spoke's first private subnet in the NAT's AZ.
    subnet: firstSubnet(vpc(name), nat.az, false),
  }));
  const routes = new Map<string, EniView>(spokes.map((eni) => [eni.vpc, eni]));
  if (egress) routes.set(hub.name, egress);
  return {
    name: nat.name,
    hub: hub.name,
    az: nat.az,
    mode: nat.egressInterface,
    enabled: nat.enabled,
    spot: nat.spot,
    instanceTypes: instanceTypesFor(nat.instanceTypes, nat.egressInterface, nat.spokes.length),
    defaultTypes: nat.instanceTypes === undefined,
    rootVolumeSize: nat.rootVolumeSize,
    enis: egress ? [primary, egress, ...spokes] : [primary, ...spokes],
    eipEni: egress ?? primary,
    // The launch template asks for a public IPv4 on the primary interface unless the hub is dual-stack.
    autoPublicIpv4: !hub.ipv6,
    routes,
    portForwards: nat.portForwards,
    schedule: nat.schedule,
  };
}

function describeEndpoints(entry: EndpointsSpec, vpc: VpcView): EndpointView {
  const expanded = expandEndpoints(entry.interface, entry.gateway);
  const placed = placementSubnets(vpc.subnets.filter((s) => !s.public), entry.placement);
  return {
    vpc: vpc.name,
    gateway: expanded.gateway,
    interface: expanded.interface,
    placement: entry.placement,
    subnets: expanded.interface.length === 0 ? [] : placed,
  };
}

/** The NAT whose ENI a VPC's private subnets route 0.0.0.0/0 to, if any. */
export function natServing(topology: TopologyView, vpc: string): { nat: NatView; eni: EniView } | undefined {
  let serving = servingByVpc.get(topology);
  if (!serving) {
    serving = new Map();
    // The first NAT routing a VPC serves it, as a walk over the NATs in order would find.
    for (const nat of topology.nats) for (const [name, eni] of nat.routes) if (!serving.has(name)) serving.set(name, { nat, eni });
    servingByVpc.set(topology, serving);
  }
  return serving.get(vpc);
}

/** Asked once per VPC and endpoint: indexed once per topology instead of walking every NAT each time. */
const servingByVpc = new WeakMap<TopologyView, Map<string, { nat: NatView; eni: EniView }>>();
