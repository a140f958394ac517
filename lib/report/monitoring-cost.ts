import type { Spec } from '../spec/schema';
import { HOURS_PER_MONTH, type RegionPrices } from './price-table';
import type { CostLine } from './cost-model';

/**
 * What a NAT's watchdog metrics and alarms cost in CloudWatch. NAT Gateways publish their
 * metrics free, so these lines appear in the spec's option only: the honest price of watching
 * a NAT instance as closely.
 */

export const MONITORING_ITEM = {
  metrics: 'CloudWatch custom metrics',
  requests: 'CloudWatch PutMetricData requests',
  alarms: 'CloudWatch alarms',
} as const;

/** Metrics the watchdog sends per NAT, whatever it serves. */
export const NAT_METRICS = ['ConntrackEntries', 'ConntrackMax', 'DroppedPackets', 'PortAllocationFailures', 'WatchdogRepairs', 'WatchdogRepairFailures'] as const;
/** Metrics sent once per served VPC (the `Vpc` dimension). */
export const VPC_METRICS = ['BytesForwarded', 'PacketsForwarded'] as const;
/** Metrics each alarm reads: CloudWatch bills an alarm per metric it reads. */
const CAPACITY_ALARM_METRICS = 2;
const METRIC_ALARMS_METRICS = 1 + 2;

type CostLineMaker = (item: string, quantity: number, unit: string, unitUsd: number, detail: string) => CostLine;

export function monitoringLines(spec: Spec, prices: RegionPrices, line: CostLineMaker): CostLine[] {
  const metrics: string[] = [];
  const requests: string[] = [];
  const alarms: string[] = [];
  let metricCount = 0;
  let requestCount = 0;
  let alarmMetrics = 0;
  for (const nat of spec.natInstances) {
    const m = nat.monitoring;
    const sends = nat.enabled && m.watchdog && m.metrics;
    if (sends) {
      const vpcs = (nat.egressInterface === 'dedicated' ? 1 : 0) + nat.spokes.length;
      const count = NAT_METRICS.length + VPC_METRICS.length * vpcs;
      const calls = (HOURS_PER_MONTH * 3600) / m.metricsPeriod;
      metricCount += count;
      requestCount += calls;
      metrics.push(`${nat.name}: ${NAT_METRICS.length} + ${VPC_METRICS.length} × ${vpcs} served VPCs`);
      requests.push(`${nat.name}: one call every ${m.metricsPeriod} s`);
    }
    if (m.alarms) {
      const n = CAPACITY_ALARM_METRICS + (m.watchdog && m.metrics ? METRIC_ALARMS_METRICS : 0);
      alarmMetrics += n;
      alarms.push(`${nat.name}: ${n} alarm metrics (${m.watchdog && m.metrics ? 'capacity, watchdog, conntrack' : 'capacity only: no metrics'})`);
    }
  }
  const lines: CostLine[] = [];
  if (metrics.length > 0) {
    lines.push(line(MONITORING_ITEM.metrics, metricCount, 'metric-month', prices.cloudwatchMetricMonth.usd, metrics.join('; ')));
    lines.push(line(MONITORING_ITEM.requests, requestCount / 1000, '1,000 requests', prices.cloudwatchRequests1k.usd, requests.join('; ')));
  }
  if (alarms.length > 0) lines.push(line(MONITORING_ITEM.alarms, alarmMetrics, 'alarm-metric-month', prices.cloudwatchAlarmMetricMonth.usd, alarms.join('; ')));
  return lines;
}
