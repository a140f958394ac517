import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { startMoto, type MotoServer } from '../../moto/moto-server';
import { assertTerraformAvailable, terraformPlanValue } from '../../terraform/terraform';
import { run, runOk, type RunResult } from './proc';

// The boot files of a NAT with bootFilesFrom 's3', as the tiers serve them: the stack's own
// boot objects (as Terraform plans them) in the AWS API emulator's S3, fetched by the loader
// the user data carries (lib/nat/boot/nat-load.sh) with the real AWS CLI.

const FAKE_AWS = join(__dirname, 'fake', 'aws');
export const LOADER_PATH = '/opt/cdktf-egress/nat-load.sh';
export const MANIFEST_PATH = '/etc/cdktf-egress/boot.manifest';
/** The credentials the instance profile stands in with (the emulator accepts any). */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** One `file NAME SHA256 MODE DEST` line of the manifest. */
export interface ManifestFile {
  readonly name: string;
  readonly digest: string;
  readonly mode: string;
  readonly dest: string;
}

export interface Manifest {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly files: readonly ManifestFile[];
}

/** An object the stack uploads (aws_s3_object: its key and exact content). */
export interface BootObject {
  readonly key: string;
  readonly content: Buffer;
}

export function parseManifest(text: string): Manifest {
  let bucket: { bucket: string; region: string; endpoint?: string } | undefined;
  const files: ManifestFile[] = [];
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w[0] === 'bucket') bucket = { bucket: w[1], region: w[2], endpoint: w[3] };
    else if (w[0] === 'file') files.push({ name: w[1], digest: w[2], mode: w[3], dest: w[4] });
    else if (w[0] !== '' && !w[0].startsWith('#')) throw new Error(`manifest line not understood: ${line}`);
  }
  if (!bucket) throw new Error(`manifest has no bucket line:\n${text}`);
  return { ...bucket, files };
}

/** The real AWS CLI: how to run it (interpreter and script, or the binary) and the directory tree it lives in. */
export interface AwsCli {
  readonly argv: readonly string[];
  /** Everything it runs from, for a container to bind read-only at the same path. */
  readonly prefix: string;
}

let cli: AwsCli | undefined;

/** Fails loudly when the real CLI is missing: the S3 boot is fetched with it. */
export async function realAwsCli(): Promise<AwsCli> {
  if (cli) return cli;
  const found = await run(['sh', '-c', 'command -v aws']);
  if (found.code !== 0) throw new Error('the S3 boot needs the AWS CLI on PATH (pip install awscli)');
  let path = found.stdout.trim();
  // A pyenv shim is a shell script that picks an interpreter: ask pyenv for the real script.
  if (path.includes('/shims/')) path = (await runOk(['pyenv', 'which', 'aws'])).trim();
  path = realpathSync(path);
  const head = readFileSync(path).subarray(0, 200).toString('latin1');
  const shebang = /^#!(\S+)/.exec(head)?.[1];
  const interpreter = shebang ? realpathSync(shebang) : undefined;
  // The tree two levels above the interpreter (or binary): <prefix>/bin/python, <prefix>/lib/...
  const prefix = dirname(dirname(interpreter ?? path));
  if (relative(prefix, path).startsWith('..')) throw new Error(`the AWS CLI ${path} is outside its interpreter's tree ${prefix}`);
  cli = { argv: interpreter ? [interpreter, path] : [path], prefix };
  return cli;
}

/** The environment the real CLI runs with in the tiers: no config files, no IMDS, the stand-in credentials; its cache under `home`. */
export function awsCliEnv(home: string): Record<string, string> {
  mkdirSync(home, { recursive: true });
  return { HOME: home, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', ...CREDENTIALS };
}

/** What the lab's fake `aws` (fake/aws) reads to hand S3 calls to the real CLI. */
export async function writeS3Cli(dir: string): Promise<void> {
  writeFileSync(join(dir, 's3-cli.json'), JSON.stringify({ argv: (await realAwsCli()).argv, env: CREDENTIALS }));
}

/** S3's names (regional and dual-stack) for the lab's name table, all at `address` (`ADDR:PORT`, `[ADDR6]:PORT`). */
export function s3Names(region: string, v4: string | undefined, v6: string | undefined): Record<string, string> {
  return {
    ...(v4 ? { [`s3.${region}.amazonaws.com`]: v4 } : {}),
    ...(v6 ? { [`s3.dualstack.${region}.amazonaws.com`]: v6 } : {}),
  };
}

/**
 * The bucket and its boot objects in the emulator at `endpointUrl`, put there with the real
 * CLI (run in `netns` when given, where that URL is reachable): the objects are written as a
 * tree of their keys and copied in one `aws s3 cp --recursive`, one CLI start for them all.
 */
export async function uploadBootObjects(endpointUrl: string, manifest: Manifest, objects: readonly BootObject[], dir: string, netns?: string): Promise<void> {
  const aws = (await realAwsCli()).argv;
  const inNs = (argv: string[]): string[] => (netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv);
  const env = { PATH: process.env.PATH, ...awsCliEnv(join(dir, 'aws-home')) };
  const call = (args: string[]) => runOk(inNs([...aws, ...args, '--region', manifest.region, '--endpoint-url', endpointUrl]), { env, timeoutMs: 120_000 });
  const tree = join(dir, 'objects');
  for (const o of objects) {
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(o.key) || o.key.split('/').some((part) => /^\.+$/.test(part))) {
      throw new Error(`boot object key ${o.key} is not a plain relative path`);
    }
    mkdirSync(dirname(join(tree, o.key)), { recursive: true });
    writeFileSync(join(tree, o.key), o.content);
  }
  await call(['s3api', 'create-bucket', '--bucket', manifest.bucket, '--create-bucket-configuration', `LocationConstraint=${manifest.region}`]);
  if (objects.length > 0) await call(['s3', 'cp', tree, `s3://${manifest.bucket}/`, '--recursive', '--only-show-errors']);
}

