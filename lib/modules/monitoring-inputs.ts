import type { Flag } from '../nat/conditional';
import { NatAlarms } from '../nat/nat-alarms';
import type { NatInstance } from '../nat/nat-instance';
import type { NatWatchdogProps } from '../nat/watchdog';
import type { ModuleStack } from './module-stack';
import { numberRangeChecks } from './terraform-checks';

/** The NAT modules' watchdog, metrics and alarm inputs (lib/spec/monitoring.ts, as variables). */
export interface MonitoringInputs {
  readonly watchdog: NatWatchdogProps;
  /** Makes the alarms for the module's NAT (all with `count` on `alarms_enabled`). */
  readonly alarms: (nat: NatInstance, natId: string) => NatAlarms;
}

export function monitoringInputs(stack: ModuleStack): MonitoringInputs {
  const enabled = stack.input('watchdog_enabled', {
    type: 'bool', default: true,
    description: 'Run the on-instance watchdog: every 20 s it checks the NAT (nftables, forwarding, default route, ENIs, conntrack, port allocation), converges again on a failure and reports the instance Unhealthy after watchdog_repairs_before_unhealthy failed repairs.',
  });
  const repairs = stack.input('watchdog_repairs_before_unhealthy', {
    type: 'number', default: 3, description: 'Failed repairs in a row before the instance reports itself Unhealthy and the group replaces it.',
    validations: numberRangeChecks('watchdog_repairs_before_unhealthy', 1, 99),
  });
  const probe = stack.input('watchdog_egress_probe', {
    type: 'string', default: '',
    description: 'host:port the watchdog connects to over TCP through the egress interface at every run (for example ec2.<region>.amazonaws.com:443); "" (the default) turns the probe off.',
    validations: [{ condition: 'var.watchdog_egress_probe == "" || can(regex("^[A-Za-z0-9.-]+:[0-9]{1,5}$", var.watchdog_egress_probe))', message: 'watchdog_egress_probe must be "" or host:port such as ec2.ap-northeast-1.amazonaws.com:443' }],
  });
  const metrics = stack.input('metrics_enabled', {
    type: 'bool', default: false,
    description: 'Send CloudWatch metrics from the watchdog (namespace CdktfEgress, dimension NatId): conntrack, bytes and packets per served VPC, drops, port-allocation failures, repairs. Needs watchdog_enabled.',
  });
  stack.addValidation('metrics_enabled', { condition: '!var.metrics_enabled || var.watchdog_enabled', message: 'the watchdog sends the metrics; set watchdog_enabled = true or metrics_enabled = false' });
  stack.input('metrics_period', {
    type: 'number', default: 60, description: 'Seconds between metric sends.', validations: numberRangeChecks('metrics_period', 60, 3600),
  });
  const period = stack.local('metrics_period', 'var.metrics_enabled ? var.metrics_period : 0');
  const alarms = alarmInputs(stack, metrics.value as Flag);
  return {
    watchdog: { enabled: enabled.value as boolean, repairsBeforeUnhealthy: repairs.numberValue, egressProbe: probe.stringValue, metricsPeriod: period.asNumber },
    alarms,
  };
}

function alarmInputs(stack: ModuleStack, metrics: Flag): MonitoringInputs['alarms'] {
  const enabled = stack.input('alarms_enabled', {
    type: 'bool', default: false,
    description: 'CloudWatch alarms: fewer InService instances than desired for alarm_no_in_service_minutes; and, with metrics_enabled, a failed watchdog repair and conntrack above alarm_conntrack_percent.',
  });
  const minutes = stack.input('alarm_no_in_service_minutes', {
    type: 'number', default: 5, description: 'Minutes without the desired InService instance before the capacity alarm fires.',
    validations: numberRangeChecks('alarm_no_in_service_minutes', 1, 60),
  });
  const percent = stack.input('alarm_conntrack_percent', {
    type: 'number', default: 80, description: 'Conntrack fill (percent of its maximum) that fires the conntrack alarm.',
    validations: numberRangeChecks('alarm_conntrack_percent', 1, 100),
  });
  const email = stack.input('alarm_email', {
    type: 'string', default: '', description: 'Email address subscribed to a new SNS topic for the alarms; "" for none.',
    validations: [{ condition: 'var.alarm_email == "" || can(regex("^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$", var.alarm_email))', message: 'alarm_email must be "" or an email address such as ops@example.com' }],
  });
  const topicArn = stack.input('alarm_topic_arn', {
    type: 'string', default: '', description: 'Existing SNS topic ARN for the alarms; "" for none.',
    validations: [{ condition: 'var.alarm_topic_arn == "" || can(regex("^arn:aws[a-z-]*:sns:", var.alarm_topic_arn))', message: 'alarm_topic_arn must be "" or an SNS topic ARN such as arn:aws:sns:ap-northeast-1:123456789012:ops' }],
  });
  stack.addValidation('alarm_topic_arn', { condition: 'var.alarm_email == "" || var.alarm_topic_arn == ""', message: 'give alarm_email (a new topic) or alarm_topic_arn (an existing one), not both' });
  return (nat, natId) => new NatAlarms(stack, 'alarms', {
    enabled: enabled.value as Flag, natId, autoScalingGroupName: nat.asg.name, metrics,
    noInServiceMinutes: minutes.numberValue, conntrackPercent: percent.numberValue, email: email.stringValue, topicArn: topicArn.stringValue,
  });
}
