import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Fn, Op, Token } from 'cdktf';
import { Construct } from 'constructs';
import { choose, isPlainFlag, type Flag } from './conditional';
import { optionalAttribute } from './for-each';
import { METRICS_NAMESPACE } from './watchdog';

export interface NatAlarmsProps {
  /** False makes nothing; for a toggle only Terraform knows (a module variable). @default true */
  readonly enabled?: Flag;
  /** The NAT's name: alarm name prefix and the `NatId` dimension of its metrics. */
  readonly natId: string;
  /** The NAT's Auto Scaling group (group metrics must be enabled on it, as NatInstance does). */
  readonly autoScalingGroupName: string;
  /** Minutes with fewer InService instances than desired before the capacity alarm fires. @default 5 */
  readonly noInServiceMinutes?: number;
  /**
   * The watchdog sends metrics (`metricsPeriod` > 0): the watchdog and conntrack alarms are
   * made only then.
   * @default false
   */
  readonly metrics?: Flag;
  /** Conntrack entries as a percentage of the maximum that fires the conntrack alarm. @default 80 */
  readonly conntrackPercent?: number;
  /** An SNS topic is created with this email subscription; `''` means none. @default '' */
  readonly email?: string;
  /** An existing SNS topic for the alarms; `''` means none. @default '' */
  readonly topicArn?: string;
}

/** Alarm period of the metric alarms: the watchdog sends at most once a minute. */
const PERIOD = 300;

/**
 * Alarms for one NAT instance: the group short of an InService instance for N minutes, a
 * watchdog repair that did not help, and conntrack filling up. Actions go to a topic given
 * by ARN or to one made here for an email address.
 */
export class NatAlarms extends Construct {
  readonly capacity: CloudwatchMetricAlarm;
  /** Made only with metrics (or a metrics flag only Terraform knows, with `count`). */
  readonly watchdog?: CloudwatchMetricAlarm;
  readonly conntrack?: CloudwatchMetricAlarm;
  /** The topic made for `email`; undefined when no email is given. */
  readonly topic?: SnsTopic;
  /** Where the alarms send to; empty when neither a topic nor an email was given. */
  readonly actions: string[];

  constructor(scope: Construct, id: string, props: NatAlarmsProps) {
    super(scope, id);
    validateNatAlarmsProps(props);
    const email = props.email ?? '';
    const topicArn = props.topicArn ?? '';
    const enabled = props.enabled ?? true;
    const hasEmail = both(enabled, Token.isUnresolved(email) ? Op.gte(Fn.lengthOf(email), 1) : email !== '');
    if (hasEmail !== false) {
      const count = hasEmail === true ? undefined : choose(hasEmail, false, 1, 0);
      this.topic = new SnsTopic(this, 'topic', { name: `${props.natId}-nat-alarms`, count });
      const topicArnMade = count === undefined ? this.topic.arn : optionalAttribute(this.topic, 'arn');
      new SnsTopicSubscription(this, 'email', { topicArn: topicArnMade, protocol: 'email', endpoint: email, count });
    }
    this.actions = this.alarmActions(hasEmail, topicArn);

    const minutes = props.noInServiceMinutes ?? 5;
    this.capacity = new CloudwatchMetricAlarm(this, 'capacity', {
      alarmName: `${props.natId}-nat-not-in-service`,
      alarmDescription: `NAT ${props.natId}: fewer InService instances than desired for ${numberText(minutes)} minutes; private subnets behind it have no egress.`,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      // No group metrics at all means the group or its metrics collection is gone: alarm.
      treatMissingData: 'breaching',
      metricQuery: [
        groupMetric('desired', 'GroupDesiredCapacity', 'Maximum', props.autoScalingGroupName),
        groupMetric('inservice', 'GroupInServiceInstances', 'Minimum', props.autoScalingGroupName),
        { id: 'missing', expression: 'desired - inservice', label: 'instances short of desired', returnData: true },
      ],
      alarmActions: this.actions,
      okActions: this.actions,
      count: enabled === true ? undefined : choose(enabled, true, 1, 0),
    });

    ({ watchdog: this.watchdog, conntrack: this.conntrack } = this.metricAlarms(props));
  }

