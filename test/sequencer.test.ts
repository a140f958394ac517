// The order jest starts test files in (test/sequencer.js): by tier, the larger file first,
// a file that failed last run ahead of all; never by what ran on the machine before.
const TierSequencer = require('./sequencer') as new (options: unknown) => {
  sort(tests: FakeTest[]): FakeTest[];
  _cache: Map<unknown, Record<string, [number, number]>>;
};

interface FakeTest {
  path: string;
  context: { config: { displayName?: { name: string }; cache: boolean }; hasteFS: { getSize(path: string): number | null } };
}

const SIZES: Record<string, number> = {};

function context(tier: string | undefined): FakeTest['context'] {
  return { config: { displayName: tier === undefined ? undefined : { name: tier }, cache: false }, hasteFS: { getSize: (path) => SIZES[path] ?? null } };
}

function file(tier: string | undefined, path: string, size: number, ctx = context(tier)): FakeTest {
  SIZES[path] = size;
  return { path, context: ctx };
}

describe('the test sequencer', () => {
  it('GIVEN files of every tier WHEN sorted THEN the apply tier starts first, then instance, dataplane, consumer, terraform and unit, each larger file first', () => {
    const tests = [
      file('unit', '/r/test/nat/big.test.ts', 15_000),
      file('terraform', '/r/test/terraform/examples.test.ts', 13_000),
      file('apply', '/r/test/apply/terraform-roots.test.ts', 5_000),
      file('dataplane', '/r/test/dataplane/watchdog.test.ts', 17_000),
      file('apply', '/r/test/apply/spec-stacks.test.ts', 6_000),
      file('consumer', '/r/test/consumer/consumer.test.ts', 7_000),
      file('instance', '/r/test/instance/nat-boot.test.ts', 6_500),
      file('unit', '/r/test/nat/small.test.ts', 1_000),
      file(undefined, '/r/test/other.test.ts', 99_000),
    ];
    const order = new TierSequencer({}).sort(tests).map((t) => t.path.replace('/r/test/', ''));
    expect(order).toEqual([
      'apply/spec-stacks.test.ts',
      'apply/terraform-roots.test.ts',
      'instance/nat-boot.test.ts',
      'dataplane/watchdog.test.ts',
      'consumer/consumer.test.ts',
      'terraform/examples.test.ts',
      'nat/big.test.ts',
      'nat/small.test.ts',
      'other.test.ts',
    ]);
  });

  it('GIVEN a unit file that failed last run WHEN sorted THEN it starts ahead of the apply tier', () => {
    const unit = context('unit');
    const tests = [file('apply', '/r/test/apply/a.test.ts', 5_000), file('unit', '/r/test/nat/failed.test.ts', 100, unit), file('unit', '/r/test/nat/passed.test.ts', 200, unit)];
    const sequencer = new TierSequencer({});
    // What jest's own sequencer keeps per context: [0 = failed | 1 = passed, duration in ms].
    sequencer._cache.set(unit, { '/r/test/nat/failed.test.ts': [0, 10], '/r/test/nat/passed.test.ts': [1, 99_999] });
    expect(sequencer.sort(tests).map((t) => t.path)).toEqual(['/r/test/nat/failed.test.ts', '/r/test/apply/a.test.ts', '/r/test/nat/passed.test.ts']);
  });

  it('GIVEN equal tier and size WHEN sorted THEN the order is by path, the same every run', () => {
    const tests = [file('unit', '/r/test/b.test.ts', 10), file('unit', '/r/test/a.test.ts', 10)];
    expect(new TierSequencer({}).sort(tests).map((t) => t.path)).toEqual(['/r/test/a.test.ts', '/r/test/b.test.ts']);
  });
});
