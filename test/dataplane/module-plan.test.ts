// The multi-VPC example as Terraform itself renders it: examples/multi-vpc-nat is planned
// (offline provider, mock credentials), the launch template of modules/multi-vpc-nat is
// taken from `terraform show -json` and its user data decoded as EC2 and cloud-init would.
// That boot script, unit and nat.conf then run in a lab laid out like the plan: the hub
// and spoke CIDRs, the ENIs' device indexes, a host in a private subnet of every VPC.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { contains, host } from './support/addr';
import { bundleFromUserData, REPO, removeBundles, type BootBundle } from './support/boot-bundle';
import { expectEgressViaEip, expectNoConnection, forwardDrops, seenIp } from './support/expect-net';
import { EIP, INTERNET, Lab, PORTS, type HostSpec, type Instance, type VpcRef } from './support/lab';
import { requireTools } from './support/proc';
import { assertTerraformAvailable, plannedResources, terraformEnv, terraformPlan, writePlanBucketOverride, type PlannedResource, type TerraformPlanJson } from '../terraform/terraform';
import type { BootObject } from './support/boot-s3';

jest.setTimeout(30_000);

const EXAMPLE = 'multi-vpc-nat';
const MODULE_SOURCE = '../../modules/multi-vpc-nat';
/** Host number of the lab host in each VPC's private subnet. */
const HOST_N = 10;

interface Expression {
  readonly constant_value?: unknown;
  readonly references?: string[];
}
interface ModuleCall {
  readonly source: string;
  readonly expressions: Record<string, Expression>;
}
/** The parts of `terraform show -json` beyond planned_values this test reads. */
type PlanJson = TerraformPlanJson & {
  readonly configuration: {
    readonly provider_config: Record<string, { expressions?: Record<string, Expression> }>;
    readonly root_module: { readonly module_calls: Record<string, ModuleCall> };
  };
};
interface PortForward {
  protocol: string;
  port: number;
  to: string;
  to_port?: number;
  allow_from: string[];
}

/** What the example plans, read from the plan (inputs from its configuration, values from planned_values). */
interface Planned {
  readonly region: string;
  readonly name: string;
  readonly egressInterface: string;
  readonly portForwards: PortForward[];
  /** VPC module names: the one that hosts the NAT, and the spokes in input order. */
  readonly hub: string;
  readonly spokes: string[];
  readonly vpcCidr: (vpcModule: string) => string;
  readonly privateSubnet: (vpcModule: string) => string;
  /** The NAT module's ENIs, by device index (its cdktf-egress:device-index tag). */
  readonly enis: { address: string; index: number; natTag: string }[];
  readonly eipNatTag: string;
  readonly userData: string;
  /** The NAT module's boot objects: each key and the bytes of the module file it uploads. */
  readonly objects: BootObject[];
}

let scratch: string | undefined;
/** The example's root in the scratch copy: where the plan ran, and what its module sources are relative to. */
let scratchDir: string;
let planned: Planned;
let bundle: BootBundle;
let lab: Lab | undefined;
let nat: Instance;
/** Lab hosts: one in the first private subnet of each VPC the example plans. */
let hubHost: HostSpec;
let spokeHosts: HostSpec[];

/** examples/multi-vpc-nat with modules/ two levels up, as its `../../modules/...` sources expect. */
function scratchCopy(): string {
  scratch = mkdtempSync(join(tmpdir(), `egdp-${process.pid}-plan-`));
  cpSync(join(REPO, 'modules'), join(scratch, 'modules'), { recursive: true });
  const skip = new Set(['.terraform', '.terraform.lock.hcl', 'terraform.tfstate', 'terraform.tfstate.backup']);
  const dir = join(scratch, 'examples', EXAMPLE);
  cpSync(join(REPO, 'examples', EXAMPLE), dir, { recursive: true, filter: (p) => !skip.has(basename(p)) });
  // The manifest in user data names the boot bucket: named at plan, the user data is known.
  if (!writePlanBucketOverride(join(scratch, 'modules', 'multi-vpc-nat'))) throw new Error('modules/multi-vpc-nat has no boot bucket');
  return dir;
}

