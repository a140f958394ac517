import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeModules } from '../../lib/modules/generate';
import { ROOT } from '../helpers/synth';
import { allModuleFiles } from './module-json';

/** `npm run modules` as its script runs it, with extra arguments. */
function modulesCli(args: string[]) {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'lib/modules/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run modules', () => {
  let dir: string;

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'egress-modules-')), 'modules');
    const written = modulesCli(['--dir', dir]);
    expect(written).toMatchObject({ status: 0, stderr: '' });
  });

  it('GIVEN a directory THEN it writes every module file, byte for byte what the generator makes', () => {
    for (const [path, content] of allModuleFiles()) expect(readFileSync(join(dir, path), 'utf8')).toBe(content);
  });

  it('GIVEN fresh modules WHEN --check THEN it exits 0 and writes nothing to stderr', () => {
    const check = modulesCli(['--check', '--dir', dir]);
    expect(check).toMatchObject({ status: 0, stderr: '' });
    expect(check.stdout).toMatch(/is up to date/);
  });

  it('GIVEN an edited, a deleted and an extra file WHEN --check THEN it exits 1 naming each, and changes nothing', () => {
    const edited = join(dir, 'nat-instance', 'main.tf');
    appendFileSync(edited, ' ');
    rmSync(join(dir, 'egress-vpc', 'README.md'));
    mkdirSync(join(dir, 'stray'), { recursive: true });
    writeFileSync(join(dir, 'stray', 'notes.tf'), '# hand-written\n');
    try {
      const check = modulesCli(['--check', '--dir', dir]);
      expect(check.status).toBe(1);
      expect(check.stderr).toContain(`stale: ${join(dir, 'nat-instance', 'main.tf')}`);
      expect(check.stderr).toContain(`missing: ${join(dir, 'egress-vpc', 'README.md')}`);
      expect(check.stderr).toContain(`unexpected: ${join(dir, 'stray', 'notes.tf')}`);
      expect(check.stderr).toContain('run `npm run modules`');
      expect(readFileSync(edited, 'utf8').endsWith(' ')).toBe(true);
    } finally {
      modulesCli(['--dir', dir]);
    }
  });

  it('GIVEN a stale directory WHEN regenerated THEN generated files are fresh again, the stray .tf is kept and --check still names it until it is removed', () => {
    // Regeneration never deletes what it did not write; a .tf it did not write changes the module, so --check keeps failing on it alone.
    const check = modulesCli(['--check', '--dir', dir]);
    expect(check.status).toBe(1);
    expect(check.stderr.split('\n').filter((line) => /^(stale|missing|unexpected):/.test(line))).toEqual([expect.stringContaining(`unexpected: ${join(dir, 'stray', 'notes.tf')}`)]);
    rmSync(join(dir, 'stray'), { recursive: true });
    expect(modulesCli(['--check', '--dir', dir]).status).toBe(0);
  });

  it('GIVEN an unknown argument THEN it prints the usage and exits 2', () => {
    expect(modulesCli(['--chek'])).toMatchObject({ status: 2, stderr: expect.stringContaining('usage: npm run modules') });
  });

  it('GIVEN a write that fails half way THEN the directory is left as it was', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'egress-modules-')), 'modules');
    await writeModules(target, new Map([['keep/README.md', 'old\n']]));
    // `a` is a file and a directory at once: the second write fails after the first succeeded.
    await expect(writeModules(target, new Map([['a', 'x'], ['a/b', 'y']]))).rejects.toThrow();
    expect(readFileSync(join(target, 'keep', 'README.md'), 'utf8')).toBe('old\n');
    expect(readdirSync(dirname(target))).toEqual(['modules']);
  });

  it('GIVEN the committed modules/ THEN `npm run modules -- --check` finds them fresh', () => {
    const result = spawnSync('npm', ['run', '--silent', 'modules', '--', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect({ status: result.status, stderr: result.stderr.replace(/^npm warn.*\n/gm, '') }).toEqual({ status: 0, stderr: '' });
  });
});
