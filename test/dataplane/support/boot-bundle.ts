import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
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
  const root = mkdtempSync(join(dir, 'root-'));
  const files = new Map(cc.write_files.map((f) => [f.path, writeFileContent(f)]));
  for (const f of cc.write_files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, files.get(f.path)!);
    chmodSync(path, parseInt(f.permissions ?? '0644', 8));
  }
  const need = (p: string): string => {
    const f = files.get(p);
    if (f === undefined) throw new Error(`user data has no write_files entry for ${p}`);
    return f.toString('utf8');
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
  };
}

/** Every launch template's user data in cdk.tf.json, keyed by the NAT_ID of its nat.conf; files go under `dir`. */
export function bundlesFromTfJson(tfJsonPath: string, dir: string): Map<string, BootBundle> {
  const tf = JSON.parse(readFileSync(tfJsonPath, 'utf8')) as { resource?: Record<string, Record<string, { user_data?: string }>> };
  const templates = tf.resource?.aws_launch_template ?? {};
  const bundles = new Map<string, BootBundle>();
  for (const lt of Object.values(templates)) {
    if (!lt.user_data) continue;
    const b = writeBundle(lt.user_data, dir);
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
  const dir = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-bundle-`));
  workDirs.push(dir);
  const bundles = bundlesFromTfJson(await synthSpec(specYaml, project, dir), dir);
  const b = bundles.get(natId);
  if (!b) throw new Error(`no launch template with NAT_ID=${natId}; found ${[...bundles.keys()].join(', ') || 'none'}`);
  return b;
}

/**
 * The bundle of user data taken from elsewhere (a Terraform plan's launch template, say),
 * decoded like the synthesized ones; it must be the NAT named `natId`. Its files live
 * until removeBundles().
 */
export function bundleFromUserData(userData: string, natId: string): BootBundle {
  const dir = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-bundle-`));
  workDirs.push(dir);
  const b = writeBundle(userData, dir);
  if (b.natId !== natId) throw new Error(`the user data is NAT_ID=${b.natId || '(none)'}, not ${natId}`);
  return b;
}

export function removeBundles(): void {
  for (const dir of workDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
