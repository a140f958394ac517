import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { motoRoot, startMoto, type MotoServer } from '../../moto/moto-server';
import { ROOT } from '../../helpers/synth';
import { MOCK_PROVIDER_OVERRIDE, PLUGIN_DIR, terraformEnv } from '../../terraform/terraform';
import { BUCKET_POLICY_CONDITIONS, GAPS, TERMINATED_INSTANCE_ENI, type Gap } from './gaps';

const exec = promisify(execFile);

// The apply tier's machinery: Terraform pointed at moto's server through an override file in a
// scratch copy of each root, the plan read back as JSON, and moto asked what exists.

/** Every service the roots create resources in (and the provider may call on the way). */
const SERVICES = ['autoscaling', 'cloudwatch', 'ec2', 'events', 'iam', 'lambda', 'logs', 's3', 'scheduler', 'sns', 'ssm', 'sts'];

/** moto with what the stacks need of it: AWS's managed policies (AmazonSSMManagedInstanceCore) exist. */
export function startApplyMoto(): Promise<MotoServer> {
  return startMoto({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } });
}

/** The aws provider of `dir` (any alias-free provider "aws" block) aimed at moto; the root's own files are untouched. */
export function writeMotoOverride(dir: string, url: string): void {
  const endpoints = Object.fromEntries(SERVICES.map((s) => [s, url]));
  writeFileSync(join(dir, 'zz_moto_provider_override.tf.json'), JSON.stringify({
    provider: {
      aws: {
        ...MOCK_PROVIDER_OVERRIDE.provider.aws,
        s3_use_path_style: true,
        // moto answers a call it lacks with 500; the provider's default 25 retries would stall an apply for minutes on it.
        max_retries: 2,
        endpoints: [endpoints],
      },
    },
  }, null, 1));
}

/**
 * BUCKET_POLICY_CONDITIONS: each `aws_s3_bucket_policy` of the root and of the scratch copy of
 * modules/ gets, in an override file beside it, its TLS-only statement with a principal moto
 * does not evaluate. Returns the addresses overridden (`<dir> <name>`), so a test can require them.
 */
export function neutralizeBucketPolicies(dir: string): string[] {
  const modules = join(dirname(dirname(dir)), 'modules');
  const dirs = [dir, ...(existsSync(modules) ? readdirSync(modules, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(modules, e.name)) : [])];
  const done: string[] = [];
  for (const d of dirs) {
    const policies: Record<string, { policy: string }> = {};
    for (const file of readdirSync(d).filter((f) => /\.tf(\.json)?$/.test(f) && !f.startsWith('zz_'))) {
      const text = readFileSync(join(d, file), 'utf8');
      const found: [string, string][] = file.endsWith('.json')
        ? Object.entries((JSON.parse(text) as { resource?: { aws_s3_bucket_policy?: Record<string, { bucket: string }> } }).resource?.aws_s3_bucket_policy ?? {})
          .map(([name, r]) => [name, /^\$\{aws_s3_bucket\.([^.]+)\.id\}$/.exec(r.bucket)?.[1] ?? ''])
        : [...text.matchAll(/resource "aws_s3_bucket_policy" "([^"]+)" \{\s*bucket\s*=\s*aws_s3_bucket\.([^.\s]+)\.id/g)].map((m) => [m[1], m[2]]);
      for (const [name, bucket] of found) {
        if (!bucket) throw new Error(`${join(d, file)}: aws_s3_bucket_policy.${name} names no aws_s3_bucket of its own`);
        const arn = `aws_s3_bucket.${bucket}.arn`;
        policies[name] = {
          policy: `\${jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "TlsOnly", Effect = "Deny", Principal = "${BUCKET_POLICY_CONDITIONS.inertPrincipal}", Action = "s3:*", Resource = [${arn}, format("%s/*", ${arn})], Condition = { Bool = { "aws:SecureTransport" = "false" } } }] })}`,
        };
        done.push(`${d} ${name}`);
      }
    }
    if (Object.keys(policies).length > 0) {
      writeFileSync(join(d, 'zz_moto_bucket_policy_override.tf.json'), JSON.stringify({ resource: { aws_s3_bucket_policy: policies } }, null, 1));
    }
  }
  return done;
}

