import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Fn, Token } from 'cdktf';
import { stringify } from 'yaml';
import { conntrackConfig, type ConntrackSettings } from './conntrack';
import { joinEach } from './for-each';

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
/** EC2 refuses user data over 16 KB (before base64). */
export const USER_DATA_LIMIT = 16 * 1024;

const BOOT_DIR = join(__dirname, 'boot');

export function bootScript(): string {
  return readFileSync(join(BOOT_DIR, 'nat-boot.sh'), 'utf8');
}

/** Every NAT ships the same script: compressed once per process, not once per render. */
let compressedBootScript: string | undefined;
function bootScriptGzBase64(): string {
  compressedBootScript ??= gzipSync(bootScript(), { level: 9 }).toString('base64');
  return compressedBootScript;
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
      // Compressed so the script's size leaves user data room under EC2's 16 KB limit.
      { path: BOOT_SCRIPT_PATH, permissions: '0755', encoding: 'gz+b64', content: bootScriptGzBase64() },
      { path: BOOT_UNIT_PATH, permissions: '0644', content: bootUnit() },
      { path: BOOT_CONFIG_PATH, permissions: '0644', content: props.bootConfig },
      ...(props.writeFiles ?? []).map((f) => ({ path: f.path, permissions: f.permissions ?? '0644', content: f.content })),
    ],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'cdktf-egress-nat.service'],
      ...(props.runcmd ?? []),
    ],
  };
}

export function cloudConfigText(props: UserDataProps): string {
  return `#cloud-config\n${stringify(cloudConfig(props), { lineWidth: 0 })}`;
}

/**
 * Base64 user data for the launch template. With plain values it is computed here, so
 * cdk.tf.json carries the exact bytes EC2 will see.
 */
export function renderUserData(props: UserDataProps): string {
  return encodeUserData(cloudConfigText(props));
}

/** `renderUserData` for a cloud-config text already rendered. */
export function encodeUserData(text: string): string {
  if (Token.isUnresolved(text)) {
    throw new Error('user data with unresolved values must be rendered by the module writer');
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > USER_DATA_LIMIT) throw new Error(userDataTooLarge(bytes));
  return Buffer.from(text, 'utf8').toString('base64');
}

export function userDataTooLarge(bytes: number): string {
  return `user data would be ${bytes} bytes; EC2 accepts at most ${USER_DATA_LIMIT}. Shorten userData.writeFiles or userData.runcmd`;
}
