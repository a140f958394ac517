import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BootObjects, bootObjectsStatement, BOOT_KEY_PREFIX } from '../../lib/nat/boot-objects';
import { gzipSync } from 'node:zlib';
import { BOOT_LOADER_PATH, BOOT_MANIFEST_PATH, cloudConfig, cloudConfigText, renderBootConfig, SHIPPED_BOOT_FILES, USER_DATA_LIMIT, userDataBytes } from '../../lib/nat/user-data';
import { renderWatchdogConfig, WATCHDOG_BOOT_FILES } from '../../lib/nat/watchdog';
import { NatInstance } from '../../lib/nat/nat-instance';
import { onlyResource, onlyWhere, refTo, resources, synthConstruct, type TfJson } from '../helpers/construct';
import { awsProvider, validationErrors } from '../../lib/testing';

const BOOT = join(__dirname, '../../lib/nat/boot');
const FILES = [...SHIPPED_BOOT_FILES, ...WATCHDOG_BOOT_FILES];
const sha = (name: string): string => createHash('sha256').update(readFileSync(join(BOOT, name))).digest('hex');

const tf = (): TfJson => synthConstruct((scope) => {
  new BootObjects(scope, 'boot', { natId: 'Dev-Shared', region: 'ap-northeast-1', files: FILES });
});
const manifestOf = (t: TfJson): string => Object.values((t as unknown as { locals: Record<string, string> }).locals)[0];

