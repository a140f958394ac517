import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MODULES } from '../../lib/modules/catalog';
import { generateModules, writeModules } from '../../lib/modules/generate';
import { MARKER } from '../../lib/outdir';
import { ROOT } from '../helpers/synth';

/** `npm run modules` as its script runs it, with extra arguments. */
function modulesCli(args: string[]) {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'lib/modules/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const put = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};
const scratch = () => join(mkdtempSync(join(tmpdir(), 'egress-modules-keep-')), 'modules');
const quiet = { notice: () => undefined };

/** What `terraform init`, `test`, `plan -out` and a user leave in a module directory. */
const LEFT_BY_TERRAFORM_AND_USER = {
  'nat-instance/.terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws': 'binary',
  'nat-instance/.terraform/modules/modules.json': '{"Modules":[]}',
  'nat-instance/.terraform.lock.hcl': 'provider "registry.terraform.io/hashicorp/aws" {}\n',
  'nat-instance/terraform.tfstate': '{"version":4}',
  'nat-instance/terraform.tfstate.backup': '{"version":4}',
  'nat-instance/.terraform.tfstate.lock.info': '{}',
  'nat-instance/change.tfplan': 'plan',
  'nat-instance/notes.md': 'my notes\n',
  'egress-vpc/tests/.terraform/modules/modules.json': '{}',
};

describe('npm run modules keeps what it did not generate', () => {
  it('GIVEN Terraform working files and a user file in a module directory WHEN regenerated THEN all survive and --check stays green', () => {
    const dir = scratch();
    expect(modulesCli(['--dir', dir]).status).toBe(0);
    for (const [rel, text] of Object.entries(LEFT_BY_TERRAFORM_AND_USER)) put(join(dir, rel), text);
    appendStale(join(dir, 'nat-instance', 'main.tf'));

    const written = modulesCli(['--dir', dir]);

    expect(written).toMatchObject({ status: 0, stderr: '' });
    for (const [rel, text] of Object.entries(LEFT_BY_TERRAFORM_AND_USER)) expect(readFileSync(join(dir, rel), 'utf8')).toBe(text);
    expect(readFileSync(join(dir, 'nat-instance', 'main.tf'), 'utf8')).toBe(generateModules().get('nat-instance/main.tf'));
    const check = modulesCli(['--check', '--dir', dir]);
    expect(check).toMatchObject({ status: 0, stderr: '' });
    // The user's file is named as kept; Terraform's working files are not mentioned at all.
    expect(check.stdout).toContain(`kept: ${join(dir, 'nat-instance', 'notes.md')}`);
    expect(check.stdout).not.toMatch(/\.terraform|tfstate|tfplan/);
  });

  it('GIVEN a module no longer generated WHEN regenerated THEN its generated files go, its user and Terraform files stay', async () => {
    const dir = scratch();
    await writeModules(dir, generateModules(), quiet);
    put(join(dir, 'vpc-endpoints', '.terraform.lock.hcl'), 'lock');
    put(join(dir, 'vpc-endpoints', 'tests', 'mine.tftest.hcl'), 'run "mine" {}\n');

    await writeModules(dir, generateModules(MODULES.filter((m) => m.name !== 'vpc-endpoints' && m.name !== 'egress-vpc')), quiet);

    expect(readdirSync(join(dir, 'vpc-endpoints')).sort()).toEqual(['.terraform.lock.hcl', 'tests']);
    expect(readdirSync(join(dir, 'vpc-endpoints', 'tests'))).toEqual(['mine.tftest.hcl']);
    // Nothing of egress-vpc was anyone else's: its directory goes with its files.
    expect(existsSync(join(dir, 'egress-vpc'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, MARKER), 'utf8')).files).not.toContain('vpc-endpoints/main.tf');
  });

  it('GIVEN modules/ written before the marker existed WHEN regenerated THEN stamped files are replaced and unstamped ones kept', () => {
    const dir = scratch();
    cpSync(join(ROOT, 'modules'), dir, { recursive: true });
    rmSync(join(dir, MARKER), { force: true });
    const oldJson = readFileSync(join(ROOT, 'modules', 'nat-instance', 'main.tf'), 'utf8').split('\n')[0].replace(/^# /, '');
    put(join(dir, 'nat-instance', 'main.tf.json'), `{\n  "//": ${JSON.stringify(oldJson)}\n}\n`);
    put(join(dir, 'nat-instance', 'tests', 'mine.tftest.hcl'), 'run "mine" {}\n');
    put(join(dir, 'nat-instance', 'override.tf'), '# hand-written\n');

    expect(modulesCli(['--dir', dir])).toMatchObject({ status: 0, stderr: '' });

    expect(existsSync(join(dir, 'nat-instance', 'main.tf.json'))).toBe(false);
    expect(readFileSync(join(dir, 'nat-instance', 'tests', 'mine.tftest.hcl'), 'utf8')).toBe('run "mine" {}\n');
    expect(readFileSync(join(dir, 'nat-instance', 'override.tf'), 'utf8')).toBe('# hand-written\n');
    expect(existsSync(join(dir, MARKER))).toBe(true);
  });

  it('GIVEN a hand-written .tf in a module WHEN --check THEN it fails naming it as kept by regeneration, and not asking to regenerate', () => {
    const dir = scratch();
    expect(modulesCli(['--dir', dir]).status).toBe(0);
    put(join(dir, 'nat-instance', 'override.tf'), '# hand-written\n');
    const check = modulesCli(['--check', '--dir', dir]);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`unexpected: ${join(dir, 'nat-instance', 'override.tf')} (Terraform loads it`);
    expect(check.stderr).toContain('delete it or move it out');
    expect(check.stderr).not.toContain('run `npm run modules`');
  });

  it('GIVEN a non-empty directory the generator did not write WHEN --dir names it THEN it exits 2 with one line and changes nothing', () => {
    const dir = scratch();
    put(join(dir, 'main.tf'), '# someone else\n');
    const result = modulesCli(['--dir', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: --dir: .*did not create/);
    expect(readdirSync(dir)).toEqual(['main.tf']);
    expect(readdirSync(dirname(dir))).toEqual(['modules']);
  });

  it('GIVEN the project root WHEN --dir names it THEN it is refused before anything is written', () => {
    const result = modulesCli(['--dir', '.']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: --dir: .*project root/);
  });
});

function appendStale(path: string): void {
  writeFileSync(path, `${readFileSync(path, 'utf8')}# edited\n`);
}
