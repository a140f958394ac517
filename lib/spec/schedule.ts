import { z } from 'zod';
import { Remembered } from '../remembered';
import { CRON_FIELDS, fieldValue, firingsInYear, firstFiring, lastFiringBetween, minutesOfHour, newYear, type CronField } from './cron';

/**
 * A NAT instance's on/off schedule: Auto Scaling scheduled actions take a Unix cron expression
 * (five fields, no seconds, no Quartz `?`, `L`, `W` or `#`) and an IANA time zone. Both are
 * checked here, at spec time, so a typo fails before `terraform apply` rather than during it.
 */

export interface NatSchedule {
  /** IANA time zone the cron expressions are read in, e.g. `Asia/Tokyo`. */
  readonly timeZone: string;
  /** When the NAT starts (the ASG's desired capacity goes to 1). */
  readonly on: string;
  /** When the NAT stops (desired capacity 0); private subnets have no IPv4 egress until `on`. */
  readonly off: string;
}

const CRON_HINT = 'use five fields "minute hour day-of-month month day-of-week" such as "0 8 * * 1-5"';

/** The year scheduled hours are counted over: a fixed, non-leap year, so the figure does not drift with the date. */
export const REFERENCE_YEAR = 2027;

/** What is wrong with a cron expression, or undefined when Auto Scaling accepts it. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `"${expression}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; ${CRON_HINT}`;
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = fieldProblem(fields[i], field);
    if (problem) return `"${expression}": ${problem}; ${CRON_HINT}`;
  }
  // Five years from the reference year hold a 29 February and every weekday of every date.
  const first = firstFiring(expression, Date.UTC(REFERENCE_YEAR, 0, 1));
  if (first === undefined || first >= Date.UTC(REFERENCE_YEAR + 5, 0, 1)) return `"${expression}" never fires (no such date); ${CRON_HINT}`;
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const part of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) return `${field.name} "${part}" is not a value, a range, a list or a step (Quartz ?, L, W and # are not Unix cron)`;
    const [, range, step] = match;
    if (step !== undefined && (Number(step) < 1 || Number(step) > field.max)) return `${field.name} step /${step} is outside 1-${field.max}`;
    if (range === '*') continue;
    const ends = range.split('-').map((value) => fieldValue(value, field));
    const bad = ends.find((value) => value === undefined || value < field.min || value > field.max);
    if (ends.includes(undefined) || bad !== undefined) {
      const named = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
      return `${field.name} "${part}" is outside ${field.min}-${field.max}${named}`;
    }
    if (ends.length === 2 && (ends[0] as number) > (ends[1] as number)) return `${field.name} range "${range}" runs backwards`;
  }
  return undefined;
}

/** What is wrong with a time zone name, or undefined for an IANA name such as Asia/Tokyo. */
export function timeZoneProblem(name: string): string | undefined {
  return zoneProblems.get(name, findTimeZoneProblem);
}

/** Answers kept by name: each check builds an Intl.DateTimeFormat, and the cost advisor re-checks its suggestion for every NAT. */
const zoneProblems = new Remembered<string, string | undefined>();

function findTimeZoneProblem(name: string): string | undefined {
  let resolved: string;
  try {
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) throw new RangeError(name);
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return `"${name}" is not an IANA time zone; use a name such as Etc/UTC, Europe/Berlin or Asia/Tokyo`;
  }
  if (resolved.toLowerCase() === name.toLowerCase() && resolved !== name) return `"${name}" is spelled "${resolved}" in the IANA database; use that`;
  return undefined;
}

/**
 * The share of the time the NAT runs: the hours between each `on` and the next `off`, over the
 * reference year in the schedule's time zone (from its midnight of 1 January, with its daylight
 * saving time), divided by the year's hours. The year before sets the state on 1 January.
 */
export function scheduledShare(schedule: NatSchedule): number {
  return kept(shares, schedule, countScheduledShare);
}

/**
 * Answers kept per schedule: the report, the cost advisor's suggestion for every NAT and its
 * re-check and re-costing ask about the same schedules, at milliseconds each.
 */
const shares = new Remembered<string, number>();
const clashes = new Remembered<string, string | undefined>();

