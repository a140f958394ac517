import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { LOADER_PATH, MANIFEST_PATH, loadOnHost, parseManifest, planBootStack, sha256, stopBundleMoto, type BootObject, type Manifest } from './boot-s3';
import { runOk } from './proc';

export const REPO = resolve(__dirname, '../../..');

/** What one NAT's launch template ships, decoded from cdk.tf.json and written under `root`. */
export interface BootBundle {
  readonly natId: string;
  /** A stand-in for the instance's filesystem: write_files paths land under it. */
  readonly root: string;
  readonly scriptPath: string;
  readonly unitText: string;
  readonly confText: string;
  readonly conf: Readonly<Record<string, string>>;
  readonly cloudConfig: CloudConfig;
  /** The user data as cloud-init reads it (base64 and gzip undone): the whole `#cloud-config` document. */
  readonly userDataText: string;
  /** Bytes EC2 counts against its 16 KB limit (the gzip-compressed document). */
  readonly userDataBytes: number;
  /** With the boot files in S3 (bootFilesFrom 's3'): what the loader was given and what it did. */
  readonly s3?: S3Boot;
}

/** A bundle whose boot files came from S3: user data carries the loader and manifest only. */
export interface S3Boot {
  readonly manifest: Manifest;
  /** The stack's boot objects (key and bytes), as the plan has them. */
  readonly objects: readonly BootObject[];
  /** The loader's output, when the loader installed the files under `root` (BundleOptions.loader). */
  readonly loadLog?: string;
}

export interface BundleOptions {
  /**
   * With the boot files in S3: the bundle's own loader installs them under the root, run on the
   * host against the emulator (one real AWS CLI start per file), for a test whose subject is the
   * loader. Otherwise each file is written from the planned object its manifest line pins, the
   * digest checked, with the line's mode: the bytes the loader installs (boot-loader.test.ts and
   * boot-s3.test.ts prove it), without a CLI start.
   */
  readonly loader?: boolean;
}

export interface CloudConfig {
  readonly packages?: string[];
  readonly write_files: { path: string; content: string; permissions?: string; encoding?: string }[];
  readonly runcmd?: (string | string[])[];
}

export const SCRIPT_PATH = '/opt/cdktf-egress/nat-boot.sh';
export const UNIT_PATH = '/etc/systemd/system/cdktf-egress-nat.service';
export const CONF_PATH = '/etc/cdktf-egress/nat.conf';

/** `npm run synth` of a spec (YAML text) into `dir`; returns the stack's cdk.tf.json. */
export async function synthSpec(specYaml: string, project: string, dir: string): Promise<string> {
  const spec = join(dir, 'spec.yaml');
  writeFileSync(spec, specYaml);
  const outdir = join(dir, 'cdktf.out');
  await runOk(['npm', 'run', '--silent', 'synth'], {
    cwd: REPO,
    env: { ...process.env, EGRESS_SPEC: spec, EGRESS_OUTDIR: outdir },
    timeoutMs: 60_000,
  });
  return join(outdir, 'stacks', project, 'cdk.tf.json');
}

export function parseConf(text: string): Record<string, string> {
  const conf: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)="([^"]*)"$/.exec(line.trim());
    if (m) conf[m[1]] = m[2];
  }
  return conf;
}

export function decodeUserData(userData: string): CloudConfig {
  return parse(userDataText(userData)) as CloudConfig;
}

/** Base64 user data (gzipped or not) to the `#cloud-config` text cloud-init reads. */
export function userDataText(userData: string): string {
  let raw = Buffer.from(userData, 'base64');
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  const text = raw.toString('utf8');
  if (!text.startsWith('#cloud-config\n')) throw new Error(`user data is not a #cloud-config document: ${text.slice(0, 40)}`);
  return text;
}

/** The bytes cloud-init writes for a write_files entry (its `encoding` as cloud-init reads it). */
export function writeFileContent(f: CloudConfig['write_files'][number]): Buffer {
  const enc = (f.encoding ?? 'text').toLowerCase();
  const b64 = ['b64', 'base64', 'gz+b64', 'gz+base64', 'gzip+b64', 'gzip+base64'].includes(enc);
  const gz = enc.startsWith('gz');
  if (!b64 && !gz && enc !== 'text') throw new Error(`${f.path}: unknown write_files encoding ${f.encoding}`);
  const raw = b64 ? Buffer.from(f.content, 'base64') : Buffer.from(f.content, 'utf8');
  return gz ? gunzipSync(raw) : raw;
}

