import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/synth';

jest.setTimeout(60_000);

const run = promisify(execFile);
const CODE_CACHE = join(ROOT, 'scripts', 'code-cache.js');

/** A small CommonJS app: it reads a file beside itself through a relative require and prints what it sees. */
function app(body = "'first'"): string {
  const dir = mkdtempSync(join(tmpdir(), 'egress-code-cache-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'helper.js'), 'module.exports = (x) => `helper(${x})`;\n');
  writeFileSync(join(dir, 'app.js'), `const helper = require('./lib/helper');\nconsole.log(JSON.stringify({ word: ${body}, seen: helper(require('node:path').basename(__dirname) === require('node:path').basename(process.env.APP_DIR)), file: __filename === process.env.APP_FILE }));\nif (process.env.FAIL) process.exitCode = 1;\n`);
  return dir;
}

async function runApp(dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ used: boolean; out: Record<string, unknown>; code: number }> {
  const file = join(dir, 'app.js');
  const script = `const used = require(${JSON.stringify(CODE_CACHE)}).runWithCodeCache(${JSON.stringify(file)}); process.stderr.write(String(used));`;
  try {
    const r = await run(process.execPath, ['-e', script], { env: { ...process.env, EGRESS_CODE_CACHE: '', ...env, APP_DIR: dir, APP_FILE: file } });
    return { used: r.stderr === 'true', out: JSON.parse(r.stdout) as Record<string, unknown>, code: 0 };
  } catch (e) {
    const failed = e as { stdout: string; stderr: string; code: number };
    return { used: failed.stderr === 'true', out: JSON.parse(failed.stdout) as Record<string, unknown>, code: failed.code };
  }
}

const sha1 = (text: string) => createHash('sha1').update(text).digest();

describe('scripts/code-cache.js', () => {
  it('GIVEN no cache WHEN the app runs THEN it runs as a module (own __dirname, __filename, relative requires) and its cache is kept, marked with the source\'s SHA-1', async () => {
    const dir = app();
    const first = await runApp(dir);
    expect(first).toEqual({ used: false, out: { word: 'first', seen: 'helper(true)', file: true }, code: 0 });
    const cache = readFileSync(join(dir, 'app.js.cache'));
    expect(cache.subarray(0, 20).equals(sha1(readFileSync(join(dir, 'app.js'), 'utf8')))).toBe(true);
    expect(cache.length).toBeGreaterThan(20);
  });

  it('GIVEN a kept cache WHEN the app runs again THEN it starts from the cache and does the same', async () => {
    const dir = app();
    await runApp(dir);
    expect(await runApp(dir)).toEqual({ used: true, out: { word: 'first', seen: 'helper(true)', file: true }, code: 0 });
  });

  it('GIVEN the source replaced by another of the same length WHEN run THEN the old cache is not used, the new source runs, and the cache is replaced', async () => {
    const dir = app("'first'");
    await runApp(dir);
    const before = readFileSync(join(dir, 'app.js'), 'utf8');
    writeFileSync(join(dir, 'app.js'), before.replace("'first'", "'other'"));
    expect(readFileSync(join(dir, 'app.js'), 'utf8')).toHaveLength(before.length);
    const changed = await runApp(dir);
    expect(changed).toMatchObject({ used: false, out: { word: 'other' } });
    expect(readFileSync(join(dir, 'app.js.cache')).subarray(0, 20).equals(sha1(readFileSync(join(dir, 'app.js'), 'utf8')))).toBe(true);
    expect(await runApp(dir)).toMatchObject({ used: true, out: { word: 'other' } });
  });

  it('GIVEN a cache file that is garbage WHEN run THEN it is ignored and replaced', async () => {
    const dir = app();
    writeFileSync(join(dir, 'app.js.cache'), Buffer.concat([sha1(readFileSync(join(dir, 'app.js'), 'utf8')), Buffer.from('not a code cache')]));
    expect(await runApp(dir)).toMatchObject({ used: false, out: { word: 'first' }, code: 0 });
    expect(await runApp(dir)).toMatchObject({ used: true });
  });

  it('GIVEN a run that fails THEN no cache is kept; GIVEN EGRESS_CODE_CACHE=0 THEN none is read or kept', async () => {
    const failing = app();
    expect(await runApp(failing, { FAIL: '1' })).toMatchObject({ used: false, code: 1 });
    expect(existsSync(join(failing, 'app.js.cache'))).toBe(false);
    const off = app();
    expect(await runApp(off, { EGRESS_CODE_CACHE: '0' })).toMatchObject({ used: false, code: 0 });
    expect(existsSync(join(off, 'app.js.cache'))).toBe(false);
  });
});
