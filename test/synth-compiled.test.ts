import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, runSynthAsync } from './helpers/synth';

jest.setTimeout(180_000);

const run = promisify(execFile);

function filesUnder(dir: string): Map<string, string> {
  const walk = (at: string): string[] =>
    readdirSync(at).flatMap((entry) => (statSync(join(at, entry)).isDirectory() ? walk(join(at, entry)) : [join(at, entry)]));
  return new Map(walk(dir).map((file) => [relative(dir, file), readFileSync(file, 'utf8')]));
}

describe('npm run synth runs the compiled app in one file, from its code cache', () => {
  it('GIVEN package.json and cdktf.json THEN both run scripts/synth.js under plain node, with no TypeScript loader', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const cdktf = JSON.parse(readFileSync(join(ROOT, 'cdktf.json'), 'utf8')) as { app: string };
    expect(pkg.scripts.synth).toBe('node scripts/synth.js');
    expect(cdktf.app).toBe('node scripts/synth.js');
  });

  it('GIVEN the built-in example WHEN synthesized from dist/ and from the TypeScript sources THEN every output file is byte-identical', async () => {
    const fromSources = join(mkdtempSync(join(tmpdir(), 'egress-ts-synth-')), 'cdktf.out');
    const env: NodeJS.ProcessEnv = { ...process.env, EGRESS_OUTDIR: fromSources, SWC_NODE_SOURCE_MAP_MODE: 'none' };
    delete env.EGRESS_SPEC;
    const [compiled] = await Promise.all([runSynthAsync(undefined), run(process.execPath, ['-r', '@swc-node/register', 'main.ts'], { cwd: ROOT, env, timeout: 120_000 })]);
    expect([compiled.status, compiled.stderr]).toEqual([0, '']);
    const expected = filesUnder(fromSources);
    expect(expected.size).toBeGreaterThanOrEqual(3);
    expect(filesUnder(compiled.outdir)).toEqual(expected);
  });

  it('GIVEN a synth that kept its code cache WHEN synthesized again from it THEN the output is byte-identical to a synth without the cache', async () => {
    const first = await runSynthAsync(undefined);
    expect(first.status).toBe(0);
    expect(existsSync(join(ROOT, 'dist', 'app.js.cache'))).toBe(true);
    const cached = await runSynthAsync(undefined);
    const uncachedDir = join(mkdtempSync(join(tmpdir(), 'egress-uncached-')), 'cdktf.out');
    const env: NodeJS.ProcessEnv = { ...process.env, EGRESS_OUTDIR: uncachedDir, EGRESS_CODE_CACHE: '0' };
    delete env.EGRESS_SPEC;
    delete env.CDKTF_OUTDIR;
    await run(process.execPath, ['scripts/synth.js'], { cwd: ROOT, env, timeout: 120_000 });
    expect([cached.status, cached.stderr]).toEqual([0, '']);
    expect(filesUnder(cached.outdir)).toEqual(filesUnder(uncachedDir));
  });
});
