import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MotoServer } from '../moto/moto-server';
import { ROOT } from '../helpers/synth';
import { assertTerraformAvailable, terraformEnv } from '../terraform/terraform';
import { apply, destroy, expectedGaps, expectNothingLeft, explain, groupSubnets, init, inventory, neutralizeBucketPolicies, plan, removeScratch, scratchDir, showPlan, startApplyMoto, stateOf, tf, writeMotoOverride } from './support/apply';

const run = promisify(execFile);

// `cdktf deploy` twice, with real state: synthesize, init, apply against moto, synthesize
// again (npm run synth, then npx cdktf synth as `cdktf deploy` does), and plan: the state
// Terraform wrote is found and nothing changes but the named moto gaps.

let moto: MotoServer | undefined;
beforeAll(async () => {
  await assertTerraformAvailable();
  moto = await startApplyMoto();
}, 300_000);
afterAll(async () => moto?.stop());

async function npmSynth(outdir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...terraformEnv(), EGRESS_OUTDIR: outdir };
  delete env.EGRESS_SPEC;
  await run('npm', ['run', '-s', 'synth'], { cwd: ROOT, env, timeout: 120_000 });
}

async function cdktfSynth(outdir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...terraformEnv(), CI: '1' };
  delete env.EGRESS_SPEC;
  delete env.EGRESS_OUTDIR;
  await run('npx', ['cdktf', 'synth', '--output', outdir], { cwd: ROOT, env, timeout: 180_000 });
}

describe('cdktf deploy, twice, against moto', () => {
  it('GIVEN the built-in example deployed WHEN synthesized again both ways and planned THEN the real state is found and nothing changes but the moto gaps; destroy leaves nothing', async () => {
    const project = scratchDir('deploy');
    const outdir = join(project, 'cdktf.out');
    const stackDir = join(outdir, 'stacks', 'dev');
    await moto!.reset();
    const before = await inventory(moto!, ['ap-northeast-1']);

    await npmSynth(outdir);
    writeMotoOverride(stackDir, moto!.url);
    expect(neutralizeBucketPolicies(stackDir)).toHaveLength(1);
    await init(stackDir);
    await apply(stackDir);
    const statePath = join(project, 'terraform.dev.tfstate');
    expect(existsSync(statePath)).toBe(true);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { serial: number; resources: unknown[] };
    expect(state.resources.length).toBeGreaterThan(40);

    await npmSynth(outdir);
    await cdktfSynth(outdir);
    // No init: the second deploy runs on what the first left.
    const eip = (await tf(stackDir, ['output', '-raw', 'shared-eip'])).stdout.trim();
    expect(eip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const second = await showPlan(stackDir, await plan(stackDir, 'second-deploy'));
    const { explained, unexplained } = explain(second);
    expect(unexplained).toEqual([]);
    const byKey = (a: { address: string; gap: string }, b: { address: string; gap: string }) => `${a.address} ${a.gap}`.localeCompare(`${b.address} ${b.gap}`);
    const resources = await stateOf(stackDir);
    expect(explained.sort(byKey)).toEqual(expectedGaps(resources).sort(byKey));
    // The state is the first deploy's: the same serial, nothing re-created.
    expect((JSON.parse(readFileSync(statePath, 'utf8')) as { serial: number }).serial).toBe(state.serial);

    await destroy(stackDir);
    expectNothingLeft('the deployed example', before, await inventory(moto!, ['ap-northeast-1']), groupSubnets(resources));
    removeScratch(project);
  }, 900_000);
});
