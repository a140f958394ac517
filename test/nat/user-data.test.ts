import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { NatInstance, type NatInstanceProps } from '../../lib/nat/nat-instance';
import { cloudConfigText, compressUserData, renderBootConfig } from '../../lib/nat/user-data';
import { decodeUserData, once, onlyResource, shellConfig, STAND_IN_BUCKET, synthConstruct, type DecodedUserData } from '../helpers/construct';

const BOOT_DIR = join(__dirname, '..', '..', 'lib', 'nat', 'boot');
const SCRIPT = '/opt/cdktf-egress/nat-boot.sh';
const UNIT = '/etc/systemd/system/cdktf-egress-nat.service';
const CONF = '/etc/cdktf-egress/nat.conf';
const AWS_LIB = '/opt/cdktf-egress/nat-aws.sh';
const HANDOVER_LIB = '/opt/cdktf-egress/nat-handover.sh';
const WATCH = '/opt/cdktf-egress/nat-watch.sh';
const WATCH_UNIT = '/etc/systemd/system/cdktf-egress-nat-watch.service';
const LOADER = '/opt/cdktf-egress/nat-load.sh';
const MANIFEST = '/etc/cdktf-egress/boot.manifest';
/** What user data writes: the loader, the manifest and the NAT's config; the boot files come from S3. */
const NAT_FILES: [string, string][] = [[LOADER, '0755'], [MANIFEST, '0644'], [CONF, '0644']];
const WATCHDOG_CONF = '/etc/cdktf-egress/watchdog.conf';
/** What the loader installs from S3, in the manifest's order: name, mode, destination. */
const BOOT_FILES: [string, string, string][] = [
  ['nat-boot.sh', '0755', SCRIPT], ['cdktf-egress-nat.service', '0644', UNIT], ['nat-aws.sh', '0644', AWS_LIB], ['nat-handover.sh', '0644', HANDOVER_LIB],
  ['nat-watch.sh', '0755', WATCH], ['cdktf-egress-nat-watch.service', '0644', WATCH_UNIT],
];
const WATCHDOG_FILES: [string, string, string][] = [
  ['nat-watchdog.sh', '0755', '/opt/cdktf-egress/nat-watchdog.sh'], ['cdktf-egress-watchdog.service', '0644', '/etc/systemd/system/cdktf-egress-watchdog.service'],
  ['cdktf-egress-watchdog.timer', '0644', '/etc/systemd/system/cdktf-egress-watchdog.timer'],
];
const sha = (name: string): string => createHash('sha256').update(readFileSync(join(BOOT_DIR, name))).digest('hex');
const manifestFiles = (userData: DecodedUserData): string[] => fileAt(userData, MANIFEST).content.split('\n').filter((l) => l.startsWith('file '));

const BASE: NatInstanceProps = {
  natId: 'dev-shared',
  region: 'ap-northeast-1',
  vpcId: 'vpc-hub',
  publicSubnetId: 'subnet-public-a',
  servedCidrs: ['10.0.0.0/16', '100.64.0.0/16'],
  privateRouteTableIds: ['rtb-private-a'],
  instanceTypes: ['t4g.xlarge'],
  spokes: [
    { name: 'app1', vpcId: 'vpc-app1', subnetId: 'subnet-app1-a', cidrs: ['10.1.0.0/16'], routeTableIds: ['rtb-app1'] },
    { name: 'app2', vpcId: 'vpc-app2', subnetId: 'subnet-app2-a', cidrs: ['10.2.0.0/16', '10.3.0.0/16'], routeTableIds: ['rtb-app2'] },
  ],
  portForwards: [
    { protocol: 'tcp', port: 8080, to: '10.1.0.10', toPort: 80, allowFrom: ['203.0.113.0/24', '198.51.100.0/24'] },
    { protocol: 'udp', port: 5353, to: '10.2.0.20', allowFrom: ['192.0.2.0/24'] },
  ],
  userDataWriteFiles: [
    { path: '/etc/motd', content: 'NAT instance\n' },
    { path: '/usr/local/bin/probe.sh', content: '#!/bin/sh\ncurl -s https://example.com\n', permissions: '0700' },
  ],
  userDataRuncmd: ['echo extra-1', 'echo extra-2'],
};

function userDataOf(props: Partial<NatInstanceProps> = {}): DecodedUserData {
  const tf = synthConstruct((scope) => new NatInstance(scope, 'nat', { ...BASE, ...props }));
  return decodeUserData(tf, onlyResource(tf, 'aws_launch_template'));
}

