import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import type { MotoServer } from '../moto/moto-server';
import { ROOT, runSynthAsync } from '../helpers/synth';
import { assertTerraformAvailable, terraformEnv } from '../terraform/terraform';
import { destroy, expectProven, init, lifecycle, motoPython, removeScratch, rootTimeout, scratchDir, scratchRoot, tf, withMoto, writeMotoOverride, type RootCase } from './support/apply';
import { NO_BLOCK_PUBLIC_ACCESS } from './support/gaps';

// The stacks `npm run synth` writes, for the built-in example and every specs/*.yaml, applied
// against moto: apply, a re-plan with nothing to do, a change users make often applied in
// place (the EIP and the ENIs stay), and a destroy that leaves moto as it found it. The
// built-in example is deployed as `cdktf deploy` does it, twice, with real state: its re-plan
// is the second deploy's, after synthesizing again both ways and with no init.

const exec = promisify(execFile);

type Spec = Record<string, unknown> & { natInstances: Record<string, unknown>[] };

/** Synthesizes `spec` (written to a file next to the output) into `outdir`; the stack's directory. */
async function synth(spec: Spec, outdir: string): Promise<string> {
  const file = join(outdir, '..', 'spec.yaml');
  writeFileSync(file, stringify(spec));
  const run = await runSynthAsync({ file }, outdir);
  if (run.status !== 0) throw new Error(`synth of ${file} failed:\n${run.stderr}`);
  return join(outdir, 'stacks', String(spec.project));
}

const load = (file: string) => parse(readFileSync(file, 'utf8')) as Spec;

/** The roots whose spec had to lose something moto cannot create, and what: filled in as they are prepared. */
const withoutGaps = new Map<string, string[]>();

/** `spec` without what moto lacks (NO_BLOCK_PUBLIC_ACCESS); the gaps taken out. */
function withoutMotoGaps(spec: Spec): string[] {
  const taken: string[] = [];
  for (const nat of spec.natInstances) {
    if (nat.blockPublicAccess === undefined) continue;
    delete nat.blockPublicAccess;
    taken.push(`natInstances[${spec.natInstances.indexOf(nat)}].blockPublicAccess: ${NO_BLOCK_PUBLIC_ACCESS.id}`);
  }
  return taken;
}

/** How a spec root is made and deployed. */
interface SpecRootOptions {
  /** What the root expects to exist already, made in moto: the spec's text with moto's ids. */
  readonly existing?: (moto: MotoServer, text: string) => Promise<string>;
  /**
   * The built-in example as `cdktf deploy` runs it, twice: the first synthesis is `npm run synth`
   * with no spec; before the re-plan, `npm run synth` and `npx cdktf synth` write the stack
   * again over the applied one, and the re-plan runs with no init on what the first left.
   */
  readonly deployTwice?: boolean;
}

/** `npm run synth` of the built-in example (no spec) into `outdir`, as the first step of `cdktf deploy`. */
async function npmSynth(outdir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...terraformEnv(), EGRESS_OUTDIR: outdir };
  delete env.EGRESS_SPEC;
  await exec('npm', ['run', '-s', 'synth'], { cwd: ROOT, env, timeout: 120_000 });
}

/** `npx cdktf synth` of the built-in example into `outdir`: what `cdktf deploy` runs before its plan. */
async function cdktfSynth(outdir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...terraformEnv(), CI: '1' };
  delete env.EGRESS_SPEC;
  delete env.EGRESS_OUTDIR;
  await exec('npx', ['cdktf', 'synth', '--output', outdir], { cwd: ROOT, env, timeout: 180_000 });
}

/** What the second deploy found of the first, by root: its state file's resources and the NAT's output address. */
const secondDeploys = new Map<string, { stateResources: number; eip: string }>();

/** A spec root: synthesized into a scratch project, re-synthesized with the change (the stack directory keeps the override, as it keeps user files). */
function specRoot(name: string, file: string, change: (spec: Spec) => void, opts: SpecRootOptions = {}): RootCase {
  let spec: Spec;
  let outdir: string;
  return {
    name,
    regions: [String(load(file).region)],
    async prepare(moto) {
      const text = readFileSync(file, 'utf8');
      spec = parse(opts.existing ? await opts.existing(moto, text) : text) as Spec;
      withoutGaps.set(name, withoutMotoGaps(spec));
      outdir = join(scratchDir(name), 'cdktf.out');
      if (!opts.deployTwice) return synth(spec, outdir);
      await npmSynth(outdir);
      return join(outdir, 'stacks', String(spec.project));
    },
    redeploy: opts.deployTwice ? async (dir) => {
      await npmSynth(outdir);
      await cdktfSynth(outdir);
      const statePath = join(outdir, '..', `terraform.${String(spec.project)}.tfstate`);
      const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) as { resources: unknown[] } : { resources: [] };
      const eip = (await tf(dir, ['output', '-raw', `${String(spec.natInstances[0].name)}-eip`], [0, 1])).stdout.trim();
      secondDeploys.set(name, { stateResources: state.resources.length, eip });
    } : undefined,
    async change() {
      change(spec);
      await synth(spec, outdir);
    },
  };
}

