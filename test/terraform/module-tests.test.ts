import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hclForStack } from '../../lib/modules/hcl';
import { EXAMPLE_SPEC_FILE, loadSpecFile } from '../../lib/spec';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { ROOT } from '../helpers/synth';
import { assertTerraformAvailable, PLUGIN_DIR, plannedResources, terraform, terraformEnv, terraformPlan } from './terraform';

// The modules as Terraform users receive them: formatted as `terraform fmt` formats, tested
// by their own `terraform test` files (mock provider, no account), and planning the roots
// int128/nat-instance users already have, including lists known only at apply.

const run = promisify(execFile);
// Each module is a directory; modules/ also holds the generator's marker file.
const MODULES = readdirSync(join(ROOT, 'modules'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const TIMEOUT = 300_000;

let ready: Promise<void> | undefined;
const terraformReady = () => (ready ??= assertTerraformAvailable());

/** A scratch directory holding modules/ and, two levels below it as examples/ are, a root: the given files or directory. */
function scratch(root: Record<string, string> | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'egress-module-'));
  cpSync(join(ROOT, 'modules'), join(dir, 'modules'), { recursive: true });
  const at = join(dir, 'examples', 'root');
  if (typeof root === 'string') cpSync(root, at, { recursive: true, filter: (path) => !path.includes('.terraform') });
  else {
    mkdirSync(at, { recursive: true });
    for (const [file, content] of Object.entries(root)) writeFileSync(join(at, file), content);
  }
  return at;
}

async function terraformTest(dir: string): Promise<string> {
  await terraform(dir, ['init', '-input=false', `-plugin-dir=${PLUGIN_DIR}`]);
  return terraform(dir, ['test']);
}

/**
 * A root holding only the named variable blocks of a generated module, and a plan of it with
 * given values: 'accepted', or Terraform's errors on one line.
 */
async function inputsAlone(module: string, names: string[]): Promise<(values: Record<string, unknown>) => Promise<string>> {
  const variables = readFileSync(join(ROOT, 'modules', module, 'variables.tf'), 'utf8');
  const blocks = names.map((name) => new RegExp(`^variable "${name}" \\{\\n[\\s\\S]*?^\\}\\n`, 'm').exec(variables)?.[0]);
  expect(blocks).not.toContain(undefined);
  const dir = mkdtempSync(join(tmpdir(), `egress-inputs-${module}-`));
  writeFileSync(join(dir, 'main.tf'), blocks.join('\n'));
  await terraform(dir, ['init', '-input=false']);
  return (values) => {
    writeFileSync(join(dir, 'values.tfvars.json'), JSON.stringify(values));
    return terraform(dir, ['plan', '-input=false', '-var-file=values.tfvars.json']).then(
      () => 'accepted',
      (e: Error) => e.message.replace(/[\s│]+/g, ' '),
    );
  };
}

