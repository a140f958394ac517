import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, runSynth } from '../helpers/synth';
import { terraformEnv } from './terraform';

const run = promisify(execFile);

// `npx cdktf synth` runs the same app (cdktf.json) and must write the same stack as `npm run
// synth`. `cdktf diff` and `deploy` need AWS credentials and are not run offline.
describe('npx cdktf synth', () => {
  it('GIVEN the built-in example WHEN synthesized by the CDKTF CLI THEN cdk.tf.json, cost.md and topology.md match npm run synth', async () => {
    const cliOut = join(mkdtempSync(join(tmpdir(), 'egress-cli-')), 'cdktf.out');
    const env: NodeJS.ProcessEnv = { ...terraformEnv(), CI: '1' };
    delete env.EGRESS_SPEC;
    delete env.EGRESS_OUTDIR;
    await run('npx', ['cdktf', 'synth', '--output', cliOut], { cwd: ROOT, env, timeout: 120_000 });
    const direct = runSynth(undefined);
    expect(direct.status).toBe(0);
    for (const file of ['cdk.tf.json', 'cost.md', 'topology.md']) {
      const read = (out: string) => readFileSync(join(out, 'stacks', 'dev', file), 'utf8');
      expect(read(cliOut)).toBe(read(direct.outdir));
    }
  }, 150_000);
});
