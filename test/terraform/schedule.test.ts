import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStack, ROOT, runSynth } from '../helpers/synth';
import { assertTerraformAvailable, plannedResources, terraformPlan, type PlannedResource } from './terraform';

// A NAT on a weekday schedule in an account with VPC Block Public Access: what synth writes
// must plan against the aws provider 5.100, and its cost report must count the scheduled hours.
const SPEC = join(ROOT, 'specs/weekday-schedule.yaml');

beforeAll(assertTerraformAvailable);

describe('terraform plan of specs/weekday-schedule.yaml', () => {
  let planned: PlannedResource[];
  let stackResourceCount: number;
  let costReport: string;
  let exampleReport: string;

  beforeAll(async () => {
    const synth = runSynth({ file: SPEC });
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const stack = readStack(synth.outdir, 'dev');
    stackResourceCount = Object.values(stack.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
    costReport = readFileSync(join(synth.outdir, 'stacks', 'dev', 'cost.md'), 'utf8');
    const example = runSynth(undefined);
    exampleReport = readFileSync(join(example.outdir, 'stacks', 'dev', 'cost.md'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'egress-plan-schedule-'));
    cpSync(join(synth.outdir, 'stacks', 'dev', 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
    planned = plannedResources((await terraformPlan(dir)).show.planned_values.root_module);
  }, 300_000);

  it('GIVEN a weekday schedule WHEN planned THEN every synthesized resource plans', () => {
    expect(planned.length).toBe(stackResourceCount);
  });

  it('GIVEN a weekday schedule WHEN planned THEN the on and off actions recur on weekdays in Asia/Tokyo', () => {
    const actions = planned.filter((r) => r.type === 'aws_autoscaling_schedule').map((r) => r.values);
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scheduled_action_name: 'dev-shared-on', recurrence: '0 8 * * 1-5', time_zone: 'Asia/Tokyo', desired_capacity: 1, min_size: -1, max_size: -1 }),
        expect.objectContaining({ scheduled_action_name: 'dev-shared-off', recurrence: '0 20 * * 1-5', time_zone: 'Asia/Tokyo', desired_capacity: 0, min_size: -1, max_size: -1 }),
      ]),
    );
    expect(actions).toHaveLength(2);
  });

  it('GIVEN a weekday schedule WHEN planned THEN the ASG may go to zero but starts with one', () => {
    const [asg] = planned.filter((r) => r.type === 'aws_autoscaling_group');
    expect(asg.values).toMatchObject({ min_size: 0, max_size: 1, desired_capacity: 1 });
  });

  it('GIVEN Block Public Access blocking both directions WHEN planned THEN the NAT subnet gets an egress-only exclusion', () => {
    const exclusions = planned.filter((r) => r.type === 'aws_vpc_block_public_access_exclusion');
    expect(exclusions.map((r) => r.values.internet_gateway_exclusion_mode)).toEqual(['allow-egress']);
  });

  it('GIVEN the schedule WHEN the cost report is written THEN the NAT instance line is 261 scheduled hours, lower than the example\'s 730', () => {
    const instanceRow = (report: string) => report.split('\n').find((l) => l.startsWith('| NAT instance shared'));
    const usd = (row?: string) => Number(row?.split('|')[2].trim().replace('$', ''));
    expect(costReport).toMatch(/- NAT instance shared \(t4g\.small, spot\): 261 instance-hour × \$0\.0076 = \$1\.98: 261 h scheduled/);
    expect(usd(instanceRow(costReport))).toBeLessThan(usd(instanceRow(exampleReport)));
    expect(costReport).toMatch(/the EIP stays allocated and is billed every hour, off or on/);
  });
});
