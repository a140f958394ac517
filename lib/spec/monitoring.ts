import { z } from 'zod';
import { firstSpokeDeviceIndex } from '../nat/instance-types';
import type { NatWatchdogProps } from '../nat/watchdog';
import { wholeNumber } from './numbers';
import type { NatInstanceSpec, Spec } from './schema';

/**
 * `natInstances[].monitoring`: the on-instance watchdog (on by default), its opt-in
 * CloudWatch metrics and opt-in alarms.
 */
export const AlarmsSchema = z.strictObject({
  /** Alarm when the group has had no InService instance for this many minutes. */
  noInServiceMinutes: wholeNumber(1, 60).default(5),
  /** Alarm when conntrack entries pass this percentage of the maximum (needs metrics). */
  conntrackPercent: wholeNumber(1, 100).default(80),
  /** Create an SNS topic with this email subscription for the alarms. */
  email: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: 'must be an email address such as ops@example.com' }).optional(),
  /** Send the alarms to this existing SNS topic. */
  topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, { error: 'must be an SNS topic ARN such as arn:aws:sns:ap-northeast-1:123456789012:ops' }).optional(),
});

export const MonitoringSchema = z
  .strictObject({
    /** The watchdog: a systemd timer every 20 s that repairs the NAT or reports it Unhealthy. */
    watchdog: z.boolean().default(true),
    repairsBeforeUnhealthy: wholeNumber(1, 99).default(3),
    /** TCP probe through the egress interface: true for the region's EC2 endpoint, or host:port. */
    egressProbe: z.union([z.boolean(), z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: 'must be true, false or host:port such as ec2.ap-northeast-1.amazonaws.com:443' })]).default(false),
    /** CloudWatch metrics from the watchdog, namespace CdktfEgress. */
    metrics: z.boolean().default(false),
    metricsPeriod: wholeNumber(60, 3600).default(60),
    alarms: AlarmsSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.metrics && !m.watchdog) {
      ctx.addIssue({ code: 'custom', path: ['metrics'], message: 'the watchdog sends the metrics; set watchdog: true or metrics: false' });
    }
    if (m.alarms?.email !== undefined && m.alarms.topicArn !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['alarms', 'topicArn'], message: 'give email (a new topic) or topicArn (an existing one), not both' });
    }
  });

export const DEFAULT_MONITORING = { watchdog: true, repairsBeforeUnhealthy: 3, egressProbe: false, metrics: false, metricsPeriod: 60 } as const;

export type MonitoringSpec = z.output<typeof MonitoringSchema>;

/** The watchdog props for a NAT of the spec, or false when it runs none. */
export function natWatchdogProps(spec: Pick<Spec, 'region'>, nat: Pick<NatInstanceSpec, 'monitoring'>): NatWatchdogProps | false {
  const m = nat.monitoring;
  if (!m.watchdog) return false;
  const probe = m.egressProbe === true ? `ec2.${spec.region}.amazonaws.com:443` : m.egressProbe === false ? '' : m.egressProbe;
  return { repairsBeforeUnhealthy: m.repairsBeforeUnhealthy, egressProbe: probe, metricsPeriod: m.metrics ? m.metricsPeriod : 0 };
}

/** watchdog.conf as the NAT will get it (for the user-data size check), or undefined. */
export function natWatchdogConfig(spec: Spec, nat: NatInstanceSpec): string | undefined {
  const props = natWatchdogProps(spec, nat);
  if (props === false) return undefined;
  // Loaded lazily, like the user data itself: only the size check needs it.
  const watchdog = require('../nat/watchdog') as typeof import('../nat/watchdog');
  return watchdog.renderWatchdogConfig({
    ...props, hubName: nat.vpc, spokes: nat.spokes.map((name, i) => ({ deviceIndex: firstSpokeDeviceIndex(nat.egressInterface) + i, name })),
  });
}
