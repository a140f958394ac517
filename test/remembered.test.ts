import { Remembered } from '../lib/remembered';

describe('Remembered: answers kept by key', () => {
  it('GIVEN a key asked twice WHEN answered THEN it is computed once, undefined answers included', () => {
    const kept = new Remembered<string, string | undefined>();
    const compute = jest.fn((key: string) => (key === 'none' ? undefined : key.toUpperCase()));
    expect([kept.get('a', compute), kept.get('a', compute), kept.get('none', compute), kept.get('none', compute)]).toEqual(['A', 'A', undefined, undefined]);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('GIVEN a computation that throws WHEN asked again THEN it is tried again, nothing was kept', () => {
    const kept = new Remembered<string, number>();
    let calls = 0;
    const failing = () => {
      calls += 1;
      throw new Error('bad');
    };
    expect(() => kept.get('x', failing)).toThrow('bad');
    expect(() => kept.get('x', failing)).toThrow('bad');
    expect(calls).toBe(2);
  });

  it('GIVEN more keys than its bound WHEN asked THEN it starts over rather than growing', () => {
    const kept = new Remembered<number, number>(2);
    const compute = jest.fn((n: number) => n * 2);
    [1, 2, 3, 1].forEach((n) => kept.get(n, compute));
    // 3 cleared the cache holding 1 and 2, so 1 is computed again.
    expect(compute.mock.calls.map(([n]) => n)).toEqual([1, 2, 3, 1]);
  });
});