  /** The alarms on the watchdog's metrics: none when metrics are off. */
  private metricAlarms(props: NatAlarmsProps): { watchdog?: CloudwatchMetricAlarm; conntrack?: CloudwatchMetricAlarm } {
    const metrics = both(props.enabled ?? true, props.metrics ?? false);
    if (metrics === false) return {};
    const count = metrics === true ? undefined : choose(metrics, false, 1, 0);
    const watchdog = new CloudwatchMetricAlarm(this, 'watchdog', {
      alarmName: `${props.natId}-nat-watchdog`,
      alarmDescription: `NAT ${props.natId}: a watchdog repair did not fix a failed check; after repeated failures the instance reports itself Unhealthy and is replaced.`,
      namespace: METRICS_NAMESPACE,
      metricName: 'WatchdogRepairFailures',
      dimensions: { NatId: props.natId },
      statistic: 'Sum',
      period: PERIOD,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      treatMissingData: 'notBreaching',
      alarmActions: this.actions,
      okActions: this.actions,
      count,
    });

    const percent = props.conntrackPercent ?? 80;
    const conntrack = new CloudwatchMetricAlarm(this, 'conntrack', {
      alarmName: `${props.natId}-nat-conntrack`,
      alarmDescription: `NAT ${props.natId}: conntrack above ${numberText(percent)}% of its maximum; new connections are dropped when it is full.`,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: percent,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
      metricQuery: [
        natMetric('entries', 'ConntrackEntries', props.natId),
        natMetric('max', 'ConntrackMax', props.natId),
        { id: 'fill', expression: '100 * entries / max', label: 'conntrack fill (%)', returnData: true },
      ],
      alarmActions: this.actions,
      okActions: this.actions,
      count,
    });
    return { watchdog, conntrack };
  }

  private alarmActions(hasEmail: Flag, topicArn: string): string[] {
    if (isPlainFlag(hasEmail) && !Token.isUnresolved(topicArn)) {
      if (this.topic) return [this.topic.arn];
      return topicArn === '' ? [] : [topicArn];
    }
    // Known only to Terraform: whichever of the two is set, or none.
    const made = this.topic ? (isPlainFlag(hasEmail) ? this.topic.arn : optionalAttribute(this.topic, 'arn')) : '';
    return Token.asList(Fn.compact([choose(hasEmail, false, made, ''), topicArn]));
  }
}

function groupMetric(id: string, metricName: string, stat: string, group: string): CloudwatchMetricAlarmMetricQuery {
  return { id, metric: { namespace: 'AWS/AutoScaling', metricName, stat, period: 60, dimensions: { AutoScalingGroupName: group } } };
}

function natMetric(id: string, metricName: string, natId: string): CloudwatchMetricAlarmMetricQuery {
  return { id, metric: { namespace: METRICS_NAMESPACE, metricName, stat: 'Maximum', period: PERIOD, dimensions: { NatId: natId } } };
}

function validateNatAlarmsProps(props: NatAlarmsProps): void {
  const { noInServiceMinutes: minutes, conntrackPercent: percent, email, topicArn } = props;
  if (minutes !== undefined && !Token.isUnresolved(minutes) && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= 60)) {
    throw new Error(`NatAlarms ${props.natId}: noInServiceMinutes is ${minutes}; give a whole number of minutes from 1 to 60`);
  }
  if (percent !== undefined && !Token.isUnresolved(percent) && !(percent > 0 && percent <= 100)) {
    throw new Error(`NatAlarms ${props.natId}: conntrackPercent is ${percent}; give a percentage above 0, at most 100`);
  }
  if (email && topicArn && !Token.isUnresolved(email) && !Token.isUnresolved(topicArn)) {
    throw new Error(`NatAlarms ${props.natId}: give email (a new topic) or topicArn (an existing one), not both`);
  }
}

/** `a && b` for flags: plain when both are, a Terraform expression otherwise. */
function both(a: Flag, b: Flag): Flag {
  if (isPlainFlag(a) && isPlainFlag(b)) return a && b;
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return Op.and(a, b);
}

/** A number in text: as is, or Terraform's value when it is a token. */
function numberText(n: number): string {
  return Token.isUnresolved(n) ? Token.asString(n) : String(n);
}
