import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runSynth, runSynthAsync } from '../helpers/synth';

// The output directory through the real app: exit codes, lines, signals, concurrency.
// Each test starts node processes; on busy shared cores that takes a while.
jest.setTimeout(120_000);

const scratch = () => mkdtempSync(join(tmpdir(), 'egress-outproc-'));
const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.cdktf.out.'));

describe('synthesis into an output directory', () => {
  it('GIVEN EGRESS_OUTDIR names a regular file THEN exit 2 with one line and the file untouched', () => {
    const file = join(scratch(), 'cdktf.out');
    writeFileSync(file, 'precious');
    const run = runSynth(undefined, file);
    expect(run.stderr).toBe(`error: EGRESS_OUTDIR: "${file}" is a regular file, not a directory; name a directory, or move the file away\n`);
    expect(run.status).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  it('GIVEN EGRESS_OUTDIR is empty THEN exit 2, nothing in the project root changes', () => {
    const before = readdirSync(ROOT).sort();
    const run = runSynth(undefined, '');
    expect(run.stderr).toBe('error: EGRESS_OUTDIR: is empty; name a directory for the synthesized stacks, such as cdktf.out\n');
    expect(run.status).toBe(2);
    expect(readdirSync(ROOT).sort()).toEqual(before);
  });

  it('GIVEN EGRESS_OUTDIR is "." THEN exit 2 naming the project root', () => {
    const run = runSynth(undefined, '.');
    expect(run.stderr).toBe('error: EGRESS_OUTDIR: "." is the project root; synthesis replaces what it generates there, so name a subdirectory such as cdktf.out\n');
    expect(run.status).toBe(2);
  });

  it('GIVEN a read-only file system under the output directory THEN exit 2 with one line', () => {
    const dir = scratch();
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    // A private mount namespace: the read-only mount vanishes with the process.
    const run = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o ro,size=1m tmpfs "$0" && exec "${process.execPath}" -r @swc-node/register main.ts`, ro], {
      cwd: ROOT,
      env: { ...process.env, EGRESS_OUTDIR: join(ro, 'cdktf.out'), EGRESS_SPEC: '', SWC_NODE_SOURCE_MAP_MODE: 'none' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe(`error: EGRESS_OUTDIR: cannot write beside ${join(ro, 'cdktf.out')}: EROFS (read-only file system); choose a writable directory\n`);
    expect(run.status).toBe(2);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('GIVEN %s while synthesizing THEN exit %d, the staging directory is gone and the old output is intact', async (signal, code) => {
    const dir = scratch();
    const outdir = join(dir, 'cdktf.out');
    expect(runSynth(undefined, outdir).status).toBe(0);
    writeFileSync(join(outdir, 'stacks/dev/cdk.tf.json'), 'marker: must survive an interrupted synth');
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, EGRESS_OUTDIR: outdir, EGRESS_SPEC: '', SWC_NODE_SOURCE_MAP_MODE: 'none' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Bounded (60 s: node start-up alone is slow on busy shared cores): staging appears, or the test fails.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !readdirSync(dir).some((n) => n.startsWith('.cdktf.out.new-'))) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(dir).some((n) => n.startsWith('.cdktf.out.new-'))).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(leftovers(dir)).toEqual([]);
    expect(readFileSync(join(outdir, 'stacks/dev/cdk.tf.json'), 'utf8')).toBe('marker: must survive an interrupted synth');
  }, 120_000);

  it('GIVEN two synths into one directory at once THEN both succeed and the result is one whole output with the user files kept', async () => {
    const dir = scratch();
    const outdir = join(dir, 'cdktf.out');
    expect(runSynth(undefined, outdir).status).toBe(0);
    writeFileSync(join(outdir, 'stacks/dev/.terraform.lock.hcl'), 'lock');
    const runs = await Promise.all([runSynthAsync(undefined, outdir), runSynthAsync(undefined, outdir)]);
    expect(runs.map((r) => [r.status, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    expect(readFileSync(join(outdir, 'stacks/dev/.terraform.lock.hcl'), 'utf8')).toBe('lock');
    const marker = JSON.parse(readFileSync(join(outdir, '.cdktf-egress.json'), 'utf8')) as { files: string[] };
    for (const file of marker.files) expect(existsSync(join(outdir, file))).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  }, 120_000);
});

describe('npm run synth -- FILE', () => {
  const spec = join(scratch(), 'other.yaml');
  writeFileSync(spec, 'project: other\nregion: us-east-1\n');

  it('GIVEN a spec path as the argument THEN that spec is synthesized', () => {
    const out = join(scratch(), 'cdktf.out');
    const run = spawnSync('npm', ['run', '-s', 'synth', '--', spec], { cwd: ROOT, env: { ...process.env, EGRESS_OUTDIR: out, EGRESS_SPEC: '' }, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(join(out, 'stacks/other/cdk.tf.json'))).toBe(true);
  });

  it('GIVEN an option or two arguments THEN exit 2 with the usage on one line', () => {
    const run = spawnSync(process.execPath, ['-r', '@swc-node/register', 'main.ts', '--spec', spec], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe(`error: arguments: --spec ${spec} not understood; usage: npm run synth [-- SPEC_FILE]  (- reads standard input; or EGRESS_SPEC=SPEC_FILE; EGRESS_OUTDIR picks the output directory)\n`);
    expect(run.status).toBe(2);
  });

  it('GIVEN an argument and a different EGRESS_SPEC THEN exit 2 naming both', () => {
    const run = runSynthWithArg(spec, '/elsewhere/egress.yaml');
    expect(run.stderr).toBe(`error: $: two specs named: the argument "${spec}" and EGRESS_SPEC="/elsewhere/egress.yaml"; name one\n`);
    expect(run.status).toBe(2);
  });
});

function runSynthWithArg(arg: string, envSpec: string) {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', 'main.ts', arg], {
    cwd: ROOT,
    env: { ...process.env, EGRESS_SPEC: envSpec, EGRESS_OUTDIR: join(scratch(), 'cdktf.out'), SWC_NODE_SOURCE_MAP_MODE: 'none' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}
