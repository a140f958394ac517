import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The offline provider directory (holds registry.terraform.io/hashicorp/aws/5.100.0). */
export const PLUGIN_DIR = process.env.EGRESS_TF_PLUGIN_DIR ?? '/opt/tf-plugins';

/** Credentials and skips that let the aws provider plan with no network and no account. */
export const MOCK_PROVIDER_OVERRIDE = {
  provider: {
    aws: {
      access_key: 'mock',
      secret_key: 'mock',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    },
  },
};

let cliConfig: string | undefined;

/** Environment for every terraform call: no telemetry lookup, an empty CLI config, no TF_* leakage. */
export function terraformEnv(): NodeJS.ProcessEnv {
  if (!cliConfig) {
    const dir = mkdtempSync(join(tmpdir(), 'egress-tfrc-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cliConfig = join(dir, 'terraformrc');
    writeFileSync(cliConfig, '');
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1' };
  delete env.TF_WORKSPACE;
  delete env.TF_CLOUD_ORGANIZATION;
  return env;
}

/** Fails loudly, with what to do, when the terraform CLI or the offline provider is missing. */
export async function assertTerraformAvailable(): Promise<void> {
  try {
    await run('terraform', ['version'], { env: terraformEnv() });
  } catch {
    throw new Error('terraform CLI not found on PATH: the terraform tier needs it (install Terraform >= 1.10)');
  }
  if (!existsSync(join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws'))) {
    throw new Error(`no offline aws provider under ${PLUGIN_DIR}; set EGRESS_TF_PLUGIN_DIR to the directory holding registry.terraform.io`);
  }
}

export async function terraform(dir: string, args: string[]): Promise<string> {
  try {
    // Bounded: a plan that hangs (a provider waiting on the network) fails instead of lingering.
    const { stdout } = await run('terraform', [...args, '-no-color'], { cwd: dir, env: terraformEnv(), maxBuffer: 256 * 1024 * 1024, timeout: 300_000, killSignal: 'SIGKILL' });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args.join(' ')} failed in ${dir}:\n${err.stderr || err.stdout || err.message}`);
  }
}

export interface PlanResult {
  /** `terraform show -json` of the saved plan. */
  readonly show: TerraformPlanJson;
  /** `terraform validate`'s output, when it was asked for (`validate: true`). */
  readonly validateOutput?: string;
}

export interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
}

export interface TerraformPlanJson {
  readonly planned_values: { root_module: PlannedModule };
  readonly resource_changes: { address: string; type: string; change: { actions: string[] } }[];
}

export interface PlannedModule {
  readonly resources?: PlannedResource[];
  readonly child_modules?: PlannedModule[];
}

/** All planned resources, child modules included. */
export function plannedResources(module: PlannedModule): PlannedResource[] {
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(plannedResources)];
}

/** The mock provider override written into `dir`, then init with the offline provider (and the local backend unless `backend` is false). */
async function initMocked(dir: string, backend = true): Promise<void> {
  writeFileSync(join(dir, 'zz_mock_provider_override.tf.json'), JSON.stringify(MOCK_PROVIDER_OVERRIDE));
  await terraform(dir, ['init', '-input=false', `-plugin-dir=${PLUGIN_DIR}`, `-backend=${backend}`]);
}

/**
 * init (offline provider, local backend) and plan with mock credentials, in `dir` (a scratch
 * copy: the mock override file is written into it). The plan validates the configuration
 * itself; `validate` runs `terraform validate` first as well, for a test of what it reports
 * (each command loads the aws provider's schema anew: a few seconds of CPU).
 */
export async function terraformPlan(dir: string, options: { backend?: boolean; validate?: boolean } = {}): Promise<PlanResult> {
  await initMocked(dir, options.backend);
  const validateOutput = options.validate ? await terraform(dir, ['validate']) : undefined;
  await terraform(dir, ['plan', '-input=false', '-lock=false', '-refresh=false', '-out=plan.tfplan']);
  const show = JSON.parse(await terraform(dir, ['show', '-json', 'plan.tfplan'])) as TerraformPlanJson;
  return { show, validateOutput };
}

/**
 * The value of `expression` in the plan of `dir` (init as terraformPlan() does, then
 * `terraform console -plan`): what a plan and `show -json` of it would give for those
 * attributes, in one command, so one load of the aws provider's schema less. The value goes
 * through jsonencode and base64encode, so the console prints it as one plain string; the
 * expression is given on one line (line breaks become spaces: none may be inside a string).
 */
export async function terraformPlanValue(dir: string, expression: string, options: { backend?: boolean } = {}): Promise<unknown> {
  await initMocked(dir, options.backend);
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile('terraform', ['console', '-plan', '-no-color'], {
      cwd: dir, env: terraformEnv(), maxBuffer: 256 * 1024 * 1024, timeout: 300_000, killSignal: 'SIGKILL',
    }, (err, stdout, stderr) => (err ? reject(new Error(`terraform console -plan failed in ${dir}:\n${stderr || stdout || err.message}`)) : resolve(stdout)));
    // The console reads one expression per line.
    child.stdin?.end(`base64encode(jsonencode(${expression.replace(/\s*\n\s*/g, ' ')}))\n`);
  });
  const printed = out.trim();
  if (printed === '(known after apply)') throw new Error(`${dir}: ${expression.slice(0, 200)} is not known at plan time`);
  const quoted = /^"([A-Za-z0-9+/=]*)"$/.exec(printed);
  if (!quoted) throw new Error(`terraform console -plan in ${dir} printed no base64 string: ${printed.slice(0, 200)}`);
  return JSON.parse(Buffer.from(quoted[1], 'base64').toString('utf8'));
}

/**
 * The name a boot bucket is given in a plan in place of the one S3 makes from its
 * `bucket_prefix` at apply: the manifest names the bucket, so with it the user data is known
 * at plan time and can be read back.
 */
export const PLAN_BOOT_BUCKET = 'egress-plan-boot-bucket';

/** A synthesized cdk.tf.json whose buckets have a fixed name instead of a prefix. */
export function withPlanBucketNames<T extends { resource?: Record<string, Record<string, Record<string, unknown>>> }>(tf: T): T {
  const copy = JSON.parse(JSON.stringify(tf)) as T;
  const buckets = Object.values(copy.resource?.aws_s3_bucket ?? {});
  buckets.forEach((bucket, i) => {
    if (bucket.bucket_prefix === undefined) return;
    delete bucket.bucket_prefix;
    bucket.bucket = buckets.length === 1 ? PLAN_BOOT_BUCKET : `${PLAN_BOOT_BUCKET}-${i}`;
  });
  return copy;
}

/** An override file in a copy of a generated module giving its boot bucket PLAN_BOOT_BUCKET; false when it has none. */
export function writePlanBucketOverride(moduleDir: string): boolean {
  const main = readFileSync(join(moduleDir, 'main.tf'), 'utf8');
  const names = [...main.matchAll(/^resource "aws_s3_bucket" "([A-Za-z0-9_-]+)" \{\n(?: {2}.*\n)*? {2}bucket_prefix\s*=/gm)].map((m) => m[1]);
  if (names.length === 0) return false;
  if (names.length > 1) throw new Error(`${moduleDir}: ${names.length} buckets with bucket_prefix; name each for the plan`);
  writeFileSync(join(moduleDir, 'zz_plan_bucket_override.tf'), `resource "aws_s3_bucket" "${names[0]}" {\n  bucket        = "${PLAN_BOOT_BUCKET}"\n  bucket_prefix = null\n}\n`);
  return true;
}
