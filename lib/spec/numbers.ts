import { z } from 'zod';
import { quote } from './message';

/**
 * Number fields of the spec. Each says its whole rule in one line, whichever part of it a value
 * breaks (not a number, a fraction, 1e21, a string "80"): "must be a whole number from 1 to 65535,
 * not 80.5". The messages replace zod's, so a bad number gets one line, never two.
 */

const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 20, useGrouping: false });

function given(input: unknown): string {
  if (typeof input === 'number') return Number.isFinite(input) && Math.abs(input) < 1e15 ? plain.format(input) : String(input);
  if (typeof input === 'string') return `string ${quote(input)}`;
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  return typeof input === 'object' ? 'a mapping' : `${typeof input} ${String(input)}`;
}

const rule = (text: string) => (issue: { input?: unknown }) => (issue.input === undefined ? undefined : `must be ${text}, not ${given(issue.input)}`);

/** An integer from `min` to `max`, for counts, ports, sizes and seconds AWS takes as integers. */
export function wholeNumber(min: number, max: number) {
  const error = rule(`a whole number from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** The most egress a cost estimate accepts for one VPC or as the default: 10 PB a month. */
export const MAX_TRAFFIC_GB = 10_000_000;

/** Egress in GB per month for the cost report: fractions allowed, 0 to MAX_TRAFFIC_GB. */
export function trafficGb() {
  const error = rule(`a number of GB from 0 to ${MAX_TRAFFIC_GB}`);
  return z.number({ error }).min(0, { error }).max(MAX_TRAFFIC_GB, { error });
}
