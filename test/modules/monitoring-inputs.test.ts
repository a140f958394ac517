import { moduleJson, resourceOf } from './module-json';

// Both NAT modules expose the watchdog, metrics and alarms as variables; what is made
// depends on them through count, and watchdog.conf is rendered from them.

describe.each(['nat-instance', 'multi-vpc-nat'])('modules/%s monitoring inputs', (name) => {
  const mod = () => moduleJson(name);

  it('GIVEN the inputs THEN every one is optional: the watchdog on, metrics and alarms off', () => {
    const v = mod().variables.variable;
    expect(Object.fromEntries(Object.entries(v).filter(([k]) => /^(watchdog|metrics|alarm)/.test(k)).map(([k, d]) => [k, d.default]))).toEqual({
      watchdog_enabled: true, watchdog_repairs_before_unhealthy: 3, watchdog_egress_probe: '',
      metrics_enabled: false, metrics_period: 60,
      alarms_enabled: false, alarm_no_in_service_minutes: 5, alarm_conntrack_percent: 80, alarm_email: '', alarm_topic_arn: '',
    });
  });

  it('GIVEN metrics_enabled THEN the namespace-limited metrics policy is counted on the period the watchdog gets', () => {
    expect(mod().main.locals.metrics_period).toBe('${var.metrics_enabled ? var.metrics_period : 0}');
    expect(resourceOf(mod(), 'aws_iam_role_policy', 'metrics').count).toBe('${tonumber((local.metrics_period >= 1) ? 1 : 0)}');
    expect(JSON.parse(resourceOf(mod(), 'aws_iam_role_policy', 'metrics').policy).Statement[0].Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'CdktfEgress' } });
  });

  it('GIVEN alarms_enabled THEN the capacity alarm is counted on it, and the metric alarms on it and metrics_enabled', () => {
    expect(resourceOf(mod(), 'aws_cloudwatch_metric_alarm', 'alarms_capacity').count).toBe('${tonumber(var.alarms_enabled ? 1 : 0)}');
    for (const alarm of ['alarms_watchdog', 'alarms_conntrack']) {
      expect(resourceOf(mod(), 'aws_cloudwatch_metric_alarm', alarm).count).toBe('${tonumber((var.alarms_enabled && var.metrics_enabled) ? 1 : 0)}');
    }
    expect(resourceOf(mod(), 'aws_sns_topic_subscription', 'alarms_email')).toMatchObject({ protocol: 'email', endpoint: '${var.alarm_email}' });
  });

  it('GIVEN the watchdog config THEN it is rendered from the variables', () => {
    const files = mod().main.locals.cloud_config_base.write_files as { path: string; content: string }[];
    const conf = files.find((f) => f.path === '/etc/cdktf-egress/watchdog.conf')?.content ?? '';
    expect(conf).toContain('WATCHDOG_ENABLED="${var.watchdog_enabled}"');
    expect(conf).toContain('WATCHDOG_REPAIRS="${var.watchdog_repairs_before_unhealthy}"');
    expect(conf).toContain('WATCHDOG_PROBE="${var.watchdog_egress_probe}"');
    expect(conf).toContain('METRICS_PERIOD="${local.metrics_period}"');
  });

  it('GIVEN alarm_email and alarm_topic_arn both set THEN a validation refuses it', () => {
    const checks = mod().variables.variable.alarm_topic_arn.validation ?? [];
    expect(checks.map((c) => c.error_message)).toContain('give alarm_email (a new topic) or alarm_topic_arn (an existing one), not both');
  });
});
