import { expandEndpoints } from '../endpoints/services';
import { architectureOf, enisNeeded, firstSpokeDeviceIndex, instanceTypeInfo, INSTANCE_TYPES, typesShortOfEnis } from '../nat/instance-types';
import { MAX_VPC_PREFIX, MIN_VPC_PREFIX } from '../network/subnet-layout';
import { checkGeneratedNames, checkTags } from './aws-limits';
import { containsAddress, coversEverything, isNetworkAddress, isStrictAddress, isStrictCidr, networkOf, overlaps, range, withoutLeadingZeros } from './cidr';
import { checkDefaultInstanceTypes, checkForwardTarget, checkHubLeftWithoutRoute, checkSpokeOverlapsHub, checkWriteFiles } from './nat-checks';
import { scheduleWarnings } from './schedule';
import { hasPublicSubnets } from './public-subnets';
import { natWatchdogConfig } from './monitoring';
import type { ExistingVpcSpec, NatInstanceSpec, Spec, VpcSpec } from './schema';

export type IssuePath = readonly (string | number)[];

export interface Issue {
  /** Where in the spec, e.g. `['natInstances', 0, 'spokes', 0]`. */
  readonly path: IssuePath;
  /** What is wrong and what would be right. */
  readonly message: string;
  /** Errors stop synthesis; warnings are printed. */
  readonly level: 'error' | 'warning';
}

/** A VPC named in the spec, created or existing, as the checks need to see it. */
export interface NamedVpc {
  readonly name: string;
  readonly path: IssuePath;
  readonly cidrs: string[];
  readonly azs: string[];
  readonly privateAzs: string[];
  readonly publicAzs: string[];
  readonly privateRouteTables: { id: string; path: IssuePath }[];
  readonly publicRouteTables: string[];
  /** False when the VPC's own definition had errors: checks that build on it stay quiet. */
  readonly valid: boolean;
}

/** Cross-field checks on a spec that already passed the schema. */
export function checkSpec(spec: Spec): Issue[] {
  const issues: Issue[] = [];
  const error = (path: IssuePath, message: string) => issues.push({ path, message, level: 'error' });
  const warn = (path: IssuePath, message: string) => issues.push({ path, message, level: 'warning' });

  const named = [
    ...spec.vpcs.map((vpc, i) => ({ ...createdVpc(spec, vpc, i), valid: checkCreatedVpc(spec, vpc, ['vpcs', i], error) })),
    ...spec.existingVpcs.map((vpc, i) => ({ ...existingVpc(vpc, i), valid: checkExistingVpc(vpc, ['existingVpcs', i], error) })),
  ];
  const vpcs = new Map<string, NamedVpc>();
  for (const vpc of named) {
    if (vpcs.has(vpc.name)) error([...vpc.path, 'name'], `VPC name "${vpc.name}" is used twice; VPC names must be unique across vpcs and existingVpcs`);
    else vpcs.set(vpc.name, vpc);
  }

  checkTags(spec, error);
  checkGeneratedNames(spec, error);
  checkNats(spec, vpcs, error);
  checkHubLeftWithoutRoute(spec, vpcs, error);
  checkEndpoints(spec, vpcs, error, warn);
  issues.push(...scheduleWarnings(spec.natInstances));
  return issues;
}

export type Report = (path: IssuePath, message: string) => void;

function checkCreatedVpc(spec: Spec, vpc: VpcSpec, path: IssuePath, error: Report): boolean {
  let valid = checkCidr(vpc.cidr, [...path, 'cidr'], error, { min: MIN_VPC_PREFIX, max: MAX_VPC_PREFIX });
  const seen = new Set<string>();
  vpc.azs.forEach((az, j) => {
    if (!az.startsWith(spec.region)) {
      error([...path, 'azs', j], `"${az}" is not in region ${spec.region}; use an AZ such as ${spec.region}a`);
      valid = false;
    }
    if (seen.has(az)) {
      error([...path, 'azs', j], `"${az}" is listed twice; list each AZ once`);
      valid = false;
    }
    seen.add(az);
  });
  return valid;
}