describe('modules/ as Terraform reads them', () => {
  it('GIVEN modules/ and examples/ WHEN terraform fmt -check -recursive THEN nothing is reformatted', async () => {
    await terraformReady();
    const { stdout } = await run('terraform', ['fmt', '-check', '-recursive', 'modules', 'examples'], { cwd: ROOT, env: terraformEnv() }).catch((e: { stdout: string }) => ({ stdout: `not formatted:\n${e.stdout}` }));
    expect(stdout).toBe('');
  }, TIMEOUT);

  it.concurrent.each(MODULES)('GIVEN modules/%s WHEN terraform test THEN every run passes, plans and applies alike', async (name) => {
    await terraformReady();
    const dir = mkdtempSync(join(tmpdir(), `egress-tftest-${name}-`));
    cpSync(join(ROOT, 'modules', name), dir, { recursive: true });
    const output = await terraformTest(dir);
    const summary = /Success! (\d+) passed, 0 failed/.exec(output);
    expect(summary).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(3);
    expect(output).toMatch(/run "[a-z_]*appl[a-z_]*"\.\.\. pass/);
  }, TIMEOUT);

  it('GIVEN terraform init and test run inside a module of modules/ WHEN npm run modules regenerates it THEN .terraform/ and the lock file survive, --check stays green and terraform test still passes', async () => {
    await terraformReady();
    const modules = join(mkdtempSync(join(tmpdir(), 'egress-modules-tf-')), 'modules');
    cpSync(join(ROOT, 'modules'), modules, { recursive: true });
    const module = join(modules, 'vpc-endpoints');
    await terraformTest(module);
    const before = readdirSync(join(module, '.terraform'), { recursive: true }).sort();
    const cli = (args: string[]) => run(process.execPath, ['-r', '@swc-node/register', 'lib/modules/cli.ts', '--dir', modules, ...args], { cwd: ROOT, env: terraformEnv() });
    await cli([]);
    expect(readdirSync(join(module, '.terraform'), { recursive: true }).sort()).toEqual(before);
    expect(existsSync(join(module, '.terraform.lock.hcl'))).toBe(true);
    expect((await cli(['--check'])).stderr).toBe('');
    // No init this time: the providers Terraform installed are still where it put them.
    expect(await terraform(module, ['test'])).toMatch(/Success! \d+ passed, 0 failed/);
  }, TIMEOUT);

  it.concurrent.each(MODULES)('GIVEN modules/%s\'s tags input WHEN Terraform evaluates its validations THEN unicode tags pass and each rule AWS enforces fails with the spec\'s message', async (name) => {
    await terraformReady();
    const plan = await inputsAlone(name, ['tags']);
    expect(await plan({ tags: { 'Team Name': 'café 日本 a.b:c/d=e+f-g@h' } })).toBe('accepted');
    expect(await plan({ tags: { 'AWS:owner': 'me' } })).toContain('tag keys starting with "aws:" are reserved for AWS; choose another key');
    expect(await plan({ tags: { 'team#1': 'me' } })).toContain('tag key "team#1" has characters AWS refuses');
    expect(await plan({ tags: { team: 'x'.repeat(257) } })).toContain('tags["team"]: must be at most 256 characters long');
    expect(await plan({ tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v'])) })).toContain('48 tags plus the 4 cdktf-egress sets');
  }, TIMEOUT);

  it('GIVEN CIDR inputs WHEN Terraform evaluates their validations THEN each fault gets the spec\'s one message, and no function call fails', async () => {
    await terraformReady();
    const vpc = await inputsAlone('egress-vpc', ['cidr']);
    expect(await vpc({ cidr: '10.0.0.0/16' })).toBe('accepted');
    for (const [cidr, said] of [
      ['010.001.0.0/16', '"010.001.0.0/16" has a leading zero in an octet, which AWS and Terraform do not accept; write 10.1.0.0/16'],
      ['10.0.0.1/16', '10.0.0.1/16 is not a network address; did you mean 10.0.0.0/16?'],
      ['10.0.0.0/33', '"10.0.0.0/33" is not a valid IPv4 CIDR'],
      ['x', '"x" is not a valid IPv4 CIDR'],
    ]) {
      const output = await vpc({ cidr });
      expect(output).toContain(said);
      expect({ cidr, errors: output.match(/Error: /g)?.length }).toEqual({ cidr, errors: 1 });
    }
    const hub = await inputsAlone('multi-vpc-nat', ['hub_cidr_blocks']);
    const output = await hub({ hub_cidr_blocks: ['10.0.0.0/16', '192.168.1.5/24', '010.2.0.0/16', 'x'] });
    expect(output).toContain('"x" is not a valid IPv4 CIDR');
    expect(output).toContain('"010.2.0.0/16" has a leading zero in an octet, which AWS and Terraform do not accept; write 10.2.0.0/16');
    expect(output).toContain('192.168.1.5/24 is not a network address; did you mean 192.168.1.0/24?');
    expect(output).not.toContain('Error in function call');
  }, TIMEOUT);

  it('GIVEN a root testing itself with mock_provider (made-up IDs, one provider-checked ARN) WHEN terraform test THEN it passes', async () => {
    await terraformReady();
    const output = await terraformTest(scratch(join(ROOT, 'examples', 'nat-instance')));
    expect(output).toMatch(/Success! 1 passed, 0 failed/);
  }, TIMEOUT);
});

/** A VPC whose CIDR IPAM allocates at apply: its subnets' CIDRs, and a compact() of them, are unknown at plan. */
const IPAM_ROOT = `
provider "aws" {
  region = "us-west-2"
}

resource "aws_vpc" "main" {
  ipv4_ipam_pool_id   = "ipam-pool-0123456789abcdef0"
  ipv4_netmask_length = 16
}

resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 4, 0)
}

resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 4, 8 + count.index)
}

resource "aws_route_table" "private" {
  count  = 2
  vpc_id = aws_vpc.main.id
}

module "nat" {
  source = "../../modules/nat-instance"

  name                        = "main"
  vpc_id                      = aws_vpc.main.id
  public_subnet               = aws_subnet.public.id
  private_subnets_cidr_blocks = compact(aws_subnet.private[*].cidr_block)
  private_route_table_ids     = aws_route_table.private[*].id
}
`;

describe('modules/nat-instance as a drop-in for int128/nat-instance', () => {
  it('GIVEN private_subnets_cidr_blocks known only at apply WHEN plan THEN it plans (no Invalid count argument), the rule taking the list at apply', async () => {
    await terraformReady();
    const plan = await terraformPlan(scratch({ 'main.tf': IPAM_ROOT }));
    const addresses = plannedResources(plan.show.planned_values.root_module).map((r) => r.address);
    expect(addresses).toEqual(expect.arrayContaining(['module.nat.aws_security_group_rule.ingress_any', 'module.nat.aws_route.this[0]', 'module.nat.aws_route.this[1]']));
  }, TIMEOUT);
});

describe('the HCL emitter on whatever the constructs synthesize', () => {
  it('GIVEN the built-in example\'s whole spec stack (every construct, plain values) WHEN written as HCL THEN terraform fmt leaves it alone and validate accepts it', async () => {
    await terraformReady();
    const { spec } = loadSpecFile(EXAMPLE_SPEC_FILE);
    const hcl = hclForStack((app) => new EgressStack(app, spec));
    const dir = mkdtempSync(join(tmpdir(), 'egress-stack-hcl-'));
    writeFileSync(join(dir, 'main.tf'), hcl);
    writeFileSync(join(dir, 'provider.tf'), `provider "aws" {\n  region = "${spec.region}"\n}\n`);
    await terraform(dir, ['fmt', '-check', '-diff']);
    await terraform(dir, ['init', '-input=false', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`]);
    expect(await terraform(dir, ['validate'])).toMatch(/Success! The configuration is valid/);
    expect(hcl).toMatch(/^resource "aws_autoscaling_group" /m);
    expect(hcl).toMatch(/^resource "aws_vpc_endpoint" /m);
  }, TIMEOUT);
});
