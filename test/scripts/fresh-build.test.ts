import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/synth';

jest.setTimeout(120_000);

const run = promisify(execFile);
const FRESH_BUILD = join(ROOT, 'scripts', 'fresh-build.js');
const { isStale } = require(FRESH_BUILD) as { isStale(root: string): boolean };

/** A project whose `npm run build` takes a moment, counts its runs and writes dist/app.js (or fails when told). */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'egress-fresh-build-'));
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'main.ts'), '');
  writeFileSync(join(root, 'lib', 'a.ts'), '');
  writeFileSync(join(root, 'build.js'), `
const fs = require('node:fs');
if (fs.existsSync('fail')) process.exit(3);
fs.appendFileSync('builds', 'x');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/app.js', '');
`);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'p', private: true, scripts: { build: 'node build.js' } }));
  return root;
}

const ensureBuilt = (root: string) => run(process.execPath, ['-e', `require(${JSON.stringify(FRESH_BUILD)}).ensureBuilt(${JSON.stringify(root)})`]);
const builds = (root: string) => (existsSync(join(root, 'builds')) ? readFileSync(join(root, 'builds'), 'utf8').length : 0);

describe('scripts/fresh-build.js', () => {
  it('GIVEN no build WHEN three callers ask at once THEN one build runs and all of them find it current', async () => {
    const root = project();
    expect(isStale(root)).toBe(true);
    await Promise.all([ensureBuilt(root), ensureBuilt(root), ensureBuilt(root)]);
    expect(builds(root)).toBe(1);
    expect(isStale(root)).toBe(false);
    expect(existsSync(join(root, '.dist-build.lock'))).toBe(false);
  });

  it('GIVEN a current build THEN nothing is built; GIVEN a source edited after it THEN it is built again', async () => {
    const root = project();
    await ensureBuilt(root);
    await ensureBuilt(root);
    expect(builds(root)).toBe(1);
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'lib', 'a.ts'), later, later);
    expect(isStale(root)).toBe(true);
    await ensureBuilt(root);
    expect(builds(root)).toBe(2);
  });

  it('GIVEN a build that fails THEN the caller fails naming npm run build, and no lock is left', async () => {
    const root = project();
    writeFileSync(join(root, 'fail'), '');
    await expect(ensureBuilt(root)).rejects.toThrow(/npm run build failed \(3\)/);
    expect(existsSync(join(root, '.dist-build.lock'))).toBe(false);
  });
});
