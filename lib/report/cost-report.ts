import { instanceTypesFor } from '../nat/instance-types';
import type { Spec } from '../spec/schema';
import { adviseCosts, type Advice } from './cost-advisor';
import { costModel, ITEM, type CostLine, type CostModel, type CostModelOptions, type CostOption } from './cost-model';
import { regionPrices, type PriceFigure } from './price-table';

/** The cost model as Markdown: one table with an option per column, how each figure was made, and where each price comes from. */
export function renderCostReport(spec: Spec, options?: CostModelOptions): string {
  const sources = priceSources(spec).map((p) => `- ${p.name}: $${p.usd} (${p.source}, ${p.date})`);
  const model = costModel(spec, options);
  return [renderCostModel(model), `## Price sources (${spec.region})`, '', ...sources, '', ...renderAdvice(adviseCosts(spec, options), model.options[0].totalUsd)].join('\n');
}

/** Recommendations last: what to change, what it saves, and what it gives up. */
export function renderAdvice(advice: Advice, totalUsd: number): string[] {
  const warnings = advice.warnings.length === 0 ? [] : ['## Warnings', '', ...advice.warnings.map((w) => `- ${w.path}: ${w.message}`), ''];
  if (advice.recommendations.length === 0) {
    return [...warnings, '## Recommendations', '', 'None: no change the advisor knows (interface endpoints, egress layout and public IPv4 addresses, instance type, schedule, spot) makes this spec cheaper.', ''];
  }
  return [
    ...warnings,
    '## Recommendations',
    '',
    `Each is priced by costing the spec with that one change against its ${money(totalUsd)} a month; they overlap, so their savings do not simply add up.`,
    '',
    ...advice.recommendations.flatMap((r, i) => [
      `${i + 1}. **${r.title}**: saves ${money(r.monthlySavingUsd)} a month (${money(r.monthlySavingUsd * 12)} a year).`,
      `   Change: ${[r.change, ...(r.alsoChange ?? [])].map((c) => `\`${c.path}: ${JSON.stringify(c.to)}\``).join(', ')}`,
      `   ${r.why}`,
    ]),
    '',
  ];
}

const FIGURE_NAMES: Readonly<Record<string, string>> = {
  natGatewayHour: 'NAT Gateway, per hour',
  natGatewayGb: 'NAT Gateway data processing, per GB',
  publicIpv4Hour: 'public IPv4 address, per hour',
  interfaceEndpointAzHour: 'interface endpoint, per AZ-hour',
  interfaceEndpointGb: 'interface endpoint data, per GB',
  gp3GbMonth: 'gp3 volume, per GB-month',
  crossAzGb: 'cross-AZ transfer, per GB each way',
  internetOutGb: 'internet data transfer out, per GB (first tier)',
};

export interface PriceSource extends PriceFigure {
  readonly name: string;
}

/** Every price the report uses, with its source and the date it was recorded. */
export function priceSources(spec: Spec): PriceSource[] {
  const prices = regionPrices(spec.region);
  const line = (name: string, f: PriceFigure): PriceSource => ({ name, ...f });
  const types = new Set(spec.natInstances.map((nat) => instanceTypesFor(nat.instanceTypes, nat.egressInterface, nat.spokes.length)[0]));
  return [
    ...Object.entries(FIGURE_NAMES).map(([key, name]) => line(name, prices[key as keyof typeof FIGURE_NAMES & keyof typeof prices] as PriceFigure)),
    ...[...types].flatMap((type) => {
      const figures = prices.instances[type];
      return figures ? [line(`${type} on-demand, per hour`, figures.onDemand), line(`${type} spot (typical), per hour`, figures.spot)] : [];
    }),
  ];
}

/**
 * Rows in reading order: what only the spec's NATs cost, then what NAT Gateways cost, then what
 * every option pays alike. Items not listed here (one row per NAT instance) come first.
 */
const ROW_ORDER: readonly string[] = [
  ITEM.natGatewayHours, ITEM.publicIpv4, ITEM.natDataProcessing, ITEM.crossAz, ITEM.endpointHours, ITEM.endpointData,
];

export function renderCostModel(model: CostModel): string {
  const [own] = model.options;
  return [
    `# Monthly cost: ${model.project} (${model.region})`,
    '',
    `What the spec builds, next to NAT Gateway layouts serving the same VPCs with the same traffic. USD a month, ${model.hoursPerMonth} hours.`,
    '',
    ...costTable(model.options),
    '',
    `Internet data transfer out is the same in every option and in no total: ${formatQuantity(model.internetDataOut.gbPerMonth)} GB × $${model.internetDataOut.usdPerGb}/GB = ${money(model.internetDataOut.monthlyUsd)} a month at the list price, before the free tier.`,
    '',
    `Cheapest: ${cheapest(model.options)}. ${savings(own, model.options.slice(1))}`,
    '',
    '## Assumptions',
    '',
    ...model.assumptions.map((a) => `- ${a}`),
    '',
    '## How each figure is computed',
    ...model.options.flatMap((option) => ['', `### ${option.title}`, '', ...option.lines.map((l) => `- ${explain(l)}`)]),
    '',
  ].join('\n');
}

