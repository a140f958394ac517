import { NatAlarms, type NatAlarmsProps } from '../../lib/nat/nat-alarms';
import { NatInstance } from '../../lib/nat/nat-instance';
import { onlyResource, onlyWhere, refTo, resources, synthConstruct, type TfJson } from '../helpers/construct';

const BASE: NatAlarmsProps = { natId: 'dev-shared', autoScalingGroupName: 'dev-shared-asg' };
const synthAlarms = (props: Partial<NatAlarmsProps> = {}): TfJson => synthConstruct((scope) => new NatAlarms(scope, 'alarms', { ...BASE, ...props }));
const alarm = (tf: TfJson, name: string) => onlyWhere(tf, 'aws_cloudwatch_metric_alarm', 'alarm_name', `dev-shared-nat-${name}`);
const errorOf = (props: Partial<NatAlarmsProps>): string => {
  try {
    synthAlarms(props);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('NatAlarms capacity alarm', () => {
  it('GIVEN defaults THEN it fires when the group has been short of an InService instance for 5 one-minute periods', () => {
    const a = alarm(synthAlarms(), 'not-in-service');
    expect(a).toMatchObject({ comparison_operator: 'GreaterThanOrEqualToThreshold', threshold: 1, evaluation_periods: 5, datapoints_to_alarm: 5, treat_missing_data: 'breaching' });
    const queries = a.metric_query as { id: string; expression?: string; return_data?: boolean; metric?: Record<string, unknown> }[];
    expect(queries.find((q) => q.return_data)?.expression).toBe('desired - inservice');
    expect(queries.filter((q) => q.metric).map((q) => [q.id, q.metric?.namespace, q.metric?.metric_name, q.metric?.stat, q.metric?.period, q.metric?.dimensions])).toEqual([
      ['desired', 'AWS/AutoScaling', 'GroupDesiredCapacity', 'Maximum', 60, { AutoScalingGroupName: 'dev-shared-asg' }],
      ['inservice', 'AWS/AutoScaling', 'GroupInServiceInstances', 'Minimum', 60, { AutoScalingGroupName: 'dev-shared-asg' }],
    ]);
  });

  it('GIVEN noInServiceMinutes 10 THEN it waits 10 periods and says so', () => {
    const a = alarm(synthAlarms({ noInServiceMinutes: 10 }), 'not-in-service');
    expect(a).toMatchObject({ evaluation_periods: 10, datapoints_to_alarm: 10 });
    expect(a.alarm_description).toContain('for 10 minutes');
  });

  it('GIVEN metrics off THEN it is the only alarm: the others read the watchdog\'s metrics', () => {
    expect(resources(synthAlarms(), 'aws_cloudwatch_metric_alarm').map((a) => a.alarm_name)).toEqual(['dev-shared-nat-not-in-service']);
  });
});

describe('NatAlarms on the watchdog\'s metrics', () => {
  const tf = () => synthAlarms({ metrics: true });

  it('GIVEN metrics THEN a watchdog repair that did not help in 5 minutes fires, missing data is fine', () => {
    expect(alarm(tf(), 'watchdog')).toMatchObject({
      namespace: 'CdktfEgress', metric_name: 'WatchdogRepairFailures', dimensions: { NatId: 'dev-shared' }, statistic: 'Sum', period: 300,
      comparison_operator: 'GreaterThanOrEqualToThreshold', threshold: 1, evaluation_periods: 1, treat_missing_data: 'notBreaching',
    });
  });

  it('GIVEN metrics THEN conntrack above 80 % of its maximum for two periods fires', () => {
    const a = alarm(tf(), 'conntrack');
    expect(a).toMatchObject({ comparison_operator: 'GreaterThanThreshold', threshold: 80, evaluation_periods: 2, datapoints_to_alarm: 2 });
    const queries = a.metric_query as { id: string; expression?: string; return_data?: boolean; metric?: Record<string, unknown> }[];
    expect(queries.find((q) => q.return_data)?.expression).toBe('100 * entries / max');
    expect(queries.filter((q) => q.metric).map((q) => [q.metric?.metric_name, q.metric?.namespace, q.metric?.dimensions])).toEqual([
      ['ConntrackEntries', 'CdktfEgress', { NatId: 'dev-shared' }],
      ['ConntrackMax', 'CdktfEgress', { NatId: 'dev-shared' }],
    ]);
  });

  it('GIVEN conntrackPercent 90 THEN that is the threshold', () => {
    expect(alarm(synthAlarms({ metrics: true, conntrackPercent: 90 }), 'conntrack').threshold).toBe(90);
  });
});

describe('NatAlarms notifications', () => {
  it('GIVEN an email THEN a topic with that email subscription receives every alarm and its recovery', () => {
    const tf = synthAlarms({ metrics: true, email: 'ops@example.com' });
    const topic = onlyResource(tf, 'aws_sns_topic');
    expect(topic.name).toBe('dev-shared-nat-alarms');
    const arn = refTo(tf, 'aws_sns_topic', topic, 'arn');
    expect(onlyResource(tf, 'aws_sns_topic_subscription')).toMatchObject({ topic_arn: arn, protocol: 'email', endpoint: 'ops@example.com' });
    for (const a of resources(tf, 'aws_cloudwatch_metric_alarm')) expect({ name: a.alarm_name, alarm: a.alarm_actions, ok: a.ok_actions }).toEqual({ name: a.alarm_name, alarm: [arn], ok: [arn] });
  });

  it('GIVEN a topic ARN THEN the alarms notify it and no topic is made', () => {
    const topicArn = 'arn:aws:sns:ap-northeast-1:123456789012:ops';
    const tf = synthAlarms({ topicArn });
    expect(resources(tf, 'aws_sns_topic')).toHaveLength(0);
    expect(alarm(tf, 'not-in-service')).toMatchObject({ alarm_actions: [topicArn], ok_actions: [topicArn] });
  });

  it('GIVEN neither THEN the alarms have no actions and no topic is made', () => {
    const tf = synthAlarms();
    expect(resources(tf, 'aws_sns_topic')).toHaveLength(0);
    expect(alarm(tf, 'not-in-service').alarm_actions).toEqual([]);
  });
});

describe('NatAlarms bad props', () => {
  it.each([
    [{ noInServiceMinutes: 0 }, 'NatAlarms dev-shared: noInServiceMinutes is 0; give a whole number of minutes from 1 to 60'],
    [{ noInServiceMinutes: 2.5 }, 'NatAlarms dev-shared: noInServiceMinutes is 2.5; give a whole number of minutes from 1 to 60'],
    [{ conntrackPercent: 120 }, 'NatAlarms dev-shared: conntrackPercent is 120; give a percentage above 0, at most 100'],
    [{ email: 'ops@example.com', topicArn: 'arn:aws:sns:ap-northeast-1:123456789012:ops' }, 'NatAlarms dev-shared: give email (a new topic) or topicArn (an existing one), not both'],
  ])('GIVEN %j THEN it is rejected before anything is made', (props, message) => {
    expect(errorOf(props)).toBe(message);
  });
});

describe('NatInstance group metrics', () => {
  it('GIVEN a NAT THEN its group collects the one-minute metrics the capacity alarm reads', () => {
    const tf = synthConstruct((scope) => new NatInstance(scope, 'nat', {
      natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-hub', publicSubnetId: 'subnet-a', instanceTypes: ['t4g.nano'],
    }));
    expect(onlyResource(tf, 'aws_autoscaling_group')).toMatchObject({
      metrics_granularity: '1Minute', enabled_metrics: expect.arrayContaining(['GroupInServiceInstances', 'GroupDesiredCapacity']),
    });
  });
});
