import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec, SpecError } from '../../lib/spec';
import { readStack, ROOT, runSynth, runSynthAsync } from '../helpers/synth';
import { base, CASES, type Case } from './bad-spec-cases';

// Every bad spec is refused with exactly the expected `error: <path>: ...` line(s). The table is
// checked in-process (what main prints is SpecError's message); a sample of it also runs through
// the real app to prove exit code 2, no stack trace, nothing on stdout and cdktf.out untouched.

function specText({ mutate, text }: Case): string {
  if (text !== undefined) return text;
  const spec = base();
  mutate?.(spec);
  return JSON.stringify(spec);
}
const formatOf = (c: Case) => c.ext ?? (c.text === undefined ? 'json' : 'yaml');

/** The lines main would print for this text, or [] when the spec is accepted. */
function refusal(text: string, format: 'json' | 'yaml'): string[] {
  try {
    parseSpec(text, format);
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.message.split('\n');
    throw e;
  }
}

/** The environment without a spec or output directory of the caller's. */
function synthEnvWithout(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.EGRESS_SPEC;
  delete env.CDKTF_OUTDIR;
  return env;
}

function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      hash.update(path);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

describe('a bad spec, in-process', () => {
  it('is tested in at least 100 forms', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
  });

  it('base spec is itself valid (so each case fails for its own reason)', () => {
    expect(refusal(JSON.stringify(base()), 'json')).toEqual([]);
  });

  it.each(CASES)('$name: refused with the exact line(s)', (c) => {
    const lines = refusal(specText(c), formatOf(c));
    expect(lines).toEqual(c.lines);
    for (const line of lines) expect(line).toMatch(/^error: \S.*: \S/);
  });
});

const GOOD: { name: string; text: string; ext: 'json' | 'yaml' }[] = [
  { name: 'JSON with a UTF-8 BOM', text: `\uFEFF${JSON.stringify(base())}`, ext: 'json' },
  { name: 'YAML with a UTF-8 BOM', text: '\uFEFFproject: dev\nregion: us-east-1\n', ext: 'yaml' },
  { name: 'YAML merge keys', text: 'project: dev\nregion: us-east-1\nvpcs:\n  - &hub {name: hub, cidr: 10.0.0.0/16, azs: [us-east-1a], ipv6: true}\n  - {<<: *hub, name: app, cidr: 10.1.0.0/16}\n', ext: 'yaml' },
  { name: 'YAML with a plain explicit tag', text: 'project: !!str dev\nregion: us-east-1\n', ext: 'yaml' },
  { name: 'tag keys named like Object members', text: JSON.stringify({ ...base(), tags: { constructor: 'x', toString: 'y', hasOwnProperty: 'z' } }), ext: 'json' },
  { name: '9 tags with a NAT (10 on each boot object)', text: JSON.stringify({ ...base(), tags: Object.fromEntries([...Array(9).keys()].map((i) => [`t${i}`, 'x'])) }), ext: 'json' },
  { name: '40 tags and no NAT (no boot objects)', text: JSON.stringify({ ...base(), natInstances: [], tags: Object.fromEntries([...Array(40).keys()].map((i) => [`t${i}`, 'x'])) }), ext: 'json' },
  {
    name: 'allowFrom covering the internet in pieces with allowAnywhere',
    text: JSON.stringify({ ...base(), natInstances: [{ ...base().natInstances[0], portForwards: [{ ...base().natInstances[0].portForwards[0], allowFrom: ['0.0.0.0/1', '128.0.0.0/1'], allowAnywhere: true }] }] }),
    ext: 'json',
  },
];

