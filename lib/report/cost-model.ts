import { REFERENCE_YEAR, scheduledShare, type NatSchedule } from '../spec/schedule';
import type { Spec } from '../spec/schema';
import { HOURS_PER_MONTH, instanceHourPrice, PRICE_FILE, priceTable, regionPrices, type PriceTable, type RegionPrices } from './price-table';
import { monitoringLines } from './monitoring-cost';
import { describeTopology, natServing, type NatView, type TopologyView, type VpcView } from './topology-model';

/**
 * Monthly cost of what a spec builds, next to three NAT Gateway layouts serving the same VPCs
 * with the same traffic. Everything the options share (internet data out) is kept out of the
 * totals so the totals differ only where the choice of NAT makes a difference.
 */

export type CostOptionId = 'nat-instances' | 'nat-gateway-per-vpc' | 'nat-gateway-per-az' | 'regional-nat-gateway';

export interface CostLine {
  /** Row label; the same label in two options is the same kind of cost. */
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
  readonly detail: string;
}

export interface CostOption {
  readonly id: CostOptionId;
  readonly title: string;
  readonly lines: CostLine[];
  readonly totalUsd: number;
  /** This option's total minus the spec's own (positive: the option costs more). */
  readonly vsSpecUsd: number;
}

export interface TrafficFigure {
  readonly vpc: string;
  readonly gbPerMonth: number;
  /** The spec field the figure came from. */
  readonly source: string;
  readonly natInstance: string;
  readonly privateAzs: string[];
}

export interface NatHours {
  readonly nat: string;
  readonly enabled: boolean;
  readonly schedule?: NatSchedule;
  /** Hours a month the instance runs: 0 disabled, the scheduled hours, or every hour. */
  readonly hoursPerMonth: number;
}

export interface CostModel {
  readonly project: string;
  readonly region: string;
  readonly currency: 'USD';
  readonly hoursPerMonth: number;
  readonly priceFile: string;
  readonly traffic: TrafficFigure[];
  readonly natHours: NatHours[];
  /** The spec's topology first, then the baselines. */
  readonly options: CostOption[];
  /** The same in every option, so in no total. */
  readonly internetDataOut: { readonly gbPerMonth: number; readonly usdPerGb: number; readonly monthlyUsd: number };
  readonly assumptions: string[];
}

export interface CostModelOptions {
  /** GB a month through interface endpoints; the spec does not say. @default 0 */
  readonly interfaceEndpointGbPerMonth?: number;
  /** @default - the checked table in prices.json */
  readonly prices?: PriceTable;
}

export const ITEM = {
  publicIpv4: 'Public IPv4 addresses',
  natGatewayHours: 'NAT Gateway hours',
  natDataProcessing: 'NAT data processing',
  crossAz: 'Cross-AZ transfer',
  endpointHours: 'Interface endpoints (AZ-hours)',
  endpointData: 'Interface endpoint data',
  instance: (nat: NatView) => `NAT instance ${nat.name} (${nat.instanceTypes[0]}, ${nat.spot ? 'spot' : 'on-demand'})`,
  rootVolume: (nat: NatView) => `NAT root volume ${nat.name} (${nat.rootVolumeSize} GB gp3)`,
} as const;

/** AWS lists cross-AZ transfer per GB "in each direction": the sending and the receiving side each pay it. */
const CROSS_AZ_SIDES = 2;

/** A VPC whose private subnets reach the internet over IPv4 through an enabled NAT. */
interface ServedVpc {
  readonly vpc: VpcView;
  readonly nat: NatView;
}

/** The lines of this spec's own option: its NAT instances, their monitoring and the endpoints. */
function ownLines(spec: Spec, topology: TopologyView, served: ServedVpc[], prices: RegionPrices, options: CostModelOptions, shared: readonly CostLine[]): CostLine[] {
  return [...natInstanceLines(topology, served, prices, options.prices), ...monitoringLines(spec, prices, line), ...shared];
}

/**
 * The spec's monthly total, `costModel(spec).options[0].totalUsd`, without the NAT Gateway
 * options, the traffic table and the assumptions: the cost advisor asks it for every change it prices.
 */
