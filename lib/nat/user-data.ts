import { gzipSync } from 'node:zlib';
import { Fn, Token } from 'cdktf';
import { stringify } from 'yaml';
import { bootFile, bootFileDigest, bootManifestText, LONGEST_BUCKET_NAME, type ShippedBootFile } from './boot-files';
import { conntrackConfig, type ConntrackSettings } from './conntrack';
import { joinEach } from './for-each';
import { WATCHDOG_BOOT_FILES, WATCHDOG_CONFIG_PATH, WATCHDOG_RUNCMD } from './watchdog';

export { bootFile, type ShippedBootFile } from './boot-files';

/** What the boot script is told, rendered to `/etc/cdktf-egress/nat.conf`. */
export interface BootConfig {
  readonly natId: string;
  readonly region: string;
  readonly egressMode: 'dedicated' | 'primary';
  /** Set when the primary interface has no public IPv4 and the EC2 API is reached over IPv6. */
  readonly ec2EndpointUrl?: string;
  /** Sources served through the egress ENI (dedicated mode). May be a token list. */
  readonly hubCidrs: string[];
  readonly spokes: readonly { deviceIndex: number; cidrs: string[] }[];
  readonly portForwards: readonly BootPortForward[];
  readonly attachMaxAttempts?: number;
  readonly interfaceWaitSeconds?: number;
  /** @default - sized by memory, timeouts as in CONNTRACK_DEFAULTS */
  readonly conntrack?: ConntrackSettings;
  /** Auto Scaling launch hook the boot script completes once forwarding is verified. @default - none */
  readonly launchHook?: string;
  /** Auto Scaling terminate hook the watcher completes once it released the interfaces. @default - none */
  readonly terminateHook?: string;
  /** How long a running NAT that is not being replaced may keep an ENI before the boot gives up. @default 60 */
  readonly handoverSeconds?: number;
  /** How long to wait for a holder that is shutting down, stopping or gone. @default 900 */
  readonly holderWaitSeconds?: number;
  /** Release the interfaces this long before a spot interruption. @default 20 */
  readonly spotReleaseSeconds?: number;
}

export interface BootPortForward {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly to: string;
  readonly toPort: number;
  readonly allowFrom: string[];
}

export interface WriteFile {
  /** Absolute path on the instance. */
  readonly path: string;
  /** File content, written as is. */
  readonly content: string;
  /** Octal mode. @default '0644' */
  readonly permissions?: string;
}

export const BOOT_SCRIPT_PATH = '/opt/cdktf-egress/nat-boot.sh';
export const BOOT_CONFIG_PATH = '/etc/cdktf-egress/nat.conf';
export const BOOT_UNIT_PATH = '/etc/systemd/system/cdktf-egress-nat.service';
export const WATCH_SCRIPT_PATH = '/opt/cdktf-egress/nat-watch.sh';
export const WATCH_UNIT_PATH = '/etc/systemd/system/cdktf-egress-nat-watch.service';
/** Shell libraries the boot script and the watcher source from their own directory. */
export const BOOT_LIBRARIES = ['nat-aws.sh', 'nat-handover.sh'] as const;
/** EC2 refuses user data over 16 KB (before base64; after gzip, which cloud-init undoes). */
export const USER_DATA_LIMIT = 16 * 1024;

export function bootScript(): string {
  return bootFile('nat-boot.sh');
}

export function bootUnit(): string {
  return bootFile('cdktf-egress-nat.service');
}

/** The boot files in the order the cloud-config writes them: scripts, libraries, units. */
export const SHIPPED_BOOT_FILES: readonly ShippedBootFile[] = [
  { name: 'nat-boot.sh', path: BOOT_SCRIPT_PATH, permissions: '0755' },
  { name: 'cdktf-egress-nat.service', path: BOOT_UNIT_PATH, permissions: '0644' },
  ...BOOT_LIBRARIES.map((name) => ({ name, path: `/opt/cdktf-egress/${name}`, permissions: '0644' })),
  { name: 'nat-watch.sh', path: WATCH_SCRIPT_PATH, permissions: '0755' },
  { name: 'cdktf-egress-nat-watch.service', path: WATCH_UNIT_PATH, permissions: '0644' },
];

/** What a NAT fetches from S3: the boot files, and the watchdog's unless it has none. */
export function shippedBootFiles(watchdog: boolean): readonly ShippedBootFile[] {
  return [...SHIPPED_BOOT_FILES, ...(watchdog ? WATCHDOG_BOOT_FILES : [])];
}

/** The S3 endpoint of an instance without public IPv4: dual-stack, reached over IPv6. */
export function s3DualstackEndpoint(region: string): string {
  return `https://s3.dualstack.${region}.amazonaws.com`;
}

/**
 * The manifest at its largest (the longest bucket name S3 allows, the dual-stack endpoint):
 * user data measured with it fits whatever name the bucket gets.
 */
export function largestBootManifest(region: string, watchdog: boolean): string {
  const files = shippedBootFiles(watchdog);
  return bootManifestText({ bucket: LONGEST_BUCKET_NAME, region, endpointUrl: s3DualstackEndpoint(region) }, files, files.map((f) => bootFileDigest(f.name)));
}