function checkExistingVpc(vpc: ExistingVpcSpec, path: IssuePath, report: Report): boolean {
  let valid = true;
  const error: Report = (at, message) => {
    valid = false;
    report(at, message);
  };
  const cidrs = [vpc.cidr, ...vpc.secondaryCidrs];
  checkCidr(vpc.cidr, [...path, 'cidr'], error, { min: 16, max: 28 });
  vpc.secondaryCidrs.forEach((cidr, j) => {
    if (!checkCidr(cidr, [...path, 'secondaryCidrs', j], error, { min: 16, max: 28 })) return;
    const clash = cidrs.slice(0, j + 1).find((other) => isCheckableCidr(other) && overlaps(cidr, other));
    if (clash) error([...path, 'secondaryCidrs', j], `${cidr} overlaps ${clash} of the same VPC; VPC CIDR blocks must not overlap`);
  });
  const ids = new Set<string>();
  vpc.subnets.forEach((subnet, j) => {
    if (ids.has(subnet.id)) error([...path, 'subnets', j, 'id'], `subnet ${subnet.id} is listed twice; list each subnet once`);
    ids.add(subnet.id);
  });
  return valid;
}

/** Only strictly written CIDRs reach the arithmetic: nothing later can throw on an odd one. */
function isCheckableCidr(cidr: string): boolean {
  return isStrictCidr(cidr);
}

/** Every CIDR field goes through here: strict syntax, no leading zeros, prefix range, no host bits. */
export function checkCidr(cidr: string, path: IssuePath, error: Report, prefix: { min: number; max: number }): boolean {
  if (!isCheckableCidr(cidr)) {
    const fixed = withoutLeadingZeros(cidr);
    if (fixed) error(path, `"${cidr}" has a leading zero in an octet, which AWS and Terraform do not accept; write ${fixed}`);
    else error(path, `"${cidr}" is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16`);
    return false;
  }
  const { prefix: length } = range(cidr);
  if (length < prefix.min || length > prefix.max) {
    error(path, `/${length} is outside /${prefix.min}../${prefix.max}; use a prefix length in that range`);
    return false;
  }
  if (!isNetworkAddress(cidr)) {
    error(path, `${cidr} is not a network address; did you mean ${networkOf(cidr)}?`);
    return false;
  }
  return true;
}

function createdVpc(spec: Spec, vpc: VpcSpec, i: number): Omit<NamedVpc, 'valid'> {
  return {
    name: vpc.name,
    path: ['vpcs', i],
    cidrs: [vpc.cidr],
    azs: vpc.azs,
    privateAzs: vpc.azs,
    publicAzs: hasPublicSubnets(spec, vpc) ? vpc.azs : [],
    privateRouteTables: [],
    publicRouteTables: [],
  };
}

function existingVpc(vpc: ExistingVpcSpec, i: number): Omit<NamedVpc, 'valid'> {
  const path: IssuePath = ['existingVpcs', i];
  const privateSubnets = vpc.subnets.map((s, j) => ({ s, j })).filter(({ s }) => !s.public);
  const publicSubnets = vpc.subnets.filter((s) => s.public);
  const tables = new Map<string, IssuePath>();
  privateSubnets.forEach(({ s, j }) => tables.has(s.routeTableId) || tables.set(s.routeTableId, [...path, 'subnets', j, 'routeTableId']));
  return {
    name: vpc.name,
    path,
    cidrs: [vpc.cidr, ...vpc.secondaryCidrs],
    azs: [...new Set(vpc.subnets.map((s) => s.az))],
    privateAzs: [...new Set(privateSubnets.map(({ s }) => s.az))],
    publicAzs: [...new Set(publicSubnets.map((s) => s.az))],
    privateRouteTables: [...tables].map(([id, p]) => ({ id, path: p })),
    publicRouteTables: publicSubnets.map((s) => s.routeTableId),
  };
}