export interface TfResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** terraform in `dir`, bounded; `ok` lists the exit codes that are not failures. */
export async function tf(dir: string, args: string[], ok: number[] = [0]): Promise<TfResult> {
  let result: TfResult;
  try {
    const { stdout, stderr } = await exec('terraform', [...args, '-no-color'], {
      cwd: dir, env: terraformEnv(), maxBuffer: 256 * 1024 * 1024, timeout: 600_000, killSignal: 'SIGKILL',
    });
    result = { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    result = { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
  if (!ok.includes(result.code)) {
    throw new Error(`terraform ${args.join(' ')} exited ${result.code} in ${dir}:\n${result.stderr || result.stdout}`.slice(0, 20_000));
  }
  return result;
}

export async function init(dir: string): Promise<void> {
  await tf(dir, ['init', '-input=false', `-plugin-dir=${PLUGIN_DIR}`]);
}

export async function apply(dir: string): Promise<void> {
  await tf(dir, ['apply', '-input=false', '-auto-approve', '-parallelism=20']);
}

/** Destroys what the state holds, as last applied: no refresh, the state was just written and moto is asked afterwards. */
export async function destroy(dir: string): Promise<void> {
  await tf(dir, ['destroy', '-input=false', '-auto-approve', '-parallelism=20', '-refresh=false']);
}

export interface Change {
  readonly address: string;
  readonly type: string;
  readonly actions: string[];
  /** Top-level attributes whose value changes or becomes unknown (updates; from showPlan() only). */
  readonly attributes: string[];
}

export interface Plan {
  /** `plan -detailed-exitcode`: 0 no changes, 2 changes. */
  readonly exitCode: number;
  /** Every resource change that is not a no-op (reads included). */
  readonly changes: Change[];
  readonly file: string;
}

/** `terraform plan`'s actions in its JSON output, as `show -json` spells them. */
const ACTIONS: Record<string, string[]> = {
  create: ['create'], read: ['read'], update: ['update'], delete: ['delete'], replace: ['delete', 'create'], remove: ['forget'],
};

/**
 * Saves a plan and reads what it would do to each resource from plan's own JSON output: the
 * actions, without the attributes (showPlan() reads those, at the cost of another provider start).
 */
export async function plan(dir: string, name: string): Promise<Plan> {
  const file = `${name}.tfplan`;
  const { code, stdout } = await tf(dir, ['plan', '-input=false', '-detailed-exitcode', '-parallelism=20', `-out=${file}`, '-json'], [0, 2]);
  return { exitCode: code, changes: plannedChanges(stdout), file };
}

/**
 * `terraform apply` as a user runs it (plan and apply in one command), and what it planned,
 * read from its JSON output as plan() reads a plan's: one command instead of a saved plan
 * and its apply, so the aws provider's schema is loaded once instead of twice.
 */
export async function applyPlanned(dir: string): Promise<Change[]> {
  const { stdout } = await tf(dir, ['apply', '-input=false', '-auto-approve', '-parallelism=20', '-json']);
  return plannedChanges(stdout);
}

/** The resource changes a `-json` plan or apply announces (planned_change), no-ops, moves and imports left out. */
function plannedChanges(stdout: string): Change[] {
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as UiMessage)
    .filter((m) => m.type === 'planned_change' && !['noop', 'move', 'import'].includes(m.change!.action))
    .map((m): Change => {
      const actions = ACTIONS[m.change!.action];
      if (!actions) throw new Error(`${m.change!.resource.addr}: plan action ${m.change!.action} not understood`);
      return { address: m.change!.resource.addr, type: m.change!.resource.resource_type, actions, attributes: [] };
    });
}

interface UiMessage {
  type: string;
  change?: { action: string; resource: { addr: string; resource_type: string } };
}

/** A saved plan read back with `terraform show -json`: what it would do, attribute by attribute. */
export async function showPlan(dir: string, p: Plan): Promise<Plan> {
  const show = JSON.parse((await tf(dir, ['show', '-json', p.file])).stdout) as { resource_changes?: ResourceChangeJson[] };
  const changes = (show.resource_changes ?? [])
    .filter((rc) => !rc.change.actions.every((a) => a === 'no-op'))
    .map((rc) => {
      const before = rc.change.before ?? {};
      const after = rc.change.after ?? {};
      const unknown = rc.change.after_unknown ?? {};
      const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
      const attributes = rc.change.actions.includes('update')
        ? [...keys].filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null) || unknown[k] === true || (typeof unknown[k] === 'object' && hasTrue(unknown[k]))).sort()
        : [];
      return { address: rc.address, type: rc.type, actions: rc.change.actions, attributes };
    });
  return { ...p, changes };
}