export function specTotalUsd(spec: Spec, options: CostModelOptions = {}): number {
  const prices = regionPrices(spec.region, options.prices ?? priceTable());
  const topology = describeTopology(spec);
  const served = servedVpcs(topology);
  return sum(ownLines(spec, topology, served, prices, options, endpointLines(topology, prices, options.interfaceEndpointGbPerMonth ?? 0)));
}

export function costModel(spec: Spec, options: CostModelOptions = {}): CostModel {
  const prices = regionPrices(spec.region, options.prices ?? priceTable());
  const topology = describeTopology(spec);
  const served = servedVpcs(topology);
  const shared = [...endpointLines(topology, prices, options.interfaceEndpointGbPerMonth ?? 0)];
  const own = ownLines(spec, topology, served, prices, options, shared);
  const perVpc = [...natGatewayPerVpcLines(served, prices), ...shared];
  const perAz = [...natGatewayPerAzLines(served, prices, 'per-az'), ...shared];
  const regional = [...natGatewayPerAzLines(served, prices, 'regional'), ...shared];
  const ownTotal = sum(own);
  const option = (id: CostOptionId, title: string, lines: CostLine[]): CostOption => ({
    id, title, lines, totalUsd: sum(lines), vsSpecUsd: round(sum(lines) - ownTotal),
  });
  const trafficGb = served.reduce((total, s) => total + s.vpc.trafficGbPerMonth, 0);
  return {
    project: spec.project,
    region: spec.region,
    currency: 'USD',
    hoursPerMonth: HOURS_PER_MONTH,
    priceFile: PRICE_FILE,
    traffic: served.map(({ vpc, nat }) => ({
      vpc: vpc.name, gbPerMonth: vpc.trafficGbPerMonth, source: vpc.trafficSource, natInstance: nat.name, privateAzs: vpc.privateAzs,
    })),
    natHours: topology.nats.map((nat) => ({ nat: nat.name, enabled: nat.enabled, schedule: nat.schedule, hoursPerMonth: natRunningHours(nat) })),
    options: [
      option('nat-instances', 'This spec (NAT instances)', own),
      option('nat-gateway-per-vpc', 'NAT Gateway per VPC', perVpc),
      option('nat-gateway-per-az', 'NAT Gateway per AZ', perAz),
      option('regional-nat-gateway', 'Regional NAT Gateway', regional),
    ],
    internetDataOut: { gbPerMonth: trafficGb, usdPerGb: prices.internetOutGb.usd, monthlyUsd: round(trafficGb * prices.internetOutGb.usd) },
    assumptions: assumptions(topology, served, prices, options.interfaceEndpointGbPerMonth ?? 0),
  };
}

function servedVpcs(topology: TopologyView): ServedVpc[] {
  return topology.vpcs.flatMap((vpc) => {
    const serving = natServing(topology, vpc.name);
    return serving && serving.nat.enabled ? [{ vpc, nat: serving.nat }] : [];
  });
}

function line(item: string, quantity: number, unit: string, unitUsd: number, detail: string): CostLine {
  return { item, quantity: round(quantity), unit, unitUsd, monthlyUsd: round(quantity * unitUsd), detail };
}

