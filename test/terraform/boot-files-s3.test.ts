import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatInstance } from '../../lib/nat/nat-instance';
import { AWS_PROVIDER_CONSTRAINT } from '../../lib/stacks/egress-stack';
import { awsProvider, synthScope } from '../../lib/testing';
import { assertTerraformAvailable, plannedResources, terraformPlan, type PlannedResource } from './terraform';

// A NAT whose boot files are S3 objects, with 12 KB of the user's own incompressible
// writeFiles, plans against the aws provider: the bucket, one object per boot file with its
// exact bytes under boot/<sha256>/<name>, and the launch template.
const BOOT = join(__dirname, '../../lib/nat/boot');
const noise = (seed: string, bytes: number): string => {
  const out: Buffer[] = [];
  for (let h = Buffer.from(seed), n = 0; n < bytes; n += 32) out.push((h = createHash('sha256').update(h).digest()));
  return Buffer.concat(out).toString('base64');
};

beforeAll(assertTerraformAvailable);

let planned: PlannedResource[];
beforeAll(async () => {
  const tf = synthScope((scope) => {
    awsProvider(scope, { region: 'ap-northeast-1' });
    new NatInstance(scope, 'nat', {
      natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-hub', publicSubnetId: 'subnet-pub-a', servedCidrs: ['10.0.0.0/16'],
      privateRouteTableIds: ['rtb-priv'], instanceTypes: ['t4g.nano'], bootFilesFrom: 's3',
      userDataWriteFiles: [0, 1, 2, 3].map((i) => ({ path: `/etc/user/file-${i}`, content: noise(`file-${i}`, 2900) })),
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'egress-plan-s3boot-'));
  tf.terraform.required_providers.aws.version = AWS_PROVIDER_CONSTRAINT;
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(tf));
  planned = plannedResources((await terraformPlan(dir, { backend: false })).show.planned_values.root_module);
}, 300_000);

test('the bucket, its guards and one object per boot file with its exact bytes and content-addressed key plan', () => {
  const types = planned.map((r) => r.type);
  for (const t of ['aws_s3_bucket', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_policy', 'aws_launch_template']) expect(types).toContain(t);
  const objects = planned.filter((r) => r.type === 'aws_s3_object');
  expect(objects.length).toBeGreaterThanOrEqual(8);
  for (const o of objects) {
    const name = String(o.values.key).split('/').pop()!;
    const bytes = readFileSync(join(BOOT, name));
    expect(o.values.key).toBe(`boot/${createHash('sha256').update(bytes).digest('hex')}/${name}`);
    expect(o.values.content).toBe(bytes.toString('utf8'));
  }
});
