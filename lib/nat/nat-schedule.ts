import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { Op, Token } from 'cdktf';
import { Construct } from 'constructs';
import { cronProblem, timeZoneProblem } from '../spec/schedule';
import { choose, isPlainFlag, type Flag } from './conditional';

/** When a NAT instance runs: Auto Scaling scheduled actions in a time zone. */
export interface NatScheduleProps {
  /** IANA time zone the expressions are read in, e.g. `Asia/Tokyo` (Auto Scaling honours daylight saving time). */
  readonly timeZone: string;
  /** Unix cron (five fields) for starting the NAT, e.g. `0 8 * * 1-5`. */
  readonly on: string;
  /** Unix cron (five fields) for stopping it, e.g. `0 20 * * 1-5`. While it is off, private subnets have no IPv4 egress. */
  readonly off: string;
  /**
   * Create the actions. A Terraform boolean when only Terraform knows whether a schedule is
   * set (a module's nullable `schedule` input).
   * @default true
   */
  readonly create?: Flag;
}

export interface NatScheduleActionsProps {
  readonly natId: string;
  readonly autoscalingGroupName: string;
  readonly schedule: NatScheduleProps;
  /** The NAT's `enabled`: a disabled NAT stays at zero, so it gets no actions. @default true */
  readonly enabled?: Flag;
}

/**
 * Two scheduled actions on the NAT's ASG of one: `on` sets the desired capacity to 1, `off` to 0.
 * Only the desired capacity moves (min and max are left as they are, -1), so `enabled: false`
 * (max 0) still wins over the schedule. The egress ENI, its EIP and the routes stay while the
 * NAT is off: routes to it black-hole, and the same address comes back when it starts.
 */
export class NatScheduleActions extends Construct {
  /** Undefined when the NAT is disabled with a plain `false`. */
  readonly start?: AutoscalingSchedule;
  readonly stop?: AutoscalingSchedule;

  constructor(scope: Construct, id: string, props: NatScheduleActionsProps) {
    super(scope, id);
    validateSchedule(props.natId, props.schedule);
    const active = both(props.enabled ?? true, props.schedule.create ?? true);
    if (active === false) return;
    const count = active === true ? undefined : choose(active, true, 1, 0);
    const action = (name: 'on' | 'off', recurrence: string, desiredCapacity: number) =>
      new AutoscalingSchedule(this, name, {
        scheduledActionName: `${props.natId}-${name}`,
        autoscalingGroupName: props.autoscalingGroupName,
        recurrence,
        timeZone: props.schedule.timeZone,
        desiredCapacity,
        minSize: -1,
        maxSize: -1,
        count,
      });
    this.start = action('on', props.schedule.on, 1);
    this.stop = action('off', props.schedule.off, 0);
  }
}

function both(a: Flag, b: Flag): Flag {
  if (a === false || b === false) return false;
  if (isPlainFlag(a) && isPlainFlag(b)) return true;
  if (a === true) return b;
  if (b === true) return a;
  return Op.and(a, b);
}

function validateSchedule(natId: string, schedule: NatScheduleProps): void {
  const problems = [
    ['timeZone', Token.isUnresolved(schedule.timeZone) ? undefined : timeZoneProblem(schedule.timeZone)],
    ['on', Token.isUnresolved(schedule.on) ? undefined : cronProblem(schedule.on)],
    ['off', Token.isUnresolved(schedule.off) ? undefined : cronProblem(schedule.off)],
  ].filter(([, problem]) => problem !== undefined);
  if (problems.length > 0) throw new Error(`NatInstance ${natId}: schedule.${problems[0][0]}: ${problems[0][1]}`);
}
