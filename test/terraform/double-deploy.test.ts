import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/synth';
import { assertTerraformAvailable, MOCK_PROVIDER_OVERRIDE, PLUGIN_DIR, terraform, terraformEnv } from './terraform';

const run = promisify(execFile);

// `cdktf deploy` twice, offline: synthesize, let Terraform initialize the stack directory and
// write state through the configured backend, synthesize again (both ways users do), and check
// that Terraform still finds its state, providers, lock file and plan without a new init.

/** A state as Terraform keeps it; pushed through the backend, so Terraform decides where it lands. */
const STATE = {
  version: 4,
  terraform_version: '1.11.0',
  serial: 3,
  lineage: '5f1c1a44-6d5e-4c1a-9d38-1b1e0f3f4c11',
  outputs: { 'shared-eip': { value: '198.51.100.7', type: 'string' } },
  resources: [],
  check_results: null,
};

async function npmSynth(outdir: string, args: string[] = []): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...terraformEnv(), EGRESS_OUTDIR: outdir };
  delete env.EGRESS_SPEC;
  await run('npm', ['run', '-s', 'synth', ...(args.length > 0 ? ['--', ...args] : [])], { cwd: ROOT, env, timeout: 120_000 });
}

async function cdktfSynth(outdir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...terraformEnv(), CI: '1' };
  delete env.EGRESS_SPEC;
  delete env.EGRESS_OUTDIR;
  await run('npx', ['cdktf', 'synth', '--output', outdir], { cwd: ROOT, env, timeout: 180_000 });
}

/** Every file below `dir` with its bytes, `.terraform/` included. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const child = join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else files.set(child, entry.isFile() ? readFileSync(join(dir, child)).toString('base64') : 'link');
    }
  };
  walk('');
  return files;
}

beforeAll(assertTerraformAvailable);

describe('cdktf deploy, twice', () => {
  it('GIVEN a deployed stack directory WHEN synthesized again by npm run synth and npx cdktf synth THEN state, .terraform, lock file, plan and user files are all still there and in use', async () => {
    const project = mkdtempSync(join(tmpdir(), 'egress-redeploy-'));
    const outdir = join(project, 'cdktf.out');
    const stackDir = join(outdir, 'stacks', 'dev');
    await npmSynth(outdir);
    writeFileSync(join(stackDir, 'zz_mock_provider_override.tf.json'), JSON.stringify(MOCK_PROVIDER_OVERRIDE));
    await terraform(stackDir, ['init', '-input=false', `-plugin-dir=${PLUGIN_DIR}`]);
    writeFileSync(join(project, 'state.json'), JSON.stringify(STATE));
    await terraform(stackDir, ['state', 'push', join(project, 'state.json')]);
    await terraform(stackDir, ['plan', '-input=false', '-lock=false', '-refresh=false', '-out=deploy.tfplan']);
    writeFileSync(join(stackDir, 'notes.md'), 'a user file');

    // Terraform wrote the state outside the generated tree, where CDKTF's own default puts it.
    expect(existsSync(join(project, 'terraform.dev.tfstate'))).toBe(true);
    const stateBefore = readFileSync(join(project, 'terraform.dev.tfstate'), 'utf8');
    const kept = [...snapshot(stackDir)].filter(([rel]) => !['cdk.tf.json', 'cost.md', 'topology.md'].includes(rel));
    expect(kept.map(([rel]) => rel)).toEqual(expect.arrayContaining(['.terraform.lock.hcl', 'deploy.tfplan', 'notes.md', 'zz_mock_provider_override.tf.json']));
    expect(kept.some(([rel]) => rel.startsWith('.terraform/providers/'))).toBe(true);

    await npmSynth(outdir);
    await cdktfSynth(outdir);

    const after = snapshot(stackDir);
    for (const [rel, bytes] of kept) expect([rel, after.get(rel)]).toEqual([rel, bytes]);
    expect(readFileSync(join(project, 'terraform.dev.tfstate'), 'utf8')).toBe(stateBefore);
    // No init: the kept .terraform/ and lock file are what Terraform runs on, and it finds the state.
    expect((await terraform(stackDir, ['output', '-raw', 'shared-eip'])).trim()).toBe('198.51.100.7');
    await terraform(stackDir, ['plan', '-input=false', '-lock=false', '-refresh=false']);
  }, 600_000);

  it('GIVEN state that an earlier version kept in the stack directory WHEN synthesized THEN it is moved out, never deleted, and terraform init -migrate-state picks it up', async () => {
    const project = mkdtempSync(join(tmpdir(), 'egress-legacy-state-'));
    const outdir = join(project, 'cdktf.out');
    const stackDir = join(outdir, 'stacks', 'dev');
    await npmSynth(outdir);
    // The earlier layout: backend path terraform.tfstate, resolved inside the stack directory.
    const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    stack.terraform.backend = { local: { path: 'terraform.tfstate' } };
    writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(stack));
    await terraform(stackDir, ['init', '-input=false', `-plugin-dir=${PLUGIN_DIR}`]);
    writeFileSync(join(project, 'state.json'), JSON.stringify(STATE));
    await terraform(stackDir, ['state', 'push', join(project, 'state.json')]);
    const inTree = readFileSync(join(stackDir, 'terraform.tfstate'), 'utf8');
    // An earlier version wrote no marker: only its CDKTF manifest says the directory is ours.
    renameSync(join(outdir, '.cdktf-egress.json'), join(project, 'marker.json'));

    const env: NodeJS.ProcessEnv = { ...terraformEnv(), EGRESS_OUTDIR: outdir };
    delete env.EGRESS_SPEC;
    const synth = await run('npm', ['run', '-s', 'synth'], { cwd: ROOT, env, timeout: 120_000 });

    expect(synth.stderr.trim()).toBe(
      `notice: backend: moved Terraform state ${join(stackDir, 'terraform.tfstate')} to ${join(project, 'terraform.dev.tfstate')}, outside the regenerated tree; run terraform init -migrate-state (cdktf deploy --migrate-state) once`,
    );
    expect(readFileSync(join(project, 'terraform.dev.tfstate'), 'utf8')).toBe(inTree);
    await terraform(stackDir, ['init', '-input=false', '-migrate-state', `-plugin-dir=${PLUGIN_DIR}`]);
    expect((await terraform(stackDir, ['output', '-raw', 'shared-eip'])).trim()).toBe('198.51.100.7');
  }, 600_000);
});
