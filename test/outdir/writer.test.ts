import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkOutdir, localState, MARKER, migrateInTreeState, OutputError, writeOutput } from '../../lib/outdir';
import { acquireLock } from '../../lib/outdir/lock';

// The output writer in-process: what it keeps, what it replaces, what it refuses.

const scratch = () => mkdtempSync(join(tmpdir(), 'egress-outdir-'));
const put = (file: string, text: string) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};
const notices: string[] = [];
const write = (target: string, files: Record<string, string>, extra: { beforeSwap?: (t: string) => void } = {}) =>
  writeOutput({
    choice: { value: target, where: 'EGRESS_OUTDIR' },
    protectedRoots: [join(dirname(target), 'project')],
    notice: (line) => notices.push(line),
    build: (staging) => Object.entries(files).forEach(([rel, text]) => put(join(staging, rel), text)),
    ...extra,
  });
const siblings = (target: string) => readdirSync(dirname(target)).filter((n) => n !== 'cdktf.out' && n !== 'project');

describe('writeOutput', () => {
  it('GIVEN a stack directory holding Terraform and user files WHEN synthesized again THEN only generated files change and everything else is kept', async () => {
    const target = join(scratch(), 'cdktf.out');
    await write(target, { 'manifest.json': '{}', 'stacks/dev/cdk.tf.json': 'v1', 'stacks/old/cdk.tf.json': 'gone' });
    put(join(target, 'stacks/dev/.terraform/providers/p'), 'provider');
    put(join(target, 'stacks/dev/.terraform.lock.hcl'), 'lock');
    put(join(target, 'stacks/dev/plan.tfplan'), 'plan');
    put(join(target, 'stacks/old/notes.txt'), 'mine');
    symlinkSync('/nonexistent', join(target, 'stacks/dev/dangling'));

    await write(target, { 'manifest.json': '{}', 'stacks/dev/cdk.tf.json': 'v2' });

    expect(readFileSync(join(target, 'stacks/dev/cdk.tf.json'), 'utf8')).toBe('v2');
    expect(readFileSync(join(target, 'stacks/dev/.terraform/providers/p'), 'utf8')).toBe('provider');
    expect(readFileSync(join(target, 'stacks/dev/.terraform.lock.hcl'), 'utf8')).toBe('lock');
    expect(readFileSync(join(target, 'stacks/dev/plan.tfplan'), 'utf8')).toBe('plan');
    expect(readFileSync(join(target, 'stacks/old/notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(target, 'stacks/old/cdk.tf.json'))).toBe(false);
    expect(readdirSync(join(target, 'stacks/dev'))).toContain('dangling');
    expect(JSON.parse(readFileSync(join(target, MARKER), 'utf8')).files.sort()).toEqual(['manifest.json', 'stacks/dev/cdk.tf.json']);
    expect(siblings(target)).toEqual([]);
  });

  it('GIVEN a stack no longer synthesized that held only generated files WHEN synthesized THEN its directory goes too, while an empty directory of the user stays', async () => {
    const target = join(scratch(), 'cdktf.out');
    await write(target, { 'manifest.json': '{}', 'stacks/gone/cdk.tf.json': 'v1', 'stacks/gone/nested/cost.md': 'c' });
    mkdirSync(join(target, 'mine'));
    await write(target, { 'manifest.json': '{}' });
    expect(existsSync(join(target, 'stacks'))).toBe(false);
    expect(readdirSync(join(target, 'mine'))).toEqual([]);
  });

  it('GIVEN output written by an earlier version (CDKTF manifest, no marker) WHEN synthesized THEN it is accepted and its user files kept', async () => {
    const target = join(scratch(), 'cdktf.out');
    put(join(target, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { dev: {} } }));
    put(join(target, 'stacks/dev/cdk.tf.json'), 'old');
    put(join(target, 'stacks/dev/.terraform/terraform.tfstate'), 'backend config');
    await write(target, { 'manifest.json': '{}', 'stacks/dev/cdk.tf.json': 'new' });
    expect(readFileSync(join(target, 'stacks/dev/cdk.tf.json'), 'utf8')).toBe('new');
    expect(readFileSync(join(target, 'stacks/dev/.terraform/terraform.tfstate'), 'utf8')).toBe('backend config');
  });

  it('GIVEN a user file where a generated file now goes WHEN synthesized THEN the user file is kept as .kept and a notice says so', async () => {
    const target = join(scratch(), 'cdktf.out');
    await write(target, { 'manifest.json': '{}' });
    put(join(target, 'stacks/dev/cost.md'), 'my notes');
    await write(target, { 'manifest.json': '{}', 'stacks/dev/cost.md': 'generated' });
    expect(readFileSync(join(target, 'stacks/dev/cost.md.kept'), 'utf8')).toBe('my notes');
    expect(notices).toContain('kept your stacks/dev/cost.md as stacks/dev/cost.md.kept: cdktf-egress now generates a file at that path');
  });

  it('GIVEN a user directory where a generated file now goes WHEN synthesized THEN the directory and its contents are kept as .kept', async () => {
    const target = join(scratch(), 'cdktf.out');
    await write(target, { 'manifest.json': '{}' });
    put(join(target, 'stacks/dev/topology.md/inner/notes.txt'), 'deep');
    await write(target, { 'manifest.json': '{}', 'stacks/dev/topology.md': 'generated' });
    expect(readFileSync(join(target, 'stacks/dev/topology.md'), 'utf8')).toBe('generated');
    expect(readFileSync(join(target, 'stacks/dev/topology.md.kept/inner/notes.txt'), 'utf8')).toBe('deep');
  });

  it('GIVEN a file that appears in the target while synthesizing (Terraform still writing) THEN it is moved into the new tree, not deleted', async () => {
    const target = join(scratch(), 'cdktf.out');
    await write(target, { 'manifest.json': '{}' });
    await writeOutput({
      choice: { value: target, where: 'EGRESS_OUTDIR' },
      protectedRoots: [],
      notice: () => undefined,
      build: (staging, final) => {
        put(join(staging, 'manifest.json'), '{}');
        put(join(final, 'stacks/dev/late.tfplan'), 'written during synthesis');
      },
    });
    expect(readFileSync(join(target, 'stacks/dev/late.tfplan'), 'utf8')).toBe('written during synthesis');
    expect(siblings(target)).toEqual([]);
  });

  it('GIVEN a build that throws WHEN synthesizing THEN the target is untouched and no staging directory is left', async () => {
    const target = join(scratch(), 'cdktf.out');
    await write(target, { 'manifest.json': 'v1' });
    const failing = writeOutput({
      choice: { value: target, where: 'EGRESS_OUTDIR' },
      protectedRoots: [],
      notice: () => undefined,
      build: (staging) => {
        put(join(staging, 'manifest.json'), 'half');
        throw new Error('synth failed');
      },
    });
    await expect(failing).rejects.toThrow('synth failed');
    expect(readFileSync(join(target, 'manifest.json'), 'utf8')).toBe('v1');
    expect(siblings(target)).toEqual([]);
  });

  it('GIVEN a run that died between its two renames WHEN synthesizing again THEN the old tree is restored first and its user files survive', async () => {
    const root = scratch();
    const target = join(root, 'cdktf.out');
    await write(target, { 'manifest.json': 'v1' });
    put(join(target, 'stacks/dev/.terraform.lock.hcl'), 'lock');
    const { renameSync } = await import('node:fs');
    renameSync(target, join(root, '.cdktf.out.old-abc123'));
    mkdirSync(join(root, '.cdktf.out.new-abc123'));
    await write(target, { 'manifest.json': 'v2' });
    expect(readFileSync(join(target, 'stacks/dev/.terraform.lock.hcl'), 'utf8')).toBe('lock');
    expect(siblings(target)).toEqual([]);
    expect(notices.some((n) => n.startsWith(`restored ${target} from`))).toBe(true);
  });
});

describe('checkOutdir', () => {
  const root = scratch();
  const project = join(root, 'project');
  mkdirSync(project);
  put(join(root, 'a-file'), 'x');
  put(join(root, 'foreign/notes.txt'), 'x');
  mkdirSync(join(root, 'empty'));
  const refused = (value: string): string => {
    try {
      checkOutdir({ value, where: 'EGRESS_OUTDIR' }, [project]);
    } catch (e) {
      if (e instanceof OutputError) return `error: ${e.where}: ${e.message}`;
      throw e;
    }
    return 'accepted';
  };

  it.each([
    ['', 'error: EGRESS_OUTDIR: is empty; name a directory for the synthesized stacks, such as cdktf.out'],
    [project, `error: EGRESS_OUTDIR: "${project}" is the project root; synthesis replaces what it generates there, so name a subdirectory such as cdktf.out`],
    [root, `error: EGRESS_OUTDIR: "${root}" is an ancestor of the project root ${project}; synthesis replaces what it generates there, so name a subdirectory such as cdktf.out`],
    ['/', `error: EGRESS_OUTDIR: "/" is an ancestor of the project root ${project}; synthesis replaces what it generates there, so name a subdirectory such as cdktf.out`],
    [join(root, 'a-file'), `error: EGRESS_OUTDIR: "${join(root, 'a-file')}" is a regular file, not a directory; name a directory, or move the file away`],
    [join(root, 'foreign'), `error: EGRESS_OUTDIR: "${join(root, 'foreign')}" is a non-empty directory that cdktf-egress did not create (it has no .cdktf-egress.json or CDKTF manifest.json); name a new or empty directory`],
  ])('GIVEN %j THEN it is refused with one line', (value, line) => {
    expect(refused(value)).toBe(line);
  });

  it('GIVEN "." from the project root THEN it is refused as the project root', () => {
    const cwd = process.cwd();
    process.chdir(project);
    try {
      expect(refused('.')).toBe(`error: EGRESS_OUTDIR: "." is the project root; synthesis replaces what it generates there, so name a subdirectory such as cdktf.out`);
    } finally {
      process.chdir(cwd);
    }
  });

  it.each([['empty'], ['new/deeper'], ['project/cdktf.out']])('GIVEN %s THEN it is accepted', (rel) => {
    expect(refused(join(root, rel))).toBe('accepted');
  });
});

describe('acquireLock', () => {
  it('GIVEN a lock held by a live process WHEN the wait runs out THEN the error names the holder and the lock file', () => {
    const lock = join(scratch(), '.cdktf.out.lock');
    writeFileSync(lock, `${process.pid}\n`);
    expect(() => acquireLock(lock, 'EGRESS_OUTDIR', 200)).toThrow(
      `another synthesis (pid ${process.pid}) is writing this directory; wait for it to finish, or delete ${lock} if no synthesis is running`,
    );
  });

  it('GIVEN a lock left by a dead process THEN it is taken over and released', () => {
    const lock = join(scratch(), '.cdktf.out.lock');
    writeFileSync(lock, '2147483646\n');
    const release = acquireLock(lock, 'EGRESS_OUTDIR', 200);
    expect(readFileSync(lock, 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(lock)).toBe(false);
  });
});

describe('local state', () => {
  it('GIVEN no path THEN state is terraform.<project>.tfstate beside the output directory, relative to the stack directory', () => {
    expect(localState('dev', '/p/cdktf.out')).toEqual({ file: '/p/terraform.dev.tfstate', backendPath: '../../../terraform.dev.tfstate' });
  });

  it('GIVEN a spec path THEN it is taken from the working directory', () => {
    expect(localState('dev', '/p/cdktf.out', 'state/dev.tfstate', '/p')).toEqual({ file: '/p/state/dev.tfstate', backendPath: '../../../state/dev.tfstate' });
  });

  it('GIVEN a spec path inside the output directory THEN it is refused', () => {
    expect(() => localState('dev', '/p/cdktf.out', 'cdktf.out/x.tfstate', '/p')).toThrow('"cdktf.out/x.tfstate" is inside the output directory /p/cdktf.out; keep state outside it, for example terraform.dev.tfstate');
  });

  it('GIVEN state in the stack directory and none outside WHEN migrated THEN it is moved out with a notice, backup too', () => {
    const root = scratch();
    const out = join(root, 'cdktf.out');
    put(join(out, 'stacks/dev/terraform.tfstate'), 'state');
    put(join(out, 'stacks/dev/terraform.tfstate.backup'), 'backup');
    const state = localState('dev', out);
    const lines = migrateInTreeState(out, 'dev', state);
    expect(readFileSync(state.file, 'utf8')).toBe('state');
    expect(readFileSync(`${state.file}.backup`, 'utf8')).toBe('backup');
    expect(existsSync(join(out, 'stacks/dev/terraform.tfstate'))).toBe(false);
    expect(lines[0]).toBe(`notice: backend: moved Terraform state ${join(out, 'stacks/dev/terraform.tfstate')} to ${state.file}, outside the regenerated tree; run terraform init -migrate-state (cdktf deploy --migrate-state) once`);
  });

  it('GIVEN state both inside and outside WHEN migrated THEN neither is touched and a warning says so', () => {
    const root = scratch();
    const out = join(root, 'cdktf.out');
    put(join(out, 'stacks/dev/terraform.tfstate'), 'old');
    put(join(root, 'terraform.dev.tfstate'), 'new');
    const lines = migrateInTreeState(out, 'dev', localState('dev', out));
    expect(readFileSync(join(out, 'stacks/dev/terraform.tfstate'), 'utf8')).toBe('old');
    expect(readFileSync(join(root, 'terraform.dev.tfstate'), 'utf8')).toBe('new');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: backend: both .* exist; left the old one where it is/);
  });
});
