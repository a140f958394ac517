import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Fn, Token } from 'cdktf';
import { stringify } from 'yaml';
import { conntrackConfig, type ConntrackSettings } from './conntrack';
import { joinEach } from './for-each';
import { WATCHDOG_RUNCMD, watchdogWriteFiles } from './watchdog';

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
}

export interface BootPortForward {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly to: string;
  readonly toPort: number;
  readonly allowFrom: string[];
}

export interface WriteFile {
  readonly path: string;
  readonly content: string;
  readonly permissions?: string;
}

export const BOOT_SCRIPT_PATH = '/opt/cdktf-egress/nat-boot.sh';
export const BOOT_CONFIG_PATH = '/etc/cdktf-egress/nat.conf';
export const BOOT_UNIT_PATH = '/etc/systemd/system/cdktf-egress-nat.service';
/** EC2 refuses user data over 16 KB (before base64; after gzip, which cloud-init undoes). */
export const USER_DATA_LIMIT = 16 * 1024;

const BOOT_DIR = join(__dirname, 'boot');

export function bootScript(): string {
  return readFileSync(join(BOOT_DIR, 'nat-boot.sh'), 'utf8');
}

export function bootUnit(): string {
  return readFileSync(join(BOOT_DIR, 'cdktf-egress-nat.service'), 'utf8');
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
}

/** The cloud-config document (as an object) that installs and starts the boot script. */
export function cloudConfig(props: UserDataProps): Record<string, unknown> {
  // No `packages: [nftables]`: cloud-init's package module refreshes the repository metadata
  // on every launch even when nft is there (tens of seconds, and a hard dependency on the
  // repositories). The boot script installs nftables only when the image lacks nft.
  const packages = [...new Set(props.packages ?? [])];
  return {
    ...(packages.length > 0 ? { packages } : {}),
    write_files: [
      // Plain text: the whole document is compressed (renderUserData), which packs the scripts tighter than each alone.
      { path: BOOT_SCRIPT_PATH, permissions: '0755', content: bootScript() },
      { path: BOOT_UNIT_PATH, permissions: '0644', content: bootUnit() },
      { path: BOOT_CONFIG_PATH, permissions: '0644', content: props.bootConfig },
      ...(props.watchdogConfig === undefined ? [] : watchdogWriteFiles(props.watchdogConfig)),
      ...(props.writeFiles ?? []).map((f) => ({ path: f.path, permissions: f.permissions ?? '0644', content: f.content })),
    ],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'cdktf-egress-nat.service'],
      ...(props.watchdogConfig === undefined ? [] : [WATCHDOG_RUNCMD]),
      ...(props.runcmd ?? []),
    ],
  };
}

export function cloudConfigText(props: UserDataProps): string {
  return `#cloud-config\n${stringify(cloudConfig(props), { lineWidth: 0 })}`;
}

/**
 * Base64 of the gzip-compressed cloud-config for the launch template (cloud-init detects and
 * undoes gzip; EC2's 16 KB applies to the compressed bytes). With plain values it is computed
 * here, so cdk.tf.json carries the exact bytes EC2 will see.
 */
export function renderUserData(props: UserDataProps): string {
  const text = cloudConfigText(props);
  if (Token.isUnresolved(text)) {
    throw new Error('user data with unresolved values must be rendered by the module writer');
  }
  const compressed = gzipSync(text, { level: 9 });
  if (compressed.length > USER_DATA_LIMIT) throw new Error(userDataTooLarge(compressed.length));
  return compressed.toString('base64');
}

/** The bytes EC2 counts against its limit: the compressed cloud-config. */
export function userDataBytes(props: UserDataProps): number {
  return gzipSync(cloudConfigText(props), { level: 9 }).length;
}

export function userDataTooLarge(bytes: number): string {
  return `user data would be ${bytes} bytes compressed; EC2 accepts at most ${USER_DATA_LIMIT}. Shorten userData.writeFiles or userData.runcmd`;
}
