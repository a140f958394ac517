// The order jest starts test files in, the same on every machine: a file that failed last run
// first (as jest's own sequencer does), then by tier, the larger file first within a tier.
//
// Jest's default orders by the durations it cached on the last run and, with no cache (a clean
// machine, as CI is), by file size alone, so the apply tier's small files would start late and
// the run end waiting on one of them. The apply tier's files are long and CPU-bound (three
// roots at a time, each a string of Terraform commands); the instance and data-plane tiers
// mostly wait (container boots, watchdog timers, lab links). So each apply file starts ahead of
// one waiting tier and runs beside it, one apply file at a time, and the short CPU-bound
// files of the other tiers fill the end.
const Sequencer = require('@jest/test-sequencer').default;

/** Tiers (jest projects, by displayName) in the order their files start; the apply tier's files are spread ahead of WAITING. */
const TIERS = ['apply', 'instance', 'dataplane', 'consumer', 'terraform', 'unit'];
/** The tiers whose files mostly wait: each gets one apply file to run beside. */
const WAITING = ['instance', 'dataplane'];

const tierOf = (test) => test.context.config.displayName?.name ?? test.context.config.displayName;

class TierSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = TIERS.indexOf(tierOf(test));
      return i === -1 ? TIERS.length : i;
    };
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    const sorted = [...tests].sort((a, b) => rank(a) - rank(b) || size(b) - size(a) || a.path.localeCompare(b.path));
    const apply = sorted.filter((t) => tierOf(t) === 'apply');
    const order = [];
    for (const test of sorted.filter((t) => tierOf(t) !== 'apply')) {
      // The first file of a waiting tier: an apply file goes ahead of it.
      if (WAITING.includes(tierOf(test)) && !order.some((t) => tierOf(t) === tierOf(test)) && apply.length > 0) order.push(apply.shift());
      order.push(test);
    }
    // Apply files left over (more than the waiting tiers) go first; a file that failed last run, ahead of all.
    return [...apply, ...order].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)));
  }
}

module.exports = TierSequencer;