const fileAt = (userData: DecodedUserData, path: string) => {
  const file = userData.cloudConfig.write_files.find((f) => f.path === path);
  if (!file) throw new Error(`${path} is not in write_files`);
  return file;
};

describe('NAT user data', () => {
  const userData = once(() => userDataOf());
  const conf = () => shellConfig(fileAt(userData(), CONF).content);

  it('GIVEN a NAT WHEN its user data is base64-decoded THEN it is a #cloud-config document', () => {
    expect(userData().text.startsWith('#cloud-config\n')).toBe(true);
    expect(userData().cloudConfig).toEqual(expect.objectContaining({ write_files: expect.any(Array), runcmd: expect.any(Array) }));
  });

  it('GIVEN a NAT THEN it stays within the 16 KB EC2 accepts', () => {
    expect(userData().bytes).toBeLessThanOrEqual(16 * 1024);
  });

  it('GIVEN a NAT THEN user data carries the loader, byte for byte the file in the repository, and runs it before the units', () => {
    expect(fileAt(userData(), LOADER)).toEqual({ path: LOADER, permissions: '0755', content: readFileSync(join(BOOT_DIR, 'nat-load.sh'), 'utf8') });
    expect(userData().cloudConfig.runcmd[0]).toEqual([LOADER]);
  });

  it('GIVEN a NAT THEN the manifest names the bucket and pins each boot file by the SHA-256 of its file in the repository, with its mode and destination', () => {
    const lines = fileAt(userData(), MANIFEST).content.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines[0]).toBe(`bucket ${STAND_IN_BUCKET} ap-northeast-1`);
    expect(lines.slice(1)).toEqual([...BOOT_FILES, ...WATCHDOG_FILES].map(([name, mode, dest]) => `file ${name} ${sha(name)} ${mode} ${dest}`));
  });

  it('GIVEN a NAT THEN no boot script or unit is written from user data: they come from S3 unchanged', () => {
    const written = userData().cloudConfig.write_files.map((f) => f.path);
    for (const [, , dest] of [...BOOT_FILES, ...WATCHDOG_FILES]) expect(written).not.toContain(dest);
  });

  it('GIVEN a NAT THEN its boot config names the NAT, region and mode', () => {
    expect(conf()).toMatchObject({ NAT_ID: 'dev-shared', REGION: 'ap-northeast-1', EGRESS_MODE: 'dedicated' });
  });

  it('GIVEN served CIDRs THEN HUB_CIDRS lists them space-separated', () => {
    expect(conf().HUB_CIDRS).toBe('10.0.0.0/16 100.64.0.0/16');
  });

  it('GIVEN two spokes THEN SPOKES maps each device index (2 and 3 beside the egress ENI) to that spoke\'s CIDRs', () => {
    expect(conf().SPOKES).toBe('2=10.1.0.0/16 3=10.2.0.0/16,10.3.0.0/16');
  });

  it('GIVEN port forwards THEN PORT_FORWARDS lists protocol:port:to:toPort:allowFrom, toPort defaulting to port', () => {
    expect(conf().PORT_FORWARDS).toBe('tcp:8080:10.1.0.10:80:203.0.113.0/24,198.51.100.0/24 udp:5353:10.2.0.20:5353:192.0.2.0/24');
  });

  it('GIVEN a NAT THEN every line of the boot config is a comment or KEY="value", so the script can source it', () => {
    const lines = fileAt(userData(), CONF).content.split('\n').filter((line) => line !== '');
    for (const line of lines) expect(line).toMatch(/^(#.*|[A-Z0-9_]+="[^"$`\\]*")$/);
  });

  it('GIVEN user write_files THEN they come after the NAT\'s own files, 0644 unless given', () => {
    expect(userData().cloudConfig.write_files.map((f) => [f.path, f.permissions])).toEqual([
      ...NAT_FILES,
      [WATCHDOG_CONF, '0644'],
      ['/etc/motd', '0644'],
      ['/usr/local/bin/probe.sh', '0700'],
    ]);
    expect(fileAt(userData(), '/usr/local/bin/probe.sh').content).toBe('#!/bin/sh\ncurl -s https://example.com\n');
  });

  it('GIVEN user runcmd THEN the entries run after the NAT service and the watchdog timer are enabled and started', () => {
    expect(userData().cloudConfig.runcmd).toEqual([
      [LOADER],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'cdktf-egress-nat.service'],
      ['systemctl', 'enable', '--now', 'cdktf-egress-nat-watch.service'],
      ['systemctl', 'enable', '--now', 'cdktf-egress-watchdog.timer'],
      'echo extra-1',
      'echo extra-2',
    ]);
  });

  it('GIVEN a NAT without user files or commands THEN only the NAT\'s own files are written: loader, manifest, config, watchdog config', () => {
    const plain = userDataOf({ userDataWriteFiles: undefined, userDataRuncmd: undefined });
    expect(plain.cloudConfig.write_files.map((f) => f.path)).toEqual([...NAT_FILES.map(([path]) => path), WATCHDOG_CONF]);
    expect(plain.cloudConfig.runcmd).toHaveLength(5);
  });

  it('GIVEN watchdog false THEN no watchdog config, file or timer is shipped', () => {
    const plain = userDataOf({ userDataWriteFiles: undefined, userDataRuncmd: undefined, watchdog: false });
    expect(plain.cloudConfig.write_files.map((f) => f.path)).toEqual(NAT_FILES.map(([path]) => path));
    expect(manifestFiles(plain).map((l) => l.split(' ')[1])).toEqual(BOOT_FILES.map(([name]) => name));
    expect(plain.cloudConfig.runcmd).toHaveLength(4);
  });

  it('GIVEN write_files content that compresses past 16 KB THEN the NAT is rejected with the size, the limit and what to shorten', () => {
    // Incompressible: the limit applies to the gzip-compressed user data.
    const big = randomBytes(16 * 1024).toString('base64');
    let message = '';
    try {
      userDataOf({ userDataWriteFiles: [{ path: '/var/big', content: big }] });
    } catch (e) {
      message = (e as Error).message;
    }
    const match = /^user data would be (\d+) bytes gzip-compressed; EC2 accepts at most 16384\. Shorten userData\.writeFiles or userData\.runcmd$/.exec(message);
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(16 * 1024);
  });
});