interface ResourceChangeJson {
  address: string;
  type: string;
  mode: string;
  change: { actions: string[]; before: Record<string, unknown> | null; after: Record<string, unknown> | null; after_unknown: Record<string, unknown> | null };
}

function hasTrue(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(hasTrue);
  if (value && typeof value === 'object') return Object.values(value).some(hasTrue);
  return false;
}

/**
 * A plan right after an apply, split: changes the named moto gaps explain (an in-place update of
 * exactly the gap's attributes on a resource of the gap's type) and everything else.
 */
export function explain(p: Plan): { explained: { address: string; gap: string }[]; unexplained: Change[] } {
  const explained: { address: string; gap: string }[] = [];
  const unexplained: Change[] = [];
  for (const c of p.changes) {
    const gap = GAPS.find((g) => g.type === c.type && c.actions.length === 1 && c.actions[0] === 'update' && sameSet(g.attributes, c.attributes));
    if (gap) explained.push({ address: c.address, gap: gap.id });
    else unexplained.push(c);
  }
  return { explained, unexplained };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/**
 * The managed resources of a root's state, modules included, with their addresses as Terraform
 * writes them: from `terraform state pull` (no provider to start), read once after each apply.
 */
export async function stateOf(dir: string): Promise<StateResource[]> {
  const state = JSON.parse((await tf(dir, ['state', 'pull'])).stdout || '{}') as { version?: number; resources?: StateJson[] };
  if (state.resources === undefined) return [];
  if (state.version !== 4) throw new Error(`${dir}: state format version ${state.version}, not 4`);
  return state.resources.filter((r) => r.mode === 'managed').flatMap((r) => r.instances.map((i): StateResource => ({
    address: `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}${i.index_key === undefined ? '' : `[${JSON.stringify(i.index_key)}]`}`,
    type: r.type,
    values: i.attributes,
  })));
}

interface StateJson {
  module?: string;
  mode: string;
  type: string;
  name: string;
  instances: { index_key?: number | string; attributes: Record<string, unknown> }[];
}

/** The gaps a root's state must show, one per resource of each gap's type: what the re-plan has to report, no more, no less. */
export function expectedGaps(resources: readonly StateResource[]): { address: string; gap: string }[] {
  return resources.flatMap((r) => GAPS.filter((g: Gap) => g.type === r.type && (g.applies?.(r.values) ?? true)).map((g) => ({ address: r.address, gap: g.id })));
}

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
}

/** Addresses of EIPs and ENIs a plan would delete or replace: a user change must leave them be. */
export function replacedAddresses(changes: readonly Change[]): string[] {
  return changes
    .filter((c) => (c.type === 'aws_eip' || c.type === 'aws_network_interface' || c.type === 'aws_eip_association') && c.actions.includes('delete'))
    .map((c) => `${c.address} ${c.actions.join('+')}`);
}

/** A scratch directory for a root (`egress-apply-<name>-XXXXXX` in the temporary directory); see removeScratch(). */
export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `egress-apply-${name}-`));
}

/**
 * Removes the scratch directory that holds `dir`, once its root was destroyed; one whose
 * root failed on the way stays, for the failure message's path to be read.
 */
export function removeScratch(dir: string): void {
  const top = relative(tmpdir(), dir).split(sep)[0];
  if (!top.startsWith('egress-apply-')) throw new Error(`${dir} is not in a scratch directory of the apply tier`);
  rmSync(join(tmpdir(), top), { recursive: true, force: true });
}

