import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { createHash } from 'node:crypto';
import { bootFile, BOOT_LOADER_PATH, BOOT_MANIFEST_PATH, SHIPPED_BOOT_FILES } from '../../lib/nat/user-data';
import { WATCHDOG_BOOT_FILES } from '../../lib/nat/watchdog';
import { SpecError, validateSpec } from '../../lib/spec';
import { ROOT } from '../helpers/synth';
import { assertTerraformAvailable, PLAN_BOOT_BUCKET, plannedResources, terraformPlan, writePlanBucketOverride, type PlannedResource, type PlanResult } from './terraform';

// Every root under examples/ must init against the offline aws provider, validate and plan
// with mock credentials, calling the generated modules by their relative source: what a
// user of modules/ runs. The Terraform Cloud example plans on a local backend. The NAT
// modules' boot bucket is given a name (S3 makes one from its prefix only at apply), so the
// user data, whose manifest names the bucket, is known at plan time and read back.

const EXAMPLES_DIR = join(ROOT, 'examples');
const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((name) => statSync(join(EXAMPLES_DIR, name)).isDirectory()).sort();
const PLAN_TIMEOUT = 240_000;

/** Replaces a `cloud {}` block for the plan: Terraform lets a backend in an override file stand for it. */
const LOCAL_BACKEND_OVERRIDE = { terraform: { backend: { local: {} } } };

let ready: Promise<void> | undefined;
const plans = new Map<string, Promise<PlanResult>>();
/** Where each example was planned: the objects' `source` paths are relative to it. */
const planDirs = new Map<string, string>();

/** A copy of examples/<name> with modules/ two levels up, as its `../../modules/...` sources expect. */
function scratchCopy(name: string): string {
  const root = mkdtempSync(join(tmpdir(), `egress-example-${name}-`));
  cpSync(join(ROOT, 'modules'), join(root, 'modules'), { recursive: true });
  for (const module of readdirSync(join(root, 'modules'))) {
    if (statSync(join(root, 'modules', module)).isDirectory()) writePlanBucketOverride(join(root, 'modules', module));
  }
  const skip = new Set(['.terraform', '.terraform.lock.hcl', 'terraform.tfstate', 'terraform.tfstate.backup']);
  cpSync(join(EXAMPLES_DIR, name), join(root, 'examples', name), { recursive: true, filter: (path) => !skip.has(basename(path)) });
  return join(root, 'examples', name);
}

