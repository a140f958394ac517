/**
 * When a five-field Unix cron expression fires, as instants, for expressions that
 * `cronProblem` (schedule.ts) accepted, answered by `croner`. What the spec's checks and the
 * cost report ask (a year's firings of an expression in a zone, a zone's new year, the minutes
 * of the hour) is kept per question, so each costs once per process however often the cost
 * advisor re-checks and re-costs the spec.
 *
 * Semantics are Vixie cron's, which Auto Scaling's recurrence follows: `a/s` steps from `a`
 * to the field's end, day-of-week 7 is Sunday, and when both day fields are restricted (do
 * not start with `*`) a day matches either, otherwise both must match. Local times are
 * croner's: a time skipped by a daylight-saving change fires at the change, a repeated time
 * fires once, at its first occurrence.
 */

import { Cron, CronPattern } from 'croner';
import { Remembered } from '../remembered';

/** One of the five fields: its name in messages, its range and the names it accepts. */
export interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

/** minute, hour, day of month, month, day of week: the five fields in order. */
export const CRON_FIELDS: readonly [CronField, CronField, CronField, CronField, CronField] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** A field's value written as a number or a name (`MON`, `jan`); undefined when it is neither. */
export function fieldValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index < 0 ? undefined : index + field.min;
}

/** The expression as croner reads it, in `timeZone` (UTC when not given). */
function cronOf(expression: string, timeZone?: string): Cron {
  const [, , dayOfMonth, , dayOfWeek] = expression.trim().split(/\s+/);
  return new Cron(expression, {
    paused: true,
    mode: '5-part',
    timezone: timeZone ?? 'Etc/UTC',
    // Vixie cron: `5/15` steps from 5; a day field starting with `*` leaves the other to decide.
    sloppyRanges: true,
    domAndDow: dayOfMonth.startsWith('*') || dayOfWeek.startsWith('*'),
  });
}

const minuteCounts = new Remembered<string, number>();

/** Minutes of the hour an expression fires at; more than one means it fires more often than hourly. */
export function minutesOfHour(expression: string): number {
  return minuteCounts.get(expression, () => new CronPattern(expression, undefined, { mode: '5-part', sloppyRanges: true }).minute.filter(Boolean).length);
}

const firstRuns = new Remembered<string, number | undefined>();

/** The first instant at or after `from` the expression fires at (read in UTC), or undefined when it never does. */
export function firstFiring(expression: string, from: number): number | undefined {
  return firstRuns.get(`${expression}\n${from}`, () => cronOf(expression).nextRun(new Date(from - 1))?.getTime());
}

const newYears = new Remembered<string, number>();

/** Midnight of 1 January of `year` in `timeZone`, as epoch milliseconds. */
export function newYear(year: number, timeZone: string): number {
  return newYears.get(`${timeZone}\n${year}`, () => {
    const next = cronOf('0 0 1 1 *', timeZone).nextRun(new Date(Date.UTC(year - 1, 11, 30)));
    if (!next) throw new Error(`no new year ${year} in ${timeZone}`);
    return next.getTime();
  });
}

const years = new Remembered<string, readonly number[]>(1_000);

/** Instants the expression fires at in `year` of `timeZone` (from its midnight of 1 January to the next), in order. */
export function firingsInYear(expression: string, timeZone: string, year: number): readonly number[] {
  return years.get(`${timeZone}\n${year}\n${expression}`, () => {
    const to = newYear(year + 1, timeZone);
    const cron = cronOf(expression, timeZone);
    const found: number[] = [];
    // A valid expression fires at most hourly: 8,784 runs in a leap year; the bound only guards the loop.
    for (let next = cron.nextRun(new Date(newYear(year, timeZone) - 1)); next && next.getTime() < to && found.length <= 366 * 24; next = cron.nextRun(next)) {
      found.push(next.getTime());
    }
    return found;
  });
}

const lastRuns = new Remembered<string, number | undefined>();

/** The last instant before `to` and not before `from` the expression fires at in `timeZone`, or undefined. */
export function lastFiringBetween(expression: string, timeZone: string, from: number, to: number): number | undefined {
  return lastRuns.get(`${timeZone}\n${from}\n${to}\n${expression}`, () => {
    const [last] = cronOf(expression, timeZone).previousRuns(1, new Date(to));
    return last && last.getTime() >= from && last.getTime() < to ? last.getTime() : undefined;
  });
}
