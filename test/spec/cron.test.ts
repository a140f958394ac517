import { firingsInYear, firstFiring, lastFiringBetween, minutesOfHour, newYear } from '../../lib/spec/cron';

const iso = (instants: readonly number[]) => instants.map((t) => new Date(t).toISOString());
const utc = (text: string) => Date.parse(text);
const inRange = (instants: readonly number[], from: string, to: string) => instants.filter((t) => t >= utc(from) && t < utc(to));

describe('cron firings as Auto Scaling reads them (Vixie cron)', () => {
  it('GIVEN weekdays at 08:00 in Tokyo WHEN the firings of 2027 are listed THEN there is one a weekday, 261, each at 23:00 UTC the day before', () => {
    const runs = firingsInYear('0 8 * * 1-5', 'Asia/Tokyo', 2027);
    expect(runs).toHaveLength(261);
    expect(iso(runs.slice(0, 2))).toEqual(['2026-12-31T23:00:00.000Z', '2027-01-03T23:00:00.000Z']);
  });

  it('GIVEN both day fields restricted WHEN listed THEN a day matches either (the 13th or a Friday)', () => {
    const days = inRange(firingsInYear('0 0 13 * 5', 'Etc/UTC', 2027), '2027-08-01T00:00:00Z', '2027-09-01T00:00:00Z');
    expect(iso(days).map((t) => t.slice(0, 10))).toEqual(['2027-08-06', '2027-08-13', '2027-08-20', '2027-08-27']);
  });

  it('GIVEN a step over a star in the day of month WHEN listed THEN both day fields must match: Mondays on odd dates', () => {
    const days = inRange(firingsInYear('0 0 */2 * 1', 'Etc/UTC', 2027), '2027-03-01T00:00:00Z', '2027-04-01T00:00:00Z');
    expect(iso(days).map((t) => t.slice(0, 10))).toEqual(['2027-03-01', '2027-03-15', '2027-03-29']);
  });

  it('GIVEN a start and a step WHEN listed THEN it steps from the start to the end of the field', () => {
    const runs = inRange(firingsInYear('5/20 3 * * *', 'Etc/UTC', 2027), '2027-01-01T00:00:00Z', '2027-01-02T00:00:00Z');
    expect(iso(runs)).toEqual(['2027-01-01T03:05:00.000Z', '2027-01-01T03:25:00.000Z', '2027-01-01T03:45:00.000Z']);
  });

  it('GIVEN day of week 7 WHEN listed THEN it is Sunday', () => {
    const days = inRange(firingsInYear('0 8 * * 7', 'Etc/UTC', 2027), '2027-08-01T00:00:00Z', '2027-08-15T00:00:00Z');
    expect(iso(days)).toEqual(['2027-08-01T08:00:00.000Z', '2027-08-08T08:00:00.000Z']);
  });

  it('GIVEN a local time skipped by the spring change WHEN listed THEN it fires at the change', () => {
    // New York, 14 March 2027: 02:00 EST becomes 03:00 EDT; 02:30 does not exist that day.
    expect(iso(firingsInYear('30 2 14 3 *', 'America/New_York', 2027))).toEqual(['2027-03-14T07:00:00.000Z']); // 03:00 EDT
  });

  it('GIVEN a local time repeated by the autumn change WHEN listed THEN it fires once, at its first occurrence', () => {
    // New York, 7 November 2027: 01:30 happens in EDT and again in EST.
    expect(iso(firingsInYear('30 1 7 11 *', 'America/New_York', 2027))).toEqual(['2027-11-07T05:30:00.000Z']); // 01:30 EDT
  });

  it('GIVEN a date that exists only in leap years WHEN the first firing is looked for THEN it is in the leap year, and a date that never exists has none', () => {
    expect(new Date(firstFiring('0 0 29 2 *', utc('2027-01-01T00:00:00Z')) ?? 0).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(firstFiring('0 0 30 2 *', utc('2027-01-01T00:00:00Z'))).toBeUndefined();
  });

  it("GIVEN a zone WHEN its new year is asked THEN it is the zone's local midnight of 1 January", () => {
    expect(new Date(newYear(2027, 'Asia/Tokyo')).toISOString()).toBe('2026-12-31T15:00:00.000Z');
    expect(new Date(newYear(2027, 'America/New_York')).toISOString()).toBe('2027-01-01T05:00:00.000Z');
  });

  it('GIVEN an interval WHEN the last firing in it is asked THEN it is the last one before its end, and none when it lies before its start', () => {
    const from = utc('2026-12-01T00:00:00Z');
    const to = utc('2027-01-01T00:00:00Z');
    expect(new Date(lastFiringBetween('0 20 * * 1-5', 'Etc/UTC', from, to) ?? 0).toISOString()).toBe('2026-12-31T20:00:00.000Z');
    expect(lastFiringBetween('0 0 29 2 *', 'Etc/UTC', from, to)).toBeUndefined();
  });

  it.each([
    ['0 8 * * *', 1],
    ['0,30 8 * * 1-5', 2],
    ['*/5 * * * *', 12],
    ['10-12 * * * *', 3],
  ])('GIVEN "%s" WHEN its minutes of the hour are counted THEN there are %d', (expression, minutes) => {
    expect(minutesOfHour(expression)).toBe(minutes);
  });
});