function readPlan(show: PlanJson): Planned {
  const resources = plannedResources(show.planned_values.root_module);
  const calls = show.configuration.root_module.module_calls;
  const natCalls = Object.entries(calls).filter(([, c]) => c.source === MODULE_SOURCE);
  if (natCalls.length !== 1) throw new Error(`expected one call of ${MODULE_SOURCE}, found ${natCalls.length}`);
  const [natModule, natCall] = natCalls[0];
  const input = (key: string): Expression => {
    const e = natCall.expressions[key];
    if (!e) throw new Error(`module.${natModule} has no ${key} argument`);
    return e;
  };
  const constant = <T>(key: string): T => {
    const v = input(key).constant_value;
    if (v === undefined) throw new Error(`module.${natModule}.${key} is not a constant in the example`);
    return v as T;
  };
  // `module.app1.vpc_cidr_block` references, in the order the arguments name them.
  const vpcModules = (key: string): string[] => [
    ...new Set((input(key).references ?? []).map((r) => /^module\.([\w-]+)\.vpc_cidr_block$/.exec(r)?.[1]).filter((m): m is string => !!m)),
  ];
  const one = (address: string): PlannedResource => {
    const r = resources.find((x) => x.address === address);
    if (!r) throw new Error(`the plan has no ${address}`);
    return r;
  };
  const templates = resources.filter((r) => r.type === 'aws_launch_template' && r.address.startsWith(`module.${natModule}.`));
  if (templates.length !== 1 || typeof templates[0].values.user_data !== 'string') {
    throw new Error(`expected one launch template with known user_data in module.${natModule}, found ${templates.map((t) => t.address).join(', ') || 'none'}`);
  }
  const tags = (r: PlannedResource): Record<string, string> => (r.values.tags ?? {}) as Record<string, string>;
  const hubs = vpcModules('hub_cidr_blocks');
  if (hubs.length !== 1) throw new Error(`hub_cidr_blocks should name one VPC module, names ${hubs.join(', ') || 'none'}`);
  return {
    region: String(show.configuration.provider_config.aws?.expressions?.region?.constant_value),
    name: constant<string>('name'),
    egressInterface: constant<string>('egress_interface'),
    portForwards: constant<PortForward[]>('port_forwards'),
    hub: hubs[0],
    spokes: vpcModules('spokes'),
    vpcCidr: (m) => String(one(`module.${m}.aws_vpc.this`).values.cidr_block),
    privateSubnet: (m) => {
      const subnets = resources.filter((r) => r.address.startsWith(`module.${m}.aws_subnet.private[`)).sort((a, b) => a.address.localeCompare(b.address));
      if (subnets.length === 0) throw new Error(`module.${m} plans no private subnet`);
      return String(subnets[0].values.cidr_block);
    },
    enis: resources
      .filter((r) => r.type === 'aws_network_interface' && r.address.startsWith(`module.${natModule}.`))
      .map((r) => ({ address: r.address, index: Number(tags(r)['cdktf-egress:device-index']), natTag: tags(r)['cdktf-egress:nat'] }))
      .sort((a, b) => a.index - b.index),
    eipNatTag: tags(one(`module.${natModule}.aws_eip.this`))['cdktf-egress:nat'],
    userData: String(templates[0].values.user_data),
    objects: resources.filter((r) => r.type === 'aws_s3_object' && r.address.startsWith(`module.${natModule}.`)).map((r) => ({
      key: String(r.values.key),
      content: typeof r.values.content === 'string' ? Buffer.from(r.values.content) : readFileSync(resolve(scratchDir, String(r.values.source))),
    })),
  };
}

/** The device index nat.conf gives the spoke with this CIDR (the lab's name for that VPC). */
function spokeIndex(conf: Readonly<Record<string, string>>, cidr: string): number {
  const entry = (conf.SPOKES ?? '').split(' ').find((e) => e.split('=')[1]?.split(',').includes(cidr));
  if (!entry) throw new Error(`nat.conf SPOKES="${conf.SPOKES}" has no spoke with ${cidr}`);
  return Number(entry.split('=')[0]);
}

const hostNs = (h: HostSpec): string => lab!.host(h.vpc, h.ip);
const served = (): HostSpec[] => [...(bundle.conf.EGRESS_MODE === 'dedicated' ? [hubHost] : []), ...spokeHosts];

beforeAll(async () => {
  requireTools('ip', 'nft', 'python3', 'curl');
  await assertTerraformAvailable();
  scratchDir = scratchCopy();
  const { show } = await terraformPlan(scratchDir);
  planned = readPlan(show as PlanJson);
  bundle = await bundleFromUserData(planned.userData, planned.name, planned.objects);
  hubHost = { vpc: 'hub', ip: host(planned.privateSubnet(planned.hub), HOST_N) };
  spokeHosts = planned.spokes.map((m): HostSpec => ({ vpc: spokeIndex(bundle.conf, planned.vpcCidr(m)) as VpcRef, ip: host(planned.privateSubnet(m), HOST_N) }));
  lab = await Lab.create({ name: 'plan', bundle, natVpcCidr: planned.vpcCidr(planned.hub), hosts: [hubHost, ...spokeHosts] });
  nat = await lab.launch();
  const boot = await lab.boot(nat, 20_000);
  if (boot.code !== 0) throw new Error(`boot script exited ${boot.code ?? boot.signal} after ${boot.ms} ms:\n${boot.stderr}${boot.stdout}`);
}, 300_000);

