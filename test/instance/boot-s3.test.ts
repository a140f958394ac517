// The built-in example's NAT with its boot files in S3 (bootFilesFrom 's3') and 12 KB of
// the user's own incompressible writeFiles, under its real operating system: cloud-init,
// fed the user data as Terraform renders it, runs the loader first; the loader fetches the
// stack's boot objects with the real AWS CLI from the lab's S3 (the AWS API emulator on the
// lab's internet side, over IPv6, by the manifest's dual-stack endpoint), checks each
// digest and installs them; then the units start and the NAT serves both spokes. With S3
// unreachable, the loader gives up after its bounded attempts and no unit runs.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleFromStack, removeBundles } from '../dataplane/support/boot-bundle';
import { HUB_CIDR, NAT_ID, PORT_FORWARD, SPOKES, USER_FILES, exampleS3Stack } from '../dataplane/support/example-s3';
import { expectEgressViaEip, expectNoConnection, seenIp } from '../dataplane/support/expect-net';
import { EIP, INTERNET, Lab, type VpcRef } from '../dataplane/support/lab';
import { requireTools } from '../dataplane/support/proc';
import { instanceRoot, launchNatHost, natHostLab, reboot, settle, type NatHost } from './support/nat-host';
import { needs, once } from './support/nat-state';

jest.setTimeout(300_000);

const BOOT = resolve(__dirname, '../../lib/nat/boot');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let lab: Lab;
let root: string;
let nat: NatHost;
let spokeIdx: Record<string, VpcRef>;
let s3LogBefore = '';

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl', 'aws', 'systemd-nspawn', 'nsenter', 'debootstrap');
  root = await instanceRoot();
  const bundle = await bundleFromStack(exampleS3Stack(), NAT_ID);
  spokeIdx = Object.fromEntries(SPOKES.map((s) => {
    const entry = bundle.conf.SPOKES.split(' ').find((e) => e.endsWith(`=${s.cidr}`));
    if (!entry) throw new Error(`nat.conf SPOKES="${bundle.conf.SPOKES}" has no ${s.cidr}`);
    return [s.name, Number(entry.split('=')[0]) as VpcRef];
  }));
  lab = await natHostLab({
    name: 'is3', bundle, natVpcCidr: HUB_CIDR, ipv6Only: true, ipv4DefaultRoute: true,
    hosts: SPOKES.map((s) => ({ vpc: spokeIdx[s.name], ip: s.host })),
  });
  s3LogBefore = lab.s3!.output();
  nat = await launchNatHost(lab, root);
}, 900_000);

afterAll(async () => {
  await nat?.os.destroy();
  await lab?.destroy();
  await removeBundles();
});

const manifest = () => lab.opts.bundle.s3!.manifest;

async function expectNat(token: string): Promise<void> {
  for (const s of SPOKES) await expectEgressViaEip(lab, lab.host(spokeIdx[s.name], s.host), `${token}-${s.name}`);
  const found = await needs(lab, nat);
  expect(found).toEqual(once(found));
}

