import { Cron } from 'croner';
import { cronTimes, firings, firstDay, ZoneClock } from '../../lib/spec/cron';

const iso = (instants: readonly number[]) => instants.map((t) => new Date(t).toISOString());
const utc = (text: string) => Date.parse(text);

/** Firings by croner, a cron library asked for one next run at a time (the oracle). */
function byLibrary(expression: string, timeZone: string, from: number, to: number): number[] {
  const cron = new Cron(expression, { timezone: timeZone, paused: true });
  const found: number[] = [];
  for (let next = cron.nextRun(new Date(from - 1)); next && next.getTime() < to && found.length < 20_000; next = cron.nextRun(next)) found.push(next.getTime());
  return found;
}

describe('cron firings counted by calendar day', () => {
  it.each([
    ['0 8 * * 1-5', 'Asia/Tokyo'],
    ['30 20 * * MON-FRI', 'Europe/Berlin'],
    ['0 22 * * *', 'Etc/UTC'],
    ['15 6 1-15 JAN-MAR sun', 'America/New_York'],
    ['0 9-17/4 * * *', 'Australia/Sydney'],
    ['0 0 1 1,6,12 *', 'Asia/Kolkata'],
    ['45 23 */2 * *', 'America/Sao_Paulo'],
    ['0 12 29 2 *', 'Etc/UTC'],
  ])('GIVEN "%s" in %s WHEN its firings over 2026 to 2028 are listed THEN they are the cron library\'s, one by one', (expression, zone) => {
    const from = utc('2026-01-01T00:00:00Z');
    const to = utc('2029-01-01T00:00:00Z');
    expect(iso(firings(cronTimes(expression), new ZoneClock(zone), from, to))).toEqual(iso(byLibrary(expression, zone, from, to)));
  });

  it('GIVEN both day fields restricted WHEN listed THEN a day matches either (the 13th or a Friday), as Vixie cron reads it', () => {
    const days = firings(cronTimes('0 0 13 * 5'), new ZoneClock('Etc/UTC'), utc('2027-08-01T00:00:00Z'), utc('2027-09-01T00:00:00Z'));
    expect(iso(days).map((t) => t.slice(0, 10))).toEqual(['2027-08-06', '2027-08-13', '2027-08-20', '2027-08-27']);
  });

  it('GIVEN a step over a star in the day of month WHEN listed THEN the field counts as unrestricted and the weekday decides alone', () => {
    const days = firings(cronTimes('0 0 */2 * 1'), new ZoneClock('Etc/UTC'), utc('2027-03-01T00:00:00Z'), utc('2027-03-15T00:00:00Z'));
    // Mondays on odd dates only: 1 March 2027 is a Monday, 8 March is even, so it is left out.
    expect(iso(days).map((t) => t.slice(0, 10))).toEqual(['2027-03-01']);
  });

  it('GIVEN day of week 7 WHEN listed THEN it is Sunday', () => {
    expect(cronTimes('0 8 * * 7').daysOfWeek).toEqual(new Set([0]));
  });

  it('GIVEN a local time skipped by the spring change WHEN listed THEN it fires as far after the change as it lay in the gap', () => {
    // New York, 14 March 2027: 02:00 EST becomes 03:00 EDT; 02:30 does not exist that day.
    const [skipped] = firings(cronTimes('30 2 14 3 *'), new ZoneClock('America/New_York'), utc('2027-03-14T00:00:00Z'), utc('2027-03-15T00:00:00Z'));
    expect(new Date(skipped).toISOString()).toBe('2027-03-14T07:30:00.000Z'); // 03:30 EDT
  });

  it('GIVEN a local time repeated by the autumn change WHEN listed THEN it fires once, at its first occurrence', () => {
    // New York, 7 November 2027: 01:30 happens in EDT and again in EST.
    const repeated = firings(cronTimes('30 1 7 11 *'), new ZoneClock('America/New_York'), utc('2027-11-07T00:00:00Z'), utc('2027-11-08T00:00:00Z'));
    expect(iso(repeated)).toEqual(['2027-11-07T05:30:00.000Z']); // 01:30 EDT
  });

  it('GIVEN a date that exists only in leap years WHEN the first day is looked for THEN it is found in the leap year, and a date that never exists is not', () => {
    expect(new Date(firstDay(cronTimes('0 0 29 2 *'), utc('2027-01-01T00:00:00Z'), 5 * 366) ?? 0).toISOString().slice(0, 10)).toBe('2028-02-29');
    expect(firstDay(cronTimes('0 0 30 2 *'), utc('2027-01-01T00:00:00Z'), 5 * 366)).toBeUndefined();
  });
});
