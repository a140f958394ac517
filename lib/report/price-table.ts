import { z } from 'zod';
import priceFile from './prices.json';

/**
 * The price table (`prices.json`): one place for every figure the cost report uses, each with
 * the page that lists it and a date, so a reader can check a figure and a reviewer can see
 * its age. A missing region or instance type is an error, never a guess.
 */

export const PRICE_FILE = 'lib/report/prices.json';

/** AWS bills hourly resources by the hour; 730 is the average month (8,760 h / 12). */
export const HOURS_PER_MONTH = 730;

const FigureSchema = z.strictObject({
  usd: z.number().nonnegative(),
  source: z.url({ protocol: /^https$/ }),
  date: z.iso.date(),
});

const RegionSchema = z.strictObject({
  natGatewayHour: FigureSchema,
  natGatewayGb: FigureSchema,
  publicIpv4Hour: FigureSchema,
  interfaceEndpointAzHour: FigureSchema,
  interfaceEndpointGb: FigureSchema,
  gp3GbMonth: FigureSchema,
  crossAzGb: FigureSchema,
  internetOutGb: FigureSchema,
  /** Custom metric, first 10,000 a month; a standard-resolution alarm per metric it reads; PutMetricData per 1,000 calls. */
  cloudwatchMetricMonth: FigureSchema,
  cloudwatchAlarmMetricMonth: FigureSchema,
  cloudwatchRequests1k: FigureSchema,
  instances: z.record(z.string(), z.strictObject({ onDemand: FigureSchema, spot: FigureSchema })),
});

const PriceFileSchema = z.strictObject({
  $comment: z.array(z.string()).optional(),
  regions: z.record(z.string(), RegionSchema),
});

export type PriceFigure = z.output<typeof FigureSchema>;
export type RegionPrices = z.output<typeof RegionSchema>;
export type PriceTable = z.output<typeof PriceFileSchema>;

/** Thrown when the table has no figure for what a spec uses; the message names what is known. */
export class PriceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceError';
  }
}

let table: PriceTable | undefined;

/** The checked price table; a malformed file fails loudly on first use, not with NaN totals. */
export function priceTable(): PriceTable {
  table ??= PriceFileSchema.parse(priceFile);
  return table;
}

export function knownRegions(prices: PriceTable = priceTable()): string[] {
  return Object.keys(prices.regions).sort();
}

export function regionPrices(region: string, prices: PriceTable = priceTable()): RegionPrices {
  const found = Object.hasOwn(prices.regions, region) ? prices.regions[region] : undefined;
  if (!found) {
    throw new PriceError(
      `no prices for region ${region} in ${PRICE_FILE}; it has ${knownRegions(prices).join(', ')}. Add the region's figures there to price this spec`,
    );
  }
  return found;
}

/** Hourly price of one instance of `type`: the typical spot price or the on-demand one. */
export function instanceHourPrice(region: string, type: string, spot: boolean, prices: PriceTable = priceTable()): PriceFigure {
  const instances = regionPrices(region, prices).instances;
  const found = Object.hasOwn(instances, type) ? instances[type] : undefined;
  if (!found) {
    throw new PriceError(
      `no price for instance type ${type} in region ${region} in ${PRICE_FILE}; priced there: ${Object.keys(instances).join(', ')}. Add its figures, or list a priced type first in instanceTypes`,
    );
  }
  return spot ? found.spot : found.onDemand;
}
