import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spec } from '../spec/schema';
import { renderCostReport } from './cost-report';
import { PriceError } from './price-table';
import { renderTopology } from './topology-diagram';

export { costModel, type CostLine, type CostModel, type CostModelOptions, type CostOption, type CostOptionId } from './cost-model';
export { renderCostModel, renderCostReport } from './cost-report';
export { HOURS_PER_MONTH, knownRegions, PriceError } from './price-table';
export { renderTopology } from './topology-diagram';

export const COST_REPORT_FILE = 'cost.md';
export const TOPOLOGY_FILE = 'topology.md';

export interface WrittenReports {
  /** Paths written. */
  readonly files: string[];
  /** What could not be priced (a region or instance type missing from the price table). */
  readonly problems: string[];
}

/**
 * Writes cost.md and topology.md into `dir`. A spec the price table cannot price still gets
 * both files, cost.md saying what is missing: a stack in an unpriced region must still synthesize.
 */
export function writeReports(spec: Spec, dir: string): WrittenReports {
  mkdirSync(dir, { recursive: true });
  const problems: string[] = [];
  let cost: string;
  try {
    cost = renderCostReport(spec);
  } catch (e) {
    if (!(e instanceof PriceError)) throw e;
    problems.push(e.message);
    cost = `# Monthly cost: ${spec.project} (${spec.region})\n\nNot priced: ${e.message}.\n`;
  }
  const files = [join(dir, COST_REPORT_FILE), join(dir, TOPOLOGY_FILE)];
  writeFileSync(files[0], cost);
  writeFileSync(files[1], renderTopology(spec));
  return { files, problems };
}