function natInstanceLines(topology: TopologyView, served: ServedVpc[], prices: RegionPrices, table?: PriceTable): CostLine[] {
  const lines: CostLine[] = [];
  for (const nat of topology.nats) {
    const hours = natRunningHours(nat);
    const hourly = instanceHourPrice(topology.region, nat.instanceTypes[0], nat.spot, table).usd;
    const why = describeHours(nat, hours);
    const chosen = nat.defaultTypes ? ', the default for its interfaces' : '';
    lines.push(line(ITEM.instance(nat), hours, 'instance-hour', hourly, `${why}; first listed type${chosen}`));
    // The root volume is deleted with the instance (delete on termination): it exists only while the NAT runs.
    const volume = nat.schedule && nat.enabled ? `${why}; deleted with the instance while off` : nat.enabled ? 'the whole month' : why;
    lines.push(line(ITEM.rootVolume(nat), (nat.rootVolumeSize * hours) / HOURS_PER_MONTH, 'GB-month', prices.gp3GbMonth.usd, volume));
  }
  const addressHours = topology.nats.reduce((total, nat) => total + natPublicIpv4Hours(nat), 0);
  const detail = topology.nats.map((nat) => `${nat.name}: ${natPublicIpv4(nat)}, ${describeNatIpv4(nat)}`).join('; ');
  lines.push(line(ITEM.publicIpv4, addressHours, 'address-hour', prices.publicIpv4Hour.usd, detail || 'none'));
  lines.push(line(ITEM.natDataProcessing, 0, 'GB', 0, 'a NAT instance bills no per-GB processing'));
  const crossing = served.map((s) => ({ s, gb: s.vpc.trafficGbPerMonth * crossingShare(s.vpc, s.nat.az) }));
  lines.push(crossAzLine(crossing.map(({ s, gb }) => ({ vpc: s.vpc, gb, to: `NAT ${s.nat.name} in ${s.nat.az}` })), prices));
  return lines;
}

/** Hours a month the NAT's instance runs: none when disabled, its schedule's share of the month, or all of it. */
export function natRunningHours(nat: NatView): number {
  if (!nat.enabled) return 0;
  if (!nat.schedule) return HOURS_PER_MONTH;
  return Math.round(scheduledShare(nat.schedule) * HOURS_PER_MONTH * 100) / 100;
}

function describeHours(nat: NatView, hours: number): string {
  if (!nat.enabled) return 'disabled: the ASG runs no instance';
  if (!nat.schedule) return `${hours} h`;
  const { on, off, timeZone } = nat.schedule;
  return `${hours} h scheduled (on "${on}", off "${off}", ${timeZone}: ${Math.round((hours / HOURS_PER_MONTH) * 1000) / 10}% of the month)`;
}

/** The EIP always (an idle EIP is billed too), plus the primary's own address where the EIP does not replace it. */
export function natPublicIpv4(nat: NatView): number {
  return 1 + (hasAutoAddress(nat) ? 1 : 0);
}

/** Address-hours a month: the EIP every hour, the primary's auto-assigned address only while an instance runs. */
export function natPublicIpv4Hours(nat: NatView): number {
  return HOURS_PER_MONTH + (hasAutoAddress(nat) ? natRunningHours(nat) : 0);
}

function hasAutoAddress(nat: NatView): boolean {
  return nat.enabled && nat.mode === 'dedicated' && nat.autoPublicIpv4;
}

function describeNatIpv4(nat: NatView): string {
  if (!nat.enabled) return 'EIP, kept while the NAT is disabled';
  const off = nat.schedule ? '; the EIP stays allocated and billed while the schedule has the NAT off' : '';
  if (nat.mode === 'primary') return `EIP on the primary interface, replacing its auto-assigned address${off}`;
  const own = nat.autoPublicIpv4 ? 'EIP on the egress ENI + the primary interface\'s auto-assigned address' : 'EIP on the egress ENI; the dual-stack hub gives the primary none';
  return `${own}${off}`;
}

/** Traffic is taken as spread evenly over the VPC's private AZs; what starts outside `az` crosses. */
function crossingShare(vpc: VpcView, az: string): number {
  if (vpc.privateAzs.length === 0) return 0;
  return vpc.privateAzs.filter((other) => other !== az).length / vpc.privateAzs.length;
}

function crossAzLine(crossing: { vpc: VpcView; gb: number; to: string }[], prices: RegionPrices): CostLine {
  const gb = crossing.reduce((total, c) => total + c.gb, 0);
  const detail = crossing
    .filter((c) => c.gb > 0)
    .map((c) => `${c.vpc.name}: ${round(c.gb)} of ${c.vpc.trafficGbPerMonth} GB to ${c.to}`)
    .join('; ');
  return line(ITEM.crossAz, gb, 'GB', prices.crossAzGb.usd * CROSS_AZ_SIDES, detail || 'no route crosses an AZ');
}

