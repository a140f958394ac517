/**
 * Answers kept by key for pure computations that the checks, the subnet layout and the cost
 * advisor (which re-checks the whole spec for every change it prices) ask for many times.
 * Each cache is bounded: past `max` keys it starts over, so a long-lived process that
 * synthesizes many specs does not grow without end.
 */
export class Remembered<K, V> {
  private readonly answers = new Map<K, V>();

  constructor(private readonly max = 100_000) {}

  /** The answer for `key`, computed once. An answer that throws is not kept. */
  get(key: K, compute: (key: K) => V): V {
    if (this.answers.has(key)) return this.answers.get(key) as V;
    const answer = compute(key);
    if (this.answers.size >= this.max) this.answers.clear();
    this.answers.set(key, answer);
    return answer;
  }
}
