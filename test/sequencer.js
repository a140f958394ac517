// The order jest starts test files in, the same on every machine: a file that failed last run
// first (as jest's own sequencer does), then by tier, then the larger file first.
//
// Jest's default orders by the durations it cached on the last run and, with no cache (a clean
// machine, as CI is), by file size alone: the apply tier's files are small and would start late,
// and one of them runs for minutes with three roots at a time, so the run would end waiting on
// it. Here the long, CPU-bound apply roots start at once, and the tiers whose files mostly wait
// (instance boots, watchdog timers, npm installs) run beside them and after them; the many short
// unit files fill the end. The order no longer depends on what ran on this machine before.
const Sequencer = require('@jest/test-sequencer').default;

/** Tiers (jest projects, by displayName) in the order their files start. */
const TIERS = ['apply', 'instance', 'dataplane', 'consumer', 'terraform', 'unit'];

class TierSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const name = test.context.config.displayName?.name ?? test.context.config.displayName;
      const i = TIERS.indexOf(name);
      return i === -1 ? TIERS.length : i;
    };
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    return [...tests].sort((a, b) =>
      Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || rank(a) - rank(b) || size(b) - size(a) || a.path.localeCompare(b.path));
  }
}

module.exports = TierSequencer;
