import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import type { MotoServer } from '../moto/moto-server';
import { ROOT, runSynthAsync } from '../helpers/synth';
import { assertTerraformAvailable } from '../terraform/terraform';
import { destroy, expectProven, init, lifecycle, motoPython, removeScratch, rootTimeout, scratchDir, scratchRoot, tf, withMoto, writeMotoOverride, type RootCase } from './support/apply';
import { NO_BLOCK_PUBLIC_ACCESS } from './support/gaps';

// The stacks `npm run synth` writes, for the built-in example and every specs/*.yaml, applied
// against moto: apply, a re-plan with nothing to do, a change users make often applied in
// place (the EIP and the ENIs stay), and a destroy that leaves moto as it found it.

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

/** A spec root: synthesized into a scratch project, re-synthesized with the change (the stack directory keeps the override, as it keeps user files). */
function specRoot(name: string, file: string, change: (spec: Spec) => void, existing?: (moto: MotoServer, text: string) => Promise<string>): RootCase {
  let spec: Spec;
  let outdir: string;
  return {
    name,
    regions: [String(load(file).region)],
    async prepare(moto) {
      const text = readFileSync(file, 'utf8');
      spec = parse(existing ? await existing(moto, text) : text) as Spec;
      withoutGaps.set(name, withoutMotoGaps(spec));
      outdir = join(scratchDir(name), 'cdktf.out');
      return synth(spec, outdir);
    },
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
  }),
  // A scheduled NAT switched off.
  specRoot('weekday-schedule', join(ROOT, 'specs', 'weekday-schedule.yaml'), (spec) => {
    spec.natInstances[0].enabled = false;
  }),
  // A dedicated egress ENI and a spoke in a VPC that exists already, switched off.
  specRoot('dedicated-with-existing-spoke', join(ROOT, 'specs', 'dedicated-with-existing-spoke.yaml'), (spec) => {
    spec.natInstances[0].enabled = false;
  }, existingSpoke),
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
