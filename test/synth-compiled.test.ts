import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

describe('npm run synth runs the compiled app', () => {
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
});
