import { expandEndpoints } from '../endpoints/services';
import { enisNeeded, INSTANCE_TYPES, instanceTypeInfo } from '../nat/instance-types';
import { formatPath, validateSpec } from '../spec/load';
import type { Spec } from '../spec/schema';
import { averageGbps, baselineBandwidth } from './baseline-bandwidth';
import { costModel, natRunningHours, specTotalUsd, type CostModel, type CostModelOptions } from './cost-model';
import { priceTable, regionPrices, type PriceTable } from './price-table';
import { regionTimeZone } from './region-time-zones';
import { describeTopology, natServing, type NatView, type TopologyView } from './topology-model';

/**
 * The cost advisor: changes to the spec that would cost less, each priced by costing the changed
 * spec with the same model (so a saving is never estimated separately from the report) and each
 * checked to be a valid spec. A change that saves nothing is not advice.
 */

export interface SpecChange {
  /** JSON path in the spec, as in error messages: `endpoints[0].interface`. */
  readonly path: string;
  /** The value at `path` after the change (undefined: the field is removed). */
  readonly to: unknown;
}

export interface Recommendation {
  readonly id: 'drop-interface-endpoint' | 'single-subnet-endpoints' | 'dual-stack-hub' | 'primary-egress' | 'smaller-instance-type' | 'schedule' | 'spot';
  readonly title: string;
  /** This spec's monthly total minus the changed spec's, in USD. */
  readonly monthlySavingUsd: number;
  readonly change: SpecChange;
  /** Further fields the same change sets, when one field alone would not make a valid spec. */
  readonly alsoChange?: SpecChange[];
  /** Why it saves, and what it gives up. */
  readonly why: string;
}

export interface AdviceWarning {
  readonly path: string;
  readonly message: string;
}

export interface Advice {
  /** Largest saving first; each against the spec as it is, so savings of two do not simply add up. */
  readonly recommendations: Recommendation[];
  readonly warnings: AdviceWarning[];
}

/** Savings under a cent are rounding, not advice. */
const MIN_SAVING_USD = 0.01;

/** Working hours suggested for a NAT that runs all month. */
export const SUGGESTED_SCHEDULE = { on: '0 8 * * 1-5', off: '0 20 * * 1-5' } as const;

interface Candidate {
  readonly id: Recommendation['id'];
  readonly title: string;
  readonly path: (string | number)[];
  readonly to: unknown;
  readonly also?: { readonly path: (string | number)[]; readonly to: unknown }[];
  readonly why: string;
}

interface Context {
  readonly spec: Spec;
  readonly prices: PriceTable;
  readonly topology: TopologyView;
  readonly model: CostModel;
}

export function adviseCosts(spec: Spec, options: CostModelOptions = {}): Advice {
  const model = costModel(spec, options);
  const context: Context = { spec, prices: options.prices ?? priceTable(), topology: describeTopology(spec), model };
  const candidates = [
    ...endpointCandidates(context),
    ...spec.natInstances.flatMap((_, i) => natCandidates(context, i)),
  ];
  const recommendations = candidates.flatMap((candidate) => price(context, candidate, options)).sort((a, b) => b.monthlySavingUsd - a.monthlySavingUsd);
  return { recommendations, warnings: bandwidthWarnings(context) };
}

function price(context: Context, candidate: Candidate, options: CostModelOptions): Recommendation[] {
  const changed = applyChange(context.spec, [candidate, ...(candidate.also ?? [])]);
  if (!changed) return [];
  const saving = round(total(context.model) - specTotalUsd(changed, options));
  if (saving < MIN_SAVING_USD) return [];
  return [{
    id: candidate.id, title: candidate.title, monthlySavingUsd: saving,
    change: { path: formatPath(candidate.path), to: candidate.to },
    ...(candidate.also ? { alsoChange: candidate.also.map((c) => ({ path: formatPath(c.path), to: c.to })) } : {}),
    why: candidate.why,
  }];
}

/** The spec with these fields replaced, if the result is still a valid spec; the advice must be something the tool accepts. */
function applyChange(spec: Spec, changes: readonly { readonly path: readonly (string | number)[]; readonly to: unknown }[]): Spec | undefined {
  const copy = changes.reduce<unknown>((at, { path, to }) => withField(at, path, to === undefined ? undefined : structuredClone(to)), spec);
  try {
    const checked = validateSpec(copy);
    return checked.spec;
  } catch {
    return undefined;
  }
}

/**
 * `value` with the field at `path` set (or removed when `to` is undefined), copying only the
 * objects along the path: the rest is shared with `value`, which stays as it was. Copying the
 * whole spec for each change made the advice quadratic in the spec's size.
 */