function natGatewayPerVpcLines(served: ServedVpc[], prices: RegionPrices): CostLine[] {
  const names = served.map((s) => s.vpc.name).join(', ') || 'no VPC is served';
  const gateways = served.length;
  return [
    line(ITEM.publicIpv4, gateways * HOURS_PER_MONTH, 'address-hour', prices.publicIpv4Hour.usd, `${gateways} addresses, an EIP per NAT Gateway`),
    line(ITEM.natGatewayHours, gateways * HOURS_PER_MONTH, 'gateway-hour', prices.natGatewayHour.usd, `one per VPC: ${names}`),
    dataProcessingLine(served, prices),
    crossAzLine(served.map(({ vpc }) => ({ vpc, gb: vpc.trafficGbPerMonth * crossingShare(vpc, vpc.privateAzs[0]), to: `its NAT Gateway in ${vpc.privateAzs[0]}` })), prices),
  ];
}

function natGatewayPerAzLines(served: ServedVpc[], prices: RegionPrices, kind: 'per-az' | 'regional'): CostLine[] {
  const azHours = served.reduce((total, s) => total + s.vpc.privateAzs.length, 0);
  const perVpc = served.map((s) => `${s.vpc.name}: ${s.vpc.privateAzs.length}`).join(', ') || 'no VPC is served';
  const what = kind === 'regional' ? 'AZs each VPC\'s regional NAT Gateway spans' : 'NAT Gateways, one per AZ with private subnets';
  const addresses = kind === 'regional' ? 'one per AZ spanned (assumed)' : 'an EIP per NAT Gateway';
  return [
    line(ITEM.publicIpv4, azHours * HOURS_PER_MONTH, 'address-hour', prices.publicIpv4Hour.usd, `${azHours} addresses, ${addresses}`),
    line(ITEM.natGatewayHours, azHours * HOURS_PER_MONTH, kind === 'regional' ? 'AZ-hour' : 'gateway-hour', prices.natGatewayHour.usd, `${what}: ${perVpc}`),
    dataProcessingLine(served, prices),
    line(ITEM.crossAz, 0, 'GB', prices.crossAzGb.usd * CROSS_AZ_SIDES, 'traffic leaves from its own AZ'),
  ];
}

function dataProcessingLine(served: ServedVpc[], prices: RegionPrices): CostLine {
  const gb = served.reduce((total, s) => total + s.vpc.trafficGbPerMonth, 0);
  const detail = served.map((s) => `${s.vpc.name} ${s.vpc.trafficGbPerMonth} GB`).join(', ') || 'no traffic';
  return line(ITEM.natDataProcessing, gb, 'GB', prices.natGatewayGb.usd, detail);
}

function endpointLines(topology: TopologyView, prices: RegionPrices, endpointGb: number): CostLine[] {
  const placed = topology.endpoints.filter((e) => e.interface.length > 0);
  const azHours = placed.reduce((total, e) => total + e.interface.length * e.subnets.length * HOURS_PER_MONTH, 0);
  const detail = placed.map((e) => `${e.vpc}: ${e.interface.length} endpoints × ${e.subnets.length} AZ, ${e.placement}`).join('; ');
  return [
    line(ITEM.endpointHours, azHours, 'AZ-hour', prices.interfaceEndpointAzHour.usd, detail || 'no interface endpoints'),
    line(ITEM.endpointData, endpointGb, 'GB', prices.interfaceEndpointGb.usd, endpointGb === 0 ? 'not in the spec; 0 GB counted' : `${endpointGb} GB`),
  ];
}