function costTable(options: readonly CostOption[]): string[] {
  const items = [...new Set(options.flatMap((o) => o.lines.map((l) => l.item)))];
  const rank = (item: string) => ROW_ORDER.indexOf(item);
  items.sort((a, b) => rank(a) - rank(b));
  const cell = (option: CostOption, item: string) => {
    const lines = option.lines.filter((l) => l.item === item);
    return lines.length === 0 ? '–' : money(lines.reduce((total, l) => total + l.monthlyUsd, 0));
  };
  const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    row(['USD a month', ...options.map((o) => o.title)]),
    row(['---', ...options.map(() => '---:')]),
    ...items.map((item) => row([item, ...options.map((o) => cell(o, item))])),
    row(['**Total a month**', ...options.map((o) => `**${money(o.totalUsd)}**`)]),
    row(['Difference to this spec (+ costs more)', ...options.map((o, i) => (i === 0 ? '–' : signedMoney(o.vsSpecUsd)))]),
  ];
}

function cheapest(options: readonly CostOption[]): string {
  const best = options.reduce((a, b) => (b.totalUsd < a.totalUsd ? b : a));
  return `${best.title} at ${money(best.totalUsd)} a month`;
}

function savings(own: CostOption, baselines: readonly CostOption[]): string {
  const [usual] = baselines;
  if (!usual) return '';
  const word = usual.vsSpecUsd >= 0 ? 'saves' : 'costs';
  return `Against the usual NAT Gateway per VPC, this spec ${word} ${money(Math.abs(usual.vsSpecUsd))} a month (${money(Math.abs(usual.vsSpecUsd) * 12)} a year); it costs ${money(own.totalUsd)}.`;
}

function explain(l: CostLine): string {
  return `${l.item}: ${formatQuantity(l.quantity)} ${l.unit} × $${l.unitUsd} = ${money(l.monthlyUsd)}: ${l.detail}`;
}

/** One formatter each, made on first use: building an Intl.NumberFormat loads ICU's number data. */
let quantities: Intl.NumberFormat | undefined;
let dollars: Intl.NumberFormat | undefined;

/** At most two decimals, trailing zeros dropped, thousands grouped: 730, 0.5, 1,234.56. */
function formatQuantity(value: number): string {
  quantities ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  return quantities.format(Number(value.toFixed(2)));
}

/** US dollars to the cent: $1,234.50, -$0.25. */
export function money(usd: number): string {
  dollars ??= new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  const cents = Math.round(usd * 100) / 100;
  return dollars.format(cents === 0 ? 0 : cents);
}

function signedMoney(usd: number): string {
  const cents = Math.round(usd * 100) / 100;
  return cents > 0 ? `+${money(cents)}` : money(cents);
}
