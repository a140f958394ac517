import { z } from 'zod';
import bandwidthFile from './bandwidth.json';

/**
 * Baseline network bandwidth by instance type (`bandwidth.json`), each figure with its page and
 * date like the price table: what a NAT instance sustains once a burstable type's allowance is spent.
 */

export const BANDWIDTH_FILE = 'lib/report/bandwidth.json';

const FigureSchema = z.strictObject({
  gbps: z.number().positive(),
  source: z.url({ protocol: /^https$/ }),
  date: z.iso.date(),
});

const BandwidthFileSchema = z.strictObject({
  $comment: z.array(z.string()).optional(),
  types: z.record(z.string(), FigureSchema),
});

export type BandwidthFigure = z.output<typeof FigureSchema>;

let table: Record<string, BandwidthFigure> | undefined;

/** The baseline of `type`, or undefined when the table does not list it (then it is not judged). */
export function baselineBandwidth(type: string): BandwidthFigure | undefined {
  table ??= BandwidthFileSchema.parse(bandwidthFile).types;
  return Object.hasOwn(table, type) ? table[type] : undefined;
}

/** Average throughput in Gbit/s of `gbPerMonth` moved in `hours` (GB as 10^9 bytes, as AWS bills). */
export function averageGbps(gbPerMonth: number, hours: number): number {
  return hours <= 0 ? 0 : (gbPerMonth * 8) / (hours * 3600);
}