/** The existing VPC the spec names, made in moto; the spec's ids swapped for moto's. */
const EXISTING_VPC = String.raw`
import json, sys, boto3
ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="mock", aws_secret_access_key="mock")
spec = json.loads(sys.argv[2])
vpc = ec2.create_vpc(CidrBlock=spec["cidr"])["Vpc"]["VpcId"]
for cidr in spec.get("secondaryCidrs", []):
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock=cidr)
ids = {spec["id"]: vpc}
for n, s in enumerate(spec["subnets"]):
    sub = ec2.create_subnet(VpcId=vpc, AvailabilityZone=s["az"], CidrBlock="172.16.%d.0/24" % n)["Subnet"]["SubnetId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=sub)
    ids[s["id"]] = sub
    ids[s["routeTableId"]] = rtb
print(json.dumps(ids))
`;

async function existingSpoke(moto: MotoServer, text: string): Promise<string> {
  const spec = parse(text) as { existingVpcs: Record<string, unknown>[] };
  let out = text;
  for (const vpc of spec.existingVpcs) {
    const ids = JSON.parse(await motoPython(moto, EXISTING_VPC, [JSON.stringify(vpc)])) as Record<string, string>;
    for (const [from, to] of Object.entries(ids)) out = out.split(from).join(to);
  }
  return out;
}

const CASES: RootCase[] = [
  // Changes that start no instance refresh, which moto lacks (NO_INSTANCE_REFRESH in support/gaps.ts).
  // The built-in example: the NAT goes on a weekday schedule.
  specRoot('example', EXAMPLE_SPEC_FILE, (spec) => {
    spec.natInstances[0].schedule = { timeZone: 'Asia/Tokyo', on: '0 8 * * 1-5', off: '0 20 * * 1-5' };
  }, { deployTwice: true }),
  // A scheduled NAT switched off.
  specRoot('weekday-schedule', join(ROOT, 'specs', 'weekday-schedule.yaml'), (spec) => {
    spec.natInstances[0].enabled = false;
  }),
  // A dedicated egress ENI and a spoke in a VPC that exists already, switched off.
  specRoot('dedicated-with-existing-spoke', join(ROOT, 'specs', 'dedicated-with-existing-spoke.yaml'), (spec) => {
    spec.natInstances[0].enabled = false;
  }, { existing: existingSpoke }),
];

beforeAll(async () => assertTerraformAvailable(), 300_000);

describe('synthesized stacks against moto', () => {
  it('GIVEN the spec roots THEN they are the built-in example and every specs/*.yaml', () => {
    const specs = require('node:fs').readdirSync(join(ROOT, 'specs')).filter((f: string) => f.endsWith('.yaml')).map((f: string) => f.replace(/\.yaml$/, '')).sort();
    expect(CASES.map((c) => c.name).sort()).toEqual(['example', ...specs].sort());
  });

  it.concurrent.each(CASES.map((c) => [c.name, c] as const))('GIVEN %s WHEN applied, re-planned, changed and destroyed THEN nothing but the named moto gaps differs, the EIP and ENIs stay, and nothing is left', async (name, c) => {
    expectProven(name, await withMoto((moto) => lifecycle(moto, c)));
    // Only the scheduled spec runs in an account with Block Public Access, and only that is left out.
    expect([name, withoutGaps.get(name)]).toEqual([name, name === 'weekday-schedule' ? [`natInstances[0].blockPublicAccess: ${NO_BLOCK_PUBLIC_ACCESS.id}`] : []]);
    // The second deploy of the built-in example found the first's state (its re-plan above is the second deploy's).
    const second = secondDeploys.get(name);
    expect([name, 'second deploy', second && { stateResources: second.stateResources > 40, eip: /^\d+\.\d+\.\d+\.\d+$/.test(second.eip) }])
      .toEqual([name, 'second deploy', name === 'example' ? { stateResources: true, eip: true } : undefined]);
  }, rootTimeout(CASES.length + 1));

  it('GIVEN a Block Public Access exclusion WHEN applied against moto THEN moto still lacks it (the gap the weekday-schedule root leaves out)', () => withMoto(async (moto) => {
    const dir = scratchRoot('bpa-gap', {
      'main.tf': [
        'provider "aws" {',
        '  region = "ap-northeast-1"',
        '}',
        'resource "aws_vpc" "hub" {',
        '  cidr_block = "10.0.0.0/16"',
        '}',
        'resource "aws_subnet" "public" {',
        '  vpc_id     = aws_vpc.hub.id',
        '  cidr_block = "10.0.0.0/24"',
        '}',
        'resource "aws_vpc_block_public_access_exclusion" "nat" {',
        '  subnet_id                       = aws_subnet.public.id',
        '  internet_gateway_exclusion_mode = "allow-egress"',
        '}',
        '',
      ].join('\n'),
    });
    writeMotoOverride(dir, moto.url);
    await init(dir);
    const applied = await tf(dir, ['apply', '-input=false', '-auto-approve'], [0, 1]);
    expect([applied.code, NO_BLOCK_PUBLIC_ACCESS.error.test(applied.stderr)]).toEqual([1, true]);
    await destroy(dir);
    removeScratch(dir);
  }), rootTimeout(CASES.length + 1));
});