function usesCloud(dir: string): boolean {
  return readdirSync(dir).some((file) => file.endsWith('.tf') && /^\s*cloud\s*\{/m.test(readFileSync(join(dir, file), 'utf8')));
}

/** init, validate and plan, once per example however many tests ask. Fails (never skips) without terraform. */
function planOf(name: string): Promise<PlanResult> {
  let plan = plans.get(name);
  if (!plan) {
    plan = (ready ??= assertTerraformAvailable()).then(() => {
      const dir = scratchCopy(name);
      planDirs.set(name, dir);
      if (usesCloud(dir)) writeFileSync(join(dir, 'zz_local_backend_override.tf.json'), JSON.stringify(LOCAL_BACKEND_OVERRIDE));
      return terraformPlan(dir, { validate: true });
    });
    plans.set(name, plan);
  }
  return plan;
}

const resourcesOf = async (name: string): Promise<PlannedResource[]> => plannedResources((await planOf(name)).show.planned_values.root_module);

interface CloudConfig {
  write_files: { path: string; content: string; encoding?: string; permissions?: string }[];
  runcmd: unknown[];
}

function decodeUserData(launchTemplate: PlannedResource): { text: string; bytes: number; config: CloudConfig } {
  const raw = Buffer.from(String(launchTemplate.values.user_data), 'base64');
  // gzip-compressed, as cloud-init accepts it (EC2's 16 KB limit applies to the compressed bytes).
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  return { text, bytes: raw.length, config: parseYaml(text) as CloudConfig };
}

const fileAt = (config: CloudConfig, path: string) => config.write_files.find((file) => file.path === path);

describe('examples/', () => {
  it('GIVEN the examples directory THEN it holds the five documented roots, each with a README', () => {
    expect(EXAMPLES).toEqual(['int128-migration', 'multi-vpc-nat', 'nat-instance', 'terraform-cloud', 'vpc-endpoints']);
    for (const name of EXAMPLES) {
      expect(readFileSync(join(EXAMPLES_DIR, name, 'README.md'), 'utf8')).toMatch(/[Rr]egion/);
      expect(readFileSync(join(EXAMPLES_DIR, name, 'main.tf'), 'utf8')).toMatch(/provider "aws" \{\s*region\s*=/);
    }
  });

  it('GIVEN examples/terraform-cloud THEN its cloud block names nothing: TF_CLOUD_ORGANIZATION and TF_WORKSPACE do', () => {
    const main = readFileSync(join(EXAMPLES_DIR, 'terraform-cloud', 'main.tf'), 'utf8');
    expect(main).toMatch(/terraform \{\s*cloud \{\}\s*\}/);
    expect(readFileSync(join(EXAMPLES_DIR, 'terraform-cloud', 'README.md'), 'utf8')).toMatch(/## VCS-driven runs/);
  });

  it.concurrent.each(EXAMPLES)('GIVEN examples/%s WHEN init, validate and plan THEN every step succeeds', async (name) => {
    const plan = await planOf(name);
    expect(plan.validateOutput).toMatch(/Success! The configuration is valid/);
    expect(plannedResources(plan.show.planned_values.root_module).length).toBeGreaterThan(0);
  }, PLAN_TIMEOUT);

  it.concurrent.each(EXAMPLES.filter((name) => name !== 'vpc-endpoints'))(
    'GIVEN examples/%s THEN user data carries the loader byte for byte and a manifest pinning each of the module\'s boot files, uploaded byte for byte from the module\'s boot/',
    async (name) => {
      const resources = await resourcesOf(name);
      const templates = resources.filter((r) => r.type === 'aws_launch_template');
      expect(templates).toHaveLength(1);
      const { text, bytes: sent, config } = decodeUserData(templates[0]);
      expect(text.startsWith('#cloud-config\n')).toBe(true);
      expect(fileAt(config, BOOT_LOADER_PATH)).toEqual({ path: BOOT_LOADER_PATH, permissions: '0755', content: bootFile('nat-load.sh') });
      const manifest = (fileAt(config, BOOT_MANIFEST_PATH)?.content ?? '').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      const region = /^REGION="([a-z0-9-]+)"$/m.exec(fileAt(config, '/etc/cdktf-egress/nat.conf')?.content ?? '')?.[1];
      expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
      expect(manifest[0]).toBe(`bucket ${PLAN_BOOT_BUCKET} ${region}`);
      const files = [...SHIPPED_BOOT_FILES, ...WATCHDOG_BOOT_FILES];
      const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
      expect(manifest.slice(1)).toEqual(files.map((f) => `file ${f.name} ${sha(join(ROOT, 'lib/nat/boot', f.name))} ${f.permissions} ${f.path}`));
      // No boot script is written from user data: each comes from its object.
      for (const f of files) expect(fileAt(config, f.path)).toBeUndefined();
      const objects = resources.filter((r) => r.type === 'aws_s3_object');
      expect(objects.map((o) => String(o.values.key)).sort()).toEqual(files.map((f) => `boot/${sha(join(ROOT, 'lib/nat/boot', f.name))}/${f.name}`).sort());
      for (const o of objects) {
        const file = String(o.values.source);
        expect(file).toMatch(/^\.\.\/\.\.\/modules\/(nat-instance|multi-vpc-nat)\/boot\/[a-z.-]+$/);
        expect(readFileSync(resolve(planDirs.get(name)!, file), 'utf8')).toBe(bootFile(String(o.values.key).split('/').pop()!));
      }
      // What EC2 is sent (gzip-compressed) is what its 16 KB limit applies to.
      expect(sent).toBeLessThanOrEqual(16 * 1024);
    },
    PLAN_TIMEOUT,
  );
});

describe('examples/int128-migration', () => {
  it('GIVEN a root written for int128/nat-instance THEN it plans exactly one EIP, the root\'s, on the module\'s ENI', async () => {
    const plan = await planOf('int128-migration');
    const eips = plannedResources(plan.show.planned_values.root_module).filter((r) => r.type === 'aws_eip');
    expect(eips.map((r) => r.address)).toEqual(['aws_eip.nat']);
    const config = (plan.show as unknown as { configuration: { root_module: { resources: { address: string; expressions: Record<string, { references?: string[] }> }[] } } }).configuration;
    const eip = config.root_module.resources.find((r) => r.address === 'aws_eip.nat');
    expect(eip?.expressions.network_interface.references).toContain('module.nat.eni_id');
  }, PLAN_TIMEOUT);

  it('GIVEN its extra cloud-init files and commands THEN they follow the NAT\'s own, in the decoded user data', async () => {
    const [template] = (await resourcesOf('int128-migration')).filter((r) => r.type === 'aws_launch_template');
    const { config } = decodeUserData(template);
    const paths = config.write_files.map((f) => f.path);
    expect(paths.slice(-2)).toEqual(['/opt/nat/egress-report.sh', '/etc/motd']);
    expect(fileAt(config, '/opt/nat/egress-report.sh')).toMatchObject({ permissions: '0755', content: readFileSync(join(EXAMPLES_DIR, 'int128-migration', 'egress-report.sh'), 'utf8') });
    expect(fileAt(config, '/etc/motd')?.permissions).toBe('0644');
    expect(config.runcmd.at(-1)).toEqual(['/opt/nat/egress-report.sh']);
  }, PLAN_TIMEOUT);

  it('GIVEN the role policy and the SSH rule THEN they attach to the module\'s role and security group', async () => {
    const resources = await resourcesOf('int128-migration');
    expect(resources.map((r) => r.address)).toEqual(expect.arrayContaining(['aws_iam_role_policy.egress_report', 'aws_security_group_rule.nat_ssh']));
    expect(resources.find((r) => r.address === 'aws_security_group_rule.nat_ssh')?.values).toMatchObject({ from_port: 22, cidr_blocks: ['198.51.100.0/24'] });
  }, PLAN_TIMEOUT);
});

describe('examples/multi-vpc-nat', () => {
  it('GIVEN a hub and two spokes THEN each spoke has one ENI, device 2 and 3, and one route per private route table', async () => {
    const resources = await resourcesOf('multi-vpc-nat');
    const spokeEnis = resources.filter((r) => r.address.startsWith('module.nat.aws_network_interface.spoke['));
    expect(spokeEnis.map((r) => [r.address, (r.values.tags as Record<string, string>)['cdktf-egress:device-index']])).toEqual([
      ['module.nat.aws_network_interface.spoke["app1"]', '2'],
      ['module.nat.aws_network_interface.spoke["app2"]', '3'],
    ]);
    const spokeRoutes = resources.filter((r) => r.address.startsWith('module.nat.aws_route.spoke[')).map((r) => r.address);
    expect(spokeRoutes).toEqual(['module.nat.aws_route.spoke["app1/0"]', 'module.nat.aws_route.spoke["app1/1"]', 'module.nat.aws_route.spoke["app2/0"]']);
  }, PLAN_TIMEOUT);

  it('GIVEN the boot config THEN it names the spokes\' device indexes and CIDRs and the forward', async () => {
    const [template] = (await resourcesOf('multi-vpc-nat')).filter((r) => r.type === 'aws_launch_template');
    const conf = fileAt(decodeUserData(template).config, '/etc/cdktf-egress/nat.conf')?.content ?? '';
    expect(conf).toContain('SPOKES="2=10.1.0.0/16 3=10.2.0.0/16"');
    expect(conf).toContain('HUB_CIDRS="10.0.0.0/16"');
    expect(conf).toContain('PORT_FORWARDS="tcp:8080:10.1.128.10:80:203.0.113.0/24"');
    expect(conf).toContain('REGION="ap-northeast-1"');
  }, PLAN_TIMEOUT);
});

describe('module validation in Terraform', () => {
  const specMessage = (raw: Record<string, unknown>): string => {
    try {
      validateSpec(raw);
    } catch (e) {
      if (e instanceof SpecError) return e.issues[0].message;
      throw e;
    }
    throw new Error('the spec was accepted');
  };

  it('GIVEN inputs the spec would refuse THEN plan fails with the spec\'s messages, variable names for field names', async () => {
    await (ready ??= assertTerraformAvailable());
    const dir = scratchCopy('multi-vpc-nat');
    const main = readFileSync(join(dir, 'main.tf'), 'utf8')
      .replace('egress_interface        = "dedicated"', 'egress_interface        = "dedicated"\n  instance_types          = ["t4g.nano"]')
      .replace('to = "10.1.128.10"', 'to = "10.9.0.1"');
    writeFileSync(join(dir, 'main.tf'), main);
    const failure = await terraformPlan(dir).then(() => '', (e: Error) => e.message.replace(/\s+/g, ' '));
    const vpcs = ['hub', 'app1', 'app2'].map((name, i) => ({ name, cidr: `10.${i}.0.0/16`, azs: ['ap-northeast-1a'] }));
    const nat = { name: 'shared', vpc: 'hub', az: 'ap-northeast-1a', spokes: ['app1', 'app2'] };
    const tooSmall = specMessage({ project: 'dev', region: 'ap-northeast-1', vpcs, natInstances: [{ ...nat, instanceTypes: ['t4g.nano'] }] });
    const forward = { protocol: 'tcp', port: 8080, to: '10.9.0.1', toPort: 80, allowFrom: ['203.0.113.0/24'] };
    const nowhere = specMessage({ project: 'dev', region: 'ap-northeast-1', vpcs, natInstances: [{ ...nat, instanceTypes: ['t4g.xlarge'], portForwards: [forward] }] });
    expect(failure).toContain(tooSmall.replace('egressInterface', 'egress_interface'));
    expect(failure).toContain(nowhere);
  }, PLAN_TIMEOUT);
});