function assumptions(topology: TopologyView, served: ServedVpc[], prices: RegionPrices, endpointGb: number): string[] {
  const dates = figureDates(prices);
  const range = dates.length > 1 ? `${dates[0]} to ${dates[dates.length - 1]}` : dates[0];
  const unserved = topology.vpcs.filter((vpc) => !served.some((s) => s.vpc === vpc)).map((vpc) => vpc.name);
  const notes = [
    `${HOURS_PER_MONTH} hours a month; ${topology.region} list prices from ${PRICE_FILE} (recorded ${range}).`,
    `Traffic is the GB a month that pass through a VPC's NAT: ${served.map((s) => `${s.vpc.name} ${s.vpc.trafficGbPerMonth} GB (${s.vpc.trafficSource})`).join(', ') || 'none'}. NAT Gateway processing, cross-AZ transfer and internet data out are priced on it.`,
    `Traffic is spread evenly over a VPC's AZs with private subnets; what starts in another AZ than its NAT crosses AZs and pays $${prices.crossAzGb.usd}/GB out of one AZ and again into the other.`,
    'NAT instances are priced at their first instance type (the ASG may launch another listed one); spot at a typical spot price, which moves with supply.',
    'NAT Gateway per VPC sits in the VPC\'s first AZ; NAT Gateway per AZ puts one in every AZ with private subnets.',
    regionalNote(served, prices),
    'Interface endpoints appear in every option: they serve AWS APIs whichever NAT is chosen. Gateway endpoints, internet gateways and egress-only internet gateways are free.',
    'Watchdog metrics and alarms (monitoring) are priced in this spec\'s option only: NAT Gateways publish their own metrics free. Custom metrics at the first-10,000 tier; Auto Scaling group metrics are free.',
  ];
  if (endpointGb === 0) notes.push(`Traffic through interface endpoints is not in the spec: 0 GB counted ($${prices.interfaceEndpointGb.usd}/GB).`);
  for (const nat of topology.nats.filter((n) => n.enabled && n.schedule)) notes.push(scheduleNote(nat));
  if (unserved.length > 0) notes.push(`Not served by an enabled NAT, so in no option's traffic or NAT Gateways: ${unserved.join(', ')}.`);
  return notes;
}

/** Every figure the regional NAT Gateway column rests on, since the price table has none of its own. */
function regionalNote(served: ServedVpc[], prices: RegionPrices): string {
  const spans = served.map((s) => `${s.vpc.name} ${s.vpc.privateAzs.length}`).join(', ') || 'no VPC is served';
  return (
    'Regional NAT Gateway (availability mode "regional", launched late 2025) has no price of its own in the table; it is assumed to bill a NAT Gateway hour for each AZ it spans ' +
    `(the AZs with private subnets: ${spans}) at the zonal rate ($${prices.natGatewayHour.usd}, ${prices.natGatewayHour.date}), the zonal per-GB processing ($${prices.natGatewayGb.usd}), ` +
    `one public IPv4 address per AZ spanned ($${prices.publicIpv4Hour.usd} an hour), and no cross-AZ transfer (traffic leaves from its own AZ); check ${prices.natGatewayHour.source}.`
  );
}

function scheduleNote(nat: NatView): string {
  const hours = natRunningHours(nat);
  const { on, off, timeZone } = nat.schedule as NatSchedule;
  const served = [...nat.routes.keys()].join(', ') || 'no VPC';
  return `NAT ${nat.name} runs ${hours} of ${HOURS_PER_MONTH} hours a month on its schedule (on "${on}", off "${off}", ${timeZone}, counted over the year ${REFERENCE_YEAR} with its daylight saving time): the instance${hasAutoAddress(nat) ? ', the primary interface\'s public IPv4 address' : ''} and the root volume (deleted with the instance) are billed for those hours only; the EIP stays allocated and is billed every hour, off or on. While it is off, the private subnets of ${served} have no IPv4 egress. The NAT Gateway layouts run all month: a NAT Gateway cannot be stopped, only deleted.`;
}

function figureDates(prices: RegionPrices): string[] {
  const { instances, ...services } = prices;
  const figures = [...Object.values(services), ...Object.values(instances).flatMap((i) => [i.onDemand, i.spot])];
  return [...new Set(figures.map((f) => f.date))].sort();
}

function sum(lines: readonly CostLine[]): number {
  return round(lines.reduce((total, l) => total + l.monthlyUsd, 0));
}

/** Drops float noise (0.1 + 0.2) without hiding fractions of a cent. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
