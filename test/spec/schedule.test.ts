import { cronProblem, scheduledShare, ScheduleSchema, timeZoneProblem } from '../../lib/spec/schedule';

describe('cron expressions of a NAT schedule (Auto Scaling recurrence: Unix cron, five fields)', () => {
  it.each(['0 8 * * 1-5', '30 7 * * MON-FRI', '0 20 * * 1-5', '0 0 1 1,6,12 *', '*/30 9-17 * * *', '0 8 * * 0,7', '15 6 1-15 JAN-MAR sun'])(
    'GIVEN "%s" WHEN checked THEN it is accepted',
    (expression) => {
      expect(cronProblem(expression)).toBeUndefined();
    },
  );

  it.each([
    ['0 8 * *', /has 4 fields/],
    ['0 8 ? * MON-FRI *', /has 6 fields/],
    ['0 25 * * *', /hour "25" is outside 0-23/],
    ['60 8 * * *', /minute "60" is outside 0-59/],
    ['0 8 * * 1-8', /day of week "1-8" is outside 0-7 or SUN-SAT/],
    ['0 8 0 * *', /day of month "0" is outside 1-31/],
    ['0 8 * 13 *', /month "13" is outside 1-12 or JAN-DEC/],
    ['0 8 L * *', /day of month "L" is outside/],
    ['0 8 * * 5#2', /"5#2" is not a value, a range, a list or a step/],
    ['0 8 * * 5-1', /range "5-1" runs backwards/],
    ['0 8/0 * * *', /step \/0 is outside/],
    ['0 0 30 2 *', /never fires/],
  ])('GIVEN "%s" WHEN checked THEN the problem names the field and the fix', (expression, problem) => {
    const message = cronProblem(expression);
    expect(message).toMatch(problem);
    expect(message).toMatch(/use five fields "minute hour day-of-month month day-of-week" such as "0 8 \* \* 1-5"/);
    expect(message).not.toMatch(/\n/);
  });
});

describe('time zones of a NAT schedule', () => {
  it.each(['Asia/Tokyo', 'Etc/UTC', 'America/New_York', 'Europe/Berlin', 'America/Argentina/Buenos_Aires'])('GIVEN %s WHEN checked THEN it is accepted', (zone) => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });

  it.each([
    ['Mars/Olympus_Mons', /"Mars\/Olympus_Mons" is not an IANA time zone/],
    ['+09:00', /is not an IANA time zone/],
    ['JST-9', /is not an IANA time zone/],
    ['', /is not an IANA time zone/],
    ['asia/tokyo', /"asia\/tokyo" is spelled "Asia\/Tokyo"/],
  ])('GIVEN "%s" WHEN checked THEN it is refused with the fix', (zone, problem) => {
    expect(timeZoneProblem(zone)).toMatch(problem);
  });
});

describe('scheduled share of the month', () => {
  it('GIVEN weekdays 08:00 to 20:00 WHEN counted THEN the NAT runs 60 of 168 hours a week', () => {
    // 2027 has 261 weekdays of 12 hours.
    const share = scheduledShare({ timeZone: 'Asia/Tokyo', on: '0 8 * * 1-5', off: '0 20 * * 1-5' });
    expect(share).toBeCloseTo((261 * 12) / (365 * 24), 6);
  });

  it('GIVEN a time zone with daylight saving time WHEN counted THEN the hours are wall-clock hours (the same 12 a weekday)', () => {
    const share = scheduledShare({ timeZone: 'Europe/Berlin', on: '0 8 * * 1-5', off: '0 20 * * 1-5' });
    expect(share).toBeCloseTo((261 * 12) / (365 * 24), 6);
  });

  it('GIVEN an overnight window (on 22:00, off 06:00 every day) WHEN counted THEN it spans midnight: 8 hours a day', () => {
    expect(scheduledShare({ timeZone: 'Etc/UTC', on: '0 22 * * *', off: '0 6 * * *' })).toBeCloseTo(8 / 24, 6);
  });

  it('GIVEN off on Friday evening and on on Monday morning WHEN counted THEN only the weekend is off', () => {
    const share = scheduledShare({ timeZone: 'Etc/UTC', on: '0 7 * * 1', off: '0 19 * * 5' });
    // Off from Friday 19:00 to Monday 07:00: 60 of 168 hours.
    expect(share).toBeCloseTo(1 - 60 / 168, 2);
  });

  it.each([
    ['*/5 * * * *', false],
    ['0,30 8 * * 1-5', false],
    ['0-1 8 * * *', false],
    ['0 * * * *', true],
    ['0 8-18/2 * * 1-5', true],
  ])('GIVEN "%s" as on WHEN the schedule is parsed THEN it is accepted only if it fires at most hourly (%s)', (on, accepted) => {
    const parsed = ScheduleSchema.safeParse({ timeZone: 'Etc/UTC', on, off: '30 20 * * *' });
    expect(parsed.success).toBe(accepted);
    if (!parsed.success) expect(parsed.error.issues[0].message).toBe(`"${on}" fires more often than hourly; start and stop the NAT at most once an hour`);
  });
});

describe('on and off of one schedule', () => {
  it('GIVEN off and on firing in the same minute on weekdays WHEN parsed THEN off is refused with the first clash in local time', () => {
    const parsed = ScheduleSchema.safeParse({ timeZone: 'Asia/Tokyo', on: '0 8 * * *', off: '0 8 * * 1-5' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['off'], message: 'fires at the same minute as on (first 2027-01-01 08:00 Asia/Tokyo), when Auto Scaling may run either; give on and off times that never coincide' }),
    ]);
  });

  it('GIVEN on and off that never coincide WHEN parsed THEN the schedule is accepted', () => {
    expect(ScheduleSchema.safeParse({ timeZone: 'Asia/Tokyo', on: '0 8 * * 1-5', off: '0 20 * * *' }).success).toBe(true);
  });
});
