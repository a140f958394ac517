import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, readStack, runSynth } from '../helpers/synth';
import { assertTerraformAvailable, plannedResources, terraformPlan, withPlanBucketNames, type PlannedResource } from './terraform';

// Every synthesized stack must init against the offline aws provider 5.100, validate and
// plan with mock credentials: what `cdktf deploy` would hand to Terraform, its boot bucket
// given a name so the user data (whose manifest names it) is known at plan time.
const SPECS = [
  { name: 'built-in example', spec: undefined, project: 'dev' },
  { name: 'specs/dedicated-with-existing-spoke.yaml', spec: { file: join(ROOT, 'specs/dedicated-with-existing-spoke.yaml') }, project: 'staging' },
];

beforeAll(assertTerraformAvailable);

describe.each(SPECS)('terraform plan of $name', ({ spec, project }) => {
  let planned: PlannedResource[];
  let stackResourceCount: number;

  beforeAll(async () => {
    const synth = runSynth(spec);
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const stack = readStack(synth.outdir, project);
    stackResourceCount = Object.values(stack.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
    // Three levels down: the stack's local state path (../../../terraform.<project>.tfstate, as
    // from cdktf.out/stacks/<project>) lands in this scratch root, not in whatever is above /tmp.
    const dir = join(mkdtempSync(join(tmpdir(), `egress-plan-${project}-`)), 'cdktf.out', 'stacks', project);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(withPlanBucketNames(stack)));
    planned = plannedResources((await terraformPlan(dir)).show.planned_values.root_module);
  }, 180_000);

  it('plans every synthesized resource', () => {
    expect(planned.length).toBe(stackResourceCount);
  });

  it('plans one ASG of one per NAT, launching from the latest template version', () => {
    const asgs = planned.filter((r) => r.type === 'aws_autoscaling_group');
    expect(asgs.length).toBeGreaterThan(0);
    for (const asg of asgs) {
      expect(asg.values).toMatchObject({ min_size: 1, max_size: 1, desired_capacity: 1 });
    }
  });

  it('plans every default route onto an ENI, never onto an instance', () => {
    const defaults = planned.filter((r) => r.type === 'aws_route' && r.values.destination_cidr_block === '0.0.0.0/0');
    const toNat = defaults.filter((r) => r.values.gateway_id === undefined || r.values.gateway_id === null);
    expect(toNat.length).toBeGreaterThan(0);
    for (const route of toNat) expect(route.values.instance_id ?? null).toBeNull();
  });

  it('plans user data within the 16 KB EC2 limit', () => {
    const templates = planned.filter((r) => r.type === 'aws_launch_template');
    expect(templates.length).toBeGreaterThan(0);
    for (const lt of templates) {
      expect(typeof lt.values.user_data).toBe('string');
      expect(Buffer.from(String(lt.values.user_data), 'base64').length).toBeLessThanOrEqual(16 * 1024);
    }
  });
});
