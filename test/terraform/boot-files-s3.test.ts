import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { NatInstance } from '../../lib/nat/nat-instance';
import { BOOT_LOADER_PATH, BOOT_MANIFEST_PATH } from '../../lib/nat/user-data';
import { EXAMPLE_SPEC_FILE } from '../../lib/spec';
import { AWS_PROVIDER_CONSTRAINT } from '../../lib/stacks/egress-stack';
import { awsProvider, synthScope } from '../../lib/testing';
import { ROOT } from '../helpers/synth';
import { USER_FILES_12K } from '../helpers/user-files';
import { assertTerraformAvailable, PLAN_BOOT_BUCKET, plannedResources, terraformPlan, withPlanBucketNames, type PlannedResource } from './terraform';

// The boot files are S3 objects by default. A NAT with 12 KB of the user's own incompressible
// writeFiles (test/nat/user-share.test.ts shows they take 12 KB of user data) plans against the aws provider, made as a construct and as the built-in example
// spec through `npm run synth`: the bucket, one object per boot file with its exact bytes
// under boot/<sha256>/<name>, and user data within EC2's 16 KB carrying the loader byte for
// byte, the manifest and the user's files. The bucket is given a name for the plan (S3 makes
// one from its prefix only at apply), so the user data naming it is known and read back.
const BOOT = join(__dirname, '../../lib/nat/boot');
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

beforeAll(assertTerraformAvailable);

async function plan(tf: object, name: string, backend: boolean): Promise<PlannedResource[]> {
  const dir = mkdtempSync(join(tmpdir(), `egress-plan-s3boot-${name}-`));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(withPlanBucketNames(tf as { resource: Record<string, Record<string, Record<string, unknown>>> })));
  return plannedResources((await terraformPlan(dir, { backend })).show.planned_values.root_module);
}

function expectObjectsByteForByte(planned: PlannedResource[], names: string[]): void {
  const objects = planned.filter((r) => r.type === 'aws_s3_object');
  expect(objects.map((o) => String(o.values.key).split('/').pop()).sort()).toEqual([...names].sort());
  for (const o of objects) {
    const name = String(o.values.key).split('/').pop()!;
    const bytes = readFileSync(join(BOOT, name));
    expect(o.values.key).toBe(`boot/${sha(bytes)}/${name}`);
    expect(o.values.content).toBe(bytes.toString('utf8'));
  }
}

interface CloudConfig { write_files: { path: string; content: string; permissions: string }[]; runcmd: unknown[] }

function expectUserData(planned: PlannedResource[], region: string, endpoint: string): void {
  const [template] = planned.filter((r) => r.type === 'aws_launch_template');
  const raw = Buffer.from(String(template.values.user_data), 'base64');
  expect(raw.length).toBeLessThanOrEqual(16 * 1024);
  const config = parseYaml(gunzipSync(raw).toString('utf8')) as CloudConfig;
  const at = (path: string) => config.write_files.find((f) => f.path === path);
  expect(at(BOOT_LOADER_PATH)).toEqual({ path: BOOT_LOADER_PATH, permissions: '0755', content: readFileSync(join(BOOT, 'nat-load.sh'), 'utf8') });
  expect(at(BOOT_MANIFEST_PATH)?.content).toContain(`\nbucket ${PLAN_BOOT_BUCKET} ${region}${endpoint}\n`);
  for (const file of USER_FILES_12K) expect(at(file.path)).toEqual({ ...file, permissions: '0644' });
  expect(config.runcmd[0]).toEqual([BOOT_LOADER_PATH]);
}

const ALL_FILES = ['nat-boot.sh', 'cdktf-egress-nat.service', 'nat-aws.sh', 'nat-handover.sh', 'nat-watch.sh', 'cdktf-egress-nat-watch.service', 'nat-watchdog.sh', 'cdktf-egress-watchdog.service', 'cdktf-egress-watchdog.timer'];

describe('a NatInstance with no bootFilesFrom and 12 KB of user writeFiles', () => {
  let planned: PlannedResource[];
  beforeAll(async () => {
    const tf = synthScope((scope) => {
      awsProvider(scope, { region: 'ap-northeast-1' });
      new NatInstance(scope, 'nat', {
        natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-hub', publicSubnetId: 'subnet-pub-a', servedCidrs: ['10.0.0.0/16'],
        privateRouteTableIds: ['rtb-priv'], instanceTypes: ['t4g.nano'], userDataWriteFiles: USER_FILES_12K,
      });
    });
    tf.terraform.required_providers.aws.version = AWS_PROVIDER_CONSTRAINT;
    planned = await plan(tf, 'construct', false);
  }, 300_000);

  test('the bucket, its guards and one object per boot file with its exact bytes and content-addressed key plan', () => {
    const types = planned.map((r) => r.type);
    for (const t of ['aws_s3_bucket', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_policy', 'aws_launch_template']) expect(types).toContain(t);
    expectObjectsByteForByte(planned, ALL_FILES);
  });

  test('the user data fits and carries the loader, the manifest and the user\'s files', () => {
    expectUserData(planned, 'ap-northeast-1', '');
  });
});

describe('the built-in example spec with 12 KB of user writeFiles, through npm run synth', () => {
  let planned: PlannedResource[];
  let stackResources: number;
  beforeAll(async () => {
    const spec = parseYaml(readFileSync(EXAMPLE_SPEC_FILE, 'utf8')) as { natInstances: Record<string, unknown>[] };
    spec.natInstances[0].userData = { writeFiles: USER_FILES_12K };
    const work = mkdtempSync(join(tmpdir(), 'egress-synth-s3boot-'));
    writeFileSync(join(work, 'spec.yaml'), stringifyYaml(spec, { lineWidth: 0 }));
    const env: NodeJS.ProcessEnv = { ...process.env, EGRESS_SPEC: join(work, 'spec.yaml'), EGRESS_OUTDIR: join(work, 'cdktf.out') };
    delete env.CDKTF_OUTDIR;
    const synth = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const tf = JSON.parse(readFileSync(join(work, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>>; terraform: { backend?: unknown } };
    stackResources = Object.values(tf.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
    // The stack's local state path is outside the scratch directory: the plan keeps its own.
    delete tf.terraform.backend;
    planned = await plan(tf, 'spec', true);
  }, 300_000);

  test('every synthesized resource plans, and each boot object holds its file\'s exact bytes', () => {
    expect(planned.length).toBe(stackResources);
    expectObjectsByteForByte(planned, ALL_FILES);
  });

  test('the user data fits and carries the loader, the manifest (S3 over its dual-stack endpoint: the NAT has no public IPv4) and the user\'s files', () => {
    expectUserData(planned, 'ap-northeast-1', ' https://s3.dualstack.ap-northeast-1.amazonaws.com');
  });
});