function withField(value: unknown, path: readonly (string | number)[], to: unknown): unknown {
  const [key, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  if (rest.length > 0) copy[key] = withField(copy[key], rest, to);
  else if (to === undefined) delete copy[key];
  else copy[key] = to;
  return copy;
}

function total(model: CostModel): number {
  return model.options[0].totalUsd;
}

function endpointCandidates({ spec, topology }: Context): Candidate[] {
  return spec.endpoints.flatMap((entry, i): Candidate[] => {
    const serving = natServing(topology, entry.vpc);
    const nat = serving?.nat.enabled ? serving.nat : undefined;
    if (!nat) return singleSubnetCandidate(spec, i);
    return entry.interface.map((item) => {
      const services = expandEndpoints([item], []).interface;
      const offHours = nat.schedule ? ` Without them these APIs are unreachable from ${entry.vpc} while the schedule has NAT ${nat.name} off.` : '';
      return {
        id: 'drop-interface-endpoint' as const,
        title: `Drop the ${item} interface endpoint${services.length > 1 ? 's' : ''} in ${entry.vpc}: NAT instance ${nat.name} reaches the same APIs`,
        path: ['endpoints', i, 'interface'],
        to: entry.interface.filter((other) => other !== item),
        why:
          `${services.join(', ')} bill every AZ-hour whether used or not; ${entry.vpc} already routes 0.0.0.0/0 to NAT ${nat.name}, ` +
          'which bills no per-GB processing, so the endpoints save nothing on the traffic they carry. ' +
          `Keep them if ${entry.vpc} must reach these APIs without the internet (endpoint policies, subnets without egress).${offHours}`,
      };
    });
  });
}

function singleSubnetCandidate(spec: Spec, i: number): Candidate[] {
  const entry = spec.endpoints[i];
  if (entry.placement !== 'per-az' || entry.interface.length === 0) return [];
  return [{
    id: 'single-subnet-endpoints',
    title: `Place the interface endpoints of ${entry.vpc} in one subnet`,
    path: ['endpoints', i, 'placement'],
    to: 'single-subnet',
    why: `per-az bills an endpoint ENI in every AZ; traffic between AZs of a VPC reaches one subnet's endpoint (at the cross-AZ rate). It gives up reaching the APIs when that one AZ is down.`,
  }];
}

function natCandidates(context: Context, i: number): Candidate[] {
  const nat = context.topology.nats[i];
  if (!nat.enabled) return [];
  return [
    ...dualStackCandidate(context, nat),
    ...primaryCandidate(context, nat, i),
    ...instanceTypeCandidate(context, nat, i),
    ...scheduleCandidate(context, nat, i),
    ...spotCandidate(nat, i),
  ];
}

function dualStackCandidate({ spec }: Context, nat: NatView): Candidate[] {
  const k = spec.vpcs.findIndex((vpc) => vpc.name === nat.hub);
  if (nat.mode !== 'dedicated' || !nat.autoPublicIpv4 || k < 0) return [];
  return [{
    id: 'dual-stack-hub',
    title: `Make ${nat.hub} dual-stack: NAT ${nat.name}'s primary interface then needs no public IPv4 address`,
    path: ['vpcs', k, 'ipv6'],
    to: true,
    why:
      `In dedicated mode the primary interface takes an auto-assigned public IPv4 address besides the EIP, billed per hour. ` +
      `In a dual-stack ${nat.hub} it gets an IPv6 address instead and the boot script reaches EC2 over IPv6; ${nat.hub}'s private subnets also get IPv6 egress through a free egress-only internet gateway.`,
  }];
}

function primaryCandidate({ spec, topology }: Context, nat: NatView, i: number): Candidate[] {
  const hub = topology.vpcs.find((vpc) => vpc.name === nat.hub);
  // Primary mode stops serving the hub's own private subnets: advise it only when the spec says they send nothing.
  const hubSendsNothing = hub?.trafficGbPerMonth === 0 && !hub.trafficSource.includes('spec default');
  if (nat.mode !== 'dedicated' || spec.natInstances[i].spokes.length === 0 || !hubSendsNothing) return [];
  return [{
    id: 'primary-egress',
    title: `Put NAT ${nat.name}'s EIP on its primary interface and drop the egress ENI`,
    path: ['natInstances', i, 'egressInterface'],
    to: 'primary',
    // The spec refuses primary mode that strands the hub's private subnets unless it is said explicitly.
    also: [{ path: ['natInstances', i, 'allowHubWithoutEgress'], to: true }],
    why:
      `${nat.hub} sends no traffic (${hub?.trafficSource} is 0), so only the spokes need the NAT: primary mode moves the EIP onto the primary interface, ` +
      `which then needs no second public address, and frees an interface for a spoke. ${nat.hub}'s private subnets lose their IPv4 egress.`,
  }];
}

function instanceTypeCandidate({ spec, model, prices: table }: Context, nat: NatView, i: number): Candidate[] {
  const prices = regionPrices(spec.region, table).instances;
  const current = nat.instanceTypes[0];
  const currentInfo = instanceTypeInfo(current);
  if (!currentInfo || !Object.hasOwn(prices, current)) return [];
  const needed = enisNeeded(nat.mode, spec.natInstances[i].spokes.length);
  const gbps = averageGbps(natTrafficGb(model, nat), natRunningHours(nat));
  const hourly = (type: string) => (nat.spot ? prices[type].spot.usd : prices[type].onDemand.usd);
  const fitting = INSTANCE_TYPES.filter(
    (info) => info.architecture === currentInfo.architecture && info.maxEnis >= needed && Object.hasOwn(prices, info.type) && (baselineBandwidth(info.type)?.gbps ?? 0) >= gbps,
  ).sort((a, b) => hourly(a.type) - hourly(b.type));
  const cheapest = fitting[0];
  if (!cheapest || hourly(cheapest.type) >= hourly(current)) return [];
  const figure = baselineBandwidth(cheapest.type);
  const baseline = figure?.gbps ?? 0;
  return [{
    id: 'smaller-instance-type',
    title: `Run NAT ${nat.name} on ${cheapest.type} instead of ${current}`,
    path: ['natInstances', i, 'instanceTypes'],
    to: [cheapest.type, ...nat.instanceTypes.filter((type) => type !== cheapest.type && (instanceTypeInfo(type)?.maxEnis ?? 0) >= needed)],
    why:
      `${cheapest.type} carries the ${needed} network interfaces NAT ${nat.name} needs (it takes ${cheapest.maxEnis}), and its baseline bandwidth of ${mbps(baseline)} (${figure?.source}, ${figure?.date}) ` +
      `covers the ${mbps(gbps)} its ${round(natTrafficGb(model, nat))} GB a month average over the hours it runs; bursts above the baseline draw on the type's burst allowance. ` +
      'The other listed types stay as fallbacks for spot capacity.',
  }];
}

function scheduleCandidate({ spec, topology }: Context, nat: NatView, i: number): Candidate[] {
  if (nat.schedule) return [];
  const schedule = { timeZone: regionTimeZone(spec.region), ...SUGGESTED_SCHEDULE };
  const served = [...nat.routes.keys()].join(', ');
  const endpointsToo = topology.endpoints.some((e) => nat.routes.has(e.vpc) && e.interface.length > 0);
  return [{
    id: 'schedule',
    title: `Run NAT ${nat.name} on weekdays from 08:00 to 20:00 (${schedule.timeZone}) only`,
    path: ['natInstances', i, 'schedule'],
    to: schedule,
    why:
      `The instance${nat.mode === 'dedicated' && nat.autoPublicIpv4 ? ', its auto-assigned public IPv4 address' : ''} and its root volume (deleted with the instance) are billed only while it runs; the EIP stays and is billed every hour. ` +
      `Only if nothing in ${served} needs IPv4 egress at night or at weekends (patching, backups, CI, monitoring agents): while it is off their private subnets have no IPv4 egress` +
      `${endpointsToo ? ', and AWS APIs without an interface endpoint are unreachable' : ''}.`,
  }];
}

function spotCandidate(nat: NatView, i: number): Candidate[] {
  if (nat.spot) return [];
  return [{
    id: 'spot',
    title: `Run NAT ${nat.name} on spot`,
    path: ['natInstances', i, 'spot'],
    to: true,
    why:
      'The ASG replaces an interrupted spot instance (capacity rebalancing, price-capacity-optimized over the listed types) and the ENI, EIP and routes stay, ' +
      'so an interruption costs egress for the minutes a replacement takes to boot. Stay on demand if those minutes matter more than the saving.',
  }];
}

/** GB a month through the NAT: the traffic of every VPC it serves. */
function natTrafficGb(model: CostModel, nat: NatView): number {
  return model.traffic.filter((t) => t.natInstance === nat.name).reduce((sum, t) => sum + t.gbPerMonth, 0);
}

/** A NAT whose first type cannot sustain its monthly traffic averaged over the hours it runs. */
function bandwidthWarnings({ spec, model, topology }: Context): AdviceWarning[] {
  return topology.nats.flatMap((nat, i): AdviceWarning[] => {
    const needed = enisNeeded(nat.mode, spec.natInstances[i].spokes.length);
    const hours = natRunningHours(nat);
    const gbps = averageGbps(natTrafficGb(model, nat), hours);
    const type = nat.instanceTypes[0];
    const baseline = baselineBandwidth(type);
    if (!baseline || gbps <= baseline.gbps) return [];
    const enough = INSTANCE_TYPES.find(
      (info) => info.architecture === instanceTypeInfo(type)?.architecture && info.maxEnis >= needed && (baselineBandwidth(info.type)?.gbps ?? 0) >= gbps,
    );
    return [{
      path: formatPath(['natInstances', i, 'instanceTypes']),
      message:
        `NAT ${nat.name} moves ${round(natTrafficGb(model, nat))} GB a month in ${hours} h, ${mbps(gbps)} on average, more than ${type}'s baseline bandwidth of ${mbps(baseline.gbps)} ` +
        `(${baseline.source}, ${baseline.date}); once its burst allowance is spent it is throttled to the baseline. ${enough ? `List a type with a higher baseline first, such as ${enough.type} (${mbps(baselineBandwidth(enough.type)?.gbps ?? 0)})` : 'Split the traffic over more NAT instances'}.`,
    }];
  });
}

function mbps(gbps: number): string {
  return `${Math.round(gbps * 1000 * 10) / 10} Mbit/s`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