/** A launch template's user data and the boot objects, as `terraform plan` has them. */
export interface PlannedBoot {
  /** Base64 user data of each launch template that has it. */
  readonly userData: string[];
  readonly objects: BootObject[];
}

/**
 * The user data Terraform renders for NATs whose manifest names their bucket: each bucket is
 * given a name (its bucket_prefix and `lab`, as AWS would complete the prefix) so the plan
 * knows it, then the stack is planned with the offline provider and mock credentials and the
 * launch templates' user data and the objects' keys and contents read from the plan.
 */
export async function planBootStack(tfJson: Record<string, any>, dir: string): Promise<PlannedBoot> {
  await assertTerraformAvailable();
  const buckets = (tfJson.resource?.aws_s3_bucket ?? {}) as Record<string, { bucket?: string; bucket_prefix?: string }>;
  for (const b of Object.values(buckets)) {
    if (b.bucket_prefix === undefined) continue;
    b.bucket = `${b.bucket_prefix}lab`;
    delete b.bucket_prefix;
  }
  // A scratch plan of the stack: its backend (the stack's own state file) is not this plan's.
  if (tfJson.terraform?.backend !== undefined) delete tfJson.terraform.backend;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(tfJson));
  const instances = (type: string): string => {
    const refs = Object.entries((tfJson.resource?.[type] ?? {}) as Record<string, { count?: unknown; for_each?: unknown }>)
      .map(([name, r]) => (r.for_each !== undefined ? `values(${type}.${name})` : r.count !== undefined ? `${type}.${name}` : `[${type}.${name}]`));
    return `flatten([${refs.join(', ')}])`;
  };
  const planned = await terraformPlanValue(dir, `{
    user_data = [for t in ${instances('aws_launch_template')} : t.user_data if t.user_data != null],
    objects   = [for o in ${instances('aws_s3_object')} : { key = o.key, content = o.content }],
  }`, { backend: false }) as { user_data: string[]; objects: { key: string; content: string | null }[] };
  const objects = planned.objects.map((o): BootObject => {
    if (typeof o.content !== 'string') throw new Error(`the boot object ${o.key} has no content in the plan`);
    return { key: o.key, content: Buffer.from(o.content, 'utf8') };
  });
  return { userData: planned.user_data, objects };
}

let moto: Promise<MotoServer> | undefined;

/** One emulator on the host's loopback per test file, for loading bundles; stopped by stopBundleMoto(). */
function bundleMoto(): Promise<MotoServer> {
  moto ??= startMoto();
  return moto;
}

export async function stopBundleMoto(): Promise<void> {
  const m = moto;
  moto = undefined;
  if (m) await (await m).stop();
}

/**
 * Runs the bundle's loader (`root`/opt/cdktf-egress/nat-load.sh, from the user data) on the
 * host against the emulator on loopback, installing under `root` as it would under `/`.
 * The objects are uploaded first into a bucket named as the manifest names it.
 */
export async function loadOnHost(root: string, dir: string, objects: readonly BootObject[]): Promise<RunResult> {
  const manifest = parseManifest(readFileSync(join(root, MANIFEST_PATH), 'utf8'));
  const server = await bundleMoto();
  // One bucket per bundle in the shared emulator: a bundle's bucket is created once.
  const marker = join(dir, 'uploaded');
  if (!existsSync(marker)) {
    await uploadBootObjects(server.url, manifest, objects, dir);
    writeFileSync(marker, '');
  }
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(FAKE_AWS, join(bin, 'aws'));
  chmodSync(join(bin, 'aws'), 0o755);
  const at = `${server.host}:${server.port}`;
  writeFileSync(join(dir, 'endpoints.json'), JSON.stringify(s3Names(manifest.region, at, at)));
  await writeS3Cli(dir);
  return run(['bash', join(root, LOADER_PATH)], {
    env: {
      PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      EGRESS_BOOT_MANIFEST: join(root, MANIFEST_PATH), EGRESS_BOOT_ROOT: root, EGRESS_BOOT_CACHE: join(dir, 'boot-cache'),
      // No instance here: a failure's Unhealthy report finds no IMDS and says so.
      EGRESS_IMDS: 'http://127.0.0.1:9/latest', EGRESS_LOAD_ATTEMPTS: '2',
    },
    timeoutMs: 180_000,
  });
}
