import { Token } from 'cdktf';
import type { LaunchTemplateNetworkInterfacesConnectionTrackingSpecification } from '@cdktf/provider-aws/lib/launch-template';

/**
 * Connection tracking on a NAT instance. The timeouts apply twice: to the kernel's
 * nf_conntrack (nat.conf, applied at every boot) and to EC2's own tracking of the primary
 * interface (the launch template); their ranges are EC2's.
 */
export interface ConntrackSettings {
  /** nf_conntrack_max; the hash table gets a quarter as many buckets. @default - 64 per MiB of memory, 16384 to 1048576 */
  readonly max?: number;
  /** Idle timeout of an established TCP connection, 60-432000 s. @default 7440 (RFC 5382's floor) */
  readonly tcpEstablishedTimeout?: number;
  /** Idle timeout of a UDP flow seen one way, 30-60 s. @default 30 */
  readonly udpTimeout?: number;
  /** Idle timeout of a UDP flow seen both ways, 60-180 s. @default 120 */
  readonly udpStreamTimeout?: number;
}

export const CONNTRACK_DEFAULTS = { tcpEstablishedTimeout: 7440, udpTimeout: 30, udpStreamTimeout: 120 } as const;

const num = (n: number): string => (Token.isUnresolved(n) ? Token.asString(n) : String(n));

/** The nat.conf lines the boot script reads (CONNTRACK_MAX=0: sized by memory). */
export function conntrackConfig(s: ConntrackSettings = {}): [string, string][] {
  return [
    ['CONNTRACK_MAX', num(s.max ?? 0)],
    ['CONNTRACK_TCP_ESTABLISHED_TIMEOUT', num(s.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout)],
    ['CONNTRACK_UDP_TIMEOUT', num(s.udpTimeout ?? CONNTRACK_DEFAULTS.udpTimeout)],
    ['CONNTRACK_UDP_STREAM_TIMEOUT', num(s.udpStreamTimeout ?? CONNTRACK_DEFAULTS.udpStreamTimeout)],
  ];
}

/**
 * EC2's tracking of the primary interface, the same timeouts. The egress and spoke ENIs
 * are `aws_network_interface`s, which take no such setting in the AWS provider.
 */
export function eniConnectionTracking(s: ConntrackSettings = {}): LaunchTemplateNetworkInterfacesConnectionTrackingSpecification {
  return {
    tcpEstablishedTimeout: s.tcpEstablishedTimeout ?? CONNTRACK_DEFAULTS.tcpEstablishedTimeout,
    udpTimeout: s.udpTimeout ?? CONNTRACK_DEFAULTS.udpTimeout,
    udpStreamTimeout: s.udpStreamTimeout ?? CONNTRACK_DEFAULTS.udpStreamTimeout,
  };
}