function kept<T>(answers: Remembered<string, T>, schedule: NatSchedule, find: (schedule: NatSchedule) => T): T {
  return answers.get(`${schedule.timeZone}\n${schedule.on}\n${schedule.off}`, () => find(schedule));
}

function countScheduledShare(schedule: NatSchedule): number {
  const { timeZone, on, off } = schedule;
  const start = newYear(REFERENCE_YEAR, timeZone);
  const end = newYear(REFERENCE_YEAR + 1, timeZone);
  const from = newYear(REFERENCE_YEAR - 1, timeZone);
  // The year before sets the state on 1 January: whichever of on and off fired last (on, when both at once).
  const lastOn = lastFiringBetween(on, timeZone, from, start);
  const lastOff = lastFiringBetween(off, timeZone, from, start);
  const events = [
    ...firingsInYear(on, timeZone, REFERENCE_YEAR).map((at) => ({ at, on: true })),
    ...firingsInYear(off, timeZone, REFERENCE_YEAR).map((at) => ({ at, on: false })),
  ].sort((a, b) => a.at - b.at || Number(a.on) - Number(b.on));
  let running = lastOn !== undefined && (lastOff === undefined || lastOn >= lastOff);
  let since = start;
  let onMs = 0;
  for (const event of events) {
    if (running) onMs += event.at - since;
    running = event.on;
    since = event.at;
  }
  if (running) onMs += end - since;
  return onMs / (end - start);
}

const cronExpression = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value) ?? (minutesOfHour(value) > 1 ? `"${value}" fires more often than hourly; start and stop the NAT at most once an hour` : undefined);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
});

export const ScheduleSchema = z
  .strictObject({
    timeZone: z
      .string()
      .superRefine((value, ctx) => {
        const problem = timeZoneProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
      })
      .describe('IANA time zone the cron expressions are read in, e.g. Asia/Tokyo'),
    on: cronExpression.describe('Unix cron (minute hour day-of-month month day-of-week) when the NAT starts, e.g. "0 8 * * 1-5"'),
    off: cronExpression.describe('Unix cron when the NAT stops, e.g. "0 20 * * 1-5"; while off, the private subnets it serves have no IPv4 egress'),
  })
  .superRefine((schedule, ctx) => {
    if (schedule.on.trim().split(/\s+/).join(' ') === schedule.off.trim().split(/\s+/).join(' ')) {
      ctx.addIssue({ code: 'custom', path: ['off'], message: `is the same as on ("${schedule.on}"); give the time the NAT stops`, input: schedule.off });
      return;
    }
    // The object's check runs even when a field failed its own: only compare what parsed.
    const fieldsValid = [schedule.on, schedule.off].every((e) => !cronProblem(e) && minutesOfHour(e) <= 1) && !timeZoneProblem(schedule.timeZone);
    const clash = fieldsValid ? kept(clashes, schedule, firstClash) : undefined;
    if (clash) {
      const message = `fires at the same minute as on (first ${clash} ${schedule.timeZone}), when Auto Scaling may run either; give on and off times that never coincide`;
      ctx.addIssue({ code: 'custom', path: ['off'], message, input: schedule.off });
    }
  });

/** The first minute of the reference year both expressions fire in, as local `YYYY-MM-DD HH:MM`. */
function firstClash(schedule: NatSchedule): string | undefined {
  const on = new Set(firingsInYear(schedule.on, schedule.timeZone, REFERENCE_YEAR));
  const both = firingsInYear(schedule.off, schedule.timeZone, REFERENCE_YEAR).find((at) => on.has(at));
  if (!both) return undefined;
  return new Intl.DateTimeFormat('sv-SE', { timeZone: schedule.timeZone, dateStyle: 'short', timeStyle: 'short' }).format(both);
}

/** Schedules that are valid but do nothing. */
export function scheduleWarnings(natInstances: readonly { readonly enabled: boolean; readonly schedule?: NatSchedule }[]): { path: (string | number)[]; message: string; level: 'warning' }[] {
  return natInstances.flatMap((nat, i) =>
    nat.schedule && !nat.enabled
      ? [{ path: ['natInstances', i, 'schedule'], message: 'has no effect while enabled is false: the NAT stays off; set enabled: true to run it on the schedule', level: 'warning' as const }]
      : [],
  );
}