afterAll(async () => {
  try {
    await lab?.destroy();
  } finally {
    removeBundles();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    // The empty CLI config terraform.ts made for this worker (this file's module instance).
    const tfrc = terraformEnv().TF_CLI_CONFIG_FILE;
    if (tfrc && basename(dirname(tfrc)).startsWith('egress-tfrc-')) rmSync(dirname(tfrc), { recursive: true, force: true });
  }
});

test('the example plans a dedicated egress ENI and two spokes', () => {
  expect(planned.egressInterface).toBe('dedicated');
  expect(planned.spokes).toHaveLength(2);
  expect(planned.enis.map((e) => e.index)).toEqual([1, 2, 3]);
});

test('nat.conf, as Terraform rendered it, carries the example\'s inputs', () => {
  const spokes = planned.spokes.map((m, i) => `${planned.enis[i + 1].index}=${planned.vpcCidr(m)}`).join(' ');
  const forwards = planned.portForwards.map((f) => `${f.protocol}:${f.port}:${f.to}:${f.to_port ?? f.port}:${f.allow_from.join(',')}`).join(' ');
  expect(bundle.conf).toMatchObject({
    NAT_ID: planned.name,
    REGION: planned.region,
    EGRESS_MODE: planned.egressInterface,
    HUB_CIDRS: planned.vpcCidr(planned.hub),
    SPOKES: spokes,
    PORT_FORWARDS: forwards,
  });
  // The boot script finds its ENIs and EIP by this tag: the module must set it to NAT_ID.
  expect([...planned.enis.map((e) => e.natTag), planned.eipNatTag]).toEqual(planned.enis.map(() => planned.name).concat(planned.name));
});

test('the boot attached the planned ENIs at their device indexes, each in its VPC', () => {
  const attached = lab!.calls().filter((c) => c.operation === 'attach-network-interface' && c.ok).map((c) => Number(c.params['device-index']));
  expect(attached.sort((a, b) => a - b)).toEqual(planned.enis.map((e) => e.index));
  expect(lab!.enis.map((e) => [e.idx, e.vpcCidrs])).toEqual([
    [1, [planned.vpcCidr(planned.hub)]],
    ...planned.spokes.map((m, i) => [planned.enis[i + 1].index, [planned.vpcCidr(m)]]),
  ]);
});

test('every served host reaches the internet with the EIP as source', async () => {
  expect(served()).toHaveLength(1 + planned.spokes.length);
  await Promise.all(served().map((h) => expectEgressViaEip(lab!, hostNs(h), `plan-${h.vpc}-${h.ip}`)));
});

test('a spoke host cannot reach the other spoke or the hub through the NAT', async () => {
  const [a, b] = spokeHosts;
  const drops = await forwardDrops(lab!, nat);
  await Promise.all([
    expectNoConnection(lab!, hostNs(a), b.ip, PORTS.whoami),
    expectNoConnection(lab!, hostNs(b), a.ip, PORTS.whoami),
    expectNoConnection(lab!, hostNs(a), hubHost.ip, PORTS.whoami),
    expectNoConnection(lab!, hostNs(hubHost), b.ip, PORTS.whoami),
  ]);
  expect(await forwardDrops(lab!, nat)).toBeGreaterThanOrEqual(drops + 4);
});

test('the planned port forward reaches its host from allowed sources only', async () => {
  expect(planned.portForwards).toHaveLength(1);
  const [f] = planned.portForwards;
  expect(served().map((h) => h.ip)).toContain(f.to);
  const inside = (ip: string): boolean => f.allow_from.some((c) => contains(c, ip));
  const allowed = [INTERNET.host, INTERNET.other, INTERNET.api4].find(inside);
  const denied = [INTERNET.host, INTERNET.other, INTERNET.api4].find((ip) => !inside(ip));
  expect({ allowed: !!allowed, denied: !!denied }).toEqual({ allowed: true, denied: true });
  // The lab hosts serve whoami on port 80 (the forward's to_port here).
  expect(f.to_port ?? f.port).toBe(80);
  const r = await lab!.probe(lab!.ns('inet'), ['tcp-whoami', EIP, String(f.port), '--src', allowed!]);
  expect(seenIp(r)).toBe(allowed);
  await expectNoConnection(lab!, lab!.ns('inet'), EIP, f.port, ['--src', denied!]);
});