describe('a good spec, in-process', () => {
  it.each(GOOD)('$name: accepted', ({ text, ext }) => {
    expect(refusal(text, ext)).toEqual([]);
  });

  it('GIVEN YAML merge keys THEN the merged fields arrive', () => {
    const merged = parseSpec(GOOD[2].text, 'yaml').spec.vpcs[1];
    expect(merged).toMatchObject({ name: 'app', cidr: '10.1.0.0/16', azs: ['us-east-1a'], ipv6: true });
  });

  it('GIVEN tag keys named like Object members THEN they are kept as tags', () => {
    expect(parseSpec(GOOD[4].text, 'json').spec.tags).toEqual({ constructor: 'x', toString: 'y', hasOwnProperty: 'z' });
  });
});

// One of each kind of failure: parse, schema, cross-field check, control characters in a key.
const EXAMPLE_PROJECT = 'dev';
const SAMPLE = ['YAML alias bomb', 'JSON with a duplicated key', 'CIDR with a bad octet', 'spoke overlapping the hub', 'unknown field with a newline and an escape in its name'];

describe('a bad spec, through the app', () => {
  // Set up while collecting, not in beforeAll: a good synth to compare against.
  const outdir = join(mkdtempSync(join(tmpdir(), 'egress-bad-')), 'cdktf.out');
  const good = runSynth(undefined, outdir);
  const before = good.status === 0 ? treeHash(outdir) : '';

  it('starts from a cdktf.out that a good synth wrote', () => {
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
  });

  it.each(SAMPLE)('%s: exits 2 printing exactly the in-process lines, no stack trace, nothing written', async (name) => {
    const c = CASES.find((x) => x.name === name) as Case;
    const text = specText(c);
    const run = await runSynthAsync({ text, ext: formatOf(c) }, outdir);
    expect(run.stderr.trimEnd().split('\n')).toEqual(refusal(text, formatOf(c)));
    expect(run.status).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
    expect(treeHash(outdir)).toBe(before);
  }, 90_000);

  // Standard input and pipes are read only as far as the limit: the rest of a huge stream is never taken in.
  const throughStdin = (feed: string) => spawnSync('bash', ['-c', `${feed} | "$0" scripts/synth.js -`, process.execPath], { cwd: ROOT, env: { ...synthEnvWithout(), EGRESS_OUTDIR: outdir }, encoding: 'utf8', timeout: 60_000 });

  it('is 50 MB on standard input: exits 2 after reading 1 MiB of it, nothing written', () => {
    const run = throughStdin('head -c 52428800 /dev/zero');
    expect(run.stderr).toBe('error: $: the spec is more than 1048576 bytes; the limit is 1048576 bytes (1 MiB)\n');
    expect(run.status).toBe(2);
    expect(treeHash(outdir)).toBe(before);
  }, 90_000);

  it('is a good spec on standard input (-): synthesized like the same file', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'egress-stdin-')), 'cdktf.out');
    const run = spawnSync('bash', ['-c', 'exec "$0" scripts/synth.js - <lib/spec/example.yaml', process.execPath], { cwd: ROOT, env: { ...synthEnvWithout(), EGRESS_OUTDIR: out }, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^synthesized /);
    expect(readStack(out, EXAMPLE_PROJECT).resource).toEqual(readStack(outdir, EXAMPLE_PROJECT).resource);
  }, 90_000);

  it('is not UTF-8: exits 2 naming the first bad byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egress-latin1-'));
    const file = join(dir, 'egress.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from('project: dev\nregion: us-east-1\ntags: {owner: Jos'), Buffer.from([0xe9]), Buffer.from('}\n')]));
    const run = runSynth({ file }, outdir);
    expect(run.stderr).toBe('error: $: the spec is not UTF-8 text (byte 49 is not valid UTF-8); save it as UTF-8\n');
    expect(run.status).toBe(2);
    expect(treeHash(outdir)).toBe(before);
  }, 90_000);

  it('is a spec file that does not exist: exits 2 naming the file', () => {
    const run = runSynth({ file: '/nonexistent/egress.yaml' }, outdir);
    expect(run.stderr.trim()).toBe('error: $: cannot read spec file /nonexistent/egress.yaml: ENOENT');
    expect(run.status).toBe(2);
  }, 90_000);
});
