import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { withoutCreationStacks } from '../lib/creation-stacks';
import { runSynthAsync } from './helpers/synth';

jest.setTimeout(180_000);

const ORIGINAL = Error.captureStackTrace;

function thrower(): never {
  throw new Error('boom');
}

class CustomError extends Error {
  constructor(message: string) {
    super(message);
    Error.captureStackTrace(this, CustomError);
  }
}

function caught(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

function filesUnder(dir: string): Map<string, string> {
  const walk = (at: string): string[] =>
    readdirSync(at).flatMap((entry) => (statSync(join(at, entry)).isDirectory() ? walk(join(at, entry)) : [join(at, entry)]));
  return new Map(walk(dir).map((file) => [relative(dir, file), readFileSync(file, 'utf8')]));
}

describe('withoutCreationStacks', () => {
  it('GIVEN a plain object captured as cdktf does WHEN inside THEN it gets no stack, and outside it does', () => {
    const inside = withoutCreationStacks(() => {
      const object = { stack: '' };
      Error.captureStackTrace(object);
      return object.stack;
    });
    const outside = { stack: '' };
    Error.captureStackTrace(outside);
    expect(inside).toBe('');
    expect(outside.stack).toMatch(/\n\s+at /);
  });

  it('GIVEN an Error thrown inside THEN it keeps its full trace, naming the function that threw', () => {
    const error = caught(() => withoutCreationStacks(() => thrower()));
    expect(error.message).toBe('boom');
    expect(error.stack).toMatch(/^Error: boom\n\s+at thrower /);
  });

  it('GIVEN an Error class capturing its own trace inside THEN the trace is captured, starting below its constructor', () => {
    const error = withoutCreationStacks(() => new CustomError('custom'));
    expect(error.stack).toMatch(/^Error: custom\n\s+at /);
    expect(error.stack).not.toMatch(/at new CustomError/);
  });

  it('GIVEN the synth returns or throws THEN the original hook is back', () => {
    withoutCreationStacks(() => 1);
    expect(Error.captureStackTrace).toBe(ORIGINAL);
    caught(() => withoutCreationStacks(() => thrower()));
    expect(Error.captureStackTrace).toBe(ORIGINAL);
  });

  it('GIVEN EGRESS_CREATION_STACKS=1 THEN plain objects are captured as usual', () => {
    const stack = withoutCreationStacks(() => {
      const object = { stack: '' };
      Error.captureStackTrace(object);
      return object.stack;
    }, { EGRESS_CREATION_STACKS: '1' });
    expect(stack).toMatch(/\n\s+at /);
  });
});

describe('synth without creation stacks', () => {
  const SPEC = `
project: stacks
region: us-east-1
vpcs:
  - { name: hub, cidr: 10.0.0.0/16, azs: [us-east-1a, us-east-1b], ipv6: true }
  - { name: app1, cidr: 10.1.0.0/16, azs: [us-east-1a] }
  - { name: app2, cidr: 10.2.0.0/16, azs: [us-east-1a, us-east-1b] }
  - { name: solo, cidr: 10.3.0.0/16, azs: [us-east-1b] }
natInstances:
  - name: shared
    vpc: hub
    az: us-east-1a
    egressInterface: primary
    allowHubWithoutEgress: true
    spokes: [app1, app2]
    portForwards: [{ protocol: tcp, port: 8080, to: 10.1.128.10, toPort: 80, allowFrom: [203.0.113.0/24] }]
  - { name: own, vpc: solo, az: us-east-1b }
endpoints:
  - { vpc: app2, gateway: [s3, dynamodb], interface: [ssm], placement: per-az }
`;

  it.each([
    ['the built-in example', undefined],
    ['a multi-VPC spec with every feature', { text: SPEC }],
  ])('GIVEN %s WHEN synthesized with and without creation stacks THEN every output file is byte-identical', async (_name, spec) => {
    const saved = process.env.EGRESS_CREATION_STACKS;
    process.env.EGRESS_CREATION_STACKS = '1';
    const withStacks = runSynthAsync(spec);
    delete process.env.EGRESS_CREATION_STACKS;
    const without = runSynthAsync(spec);
    if (saved !== undefined) process.env.EGRESS_CREATION_STACKS = saved;
    const [a, b] = await Promise.all([withStacks, without]);
    expect([a.status, a.stderr]).toEqual([0, '']);
    expect([b.status, b.stderr]).toEqual([0, '']);
    const expected = filesUnder(a.outdir);
    expect(expected.size).toBeGreaterThanOrEqual(3);
    expect(filesUnder(b.outdir)).toEqual(expected);
  });
});
