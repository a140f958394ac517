// The order jest starts test files in (test/sequencer.js): by tier, the larger file first, each
// apply file ahead of one waiting tier, a file that failed last run ahead of all; never by what
// ran on the machine before.
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
  it('GIVEN files of every tier WHEN sorted THEN each apply file starts ahead of one waiting tier (instance, dataplane), then consumer, terraform and unit follow, each larger file first', () => {
    const tests = [
      file('unit', '/r/test/nat/big.test.ts', 15_000),
      file('terraform', '/r/test/terraform/examples.test.ts', 13_000),
      file('apply', '/r/test/apply/terraform-roots.test.ts', 5_000),
      file('dataplane', '/r/test/dataplane/watchdog.test.ts', 17_000),
      file('dataplane', '/r/test/dataplane/moto-boot.test.ts', 15_000),
      file('apply', '/r/test/apply/spec-stacks.test.ts', 6_000),
      file('consumer', '/r/test/consumer/consumer.test.ts', 7_000),
      file('instance', '/r/test/instance/nat-boot.test.ts', 6_500),
      file('instance', '/r/test/instance/watchdog.test.ts', 9_000),
      file('unit', '/r/test/nat/small.test.ts', 1_000),
      file(undefined, '/r/test/other.test.ts', 99_000),
    ];
    const order = new TierSequencer({}).sort(tests).map((t) => t.path.replace('/r/test/', ''));
    expect(order).toEqual([
      'apply/spec-stacks.test.ts',
      'instance/watchdog.test.ts',
      'instance/nat-boot.test.ts',
      'apply/terraform-roots.test.ts',
      'dataplane/watchdog.test.ts',
      'dataplane/moto-boot.test.ts',
      'consumer/consumer.test.ts',
      'terraform/examples.test.ts',
      'nat/big.test.ts',
      'nat/small.test.ts',
      'other.test.ts',
    ]);
  });

  it('GIVEN more apply files than waiting tiers WHEN sorted THEN the ones left over start first', () => {
    const tests = [file('instance', '/r/test/instance/i.test.ts', 1), file('apply', '/r/test/apply/a.test.ts', 3), file('apply', '/r/test/apply/b.test.ts', 2), file('apply', '/r/test/apply/c.test.ts', 1)];
    expect(new TierSequencer({}).sort(tests).map((t) => t.path.replace('/r/test/', ''))).toEqual(['apply/b.test.ts', 'apply/c.test.ts', 'apply/a.test.ts', 'instance/i.test.ts']);
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
