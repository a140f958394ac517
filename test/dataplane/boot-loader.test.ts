// nat-load.sh, the one boot file user data carries, against the AWS API emulator on
// loopback with the real AWS CLI: it brings the boot files from the bucket byte for byte,
// refuses a file whose digest is not the one pinned (installing nothing), retries an
// unreachable S3 a bounded number of times, reports the instance Unhealthy to its Auto
// Scaling group when it fails, and a later run works from its cache with S3 gone.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMoto, type MotoServer } from '../moto/moto-server';
import { requireTools, run, runOk, type RunResult } from './support/proc';

const BOOT = resolve(__dirname, '../../lib/nat/boot');
const LOADER = join(BOOT, 'nat-load.sh');
const REGION = 'ap-northeast-1';
const BUCKET = 'egress-boot-test';
const FILES = readdirSync(BOOT).filter((n) => n !== 'nat-load.sh').sort();
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let moto: MotoServer;
let imds: Server;
let imdsUrl = '';
let work = '';
let instanceId = '';
let env: NodeJS.ProcessEnv;

jest.setTimeout(240_000);

const aws = (args: string[]): Promise<string> => runOk(['aws', ...args, '--region', REGION, '--output', 'text'], { env, timeoutMs: 60_000 });

beforeAll(async () => {
  requireTools('bash', 'aws', 'sha256sum', 'curl');
  moto = await startMoto();
  work = mkdtempSync(join(tmpdir(), 'egress-load-'));
  env = {
    PATH: process.env.PATH, HOME: work, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ENDPOINT_URL: moto.url, AWS_DEFAULT_REGION: REGION,
  };
  await aws(['s3api', 'create-bucket', '--bucket', BUCKET, '--create-bucket-configuration', `LocationConstraint=${REGION}`]);
  for (const name of FILES) {
    await aws(['s3api', 'put-object', '--bucket', BUCKET, '--key', `boot/${sha256(readFileSync(join(BOOT, name)))}/${name}`, '--body', join(BOOT, name)]);
  }
  // An Auto Scaling group with one instance: the one the loader reports.
  await aws(['autoscaling', 'create-launch-configuration', '--launch-configuration-name', 'nat', '--image-id', 'ami-12c6146b', '--instance-type', 't4g.nano']);
  await aws(['autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'nat', '--launch-configuration-name', 'nat',
    '--min-size', '1', '--max-size', '1', '--desired-capacity', '1', '--availability-zones', `${REGION}a`]);
  instanceId = (await aws(['autoscaling', 'describe-auto-scaling-instances', '--query', 'AutoScalingInstances[0].InstanceId'])).trim();
  imds = createServer((req, res) => {
    const path = req.url ?? '';
    const answers: Record<string, string> = { '/latest/meta-data/instance-id': instanceId, '/latest/meta-data/placement/region': REGION };
    if (req.method === 'PUT' && path === '/latest/api/token') res.end('token');
    else if (req.headers['x-aws-ec2-metadata-token'] !== 'token') res.writeHead(401).end();
    else if (answers[path] !== undefined) res.end(answers[path]);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => imds.listen(0, '127.0.0.1', r));
  const address = imds.address();
  imdsUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/latest`;
}, 240_000);

afterAll(async () => {
  await moto?.stop();
  await new Promise((r) => (imds ? imds.close(r) : r(undefined)));
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Case { root: string; cache: string; manifest: string }

function newCase(name: string, lines: (entries: { name: string; key: string; digest: string; mode: string; dest: string }[]) => string[]): Case {
  const dir = join(work, name);
  const c = { root: join(dir, 'root'), cache: join(dir, 'cache'), manifest: join(dir, 'boot.manifest') };
  const entries = FILES.map((f) => {
    const digest = sha256(readFileSync(join(BOOT, f)));
    return { name: f, key: `boot/${digest}/${f}`, digest, mode: f.endsWith('.sh') ? '0755' : '0644', dest: f.endsWith('.sh') ? `/opt/cdktf-egress/${f}` : `/etc/systemd/system/${f}` };
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(c.manifest, lines(entries).join('\n') + '\n');
  return c;
}

const manifestLines = (endpoint: string) => (entries: { name: string; key: string; digest: string; mode: string; dest: string }[]): string[] => [
  '# cdktf-egress boot manifest',
  `bucket ${BUCKET} ${REGION} ${endpoint}`,
  ...entries.map((e) => `file ${e.name} ${e.digest} ${e.mode} ${e.dest}`),
];

function load(c: Case, extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(['bash', LOADER], {
    env: { ...env, AWS_ENDPOINT_URL: moto.url, EGRESS_BOOT_MANIFEST: c.manifest, EGRESS_BOOT_CACHE: c.cache, EGRESS_BOOT_ROOT: c.root, EGRESS_IMDS: imdsUrl, ...extra },
    timeoutMs: 180_000,
  });
}

async function health(): Promise<string> {
  return (await aws(['autoscaling', 'describe-auto-scaling-instances', '--instance-ids', instanceId, '--query', 'AutoScalingInstances[0].HealthStatus'])).trim();
}

async function setHealthy(): Promise<void> {
  await aws(['autoscaling', 'set-instance-health', '--instance-id', instanceId, '--health-status', 'Healthy']);
}

const installed = (c: Case): string[] => FILES.filter((f) => existsSync(join(c.root, f.endsWith('.sh') ? 'opt/cdktf-egress' : 'etc/systemd/system', f)));

test('installs every boot file byte for byte with its mode, and a later run works from the cache with S3 unreachable', async () => {
  const c = newCase('ok', manifestLines(moto.url));
  const r = await load(c);
  expect(r.stderr).toContain(`installed ${FILES.length} boot files`);
  expect(r.code).toBe(0);
  for (const f of FILES) {
    const dest = join(c.root, f.endsWith('.sh') ? 'opt/cdktf-egress' : 'etc/systemd/system', f);
    expect(readFileSync(dest).equals(readFileSync(join(BOOT, f)))).toBe(true);
    expect((statSync(dest).mode & 0o777).toString(8)).toBe(f.endsWith('.sh') ? '755' : '644');
  }
  // A re-run (networkd restart, reboot) with S3 gone: the cache serves it, nothing is fetched.
  rmSync(join(c.root), { recursive: true });
  writeFileSync(c.manifest, readFileSync(c.manifest, 'utf8').replace(moto.url, 'http://127.0.0.1:9'));
  const offline = await load(c, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', EGRESS_LOAD_ATTEMPTS: '1' });
  expect(offline.stderr).not.toContain('get-object failed');
  expect(offline.code).toBe(0);
  expect(installed(c)).toEqual(FILES);
});

test('a file whose bytes are not the pinned digest is refused: nothing is installed, the instance reports itself Unhealthy', async () => {
  await setHealthy();
  // The last file's object holds other bytes than its key's digest (a tampered or corrupted object).
  const pinned = sha256(Buffer.from('the bytes a launch template pinned'));
  const last = FILES[FILES.length - 1];
  await aws(['s3api', 'put-object', '--bucket', BUCKET, '--key', `boot/${pinned}/${last}`, '--body', join(BOOT, last)]);
  const c = newCase('mismatch', (entries) => manifestLines(moto.url)(entries.map((e, i) => (i === entries.length - 1 ? { ...e, digest: pinned } : e))));
  const r = await load(c);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/SHA-256 [0-9a-f]{64}, the manifest pins/);
  expect(r.stderr).toContain(`reported ${instanceId} Unhealthy`);
  expect(installed(c)).toEqual([]);
  expect(await health()).toBe('Unhealthy');
});

test('S3 unreachable: bounded attempts with backoff, then Unhealthy and a non-zero exit', async () => {
  await setHealthy();
  const c = newCase('unreachable', manifestLines('http://127.0.0.1:9'));
  const r = await load(c, { EGRESS_LOAD_ATTEMPTS: '3' });
  expect(r.code).toBe(1);
  expect(r.stderr.match(/get-object failed \(attempt \d\/3\)/g)).toEqual(['get-object failed (attempt 1/3)', 'get-object failed (attempt 2/3)']);
  expect(r.stderr).toContain('not fetched in 3 attempts');
  expect(installed(c)).toEqual([]);
  expect(await health()).toBe('Unhealthy');
});

test('a missing object is not retried; a malformed manifest is refused naming the line', async () => {
  await setHealthy();
  const missing = newCase('missing', (entries) => manifestLines(moto.url)(entries.map((e) => ({ ...e, digest: '0'.repeat(64) }))));
  const r = await load(missing);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/NoSuchKey, not retried/);
  expect(r.stderr).not.toContain('retrying');
  const bad = newCase('bad', (entries) => [`bucket ${BUCKET} ${REGION}`, `file ${entries[0].name} nothex 0755 /opt/x`]);
  const b = await load(bad);
  expect(b.code).toBe(1);
  expect(b.stderr).toContain(`manifest: bad SHA-256 for ${FILES[0]}`);
  expect(await health()).toBe('Unhealthy');
});
