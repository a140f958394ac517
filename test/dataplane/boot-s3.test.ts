// The built-in example's NAT with its boot files in S3 (bootFilesFrom 's3') and 12 KB of
// the user's own incompressible writeFiles, booted in the lab from user data as Terraform
// renders it: the stack's boot objects are put in the lab's S3 (the AWS API emulator on the
// internet side, dual-stack), the loader the user data carries runs inside the instance and
// fetches them over IPv6 from the dual-stack endpoint its manifest names (the hub is
// IPv6-enabled, the instance has no public IPv4), checking each digest, and the boot script
// it installed makes the NAT. What is installed is lib/nat/boot, byte for byte.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleFromStack, CONF_PATH, removeBundles, type BootBundle } from './support/boot-bundle';
import { LOADER_PATH, MANIFEST_PATH, sha256 } from './support/boot-s3';
import { HUB_CIDR, NAT_ID, PORT_FORWARD, SPOKES, USER_BYTES, USER_FILES, exampleS3Stack } from './support/example-s3';
import { expectEgressViaEip, expectNoConnection, seenIp } from './support/expect-net';
import { EIP, INTERNET, Lab, type Instance, type VpcRef } from './support/lab';
import { requireTools } from './support/proc';

jest.setTimeout(120_000);

const BOOT = resolve(__dirname, '../../lib/nat/boot');
const USER_DATA_LIMIT = 16 * 1024;

let bundle: BootBundle;
let lab: Lab;
let nat: Instance;
let spokeIdx: Record<string, VpcRef>;
/** What the lab's S3 had logged before the instance was launched. */
let s3LogBefore = '';

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl', 'aws', 'sha256sum');
  bundle = await bundleFromStack(exampleS3Stack(), NAT_ID, { loader: true });
  spokeIdx = Object.fromEntries(SPOKES.map((s) => {
    const entry = bundle.conf.SPOKES.split(' ').find((e) => e.endsWith(`=${s.cidr}`));
    if (!entry) throw new Error(`nat.conf SPOKES="${bundle.conf.SPOKES}" has no ${s.cidr}`);
    return [s.name, Number(entry.split('=')[0]) as VpcRef];
  }));
  lab = await Lab.create({
    name: 's3boot', bundle, loadBootFiles: true, natVpcCidr: HUB_CIDR, ipv6Only: true, ipv4DefaultRoute: true,
    hosts: SPOKES.map((s) => ({ vpc: spokeIdx[s.name], ip: s.host })),
  });
  s3LogBefore = lab.s3!.output();
  nat = await lab.launch();
  await lab.bootOk(nat);
}, 600_000);

afterAll(async () => {
  await lab?.destroy();
  await removeBundles();
});

const written = (path: string): string | undefined => bundle.cloudConfig.write_files.find((f) => f.path === path)?.content;

describe('user data as Terraform renders it', () => {
  test('carries the loader (its source, byte for byte), the manifest and nat.conf, and none of the boot files', () => {
    expect(written(LOADER_PATH)).toBe(readFileSync(join(BOOT, 'nat-load.sh'), 'utf8'));
    expect(written(MANIFEST_PATH)).toMatch(/^bucket dev-shared-boot-\S+ ap-northeast-1 https:\/\/s3\.dualstack\.ap-northeast-1\.amazonaws\.com$/m);
    expect(written(CONF_PATH)).toContain(`NAT_ID="${NAT_ID}"`);
    const paths = bundle.cloudConfig.write_files.map((f) => f.path);
    for (const f of bundle.s3!.manifest.files) expect(paths).not.toContain(f.dest);
    expect(bundle.cloudConfig.runcmd?.[0]).toEqual([LOADER_PATH]);
  });

  test('12 KB of incompressible user files fit beside it, under EC2\'s 16 KB', () => {
    const user = USER_FILES.map((f) => written(f.path));
    expect(user).toEqual(USER_FILES.map((f) => f.content));
    expect(user.join('').length).toBe(USER_BYTES);
    expect(bundle.userDataBytes).toBeLessThanOrEqual(USER_DATA_LIMIT);
    // The user's part does not compress away: it is most of what EC2 counts.
    expect(bundle.userDataBytes).toBeGreaterThan(USER_BYTES * 0.75);
  });
});