const list = (items: string[]): string => (Token.isUnresolved(items) ? Fn.join(' ', items) : items.join(' '));
const cidrList = (cidrs: string[]): string => (Token.isUnresolved(cidrs) ? Fn.join(',', cidrs) : cidrs.join(','));

/** `KEY="value"` lines; values are spec-validated (no quotes or `$`), so the file is safe to source. */
export function renderBootConfig(config: BootConfig): string {
  const entries: [string, string][] = [
    ['NAT_ID', config.natId],
    ['REGION', config.region],
    ['EGRESS_MODE', config.egressMode],
    ['EC2_ENDPOINT_URL', config.ec2EndpointUrl ?? ''],
    ['HUB_CIDRS', list(config.hubCidrs)],
    ['SPOKES', joinEach(config.spokes, ' ', (s) => `${s.deviceIndex}=${cidrList(s.cidrs)}`)],
    ['PORT_FORWARDS', joinEach(config.portForwards, ' ', (f) => `${f.protocol}:${f.port}:${f.to}:${f.toPort}:${cidrList(f.allowFrom)}`)],
    ['ATTACH_MAX_ATTEMPTS', String(config.attachMaxAttempts ?? 8)],
    ['INTERFACE_WAIT_SECONDS', String(config.interfaceWaitSeconds ?? 60)],
    ...conntrackConfig(config.conntrack),
    ['LAUNCH_HOOK', config.launchHook ?? ''],
    ['TERMINATE_HOOK', config.terminateHook ?? ''],
    ['HANDOVER_SECONDS', String(config.handoverSeconds ?? 60)],
    ['HOLDER_WAIT_SECONDS', String(config.holderWaitSeconds ?? 900)],
    ['SPOT_RELEASE_SECONDS', String(config.spotReleaseSeconds ?? 20)],
  ];
  return ['# Written by cdktf-egress at synth time; read by nat-boot.sh.', ...entries.map(([k, v]) => `${k}="${v}"`), ''].join('\n');
}

export interface UserDataProps {
  readonly bootConfig: string;
  readonly writeFiles?: readonly WriteFile[];
  readonly runcmd?: readonly string[];
  /** Extra packages for cloud-init to install before the boot script runs. */
  readonly packages?: readonly string[];
  /** watchdog.conf (see watchdog.ts); the watchdog is shipped and its timer started only when given. */
  readonly watchdogConfig?: string;
  /**
   * The manifest of the boot files kept in S3 (`BootObjects`): user data carries it and the
   * loader, which runs first and installs the files it names.
   */
  readonly bootManifest: string;
}

export const BOOT_MANIFEST_PATH = '/etc/cdktf-egress/boot.manifest';
export const BOOT_LOADER_PATH = '/opt/cdktf-egress/nat-load.sh';

/** The cloud-config document (as an object) that installs and starts the boot script. */
export function cloudConfig(props: UserDataProps): Record<string, unknown> {
  // No `packages: [nftables]`: cloud-init's package module refreshes the repository metadata
  // on every launch even when nft is there (tens of seconds, and a hard dependency on the
  // repositories). The boot script installs nftables only when the image lacks nft.
  const packages = [...new Set(props.packages ?? [])];
  return {
    ...(packages.length > 0 ? { packages } : {}),
    write_files: [
      // Plain text: the whole document is gzip-compressed (renderUserData). The boot files
      // themselves come from S3 (docs/boot-files.md); the loader is the source file unchanged.
      { path: BOOT_LOADER_PATH, permissions: '0755', content: bootFile('nat-load.sh') },
      { path: BOOT_MANIFEST_PATH, permissions: '0644', content: props.bootManifest },
      { path: BOOT_CONFIG_PATH, permissions: '0644', content: props.bootConfig },
      ...(props.watchdogConfig === undefined ? [] : [{ path: WATCHDOG_CONFIG_PATH, permissions: '0644', content: props.watchdogConfig }]),
      ...(props.writeFiles ?? []).map((f) => ({ path: f.path, permissions: f.permissions ?? '0644', content: f.content })),
    ],
    runcmd: [
      // The loader exits non-zero after reporting Unhealthy; the units below then find no files.
      [BOOT_LOADER_PATH],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'cdktf-egress-nat.service'],
      ['systemctl', 'enable', '--now', 'cdktf-egress-nat-watch.service'],
      ...(props.watchdogConfig === undefined ? [] : [WATCHDOG_RUNCMD]),
      ...(props.runcmd ?? []),
    ],
  };
}

export function cloudConfigText(props: UserDataProps): string {
  return `#cloud-config\n${stringify(cloudConfig(props), { lineWidth: 0 })}`;
}

/** The bytes EC2 is sent for this cloud-config text, the size its limit applies to. */
export function compressUserData(text: string): Buffer {
  return gzipSync(text, { level: 9 });
}

/** The bytes EC2 counts against its limit: the compressed cloud-config. */
export function userDataBytes(props: UserDataProps): number {
  return compressUserData(cloudConfigText(props)).length;
}

export function userDataTooLarge(bytes: number): string {
  return `user data would be ${bytes} bytes gzip-compressed; EC2 accepts at most ${USER_DATA_LIMIT}. Shorten userData.writeFiles or userData.runcmd`;
}