/**
 * One launch template's user data (base64, as the EC2 API takes it) decoded as EC2 and
 * cloud-init would: gzip undone, write_files written with their encodings and modes under
 * a new root in `dir`.
 */
export function writeBundle(userData: string, dir: string): BootBundle {
  const cc = decodeUserData(userData);
  if (cc.write_files.some((f) => f.path === MANIFEST_PATH)) {
    throw new Error('user data with a boot manifest (boot files in S3): use loadBundle() with the stack\'s boot objects');
  }
  return bundleOf(userData, cc, writeFiles(cc, dir));
}

/** The write_files of a cloud-config under a new root in `dir`. */
function writeFiles(cc: CloudConfig, dir: string): string {
  const root = mkdtempSync(join(dir, 'root-'));
  const files = new Map(cc.write_files.map((f) => [f.path, writeFileContent(f)]));
  for (const f of cc.write_files) installAt(root, f.path, files.get(f.path)!, f.permissions ?? '0644');
  return root;
}

/** `content` at `path` under `root`, its directories made, with the octal `mode`. */
function installAt(root: string, path: string, content: Buffer, mode: string): void {
  const at = join(root, path);
  mkdirSync(dirname(at), { recursive: true });
  writeFileSync(at, content);
  chmodSync(at, parseInt(mode, 8));
}

/** The bundle of files written (and, from S3, loaded) under `root`. */
function bundleOf(userData: string, cc: CloudConfig, root: string, s3?: S3Boot): BootBundle {
  const need = (p: string): string => {
    const path = join(root, p);
    if (!existsSync(path)) throw new Error(`${s3 ? 'neither user data nor the loader installed' : 'user data has no write_files entry for'} ${p}`);
    return readFileSync(path, 'utf8');
  };
  const confText = need(CONF_PATH);
  need(SCRIPT_PATH);
  const conf = parseConf(confText);
  return {
    natId: conf.NAT_ID,
    root,
    scriptPath: join(root, SCRIPT_PATH),
    unitText: need(UNIT_PATH),
    confText,
    conf,
    cloudConfig: cc,
    userDataText: userDataText(userData),
    userDataBytes: Buffer.from(userData, 'base64').length,
    s3,
  };
}

/**
 * writeBundle() for any user data: with a boot manifest, the files it pins are installed under
 * the bundle's root from the stack's boot objects, each checked against its digest; with
 * `loader`, by the loader from the user data, from the AWS API emulator (on loopback) where
 * the objects are put under the bucket the manifest names. A loader that fails fails the bundle.
 */
export async function loadBundle(userData: string, dir: string, objects: readonly BootObject[], opts: BundleOptions = {}): Promise<BootBundle> {
  const cc = decodeUserData(userData);
  const root = writeFiles(cc, dir);
  if (!existsSync(join(root, MANIFEST_PATH))) return bundleOf(userData, cc, root);
  if (!existsSync(join(root, LOADER_PATH))) throw new Error(`user data has a boot manifest but no loader at ${LOADER_PATH}`);
  const manifest = parseManifest(readFileSync(join(root, MANIFEST_PATH), 'utf8'));
  if (!opts.loader) {
    installPinned(root, manifest, objects);
    return bundleOf(userData, cc, root, { manifest, objects });
  }
  const r = await loadOnHost(root, join(dir, `s3-${manifest.bucket}`), objects);
  if (r.code !== 0) throw new Error(`the loader exited ${r.code ?? r.signal} after ${r.ms} ms:\n${r.stderr}${r.stdout}`);
  return bundleOf(userData, cc, root, { manifest, objects, loadLog: r.stderr });
}

