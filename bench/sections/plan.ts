import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSpread, paired, timed, type Row, type Sample } from '../measure';
import type { BenchSection } from '../section';
import { resourceCount, synthOf, writeScalingSpec, type ScaledSpec } from './scaling';

// What users wait for after synth: `terraform plan` of the synthesized stack (offline
// provider, mock credentials, no refresh), paired with the synth that wrote it.

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

/** Synthesizes once and initializes the stack against the offline provider, so only plan is timed. */
function prepare(spec: ScaledSpec, synth: () => Sample, env: NodeJS.ProcessEnv): void {
  synth();
  writeFileSync(join(spec.stackDir, 'zz_mock_provider_override.tf.json'), JSON.stringify(MOCK_PROVIDER));
  const init = spawnSync('terraform', ['init', '-input=false', '-no-color', `-plugin-dir=${PLUGIN_DIR}`], { cwd: spec.stackDir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  if (init.status !== 0) throw new Error(`terraform init failed in ${spec.stackDir}:\n${init.stderr}${init.stdout}`);
}

const plan = (spec: ScaledSpec, env: NodeJS.ProcessEnv) => (): Sample =>
  timed(['terraform', 'plan', '-input=false', '-lock=false', '-refresh=false', '-no-color'], { cwd: spec.stackDir, env, timeoutMs: 600_000 });

export const planSection: BenchSection = {
  key: 'plan',
  run({ slowRuns, results }) {
    const dir = mkdtempSync(join(tmpdir(), 'egress-bench-plan-'));
    const env = terraformEnv(dir);
    const example: ScaledSpec = { file: '', outdir: join(dir, 'example'), stackDir: join(dir, 'example', 'stacks', 'dev') };
    const exampleSynth = (): Sample => timed(['npm', 'run', '-s', 'synth'], { env: { EGRESS_SPEC: '', EGRESS_OUTDIR: example.outdir } });
    const fifty = writeScalingSpec(dir, 50);
    const rows: Row[] = [];
    const figures: Record<string, unknown> = {};
    for (const [label, spec, synth] of [['example', example, exampleSynth], ['50 VPCs (bench/scaling-spec.ts)', fifty, synthOf(fifty)]] as const) {
      prepare(spec, synth, env);
      const resources = resourceCount(spec.stackDir);
      // Synth rewrites the stack directory: synth into a sibling, so plan keeps its .terraform.
      const synthElsewhere = spec === example
        ? () => timed(['npm', 'run', '-s', 'synth'], { env: { EGRESS_SPEC: '', EGRESS_OUTDIR: join(dir, 'example-again') } })
        : () => timed(['npm', 'run', '-s', 'synth'], { env: { EGRESS_SPEC: spec.file, EGRESS_OUTDIR: join(dir, 'fifty-again') } });
      const pair = paired(slowRuns, plan(spec, env), synthElsewhere);
      figures[label] = { resources, ...pair };
      rows.push({
        section: 'terraform plan',
        name: `\`terraform plan\` of the ${label} stack, ${resources} resources, offline provider, no refresh (median of ${slowRuns})`,
        ...pair.a,
        ratio: `${formatSpread(pair.time, slowRuns, 1)} its \`npm run synth\` (${pair.b.seconds.toFixed(2)} s)`,
      });
    }
    results.plan = figures;
    return rows;
  },
};