function checkNats(spec: Spec, vpcs: Map<string, NamedVpc>, error: Report): void {
  const natNames = new Set<string>();
  const servedBy = new Map<string, string>();
  const routeTableOwner = new Map<string, string>();
  spec.natInstances.forEach((nat, i) => {
    const path: IssuePath = ['natInstances', i];
    if (natNames.has(nat.name)) error([...path, 'name'], `NAT name "${nat.name}" is used twice; NAT names must be unique`);
    natNames.add(nat.name);
    const hub = vpcs.get(nat.vpc);
    if (!hub) {
      error([...path, 'vpc'], `unknown VPC "${nat.vpc}"; use one of: ${[...vpcs.keys()].join(', ') || '(no VPCs defined)'}`);
      return;
    }
    if (!hub.publicAzs.includes(nat.az)) {
      const fix = hub.publicAzs.length > 0
        ? `use one of: ${hub.publicAzs.join(', ')}`
        : `it has no public subnets at all; ${hub.path[0] === 'vpcs' ? `set publicSubnets: true on VPC "${hub.name}"` : 'add a subnet with public: true'}`;
      error([...path, 'az'], `VPC "${hub.name}" has no public subnet in ${nat.az}; ${fix}`);
    }
    const serve = (vpcName: string, where: IssuePath) => {
      const other = servedBy.get(vpcName);
      if (other) {
        error(where, `VPC "${vpcName}" is already served by NAT "${other}"; a VPC's private route tables can point at one NAT only`);
        return false;
      }
      servedBy.set(vpcName, nat.name);
      return true;
    };
    if (nat.egressInterface === 'dedicated' && serve(hub.name, [...path, 'vpc'])) {
      claimRouteTables(hub, nat.name, routeTableOwner, error);
    }
    if (nat.egressInterface === 'primary' && nat.spokes.length === 0) {
      error([...path, 'spokes'], 'egressInterface "primary" serves only spokes; list at least one spoke, or use egressInterface "dedicated" to serve the NAT\'s own VPC');
    }
    let spokeProblems = 0;
    const spokeError: Report = (at, message) => {
      spokeProblems += 1;
      error(at, message);
    };
    nat.spokes.forEach((name, j) => {
      const where: IssuePath = [...path, 'spokes', j];
      const error = spokeError;
      const spoke = vpcs.get(name);
      if (!spoke) return error(where, `unknown VPC "${name}"; use one of: ${[...vpcs.keys()].join(', ')}`);
      if (name === nat.vpc) return error(where, `"${name}" is the NAT's own VPC; the NAT serves it through its egress ENI, not as a spoke`);
      if (!spoke.privateAzs.includes(nat.az)) {
        return error(where, `spoke "${name}" has no private subnet in ${nat.az} (the NAT's AZ; the spoke has ${spoke.privateAzs.join(', ') || 'none'}); an ENI can only be attached in the instance's AZ (InvalidParameterCombination)`);
      }
      if (serve(name, where)) claimRouteTables(spoke, nat.name, routeTableOwner, error);
    });
    checkInstanceTypes(nat, path, error);
    checkDefaultInstanceTypes(nat, path, error);
    if (hub.valid) spokes0(nat, vpcs).forEach(({ spoke, j }) => checkSpokeOverlapsHub(hub, spoke, [...path, 'spokes', j], error));
    nat.sshAllowFrom.forEach((cidr, k) => checkCidr(cidr, [...path, 'sshAllowFrom', k], error, { min: 0, max: 32 }));
    checkWriteFiles(nat, [...path, 'userData', 'writeFiles'], error);
    const spokes = [...new Set(nat.spokes)].map((s) => vpcs.get(s)).filter((v): v is NamedVpc => v !== undefined && v.name !== hub.name);
    const servedKnown = spokeProblems === 0 && [hub, ...spokes].every((v) => v.valid);
    checkPortForwards(nat, hub, spokes, servedKnown, path, error);
    checkUserDataSize(spec, nat, vpcs, [...path, 'userData'], error);
    if (nat.sshAllowFrom.length > 0 && !nat.keyName) {
      error([...path, 'sshAllowFrom'], 'SSH is opened only with a key pair; set keyName, or drop sshAllowFrom and use Session Manager');
    }
  });
}

/** The spokes that name a valid VPC other than the hub, with their index in `spokes`. */
function spokes0(nat: NatInstanceSpec, vpcs: Map<string, NamedVpc>): { spoke: NamedVpc; j: number }[] {
  return nat.spokes.flatMap((name, j) => {
    const spoke = vpcs.get(name);
    return spoke && spoke.valid && name !== nat.vpc ? [{ spoke, j }] : [];
  });
}

/**
 * Renders the NAT's user data at its largest (the dual-stack endpoints, the longest bucket
 * name in the manifest), only when the spec adds to it: the limit is then checked before
 * anything is synthesized, though Terraform learns the bucket's name only at apply.
 */
