import { Token } from 'cdktf';
import type { ShippedBootFile } from './boot-files';
import { joinEach } from './for-each';

/** The CloudWatch namespace the watchdog's metrics go to; the instance role may write only there. */
export const METRICS_NAMESPACE = 'CdktfEgress';

export const WATCHDOG_SCRIPT_PATH = '/opt/cdktf-egress/nat-watchdog.sh';
export const WATCHDOG_CONFIG_PATH = '/etc/cdktf-egress/watchdog.conf';
export const WATCHDOG_SERVICE_PATH = '/etc/systemd/system/cdktf-egress-watchdog.service';
export const WATCHDOG_TIMER_PATH = '/etc/systemd/system/cdktf-egress-watchdog.timer';

/** How the NAT watches itself; every field may be a Terraform token (a module variable). */
export interface NatWatchdogProps {
  /**
   * Run the checks. False (useful when only Terraform knows it) ships the watchdog idle.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Repairs in a row (converging again) that do not fix a failed check before the instance
   * reports itself Unhealthy to its Auto Scaling group.
   * @default 3
   */
  readonly repairsBeforeUnhealthy?: number;
  /**
   * `host:port` reached over TCP through the egress interface at every run; a failed
   * connection is a failed check. `''` turns the probe off.
   * @default '' (off)
   */
  readonly egressProbe?: string;
  /** Conntrack fill (percent of its maximum) counted as a failed check. @default 95 */
  readonly conntrackFullPercent?: number;
  /** New masquerade port-allocation failures between two runs counted as a failed check. @default 50 */
  readonly portFailuresLimit?: number;
  /** Seconds between CloudWatch metric sends; 0 sends none. @default 0 */
  readonly metricsPeriod?: number;
}

/** The default egress probe target when one is asked for without a target: the region's EC2 endpoint. */
export function defaultEgressProbe(region: string): string {
  return `ec2.${region}.amazonaws.com:443`;
}

export interface WatchdogConfig extends NatWatchdogProps {
  /** The `Vpc` metric dimension of the hub (served through the egress ENI). */
  readonly hubName: string;
  /** Device index and name of each spoke, for the `Vpc` dimension. May be a token list. */
  readonly spokes: readonly { readonly deviceIndex: number; readonly name: string }[];
}

/** `/etc/cdktf-egress/watchdog.conf`: `KEY="value"` lines read by nat-watchdog.sh. */
export function renderWatchdogConfig(config: WatchdogConfig): string {
  const num = (value: number | undefined, fallback: number): string =>
    value === undefined ? String(fallback) : Token.isUnresolved(value) ? Token.asString(value) : String(value);
  const entries: [string, string][] = [
    ['WATCHDOG_ENABLED', config.enabled === undefined ? 'true' : Token.isUnresolved(config.enabled) ? Token.asString(config.enabled) : String(config.enabled)],
    ['WATCHDOG_REPAIRS', num(config.repairsBeforeUnhealthy, 3)],
    ['WATCHDOG_PROBE', config.egressProbe ?? ''],
    ['CONNTRACK_FULL_PERCENT', num(config.conntrackFullPercent, 95)],
    ['PORT_FAILURES_LIMIT', num(config.portFailuresLimit, 50)],
    ['METRICS_PERIOD', num(config.metricsPeriod, 0)],
    ['METRICS_NAMESPACE', METRICS_NAMESPACE],
    ['METRIC_HUB', config.hubName],
    ['METRIC_SPOKES', joinEach(config.spokes, ' ', (s) => `${s.deviceIndex}=${s.name}`)],
  ];
  return ['# Written by cdktf-egress at synth time; read by nat-watchdog.sh.', ...entries.map(([k, v]) => `${k}="${v}"`), ''].join('\n');
}

/** The watchdog's files of lib/nat/boot, in the order the manifest lists them. */
export const WATCHDOG_BOOT_FILES: readonly ShippedBootFile[] = [
  { name: 'nat-watchdog.sh', path: WATCHDOG_SCRIPT_PATH, permissions: '0755' },
  { name: 'cdktf-egress-watchdog.service', path: WATCHDOG_SERVICE_PATH, permissions: '0644' },
  { name: 'cdktf-egress-watchdog.timer', path: WATCHDOG_TIMER_PATH, permissions: '0644' },
];

/** Started after the boot unit has finished (runcmd's `enable --now` of a oneshot waits for it). */
export const WATCHDOG_RUNCMD = ['systemctl', 'enable', '--now', 'cdktf-egress-watchdog.timer'];
