import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** A root calling modules/nat-instance with `extra` arguments, planned; `terraform` rejects what the module's validations refuse. */
async function planModule(extra: string): Promise<PlannedResource[]> {
  const root = mkdtempSync(join(tmpdir(), 'egress-module-schedule-'));
  cpSync(join(ROOT, 'modules'), join(root, 'modules'), { recursive: true });
  const dir = join(root, 'root');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'main.tf'),
    [
      'provider "aws" {',
      '  region = "ap-northeast-1"',
      '}',
      'module "nat" {',
      '  source                      = "../modules/nat-instance"',
      '  name                        = "dev"',
      '  vpc_id                      = "vpc-0123456789abcdef0"',
      '  public_subnet               = "subnet-0123456789abcdef0"',
      '  private_subnets_cidr_blocks = ["10.0.128.0/20"]',
      '  instance_types              = ["t4g.nano"]',
      extra,
      '}',
      '',
    ].join('\n'),
  );
  return plannedResources((await terraformPlan(dir)).show.planned_values.root_module);
}

describe('modules/nat-instance with a schedule and Block Public Access', () => {
  it('GIVEN schedule and block_public_access WHEN planned THEN the module plans both actions in the time zone and an egress-only subnet exclusion', async () => {
    const planned = await planModule(
      '  schedule            = { time_zone = "Europe/Berlin", on = "30 7 * * MON-FRI", off = "0 19 * * MON-FRI" }\n' +
        '  block_public_access = { account_mode = "block-bidirectional" }',
    );
    const actions = planned.filter((r) => r.type === 'aws_autoscaling_schedule').map((r) => r.values);
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scheduled_action_name: 'dev-on', recurrence: '30 7 * * MON-FRI', time_zone: 'Europe/Berlin', desired_capacity: 1 }),
        expect.objectContaining({ scheduled_action_name: 'dev-off', recurrence: '0 19 * * MON-FRI', time_zone: 'Europe/Berlin', desired_capacity: 0 }),
      ]),
    );
    const exclusion = planned.filter((r) => r.type === 'aws_vpc_block_public_access_exclusion').map((r) => r.values);
    expect(exclusion).toEqual([expect.objectContaining({ internet_gateway_exclusion_mode: 'allow-egress', subnet_id: 'subnet-0123456789abcdef0', vpc_id: null })]);
    expect(planned.find((r) => r.type === 'aws_autoscaling_group')?.values).toMatchObject({ min_size: 0, max_size: 1 });
  }, 300_000);

  it('GIVEN neither WHEN planned THEN there are no actions and no exclusion, and the ASG stays pinned at one', async () => {
    const planned = await planModule('');
    expect(planned.filter((r) => r.type === 'aws_autoscaling_schedule' || r.type === 'aws_vpc_block_public_access_exclusion')).toEqual([]);
    expect(planned.find((r) => r.type === 'aws_autoscaling_group')?.values).toMatchObject({ min_size: 1, max_size: 1, desired_capacity: 1 });
  }, 300_000);

  it('GIVEN a Quartz expression WHEN planned THEN the module refuses it with the message the spec check gives in substance', async () => {
    await expect(planModule('  schedule = { time_zone = "Etc/UTC", on = "0 8 ? * MON-FRI *", off = "0 20 * * 1-5" }')).rejects.toThrow(
      /schedule\.on and schedule\.off must be Unix cron with five fields/,
    );
  }, 300_000);
});