function checkUserDataSize(spec: Spec, nat: NatInstanceSpec, vpcs: Map<string, NamedVpc>, path: IssuePath, error: Report): void {
  if (nat.userData.writeFiles.length === 0 && nat.userData.runcmd.length === 0) return;
  // Loaded lazily: only specs with extra user data pay for it.
  const userData = require('../nat/user-data') as typeof import('../nat/user-data');
  const bootConfig = userData.renderBootConfig({
    natId: `${spec.project}-${nat.name}`,
    region: spec.region,
    egressMode: nat.egressInterface,
    ec2EndpointUrl: `https://ec2.${spec.region}.api.aws`,
    hubCidrs: vpcs.get(nat.vpc)?.cidrs ?? [],
    spokes: nat.spokes.map((name, i) => ({ deviceIndex: firstSpokeDeviceIndex(nat.egressInterface) + i, cidrs: vpcs.get(name)?.cidrs ?? [] })),
    portForwards: nat.portForwards.map((f) => ({ ...f, toPort: f.toPort ?? f.port })),
  });
  const watchdogConfig = natWatchdogConfig(spec, nat);
  const bootManifest = userData.largestBootManifest(spec.region, watchdogConfig !== undefined);
  const bytes = userData.userDataBytes({ bootConfig, bootManifest, writeFiles: nat.userData.writeFiles, runcmd: nat.userData.runcmd, watchdogConfig });
  if (bytes > userData.USER_DATA_LIMIT) error(path, userData.userDataTooLarge(bytes));
}

function claimRouteTables(vpc: NamedVpc, natName: string, owner: Map<string, string>, error: Report): void {
  for (const table of vpc.privateRouteTables) {
    if (vpc.publicRouteTables.includes(table.id)) {
      error(table.path, `route table ${table.id} also serves a public subnet and already has a default route to the internet gateway; give private subnets their own route table`);
    } else if (owner.has(table.id) && owner.get(table.id) !== vpc.name) {
      error(table.path, `route table ${table.id} is also used by VPC "${owner.get(table.id)}"; it would get two default routes (NAT "${natName}")`);
    } else {
      owner.set(table.id, vpc.name);
    }
  }
}

function checkInstanceTypes(nat: NatInstanceSpec, path: IssuePath, error: Report): void {
  if (!nat.instanceTypes) return;
  const needed = enisNeeded(nat.egressInterface, nat.spokes.length);
  const unknown = nat.instanceTypes.filter((type) => !instanceTypeInfo(type));
  if (unknown.length > 0) {
    const families = [...new Set(INSTANCE_TYPES.map((info) => info.type.split('.')[0]))].join(', ');
    error([...path, 'instanceTypes'], `unknown instance type ${unknown.join(', ')}: its ENI limit is not known; use types of the families ${families}`);
    return;
  }
  const architectures = [...new Set(nat.instanceTypes.map(architectureOf))];
  if (architectures.length > 1) {
    error([...path, 'instanceTypes'], `instance types mix architectures (${architectures.join(' and ')}); one launch template boots one AMI, so list types of one architecture`);
  }
  const short = typesShortOfEnis(nat.instanceTypes, needed);
  if (short.length > 0) {
    const list = short.map((info) => `${info.type} (${info.maxEnis})`).join(', ');
    error([...path, 'instanceTypes'], `${list} cannot carry the ${needed} network interfaces this NAT needs (${describeEnis(nat)}); choose larger types, or egressInterface "primary" to save one`);
  }
}

function describeEnis(nat: NatInstanceSpec): string {
  const parts = ['primary'];
  if (nat.egressInterface === 'dedicated') parts.push('egress ENI');
  if (nat.spokes.length > 0) parts.push(`${nat.spokes.length} spoke ENI${nat.spokes.length > 1 ? 's' : ''}`);
  return parts.join(' + ');
}

