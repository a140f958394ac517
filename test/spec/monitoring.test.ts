import { validateSpec } from '../../lib/spec/load';
import { natWatchdogProps } from '../../lib/spec/monitoring';
import { EgressStack } from '../../lib/stacks/egress-stack';
import { decodeUserData, onlyResource, resources, resourcesWhere, shellConfig, synthStack } from '../helpers/construct';

const spec = (monitoring?: Record<string, unknown>) => ({
  project: 'dev',
  region: 'ap-northeast-1',
  vpcs: [{ name: 'hub', cidr: '10.0.0.0/16', azs: ['ap-northeast-1a'] }, { name: 'app1', cidr: '10.1.0.0/16', azs: ['ap-northeast-1a'] }],
  natInstances: [{ name: 'shared', vpc: 'hub', az: 'ap-northeast-1a', spokes: ['app1'], ...(monitoring ? { monitoring } : {}) }],
});

const errorsOf = (monitoring: Record<string, unknown>): string[] => {
  try {
    validateSpec(spec(monitoring));
  } catch (e) {
    return (e as Error).message.split('\n');
  }
  return [];
};
const natOf = (monitoring?: Record<string, unknown>) => validateSpec(spec(monitoring)).spec.natInstances[0];
const synth = (monitoring?: Record<string, unknown>) => synthStack((app) => new EgressStack(app, validateSpec(spec(monitoring)).spec));

describe('natInstances[].monitoring', () => {
  it('GIVEN no monitoring THEN the watchdog runs with 3 repairs before Unhealthy, no probe and no metrics', () => {
    expect(natOf().monitoring).toEqual({ watchdog: true, repairsBeforeUnhealthy: 3, egressProbe: false, metrics: false, metricsPeriod: 60 });
    expect(natWatchdogProps({ region: 'ap-northeast-1' }, natOf())).toEqual({ repairsBeforeUnhealthy: 3, egressProbe: '', metricsPeriod: 0 });
  });

  it('GIVEN egressProbe true THEN the probe goes to the region\'s EC2 endpoint; a host:port is taken as given', () => {
    expect(natWatchdogProps({ region: 'eu-west-1' }, natOf({ egressProbe: true }))).toMatchObject({ egressProbe: 'ec2.eu-west-1.amazonaws.com:443' });
    expect(natWatchdogProps({ region: 'eu-west-1' }, natOf({ egressProbe: 'example.com:80' }))).toMatchObject({ egressProbe: 'example.com:80' });
  });

  it.each([
    [{ metrics: true, watchdog: false }, 'error: natInstances[0].monitoring.metrics: the watchdog sends the metrics; set watchdog: true or metrics: false'],
    [{ alarms: { email: 'ops@example.com', topicArn: 'arn:aws:sns:ap-northeast-1:123456789012:ops' } },
      'error: natInstances[0].monitoring.alarms.topicArn: give email (a new topic) or topicArn (an existing one), not both'],
    [{ alarms: { email: 'ops' } }, 'error: natInstances[0].monitoring.alarms.email: must be an email address such as ops@example.com'],
    [{ egressProbe: 'example.com' }, 'error: natInstances[0].monitoring.egressProbe: must be true, false or host:port such as ec2.ap-northeast-1.amazonaws.com:443'],
  ])('GIVEN %j THEN the spec is rejected naming the field', (monitoring, message) => {
    expect(errorsOf(monitoring)).toContain(message);
  });

  it.each([
    [{ repairsBeforeUnhealthy: 0 }, 'repairsBeforeUnhealthy'],
    [{ metricsPeriod: 30 }, 'metricsPeriod'],
    [{ alarms: { noInServiceMinutes: 0 } }, 'alarms.noInServiceMinutes'],
    [{ alarms: { conntrackPercent: 101 } }, 'alarms.conntrackPercent'],
    [{ metrics: 'yes' }, 'metrics'],
    [{ unknownField: 1 }, 'unknownField'],
  ])('GIVEN %j THEN the error names monitoring.%s', (monitoring, field) => {
    const errors = errorsOf(monitoring);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^error: natInstances\\[0\\]\\.monitoring\\.${field.replace('.', '\\.')}: `));
  });
});

describe('EgressStack monitoring', () => {
  it('GIVEN metrics every 120 s THEN the shipped watchdog.conf says so, names the VPCs, and the role may put metrics', () => {
    const tf = synth({ metrics: true, metricsPeriod: 120 });
    const files = decodeUserData(tf, onlyResource(tf, 'aws_launch_template')).cloudConfig.write_files;
    const conf = shellConfig(files.find((f) => f.path === '/etc/cdktf-egress/watchdog.conf')!.content);
    expect(conf).toMatchObject({ METRICS_PERIOD: '120', METRIC_HUB: 'hub', METRIC_SPOKES: '2=app1', WATCHDOG_REPAIRS: '3', WATCHDOG_PROBE: '' });
    expect(resourcesWhere(tf, 'aws_iam_role_policy', 'name', 'nat-metrics')).toHaveLength(1);
  });

  it('GIVEN watchdog false THEN no watchdog is shipped', () => {
    const tf = synth({ watchdog: false });
    const files = decodeUserData(tf, onlyResource(tf, 'aws_launch_template')).cloudConfig.write_files;
    expect(files.map((f) => f.path)).not.toContain('/opt/cdktf-egress/nat-watchdog.sh');
  });

  it('GIVEN alarms with metrics and an email THEN three alarms notify a new topic', () => {
    const tf = synth({ metrics: true, alarms: { email: 'ops@example.com', noInServiceMinutes: 3 } });
    expect(resources(tf, 'aws_cloudwatch_metric_alarm').map((a) => a.alarm_name).sort()).toEqual([
      'dev-shared-nat-conntrack', 'dev-shared-nat-not-in-service', 'dev-shared-nat-watchdog',
    ]);
    expect(onlyResource(tf, 'aws_sns_topic_subscription')).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
  });

  it('GIVEN no alarms THEN no alarm or topic is made', () => {
    const tf = synth({ metrics: true });
    expect(resources(tf, 'aws_cloudwatch_metric_alarm')).toHaveLength(0);
    expect(resources(tf, 'aws_sns_topic')).toHaveLength(0);
  });
});