describe('the boot objects', () => {
  test('one per boot file the manifest pins, keyed and pinned by the SHA-256 of its source, holding its bytes', () => {
    const { manifest, objects } = bundle.s3!;
    const sources = readdirSync(BOOT).filter((n) => n !== 'nat-load.sh').sort();
    expect(manifest.files.map((f) => f.name).sort()).toEqual(sources);
    for (const f of manifest.files) {
      const source = readFileSync(join(BOOT, f.name));
      expect({ name: f.name, digest: f.digest }).toEqual({ name: f.name, digest: sha256(source) });
      const object = objects.find((o) => o.key === `boot/${f.digest}/${f.name}`);
      expect({ name: f.name, same: object?.content.equals(source) }).toEqual({ name: f.name, same: true });
    }
    expect(objects).toHaveLength(manifest.files.length);
  });

  test('the instance fetched every one from the lab\'s S3, over IPv6, by the manifest\'s dual-stack endpoint', () => {
    const log = lab.s3!.output().slice(s3LogBefore.length);
    const { manifest } = bundle.s3!;
    const peers = manifest.files.map((f) => {
      const line = log.split('\n').find((l) => l.includes(`"GET /${manifest.bucket}/boot/${f.digest}/${f.name} HTTP/1.1" 200`));
      return { name: f.name, peer: line?.split(' ')[0] };
    });
    // The instance's own IPv6 address (the primary interface's): no IPv4 path was used.
    expect(peers).toEqual(manifest.files.map((f) => ({ name: f.name, peer: expect.stringMatching(/^2001:db8:0:a::[0-9a-f]+$/) })));
  });
});

describe('what the loader installed', () => {
  test('every boot file at its destination, byte for byte the source in lib/nat/boot, with the mode the manifest gives', () => {
    for (const f of bundle.s3!.manifest.files) {
      const installed = join(bundle.root, f.dest);
      expect({ name: f.name, same: readFileSync(installed).equals(readFileSync(join(BOOT, f.name))) }).toEqual({ name: f.name, same: true });
      expect({ name: f.name, mode: (statSync(installed).mode & 0o777).toString(8).padStart(4, '0') }).toEqual({ name: f.name, mode: f.mode });
    }
    expect(bundle.s3!.loadLog).toContain(`installed ${bundle.s3!.manifest.files.length} boot files from s3://${bundle.s3!.manifest.bucket}`);
  });

  test('the instance\'s cache holds each verified file under its digest', () => {
    const cache = join(lab.dir, `instance-${nat.seq}`, 'boot-cache');
    for (const f of bundle.s3!.manifest.files) expect(sha256(readFileSync(join(cache, f.digest)))).toBe(f.digest);
  });

  test('the user\'s files are written as given', () => {
    for (const f of USER_FILES) expect(readFileSync(join(bundle.root, f.path), 'utf8')).toBe(f.content);
  });
});

describe('the NAT it boots', () => {
  test('both spokes reach the internet over TCP, UDP and ICMP, seen from the EIP', async () => {
    for (const s of SPOKES) await expectEgressViaEip(lab, lab.host(spokeIdx[s.name], s.host), `s3boot-${s.name}`);
  });

  test('the port forward reaches app1\'s host from its allowed sources only', async () => {
    const r = await lab.probe(lab.ns('inet'), ['tcp-whoami', EIP, String(PORT_FORWARD.port), '--src', INTERNET.api4]);
    expect(seenIp(r)).toBe(INTERNET.api4);
    await expectNoConnection(lab, lab.ns('inet'), EIP, PORT_FORWARD.port, ['--src', INTERNET.host]);
  });

  test('a second instance fetches the files again into its own cache, from S3', async () => {
    const before = lab.s3!.output().length;
    const second = await lab.launch();
    const log = lab.s3!.output().slice(before);
    const { manifest } = bundle.s3!;
    expect(log.match(/"GET \/\S+ HTTP\/1\.1" 200/g)?.length).toBe(manifest.files.length);
    await lab.terminate(second);
  });
});
