import { motoFailures } from '../apply/support/apply';

// What a failed apply-tier root shows of moto's own log: the requests moto answered with 5xx
// and the last traceback it printed, not the thousands of requests that went well.

const LOG = [
  '127.0.0.1 - - [07/Dec/2026 22:13:01] "POST / HTTP/1.1" 200 -',
  '127.0.0.1 - - [07/Dec/2026 22:13:02] "POST / HTTP/1.1" 500 -',
  'Traceback (most recent call last):',
  '  File "/usr/lib/python3/dist-packages/moto/autoscaling/models.py", line 1236, in delete_auto_scaling_group',
  "KeyError: 'dev-shared-1'",
  '127.0.0.1 - - [07/Dec/2026 22:13:03] "POST / HTTP/1.1" 200 -',
].join('\n');

describe('motoFailures', () => {
  it('GIVEN a log with a 500 and a traceback THEN both are shown and the 200s are not', () => {
    const shown = motoFailures(LOG);
    expect(shown).toContain('"POST / HTTP/1.1" 500 -');
    expect(shown).toContain("KeyError: 'dev-shared-1'");
    expect(shown).not.toContain('22:13:01');
  });

  it('GIVEN a log of requests that went well THEN it says there was no 5xx and no traceback', () => {
    expect(motoFailures('127.0.0.1 - - [07/Dec/2026 22:13:01] "POST / HTTP/1.1" 200 -\n')).toBe('no requests answered with 5xx\n(no traceback)');
  });
});