describe('renderBootConfig and the cloud-config', () => {
  const minimal = { natId: 'n', region: 'us-east-1', egressMode: 'primary' as const, hubCidrs: [], spokes: [], portForwards: [] };

  it('GIVEN no retry or conntrack settings THEN the boot script gets 8 attach attempts, 60 s to wait for an interface and conntrack sized by memory', () => {
    expect(shellConfig(renderBootConfig(minimal))).toEqual({
      NAT_ID: 'n',
      REGION: 'us-east-1',
      EGRESS_MODE: 'primary',
      EC2_ENDPOINT_URL: '',
      HUB_CIDRS: '',
      SPOKES: '',
      PORT_FORWARDS: '',
      ATTACH_MAX_ATTEMPTS: '8',
      INTERFACE_WAIT_SECONDS: '60',
      CONNTRACK_MAX: '0',
      CONNTRACK_TCP_ESTABLISHED_TIMEOUT: '7440',
      CONNTRACK_UDP_TIMEOUT: '30',
      CONNTRACK_UDP_STREAM_TIMEOUT: '120',
      LAUNCH_HOOK: '',
      TERMINATE_HOOK: '',
      HANDOVER_SECONDS: '60',
      HOLDER_WAIT_SECONDS: '900',
      SPOT_RELEASE_SECONDS: '20',
    });
  });

  it('GIVEN plain values THEN the bytes measured are the gzip of the cloud-config text', () => {
    const props = { bootConfig: renderBootConfig(minimal), bootManifest: '', runcmd: ['echo hi'] };
    const text = gunzipSync(compressUserData(cloudConfigText(props))).toString('utf8');
    expect(text).toBe(cloudConfigText(props));
    expect(parseYaml(text).runcmd).toContain('echo hi');
  });

  it('GIVEN no packages THEN cloud-init installs nothing (the boot script installs nftables only when nft is missing)', () => {
    expect(parseYaml(cloudConfigText({ bootConfig: '', bootManifest: '' })).packages).toBeUndefined();
  });

  it('GIVEN packages THEN cloud-init installs each once', () => {
    expect(parseYaml(cloudConfigText({ bootConfig: '', bootManifest: '', packages: ['conntrack-tools', 'nftables', 'conntrack-tools'] })).packages).toEqual(['conntrack-tools', 'nftables']);
  });
});
