import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/synth';
import { assertTerraformAvailable } from '../terraform/terraform';
import { edit, expectProven, lifecycle, rootTimeout, scratchRoot, withMoto, type RootCase } from './support/apply';

// Every examples/ root and each module's README usage, as Terraform users run them, applied
// against moto: apply, a re-plan with nothing to do, a change users make often applied in
// place (the EIP and the ENIs stay), and a destroy that leaves moto as it found it.

const EXAMPLES_DIR = join(ROOT, 'examples');
const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((name) => statSync(join(EXAMPLES_DIR, name)).isDirectory()).sort();
const MODULES = readdirSync(join(ROOT, 'modules')).filter((name) => statSync(join(ROOT, 'modules', name)).isDirectory()).sort();

/** Adds `line` as the first argument of `module "<name>"` in main.tf. */
const setInModule = (module: string, line: string) => (dir: string) =>
  edit(dir, 'main.tf', (text) => text.replace(new RegExp(`(module "${module}" \\{\\n)`), `$1  ${line}\n`));
const replaceIn = (from: string, to: string) => (dir: string) => edit(dir, 'main.tf', (text) => text.split(from).join(to));

/** The change a user of each example makes often; none starts an instance refresh, which moto lacks (NO_INSTANCE_REFRESH in support/gaps.ts). */
const EXAMPLE_CHANGES: Record<string, { regions: string[]; change: (dir: string) => void }> = {
  'int128-migration': { regions: ['us-west-2'], change: setInModule('nat', 'enabled = false') },
  'multi-vpc-nat': { regions: ['ap-northeast-1'], change: setInModule('nat', 'schedule = { time_zone = "Asia/Tokyo", on = "0 8 * * 1-5", off = "0 20 * * 1-5" }') },
  'nat-instance': { regions: ['us-west-2'], change: setInModule('nat', 'enabled = false') },
  'terraform-cloud': { regions: ['ap-northeast-1'], change: setInModule('nat', 'schedule = { time_zone = "Asia/Tokyo", on = "0 8 * * 1-5", off = "0 20 * * 1-5" }') },
  'vpc-endpoints': { regions: ['ap-northeast-1'], change: replaceIn('interface       = ["ssm", "ecr", "logs"]', 'interface       = ["ssm", "ecr"]') },
};

/** Replaces a `cloud {}` block for the run: Terraform lets a backend in an override file stand for it. */
const LOCAL_BACKEND_OVERRIDE = { terraform: { backend: { local: {} } } };

const exampleCases: RootCase[] = EXAMPLES.map((name) => ({
  name: `examples/${name}`,
  regions: EXAMPLE_CHANGES[name]?.regions ?? [],
  prepare: async () => {
    const dir = scratchRoot(name, join(EXAMPLES_DIR, name));
    if (/^\s*cloud\s*\{/m.test(readFileSync(join(dir, 'main.tf'), 'utf8'))) {
      writeFileSync(join(dir, 'zz_local_backend_override.tf.json'), JSON.stringify(LOCAL_BACKEND_OVERRIDE));
    }
    return dir;
  },
  change: (dir: string) => EXAMPLE_CHANGES[name].change(dir),
}));

/** The first ```hcl block of a module's README: its usage example. */
function readmeUsage(module: string): string {
  const match = /```hcl\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'modules', module, 'README.md'), 'utf8'));
  if (!match) throw new Error(`modules/${module}/README.md has no hcl usage block`);
  return match[1];
}

/**
 * The VPCs a README usage refers to but does not declare (module.vpc, module.hub, ...), made
 * with the egress-vpc module, each its own /16 in the two AZs the example stacks use.
 */
function context(usage: string): string {
  const declared = new Set([...usage.matchAll(/^module "([^"]+)"/gm)].map((m) => m[1]));
  const referenced = [...new Set([...usage.matchAll(/\bmodule\.([a-z0-9_]+)\./g)].map((m) => m[1]))].filter((n) => !declared.has(n)).sort();
  const vpcs = referenced.map((name, i) => `module "${name}" {
  source = "../../modules/egress-vpc"
  name   = "readme-${name}"
  cidr   = "10.${50 + i}.0.0/16"
  azs    = ["ap-northeast-1a", "ap-northeast-1c"]
}
`);
  return ['provider "aws" {\n  region = "ap-northeast-1"\n}\n', ...vpcs].join('\n');
}

/** The change a user of each module makes often, to the README usage. */
const README_CHANGES: Record<string, (dir: string) => void> = {
  'egress-vpc': (dir) => edit(dir, 'main.tf', (text) => text.replace('ipv6 = true', 'ipv6 = true\n  tags = { team = "network" }')),
  'multi-vpc-nat': setInModule('nat', 'enabled = false'),
  'nat-instance': setInModule('nat', 'schedule = { time_zone = "Etc/UTC", on = "0 7 * * *", off = "0 19 * * *" }'),
  'vpc-endpoints': (dir) => edit(dir, 'main.tf', (text) => text.replace('gateway         = ["s3"]', 'gateway         = ["s3", "dynamodb"]')),
};

const readmeCases: RootCase[] = MODULES.map((module) => ({
  name: `modules/${module}/README.md`,
  regions: ['ap-northeast-1'],
  prepare: async () => {
    const usage = readmeUsage(module);
    return scratchRoot(`readme-${module}`, { 'main.tf': usage, 'context.tf': context(usage) });
  },
  change: (dir: string) => README_CHANGES[module](dir),
}));

beforeAll(async () => assertTerraformAvailable(), 300_000);

describe('Terraform roots against moto', () => {
  it('GIVEN the roots THEN every example and every module has its change', () => {
    expect(Object.keys(EXAMPLE_CHANGES).sort()).toEqual(EXAMPLES);
    expect(Object.keys(README_CHANGES).sort()).toEqual(MODULES);
  });

  it.concurrent.each([...exampleCases, ...readmeCases].map((c) => [c.name, c] as const))('GIVEN %s WHEN applied, re-planned, changed and destroyed THEN nothing but the named moto gaps differs, the EIP and ENIs stay, and nothing is left', async (name, c) => {
    expectProven(name, await withMoto((moto) => lifecycle(moto, c)));
  }, rootTimeout(exampleCases.length + readmeCases.length));
});
