import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSpread, medianOf, paired, timed, type Row, type Sample } from '../measure';
import type { BenchSection } from '../section';
import { resourceCount, writeScalingSpec, type ScaledSpec } from './scaling';

// What users wait for after synth: `terraform plan` of the synthesized stack, as a user runs
// it (refresh on, state locked; the state is empty, as before a first apply), with the
// terraform tier's offline provider and mock credentials. Each plan is paired with the synth
// of the same spec (into a sibling directory, so the plan keeps its .terraform), and the
// same-run baseline is the plan of one VPC and nothing else: the provider's three starts
// (schema load, validation, plan) and its configuration, which every plan pays whatever it holds.

const PLUGIN_DIR = process.env.EGRESS_TF_PLUGIN_DIR ?? '/opt/tf-plugins';
const MOCK_PROVIDER = {
  provider: {
    aws: {
      access_key: 'mock', secret_key: 'mock', skip_credentials_validation: true,
      skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true,
    },
  },
};

function terraformEnv(dir: string): NodeJS.ProcessEnv {
  const rc = join(dir, 'terraformrc');
  writeFileSync(rc, '');
  return { CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', TF_WORKSPACE: '', TF_CLOUD_ORGANIZATION: '' };
}

function init(dir: string, env: NodeJS.ProcessEnv): void {
  writeFileSync(join(dir, 'zz_mock_provider_override.tf.json'), JSON.stringify(MOCK_PROVIDER));
  const result = spawnSync('terraform', ['init', '-input=false', '-no-color', `-plugin-dir=${PLUGIN_DIR}`], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`terraform init failed in ${dir}:\n${result.stderr}${result.stdout}`);
}

const plan = (dir: string, env: NodeJS.ProcessEnv) => (): Sample => timed(['terraform', 'plan', '-input=false', '-no-color'], { cwd: dir, env, timeoutMs: 900_000 });

const synth = (specFile: string, outdir: string) => (): Sample => timed(['npm', 'run', '-s', 'synth'], { env: { EGRESS_SPEC: specFile, EGRESS_OUTDIR: outdir } });

interface Case {
  readonly label: string;
  readonly vpcs: number;
  readonly spec: ScaledSpec;
}

export const planSection: BenchSection = {
  key: 'plan',
  run({ slowRuns, results }) {
    const dir = mkdtempSync(join(tmpdir(), 'egress-bench-plan-'));
    const env = terraformEnv(dir);
    const rows: Row[] = [];
    const figures: Record<string, unknown> = {};

    const empty = join(dir, 'one-resource');
    mkdirSync(empty);
    writeFileSync(join(empty, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } }, provider: { aws: { region: 'us-east-1' } }, resource: { aws_vpc: { one: { cidr_block: '10.0.0.0/16' } } } }));
    init(empty, env);
    const floor = medianOf(slowRuns, plan(empty, env));
    figures.oneResource = floor;
    rows.push({ section: 'terraform plan', name: `baseline: \`terraform plan\` of one aws_vpc and nothing else (the provider's starts, schema load and configuration; median of ${slowRuns})`, ...floor });

    const cases: Case[] = [
      { label: 'the example', vpcs: 3, spec: { file: '', outdir: join(dir, 'example'), stackDir: join(dir, 'example', 'stacks', 'dev') } },
      ...[50, 200].map((count) => ({ label: `${count} VPCs (bench/scaling-spec.ts)`, vpcs: count, spec: writeScalingSpec(dir, count) })),
    ];
    const perVpc: Record<number, number> = {};
    for (const { label, vpcs, spec } of cases) {
      synth(spec.file, spec.outdir)();
      init(spec.stackDir, env);
      const resources = resourceCount(spec.stackDir);
      const pair = paired(slowRuns, plan(spec.stackDir, env), synth(spec.file, `${spec.outdir}-again`));
      perVpc[vpcs] = pair.a.seconds / vpcs;
      figures[label] = { vpcs, resources, resourcesPerVpc: resources / vpcs, ...pair };
      const net = pair.a.seconds - floor.seconds;
      rows.push({
        section: 'terraform plan',
        name: `\`terraform plan\` of ${label}: ${vpcs} VPCs, ${resources} resources (${(resources / vpcs).toFixed(1)} a VPC), offline provider, mock credentials, empty state (median of ${slowRuns})`,
        ...pair.a,
        ratio: `${formatSpread(pair.time, slowRuns, 1)} its \`npm run synth\` (${pair.b.seconds.toFixed(2)} s); ${(pair.a.seconds / floor.seconds).toFixed(1)}x the one-resource plan, ${net.toFixed(2)} s beyond it (${((net / resources) * 1000).toFixed(1)} ms a resource)`,
      });
    }
    const growth = perVpc[200] / perVpc[50];
    figures.perVpc200Over50 = growth;
    rows.push({ section: 'terraform plan', name: 'plan seconds a VPC, 200 VPCs over 50 VPCs (ratio of the medians above)', value: `${growth.toFixed(2)}x` });
    results.plan = figures;
    return rows;
  },
};