function checkPortForwards(nat: NatInstanceSpec, hub: NamedVpc, spokes: NamedVpc[], servedKnown: boolean, path: IssuePath, error: Report): void {
  const served = nat.egressInterface === 'dedicated' ? [hub, ...spokes] : spokes;
  const listeners = new Set<string>();
  nat.portForwards.forEach((forward, k) => {
    const where: IssuePath = [...path, 'portForwards', k];
    const key = `${forward.protocol}/${forward.port}`;
    if (listeners.has(key)) error([...where, 'port'], `${key} is forwarded twice; each protocol and port can be forwarded once`);
    listeners.add(key);
    let allowOk = true;
    forward.allowFrom.forEach((cidr, m) => {
      if (!checkCidr(cidr, [...where, 'allowFrom', m], error, { min: 0, max: 32 })) {
        allowOk = false;
        return;
      }
      if (range(cidr).prefix === 0 && !forward.allowAnywhere) {
        allowOk = false;
        error([...where, 'allowFrom', m], `${cidr} opens the port to the whole internet; set allowAnywhere: true to mean it, or narrow the range`);
      }
    });
    if (allowOk && !forward.allowAnywhere && coversEverything(forward.allowFrom)) {
      error([...where, 'allowFrom'], `${forward.allowFrom.join(', ')} together cover the whole internet; set allowAnywhere: true to mean it, or narrow the ranges`);
    }
    if (forward.protocol === 'tcp' && forward.port === 22 && nat.sshAllowFrom.length > 0) {
      error([...where, 'port'], 'tcp/22 is forwarded while sshAllowFrom opens SSH to the NAT: the forward would take over SSH to the EIP; forward another port (for example 2222 with toPort 22), or drop sshAllowFrom');
    }
    if (!isStrictAddress(forward.to)) {
      const fixed = withoutLeadingZeros(forward.to);
      error([...where, 'to'], fixed ? `"${forward.to}" has a leading zero in an octet, which AWS and Terraform do not accept; write ${fixed}` : `"${forward.to}" is not a valid IPv4 address; use a host address such as 10.1.0.10`);
      return;
    }
    // Where the target lives is only judged once every served VPC is itself sound.
    if (!servedKnown) return;
    const owners = served.filter((vpc) => vpc.cidrs.some((cidr) => isCheckableCidr(cidr) && containsAddress(cidr, forward.to)));
    if (owners.length === 0) {
      error([...where, 'to'], `${forward.to} is in none of the VPCs this NAT serves (${served.map((v) => `${v.name} ${v.cidrs.join(',')}`).join('; ')}); forward to a host in one of them`);
    } else if (owners.length > 1) {
      error([...where, 'to'], `${forward.to} is in ${owners.map((v) => v.name).join(' and ')}, whose CIDRs overlap; a forward must name one host`);
    } else {
      checkForwardTarget(forward.to, owners[0], [...where, 'to'], error);
    }
  });
}

function checkEndpoints(spec: Spec, vpcs: Map<string, NamedVpc>, error: Report, warn: Report): void {
  const seen = new Set<string>();
  spec.endpoints.forEach((entry, i) => {
    const path: IssuePath = ['endpoints', i];
    const vpc = vpcs.get(entry.vpc);
    if (!vpc) return error([...path, 'vpc'], `unknown VPC "${entry.vpc}"; use one of: ${[...vpcs.keys()].join(', ')}`);
    if (seen.has(entry.vpc)) error([...path, 'vpc'], `VPC "${entry.vpc}" has a second endpoints entry; merge them into one`);
    seen.add(entry.vpc);
    const gateways = new Set<string>();
    entry.gateway.forEach((service, j) => {
      if (gateways.has(service)) error([...path, 'gateway', j], `"${service}" is listed twice; list it once`);
      gateways.add(service);
    });
    if (entry.gateway.length > 0 && vpc.privateRouteTables.length === 0 && vpc.path[0] === 'existingVpcs') {
      error([...path, 'gateway'], `VPC "${vpc.name}" has no private subnet with a route table to add gateway endpoints to`);
    }
    const expanded = expandEndpoints(entry.interface, entry.gateway);
    expanded.problems.forEach((p) => error([...path, 'interface', p.index], p.message));
    if (entry.placement === 'per-az' && vpc.privateAzs.length < 2) {
      warn([...path, 'placement'], `per-az in VPC "${vpc.name}" with one AZ is the same as single-subnet`);
    }
    if (expanded.interface.length > 0 && vpc.privateAzs.length === 0) {
      error([...path, 'interface'], `VPC "${vpc.name}" has no private subnet to place interface endpoints in`);
    }
  });
}