/** A scratch tree holding a copy of modules/ and, two levels below as examples/ are, `files` or a copy of `from`. */
export function scratchRoot(name: string, from: string | Record<string, string>): string {
  const top = scratchDir(name);
  cpSync(join(ROOT, 'modules'), join(top, 'modules'), { recursive: true });
  const dir = join(top, 'examples', name);
  if (typeof from === 'string') {
    const skip = new Set(['.terraform', '.terraform.lock.hcl', 'terraform.tfstate', 'terraform.tfstate.backup']);
    cpSync(from, dir, { recursive: true, filter: (path) => !skip.has(basename(path)) });
  } else {
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(from)) writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** Edits one file of a root copy as a user would. */
export function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${path} changed nothing`);
  writeFileSync(path, after);
}

const INVENTORY = String.raw`
import json, sys, boto3
url, regions = sys.argv[1], sys.argv[2].split(",")
kw = dict(endpoint_url=url, aws_access_key_id="mock", aws_secret_access_key="mock")
out = []
def add(kind, items):
    out.extend(sorted(kind + " " + str(i) for i in items))
for region in regions:
    ec2 = boto3.client("ec2", region_name=region, **kw)
    add(region + " vpc", [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]])
    add(region + " subnet", [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]])
    add(region + " route-table", [r["RouteTableId"] for r in ec2.describe_route_tables()["RouteTables"]])
    add(region + " security-group", [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]])
    add(region + " internet-gateway", [g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]])
    add(region + " egress-only-internet-gateway", [g["EgressOnlyInternetGatewayId"] for g in ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]])
    add(region + " network-interface", [n["NetworkInterfaceId"] + " " + n.get("SubnetId", "-") + " " + json.dumps(n.get("Description", "")) for n in ec2.describe_network_interfaces()["NetworkInterfaces"]])
    add(region + " address", [a.get("AllocationId") for a in ec2.describe_addresses()["Addresses"]])
    add(region + " launch-template", [t["LaunchTemplateId"] for t in ec2.describe_launch_templates()["LaunchTemplates"]])
    add(region + " vpc-endpoint", [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"])
    add(region + " instance", [i["InstanceId"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"] if i["State"]["Name"] not in ("terminated", "shutting-down")])
    asg = boto3.client("autoscaling", region_name=region, **kw)
    add(region + " autoscaling-group", [g["AutoScalingGroupName"] for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]])
    add(region + " scheduled-action", [a["ScheduledActionName"] for a in asg.describe_scheduled_actions()["ScheduledUpdateGroupActions"]])
    cw = boto3.client("cloudwatch", region_name=region, **kw)
    add(region + " alarm", [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]])
    sns = boto3.client("sns", region_name=region, **kw)
    add(region + " topic", [t["TopicArn"] for t in sns.list_topics()["Topics"]])
    ev = boto3.client("events", region_name=region, **kw)
    add(region + " event-rule", [r["Name"] for r in ev.list_rules()["Rules"]])
s3 = boto3.client("s3", region_name="us-east-1", **kw)
add("s3 bucket", [b["Name"] for b in s3.list_buckets()["Buckets"]])
iam = boto3.client("iam", region_name="us-east-1", **kw)
add("iam role", [r["RoleName"] for r in iam.list_roles()["Roles"]])
add("iam instance-profile", [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]])
add("iam policy", [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]])
print(json.dumps(out))
`;

/** What moto holds in `regions` (and IAM), as "<region> <kind> <id>" lines: ask it before and after a root. */
export async function inventory(moto: MotoServer, regions: readonly string[]): Promise<string[]> {
  const root = await motoRoot();
  const { stdout } = await exec('chroot', [root, 'env', '-i', 'PATH=/usr/bin:/bin', 'HOME=/tmp', 'python3', '-c', INVENTORY, moto.url, regions.join(',')], { timeout: 120_000 });
  return JSON.parse(stdout) as string[];
}

/** Runs a boto3 script in moto's root against the server (argv[1] is its URL): for what a root expects to exist already. */
export async function motoPython(moto: MotoServer, script: string, args: string[] = []): Promise<string> {
  const root = await motoRoot();
  const { stdout } = await exec('chroot', [root, 'env', '-i', 'PATH=/usr/bin:/bin', 'HOME=/tmp', 'python3', '-c', script, moto.url, ...args], { timeout: 120_000 });
  return stdout;
}

export interface RootCase {
  readonly name: string;
  /** Regions the root creates resources in: where moto is asked what is left. */
  readonly regions: readonly string[];
  /** Makes the root's directory (a scratch copy; moto may be given what the root expects to exist). */
  prepare(moto: MotoServer): Promise<string>;
  /** After the first apply, before its re-plan: what a second deploy does first (synthesize again, no init), say. */
  redeploy?(dir: string): Promise<void>;
  /** The user's change, made to the root's copy. */
  change(dir: string): Promise<void> | void;
}

export interface Lifecycle {
  readonly dir: string;
  /** After the first apply: the gaps seen, and what each resource of a gap type should show. */
  readonly replan: { explained: { address: string; gap: string }[]; unexplained: Change[]; expected: { address: string; gap: string }[]; exitCode: number };
  /** The user's change as its apply planned it: all changes, and any EIP or ENI it deleted. */
  readonly change: { changes: Change[]; replaced: string[] };
  /** The re-plan after the change was applied, the gaps' attributes ignored: must be empty ("No changes"). */
  readonly replanAfterChange: Change[];
  /** moto before the apply and after the destroy. */
  readonly before: string[];
  readonly after: string[];
  /** The subnets of the root's Auto Scaling groups: where moto launched (and terminated) instances. */
  readonly groupSubnets: string[];
  /** The bucket policies given a principal moto leaves unevaluated (BUCKET_POLICY_CONDITIONS). */
  readonly bucketPolicies: string[];
  /** The root's state held a bucket policy (one is overridden wherever that is so). */
  readonly bucketPolicyApplied: boolean;
}

const byAddress = (a: { address: string; gap: string }, b: { address: string; gap: string }) => `${a.address} ${a.gap}`.localeCompare(`${b.address} ${b.gap}`);

async function replanned(dir: string, name: string, resources: readonly StateResource[]) {
  const planned = await plan(dir, name);
  // Attributes are read only where there are changes to explain ("No changes": nothing to read).
  const p = planned.exitCode === 0 ? planned : await showPlan(dir, planned);
  const { explained, unexplained } = explain(p);
  return { explained: explained.sort(byAddress), unexplained, expected: expectedGaps(resources).sort(byAddress), exitCode: p.exitCode };
}

/**
 * Once the gaps are proven: `lifecycle { ignore_changes }` for exactly the gaps' attributes, in an
 * override file next to each resource of a gap type (the root, or the scratch copy of the module
 * that holds it), so the rest of the root must re-plan to "No changes".
 */
export function ignoreGaps(dir: string, resources: readonly StateResource[]): void {
  const manifest = () => JSON.parse(readFileSync(join(dir, '.terraform', 'modules', 'modules.json'), 'utf8')) as { Modules: { Key: string; Dir: string }[] };
  const byDir = new Map<string, Record<string, Record<string, unknown>>>();
  for (const r of resources) {
    const gap = GAPS.find((g) => g.type === r.type);
    if (!gap) continue;
    // module.a.module.b.aws_x.name[0] -> key "a.b", name "name"
    const parts = r.address.replace(/\[[^\]]*\]/g, '').split('.');
    const name = parts[parts.length - 1];
    const key = parts.slice(0, -2).filter((_, i) => i % 2 === 1).join('.');
    const moduleDir = key === '' ? dir : join(dir, manifest().Modules.find((m) => m.Key === key)!.Dir);
    const resources = byDir.get(moduleDir) ?? {};
    resources[r.type] = { ...(resources[r.type] ?? {}), [name]: { lifecycle: { ignore_changes: [...gap.ignore] } } };
    byDir.set(moduleDir, resources);
  }
  for (const [moduleDir, resources] of byDir) {
    if (!moduleDir.startsWith(dirname(dirname(dir)))) throw new Error(`${moduleDir} is outside the scratch copy of ${dir}`);
    writeFileSync(join(moduleDir, 'zz_moto_gaps_override.tf.json'), JSON.stringify({ resource: resources }, null, 1));
  }
}

/** apply, (redeploy,) re-plan, change, apply the change, re-plan, destroy: one root against a moto of its own. */
export async function lifecycle(moto: MotoServer, c: RootCase): Promise<Lifecycle> {
  const dir = await c.prepare(moto);
  const before = await inventory(moto, c.regions);
  writeMotoOverride(dir, moto.url);
  const bucketPolicies = neutralizeBucketPolicies(dir);
  await init(dir);
  await apply(dir);
  const resources = await stateOf(dir);
  await c.redeploy?.(dir);
  const replan = await replanned(dir, 'replan', resources);
  ignoreGaps(dir, resources);
  await c.change(dir);
  const changed = await applyPlanned(dir);
  const change = { changes: changed, replaced: replacedAddresses(changed) };
  const afterChange = await plan(dir, 'replan-after-change');
  // Attribute by attribute only when something would change, for the failure to name it.
  const replanAfterChange = afterChange.exitCode === 0 ? afterChange.changes : (await showPlan(dir, afterChange)).changes;
  await destroy(dir);
  const after = await inventory(moto, c.regions);
  removeScratch(dir);
  return { dir, replan, change, replanAfterChange, before, after, groupSubnets: groupSubnets(resources), bucketPolicies, bucketPolicyApplied: resources.some((x) => x.type === 'aws_s3_bucket_policy') };
}

/** The assertions every root meets, so a failure names the root and the step. */
export function expectProven(name: string, r: Lifecycle): void {
  expect([name, 'unexplained re-plan changes', r.replan.unexplained]).toEqual([name, 'unexplained re-plan changes', []]);
  expect([name, 'moto gaps seen', r.replan.explained]).toEqual([name, 'moto gaps seen', r.replan.expected]);
  // No change but the gaps: plan says "No changes" exactly when no resource of a gap type exists.
  expect([name, 'plan exit code', r.replan.exitCode]).toEqual([name, 'plan exit code', r.replan.expected.length === 0 ? 0 : 2]);
  expect([name, 'the change plans something', r.change.changes.length > 0]).toEqual([name, 'the change plans something', true]);
  expect([name, 'EIPs and ENIs the change deletes', r.change.replaced]).toEqual([name, 'EIPs and ENIs the change deletes', []]);
  expect([name, 're-plan after the change', r.replanAfterChange]).toEqual([name, 're-plan after the change', []]);
  expectNothingLeft(name, r.before, r.after, r.groupSubnets);
  // Every NAT ships its boot files in a bucket of its own, behind the TLS-only policy moto cannot evaluate.
  expect([name, BUCKET_POLICY_CONDITIONS.id, r.bucketPolicyApplied, r.bucketPolicyApplied && r.bucketPolicies.length > 0]).toEqual([name, BUCKET_POLICY_CONDITIONS.id, r.groupSubnets.length > 0, r.groupSubnets.length > 0]);
}

/** The subnets the Auto Scaling groups of a state launch into. */
export function groupSubnets(resources: readonly StateResource[]): string[] {
  return resources.filter((r) => r.type === 'aws_autoscaling_group').flatMap((r) => (r.values.vpc_zone_identifier as string[] | undefined) ?? []);
}

/** moto after a destroy holds what it held before, but for the named gap of kept primary ENIs, seen exactly where an Auto Scaling group launched. */
export function expectNothingLeft(name: string, before: readonly string[], after: readonly string[], subnets: readonly string[]): void {
  const left = after.filter((line) => !before.includes(line));
  const gone = before.filter((line) => !after.includes(line));
  const keptByMoto = left.filter((line) => TERMINATED_INSTANCE_ENI.matches(line, subnets));
  expect([name, 'left behind by destroy', left.filter((line) => !keptByMoto.includes(line)), 'taken away', gone]).toEqual([name, 'left behind by destroy', [], 'taken away', []]);
  expect([name, TERMINATED_INSTANCE_ENI.id, keptByMoto.length > 0]).toEqual([name, TERMINATED_INSTANCE_ENI.id, subnets.length > 0]);
}

/**
 * Roots run side by side, each against a moto of its own, so one root's pollers wait while
 * another's provider works: alone on 2 cores the tier keeps both busy (1.96 of 2), most of it
 * the aws provider starting and planning. At most `ROOTS_AT_ONCE` per test file.
 */
const ROOTS_AT_ONCE = 3;
/** A root's bound: 15 minutes of its own, after the roots ahead of it in its file (jest's clock starts while it waits for a slot). */
export const rootTimeout = (rootsInFile: number): number => Math.ceil(rootsInFile / ROOTS_AT_ONCE) * 900_000;
let running = 0;
const waiting: (() => void)[] = [];

export async function withMoto<T>(body: (moto: MotoServer) => Promise<T>): Promise<T> {
  while (running >= ROOTS_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  let moto: MotoServer | undefined;
  try {
    moto = await startApplyMoto();
    return await body(moto);
  } catch (e) {
    // A root that failed on a call moto answered with 500 is read with moto's traceback beside it.
    throw moto && e instanceof Error ? new Error(`${e.message}\n\nmoto at ${moto.url}:\n${motoFailures(moto.output())}`, { cause: e }) : e;
  } finally {
    await moto?.stop();
    running -= 1;
    waiting.shift()?.();
  }
}

/** What moto printed about its failures: the requests it answered with 5xx and its last traceback. */
export function motoFailures(output: string): string {
  const failed = output.split('\n').filter((line) => /" 5\d\d /.test(line)).slice(-10);
  const at = output.lastIndexOf('Traceback (most recent call last)');
  const traceback = at === -1 ? '(no traceback)' : output.slice(at, at + 4000);
  return [`${failed.length === 0 ? 'no' : 'the last'} requests answered with 5xx${failed.length === 0 ? '' : ':'}`, ...failed, traceback].join('\n');
}
