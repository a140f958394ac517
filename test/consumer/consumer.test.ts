import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSynth } from '../helpers/synth';
import { plannedResources, terraformPlan, type PlanResult } from '../terraform/terraform';
import { CDKTF, CDKTF_OLDEST, CDKTN, cleanEnv, comparable, createApp, exec, packRepository, readStack, ROOT } from './consumer-app';

// A user's own app, outside this repository: the packed tarball installed with npm into a
// fresh TypeScript app (the README's example), type-checked, synthesized, planned; and the
// same app on cdktn, which must synthesize the same stack.

const WORK = mkdtempSync(join(tmpdir(), 'egress-consumer-'));
const NPM_CACHE = process.env.EGRESS_NPM_CACHE ?? join(tmpdir(), 'cdktf-egress-npm-cache');
const CDKTF_APP = join(WORK, 'app-cdktf');
const CDKTN_APP = join(WORK, 'app-cdktn');
const OLDEST_APP = join(WORK, 'app-cdktf-oldest');
const STACK = 'egress';
const LONG = 20 * 60_000;

let setup: Promise<void>;

beforeAll(() => {
  setup = (async () => {
    const tarball = await packRepository(WORK);
    await Promise.all([CDKTF_APP, CDKTN_APP, OLDEST_APP].map((app, i) => createApp(app, [CDKTF, CDKTN, CDKTF_OLDEST][i], tarball, NPM_CACHE)));
  })();
  return setup;
}, LONG);

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const tsc = (app: string, ...args: string[]) => exec('npx', ['tsc', '-p', '.', ...args], app);
/** `tsc` with the app's tsconfig, then plain node; returns the output directory. */
async function synthWithNode(app: string, name: string): Promise<string> {
  await tsc(app);
  const outdir = join(WORK, `${name}.out`);
  await exec(process.execPath, ['main.js'], app, cleanEnv({ CDKTF_OUTDIR: outdir }));
  return outdir;
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('the packed package', () => {
  it('GIVEN npm pack WHEN installed THEN it holds compiled JavaScript, declarations and source maps for cdktf and cdktn, and no TypeScript sources', () => {
    const installed = join(CDKTF_APP, 'node_modules', 'cdktf-egress');
    const files = filesOf(installed);
    for (const entry of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/index.js.map', 'dist/cdktn/lib/index.js', 'dist/cdktn/lib/index.d.ts', 'dist/lib/nat/boot/nat-boot.sh']) {
      expect(files).toContain(entry);
    }
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('node_modules/'))).toEqual([]);
    expect(existsSync(join(CDKTN_APP, 'node_modules', 'cdktf'))).toBe(false);
  });
});

describe('the build', () => {
  it('GIVEN dist/ from the pack WHEN the spec-driven app runs as node dist/main.js THEN it writes what npm run synth writes', async () => {
    const outdir = join(WORK, 'dist-main.out');
    const env = cleanEnv({ EGRESS_OUTDIR: outdir });
    delete env.EGRESS_SPEC;
    delete env.CDKTF_OUTDIR;
    await exec(process.execPath, [join(ROOT, 'dist', 'main.js')], WORK, env);
    const reference = runSynth(undefined);
    expect(reference.status).toBe(0);
    for (const file of ['cdk.tf.json', 'cost.md', 'topology.md']) {
      const read = (out: string) => readFileSync(join(out, 'stacks', 'dev', file), 'utf8');
      expect(read(outdir)).toBe(read(reference.outdir));
    }
  }, LONG);
});