/** Each file the manifest pins, from the object under its key (boot/SHA256/NAME), its digest checked, at its destination under `root` with its mode. */
function installPinned(root: string, manifest: Manifest, objects: readonly BootObject[]): void {
  const byKey = new Map(objects.map((o) => [o.key, o.content]));
  for (const f of manifest.files) {
    const key = `boot/${f.digest}/${f.name}`;
    const content = byKey.get(key);
    if (!content) throw new Error(`the manifest pins ${f.name} at ${key}, but the stack uploads no such object`);
    if (sha256(content) !== f.digest) throw new Error(`${key}: SHA-256 ${sha256(content)}, the manifest pins ${f.digest}`);
    // As the loader refuses it: a destination must be an absolute path that stays under the root.
    if (!/^\/[A-Za-z0-9._/-]+$/.test(f.dest) || f.dest.includes('..')) throw new Error(`the manifest's destination for ${f.name} is not a plain absolute path: ${f.dest}`);
    installAt(root, f.dest, content, f.mode);
  }
}

/**
 * Every launch template's user data in a synthesized stack, keyed by the NAT_ID of its
 * nat.conf; files go under `dir`. User data synth computed (base64 in cdk.tf.json) is read
 * as is; user data Terraform renders (the boot files in S3: the manifest names the bucket)
 * is taken from a plan of the stack (see planBootStack), with the stack's boot objects.
 */
export async function bundlesFromTfJson(tfJsonPath: string, dir: string): Promise<Map<string, BootBundle>> {
  return bundlesFromStack(JSON.parse(readFileSync(tfJsonPath, 'utf8')) as Record<string, any>, dir);
}

export async function bundlesFromStack(tf: Record<string, any>, dir: string, opts: BundleOptions = {}): Promise<Map<string, BootBundle>> {
  const templates = Object.values((tf.resource?.aws_launch_template ?? {}) as Record<string, { user_data?: string }>);
  const plain = (u: string): boolean => /^[A-Za-z0-9+/=]+$/.test(u);
  let userData = templates.map((lt) => lt.user_data).filter((u): u is string => !!u);
  let objects: BootObject[] = [];
  if (userData.some((u) => !plain(u))) ({ userData, objects } = await planBootStack(tf, join(dir, 'plan')));
  const bundles = new Map<string, BootBundle>();
  for (const u of userData) {
    const b = await loadBundle(u, dir, objects, opts);
    bundles.set(b.natId, b);
  }
  return bundles;
}

const workDirs: string[] = [];

/**
 * Synthesizes the spec and returns the bundle of the NAT named `natId`. Its files live
 * until removeBundles() (call it in afterAll).
 */
export async function bundleFromSpec(specYaml: string, project: string, natId: string): Promise<BootBundle> {
  const bundles = await bundlesFromSpec(specYaml, project);
  const b = bundles.get(natId);
  if (!b) throw new Error(`no launch template with NAT_ID=${natId}; found ${[...bundles.keys()].join(', ') || 'none'}`);
  return b;
}

/** Every NAT's bundle of a spec, by NAT_ID, from one synth (and one plan); their files live until removeBundles(). */
export async function bundlesFromSpec(specYaml: string, project: string): Promise<Map<string, BootBundle>> {
  const dir = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-bundle-`));
  workDirs.push(dir);
  return bundlesFromTfJson(await synthSpec(specYaml, project, dir), dir);
}

/**
 * The bundle of user data taken from elsewhere (a Terraform plan's launch template, say),
 * decoded like the synthesized ones, its boot files loaded from `objects` when it carries a
 * manifest; it must be the NAT named `natId`. Its files live until removeBundles().
 */
export async function bundleFromUserData(userData: string, natId: string, objects: readonly BootObject[] = []): Promise<BootBundle> {
  const dir = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-bundle-`));
  workDirs.push(dir);
  const b = await loadBundle(userData, dir, objects);
  if (b.natId !== natId) throw new Error(`the user data is NAT_ID=${b.natId || '(none)'}, not ${natId}`);
  return b;
}

/**
 * The bundle of a stack synthesized in the test (cdk.tf.json, parsed), for the NAT named
 * `natId`; its files live until removeBundles().
 */
export async function bundleFromStack(tf: Record<string, any>, natId: string, opts: BundleOptions = {}): Promise<BootBundle> {
  const dir = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-bundle-`));
  workDirs.push(dir);
  const bundles = await bundlesFromStack(tf, dir, opts);
  const b = bundles.get(natId);
  if (!b) throw new Error(`no launch template with NAT_ID=${natId}; found ${[...bundles.keys()].join(', ') || 'none'}`);
  return b;
}

/** Removes every bundle's files and stops the emulator that served their boot files. */
export async function removeBundles(): Promise<void> {
  for (const dir of workDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await stopBundleMoto();
}