describe('BootObjects', () => {
  const tagged = (n: number): string[] => validationErrors((scope) => {
    awsProvider(scope, { region: 'ap-northeast-1', defaultTags: Object.fromEntries([...Array(n).keys()].map((i) => [`t${i}`, 'x'])) });
    new BootObjects(scope, 'boot', { natId: 'dev', region: 'ap-northeast-1', files: FILES });
  });

  it('GIVEN provider default_tags of 10 THEN synth accepts them; of 11 THEN it refuses, naming the limit of S3 objects', () => {
    expect(tagged(10)).toEqual([]);
    expect(tagged(11)).toEqual([
      "the default aws provider's default_tags has 11 tags; they reach the NAT's boot files, S3 objects, which allow 10: drop 1, or give those tags to resources another way",
    ]);
  });

  it('GIVEN the boot files THEN a private bucket: public access blocked, owner-enforced, SSE-S3, TLS only, destroyable', () => {
    const t = tf();
    const bucket = onlyResource(t, 'aws_s3_bucket');
    expect(bucket).toMatchObject({ bucket_prefix: 'dev-shared-boot-', force_destroy: true });
    expect(bucket.versioning).toBeUndefined();
    expect(onlyResource(t, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    expect(onlyResource(t, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    expect(onlyResource(t, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    const policy = onlyResource(t, 'aws_s3_bucket_policy').policy as string;
    expect(policy).toContain('aws:SecureTransport');
    expect(policy).toContain('Deny');
  });

  it('GIVEN the boot files THEN one object per file, byte for byte, under a key named by its SHA-256, and the manifest pins each', () => {
    const t = tf();
    const objects = resources(t, 'aws_s3_object');
    expect(objects).toHaveLength(FILES.length);
    const bucketId = refTo(t, 'aws_s3_bucket', onlyResource(t, 'aws_s3_bucket'));
    const lines = manifestOf(t).trim().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines[0]).toMatch(/^bucket \$\{aws_s3_bucket\.[^}]+\.bucket\} ap-northeast-1$/);
    for (const [i, file] of FILES.entries()) {
      const key = `${BOOT_KEY_PREFIX}${sha(file.name)}/${file.name}`;
      const object = objects.find((o) => o.key === key)!;
      expect(object).toMatchObject({ bucket: bucketId });
      // As Terraform reads the JSON string: `$${` and `%%{` are a literal `${` and `%{`.
      expect(object.content).not.toMatch(/(^|[^$])\$\{/);
      expect(String(object.content).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')).toBe(readFileSync(join(BOOT, file.name), 'utf8'));
      expect(lines[i + 1]).toBe(`file ${file.name} ${sha(file.name)} ${file.permissions} ${file.path}`);
    }
  });

  it('GIVEN the objects ARN THEN the role may only get objects under boot/', () => {
    expect(bootObjectsStatement('arn:aws:s3:::b/boot/*')).toEqual({ Sid: 'ReadOwnBootFiles', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/boot/*' });
  });
});

describe('user data with the boot files in S3', () => {
  const bootConfig = renderBootConfig({
    natId: 'dev-shared-nat-a', region: 'ap-northeast-1', egressMode: 'dedicated', hubCidrs: ['10.0.0.0/16'],
    spokes: [{ deviceIndex: 2, cidrs: ['10.1.0.0/16'] }], portForwards: [], launchHook: 'cdktf-egress-launch', terminateHook: 'cdktf-egress-terminate',
  });
  const watchdogConfig = renderWatchdogConfig({ hubName: 'hub', spokes: [{ deviceIndex: 2, name: 'spoke' }] });
  // The longest bucket name S3 allows stands in for the one Terraform picks.
  const bootManifest = manifestOf(tf()).replace(/\$\{aws_s3_bucket\.[^}]+\}/, 'b'.repeat(63));
  // 12 KB of the user's own, incompressible: base64 of a hash chain.
  const noise = (seed: string, bytes: number): string => {
    const out: Buffer[] = [];
    for (let h = Buffer.from(seed), n = 0; n < bytes; n += 32) out.push((h = createHash('sha256').update(h).digest()));
    return Buffer.concat(out).toString('base64');
  };
  const userFiles = [0, 1, 2, 3].map((i) => ({ path: `/etc/user/file-${i}`, content: noise(`file-${i}`, 2900) }));

  it('GIVEN the manifest THEN user data carries the loader byte for byte, the manifest and the configs, and runs the loader first', () => {
    const cc = cloudConfig({ bootConfig, watchdogConfig, bootManifest }) as { write_files: { path: string; content: string }[]; runcmd: unknown[] };
    expect(cc.write_files.map((f) => f.path)).toEqual([BOOT_LOADER_PATH, BOOT_MANIFEST_PATH, '/etc/cdktf-egress/nat.conf', '/etc/cdktf-egress/watchdog.conf']);
    expect(cc.write_files[0].content).toBe(readFileSync(join(BOOT, 'nat-load.sh'), 'utf8'));
    expect(cc.runcmd[0]).toEqual([BOOT_LOADER_PATH]);
    expect(cc.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'cdktf-egress-nat.service']);
  });

  it('GIVEN 12 KB of incompressible user writeFiles THEN they fit', () => {
    const own = userDataBytes({ bootConfig, watchdogConfig, bootManifest });
    const total = userDataBytes({ bootConfig, watchdogConfig, bootManifest, writeFiles: userFiles });
    expect(total - own).toBeGreaterThanOrEqual(12 * 1024);
    expect(total).toBeLessThanOrEqual(USER_DATA_LIMIT);
  });

  it('GIVEN the boot files unchanged in user data instead THEN they alone are over the 16 KB EC2 accepts: there is no inline option', () => {
    const inline = cloudConfig({ bootConfig, watchdogConfig, bootManifest }) as { write_files: { path: string; permissions: string; content: string }[] };
    inline.write_files.push(...FILES.map((f) => ({ path: f.path, permissions: f.permissions, content: readFileSync(join(BOOT, f.name), 'utf8') })));
    const text = `#cloud-config\n${JSON.stringify(inline)}`;
    expect(gzipSync(text, { level: 9 }).length).toBeGreaterThan(USER_DATA_LIMIT);
    expect(cloudConfigText({ bootConfig, watchdogConfig, bootManifest }).length).toBeLessThan(text.length / 5);
  });
});

describe('NatInstance (boot files from S3, the only source)', () => {
  const props = {
    natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-hub', publicSubnetId: 'subnet-pub-a', servedCidrs: ['10.0.0.0/16'],
    privateRouteTableIds: ['rtb-priv'], instanceTypes: ['t4g.nano'],
  };
  const nat = (): TfJson => synthConstruct((scope) => new NatInstance(scope, 'nat', props));

  it('GIVEN bootFilesFrom s3 named THEN it synthesizes the same; GIVEN user-data THEN it is refused, naming the fix', () => {
    const named = synthConstruct((scope) => new NatInstance(scope, 'nat', { ...props, bootFilesFrom: 's3' }));
    expect(named).toEqual(nat());
    expect(() => synthConstruct((scope) => new NatInstance(scope, 'nat', { ...props, bootFilesFrom: 'user-data' as 's3' })))
      .toThrow('NatInstance dev-shared: bootFilesFrom "user-data" is not available; the boot files come from S3 (leave bootFilesFrom out)');
  });

  it('THEN the boot files are objects the ASG waits for, the role reads only them, and user data carries the loader and manifest, not the scripts', () => {
    const t = nat();
    const objects = resources(t, 'aws_s3_object');
    expect(objects.map((o) => o.key.split('/').pop()).sort()).toEqual(FILES.map((f) => f.name).sort());
    const read = onlyWhere(t, 'aws_iam_role_policy', 'name', 'nat-boot-files');
    expect(read.policy).toContain('s3:GetObject');
    expect(read.policy).toContain('/boot/*');
    const asg = onlyResource(t, 'aws_autoscaling_group');
    expect(asg.depends_on.filter((d: string) => d.startsWith('aws_s3_object.'))).toHaveLength(FILES.length);
    const locals = JSON.stringify((t as unknown as { locals: Record<string, unknown> }).locals);
    expect(locals).toContain(BOOT_LOADER_PATH);
    expect(locals).toContain(BOOT_MANIFEST_PATH);
    expect(locals).not.toContain('/opt/cdktf-egress/nat-boot.sh"');
  });
});