describe('first boot: cloud-init runs the loader, then the units', () => {
  test('cloud-init finishes cleanly and the unit succeeds', async () => {
    expect(await settle(nat)).toEqual({ active: 'active', result: 'success', cloudInit: 'status: done' });
  });

  test('the loader installed every boot file from S3, before the units started', async () => {
    const log = (await nat.os.exec(['journalctl', '-b', '-o', 'cat', '--no-pager'])).stdout;
    const installed = log.indexOf(`cdktf-egress-load: installed ${manifest().files.length} boot files from s3://${manifest().bucket}`);
    const started = log.search(/Starting cdktf-egress-nat\.service/);
    expect({ installed: installed >= 0, started: started >= 0, order: installed < started }).toEqual({ installed: true, started: true, order: true });
    expect(log).not.toMatch(/cdktf-egress-load: FAILED/);
  });

  test('it fetched each object from the lab\'s S3 over IPv6, from the instance\'s own address', () => {
    const log = lab.s3!.output().slice(s3LogBefore.length);
    const m = manifest();
    const peers = m.files.map((f) => ({
      name: f.name,
      peer: log.split('\n').find((l) => l.includes(`"GET /${m.bucket}/boot/${f.digest}/${f.name} HTTP/1.1" 200`))?.split(' ')[0],
    }));
    expect(peers).toEqual(m.files.map((f) => ({ name: f.name, peer: expect.stringMatching(/^2001:db8:0:a::[0-9a-f]+$/) })));
  });

  test('the files on the instance are lib/nat/boot byte for byte, with their modes; the user\'s files as given', async () => {
    const sources = readdirSync(BOOT).filter((n) => n !== 'nat-load.sh').sort();
    expect(manifest().files.map((f) => f.name).sort()).toEqual(sources);
    for (const f of manifest().files) {
      const onInstance = readFileSync(nat.os.path(f.dest));
      expect({ name: f.name, same: onInstance.equals(readFileSync(join(BOOT, f.name))), digest: sha256(onInstance) })
        .toEqual({ name: f.name, same: true, digest: f.digest });
      expect({ name: f.name, mode: (await nat.os.sh(`stat -c %a ${f.dest}`)).trim().padStart(4, '0') }).toEqual({ name: f.name, mode: f.mode });
    }
    expect(readFileSync(nat.os.path('/opt/cdktf-egress/nat-load.sh')).equals(readFileSync(join(BOOT, 'nat-load.sh')))).toBe(true);
    for (const f of USER_FILES) expect(readFileSync(nat.os.path(f.path), 'utf8')).toBe(f.content);
  });

  test('both spokes reach the internet from the EIP; every route and rule is there once', async () => {
    await expectNat('s3-first');
  });

  test('the port forward reaches app1\'s host from its allowed sources only', async () => {
    const r = await lab.probe(lab.ns('inet'), ['tcp-whoami', EIP, String(PORT_FORWARD.port), '--src', INTERNET.api4]);
    expect(seenIp(r)).toBe(INTERNET.api4);
    await expectNoConnection(lab, lab.ns('inet'), EIP, PORT_FORWARD.port, ['--src', INTERNET.host]);
  });

  test('the watchdog timer the user data starts is active', async () => {
    expect((await nat.os.exec(['systemctl', 'is-active', 'cdktf-egress-watchdog.timer'])).stdout.trim()).toBe('active');
  });
});

describe('reboot', () => {
  test('nothing is fetched again (cloud-init runs the loader once per instance), and the NAT converges to the same state', async () => {
    const before = await needs(lab, nat);
    const fetched = lab.s3!.output().length;
    await reboot(lab, nat);
    expect(await settle(nat)).toEqual({ active: 'active', result: 'success', cloudInit: 'status: done' });
    await expectNat('s3-reboot');
    expect(await needs(lab, nat)).toEqual(before);
    expect(lab.s3!.output().slice(fetched)).not.toMatch(/"GET \/\S+ HTTP\/1\.1"/);
  });
});

describe('S3 unreachable at first boot', () => {
  test('the loader gives up after its bounded attempts, installs nothing, no unit runs, and the working NAT is left alone', async () => {
    await lab.s3!.stop();
    const second = await launchNatHost(lab, root);
    try {
      const s = await settle(second);
      // The units were never installed: cloud-init's runcmd cannot start them.
      expect({ active: s.active, cloudInit: s.cloudInit }).toEqual({ active: 'inactive', cloudInit: 'status: error' });
      const log = (await second.os.exec(['journalctl', '-b', '-o', 'cat', '--no-pager'])).stdout;
      expect(log).toMatch(/cdktf-egress-load: FAILED: \S+: s3:\/\/\S+ not fetched in 6 attempts/);
      expect(readdirSync(second.os.path('/opt/cdktf-egress')).sort()).toEqual(['nat-load.sh']);
      // It told the group, over IPv6 (the instance has no public IPv4): the dual-stack Auto Scaling endpoint.
      expect(log).toMatch(new RegExp(`cdktf-egress-load: reported ${second.inst.id} Unhealthy`));
      const reports = lab.calls().filter((c) => c.operation === 'set-instance-health' && c.params['instance-id'] === second.inst.id);
      expect(reports.map((c) => ({ ok: c.ok, ipv6: c.peer.includes(':'), grace: c.params['no-should-respect-grace-period'] }))).toEqual([{ ok: true, ipv6: true, grace: true }]);
      await expectNat('s3-unreachable-successor');
    } finally {
      await second.os.destroy();
    }
  });
});
