/**
 * When a five-field Unix cron expression fires, as instants, for expressions that
 * `cronProblem` (schedule.ts) accepted. The cost report counts a schedule's hours over two
 * years on every synth: walking local calendar days and converting only the matching
 * wall-clock times is some fifty times cheaper than asking a cron library for each next
 * run, which made up a quarter of the example's synth.
 *
 * Semantics are Vixie cron's, which Auto Scaling's recurrence follows: `a/s` steps from `a`
 * to the field's end, day-of-week 7 is Sunday, and when both day fields are restricted (do
 * not start with `*`) a day matches either. Local times are read like JavaScript's
 * `Temporal` "compatible" disambiguation: a time skipped by a daylight-saving change fires
 * as many minutes after the change as it lay inside the gap, a repeated time fires once, at
 * its first occurrence.
 */

import { Remembered } from '../remembered';

const DAY_MS = 24 * 3600 * 1000;

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

/** An accepted expression, field by field. */
export interface CronTimes {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 (Sunday) to 6. */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Both day fields restricted: a day matches either (Vixie cron), not both. */
  readonly eitherDay: boolean;
}

function values(text: string, field: CronField): number[] {
  const found = new Set<number>();
  for (const part of text.split(',')) {
    const [range, step] = part.split('/');
    const [first, last] = range === '*' ? [field.min, field.max] : range.split('-').map((v) => fieldValue(v, field) as number);
    const end = last ?? (step === undefined ? first : field.max);
    for (let v = first; v <= end; v += Number(step ?? 1)) found.add(v);
  }
  return [...found].sort((a, b) => a - b);
}

/** The expression's fields; only for expressions `cronProblem` accepts. */
export function cronTimes(expression: string): CronTimes {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = expression.trim().split(/\s+/);
  const [minuteField, hourField, dayOfMonthField, monthField, dayOfWeekField] = CRON_FIELDS;
  return {
    minutes: values(minute, minuteField),
    hours: values(hour, hourField),
    daysOfMonth: new Set(values(dayOfMonth, dayOfMonthField)),
    months: new Set(values(month, monthField)),
    daysOfWeek: new Set(values(dayOfWeek, dayOfWeekField).map((d) => d % 7)),
    eitherDay: !dayOfMonth.startsWith('*') && !dayOfWeek.startsWith('*'),
  };
}

/** Whether the expression fires on a calendar day, given as midnight UTC of that date. */
function firesOn(times: CronTimes, day: number): boolean {
  const date = new Date(day);
  if (!times.months.has(date.getUTCMonth() + 1)) return false;
  const byMonth = times.daysOfMonth.has(date.getUTCDate());
  const byWeek = times.daysOfWeek.has(date.getUTCDay());
  return times.eitherDay ? byMonth || byWeek : byMonth && byWeek;
}

/** The first calendar day from `from` (a UTC date) within `days` days the expression fires on, as midnight UTC, or undefined. */
export function firstDay(times: CronTimes, from: number, days: number): number | undefined {
  for (let i = 0, day = from; i < days; i++, day += DAY_MS) if (firesOn(times, day)) return day;
  return undefined;
}

/** Offsets of a time zone from UTC, in milliseconds, by instant; `ZoneClock.of` keeps one per zone. */
export class ZoneClock {
  private static readonly clocks = new Remembered<string, ZoneClock>(1_000);

  /** The zone's clock, with the offsets earlier callers already looked up. */
  static of(timeZone: string): ZoneClock {
    return ZoneClock.clocks.get(timeZone, (zone) => new ZoneClock(zone));
  }

  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  }

  /** Local wall-clock time minus UTC at `instant`. */
  offsetAt(instant: number): number {
    let offset = this.offsets.get(instant);
    if (offset === undefined) {
      const part: Record<string, number> = {};
      for (const { type, value } of this.format.formatToParts(instant)) part[type] = Number(value);
      offset = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second) - Math.floor(instant / 1000) * 1000;
      this.offsets.set(instant, offset);
    }
    return offset;
  }

  /** The instant a local wall-clock time (given as if it were UTC) happens, "compatible" disambiguation. */
  instantOf(wall: number): number {
    // Offsets at whole UTC days repeat from one call to the next; the same offset a day
    // either side means no change in between (zones change at most twice a year).
    const day = Math.floor(wall / DAY_MS) * DAY_MS;
    const steady = this.offsetAt(day - DAY_MS);
    if (steady === this.offsetAt(day + 2 * DAY_MS)) return wall - steady;
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    const matches = [before, after].map((offset) => wall - offset).filter((instant) => this.offsetAt(instant) === wall - instant);
    return matches.length > 0 ? Math.min(...matches) : wall - before;
  }
}

/** Instants in [from, to) the expression fires at, in order, read in `clock`'s time zone. */
export function firings(times: CronTimes, clock: ZoneClock, from: number, to: number): number[] {
  const found: number[] = [];
  // Local dates can lie a day either side of the UTC ones.
  const first = Math.floor(from / DAY_MS) * DAY_MS - DAY_MS;
  for (let day = first; day <= to + DAY_MS; day += DAY_MS) {
    if (!firesOn(times, day)) continue;
    for (const hour of times.hours) {
      for (const minute of times.minutes) {
        const at = clock.instantOf(day + (hour * 60 + minute) * 60_000);
        if (at >= from && at < to) found.push(at);
      }
    }
  }
  // Two times inside one daylight-saving gap can land on the same instant.
  return [...new Set(found)].sort((a, b) => a - b);
}