describe('a CDKTF app using the package', () => {
  let nodeOut: string;

  it('GIVEN the README example in a cdktf init-style app WHEN type-checked strictly and with the library declarations checked THEN both pass', async () => {
    await tsc(CDKTF_APP, '--noEmit', '--incremental', 'false', '--skipLibCheck', 'false', '--esModuleInterop');
    nodeOut = await synthWithNode(CDKTF_APP, 'cdktf-node');
    expect(readStack(nodeOut, STACK).resource.aws_autoscaling_group).toBeDefined();
  }, LONG);

  it('GIVEN its cdktf.json (ts-node) WHEN cdktf synth runs THEN it writes the same stack as tsc and plain node', async () => {
    const cliOut = join(WORK, 'cdktf-cli.out');
    await exec(join(ROOT, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', cliOut], CDKTF_APP);
    expect(readStack(cliOut, STACK)).toEqual(readStack(nodeOut, STACK));
  }, LONG);

  it('GIVEN the synthesized stack WHEN terraform validates and plans it offline THEN the NAT, two spoke ENIs and every route are planned', async () => {
    const dir = join(WORK, 'plan');
    cpSync(join(nodeOut, 'stacks', STACK), dir, { recursive: true });
    // The offline plugin directory holds the aws provider 5.100; the app's provider package pins a 6.x.
    writeFileSync(join(dir, 'zz_offline_provider_override.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '>= 5.100.0' } } } }));
    const plan: PlanResult = await terraformPlan(dir, { validate: true });
    expect(plan.validateOutput).toMatch(/Success! The configuration is valid/);
    const planned = plannedResources(plan.show.planned_values.root_module);
    const count = (type: string) => planned.filter((r) => r.type === type).length;
    expect({ asg: count('aws_autoscaling_group'), enis: count('aws_network_interface'), routes: count('aws_route'), eips: count('aws_eip') }).toEqual({ asg: 1, enis: 3, routes: 4, eips: 1 });
    const routeTables = planned.filter((r) => r.type === 'aws_route').map((r) => r.values.route_table_id).sort();
    expect(routeTables).toEqual(['rtb-0a00000000000001a', 'rtb-0a00000000000001c', 'rtb-0b00000000000001a', 'rtb-0c00000000000001a']);
    expect(plan.show.resource_changes.every((c) => c.change.actions.join() === 'create')).toBe(true);
  }, LONG);
});

describe('the same app on cdktn', () => {
  it('GIVEN the README example with its imports moved to cdktn WHEN type-checked (node10 and node16 resolution) and run with plain node THEN it synthesizes the cdktf stack, apart from version metadata and the provider source', async () => {
    await tsc(CDKTN_APP, '--noEmit', '--incremental', 'false', '--skipLibCheck', 'false', '--esModuleInterop');
    await tsc(CDKTN_APP, '--noEmit', '--incremental', 'false', '--module', 'node16', '--moduleResolution', 'node16');
    const cdktn = readStack(await synthWithNode(CDKTN_APP, 'cdktn-node'), STACK);
    const cdktf = readStack(join(WORK, 'cdktf-node.out'), STACK);
    expect(comparable(cdktn, CDKTN_APP)).toEqual(comparable(cdktf, CDKTF_APP));
    expect(cdktf.terraform.required_providers.aws.source).toBe('aws');
    expect(cdktn.terraform.required_providers.aws.source).toBe('hashicorp/aws');
    expect([cdktf['//'].metadata.version, cdktn['//'].metadata.version]).toEqual([CDKTF.dependencies.cdktf, CDKTN.dependencies.cdktn]);
  }, LONG);
});

describe('the same app on the oldest CDKTF the peer ranges admit', () => {
  it('GIVEN cdktf 0.20.0, @cdktf/provider-aws 19.51.0 (aws 5.85, the first with every resource and block the constructs use) and constructs 10.3.0 WHEN type-checked and run with plain node THEN it synthesizes the same resources as on cdktf 0.21', async () => {
    await tsc(OLDEST_APP, '--noEmit', '--incremental', 'false', '--skipLibCheck', 'false', '--esModuleInterop');
    const oldest = readStack(await synthWithNode(OLDEST_APP, 'cdktf-oldest-node'), STACK);
    const newest = readStack(join(WORK, 'cdktf-node.out'), STACK);
    expect(comparable(oldest, OLDEST_APP)).toEqual(comparable(newest, CDKTF_APP));
    expect([oldest['//'].metadata.version, oldest.terraform.required_providers.aws.source]).toEqual(['0.20.0', 'aws']);
  }, LONG);
});
