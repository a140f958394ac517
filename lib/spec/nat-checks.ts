import { posix } from 'node:path';
import { enisNeeded, INSTANCE_TYPES } from '../nat/instance-types';
import { subnetLayout } from '../network/subnet-layout';
import type { IssuePath, NamedVpc, Report } from './checks';
import { containsAddress, overlaps, reservedRole } from './cidr';
import { quote } from './message';
import type { NatInstanceSpec, Spec } from './schema';

/** The boot script's systemd-networkd files (`40-cdktf-egress-dev<N>.network`). */
const OWNED_PATTERN = /^\/etc\/systemd\/(network\/40-cdktf-egress-|system\/cdktf-egress-)/;
/** The boot loader's verified copies of the boot files. */
const BOOT_CACHE_DIR = '/var/lib/cdktf-egress';

/** `userData.writeFiles`: no path the NAT owns, no path twice (compared after normalizing). */
export function checkWriteFiles(nat: NatInstanceSpec, path: IssuePath, error: Report): void {
  if (nat.userData.writeFiles.length === 0) return;
  // Loaded lazily (it brings cdktf): only specs that write files pay for it.
  const { BOOT_CONFIG_PATH, BOOT_SCRIPT_PATH, BOOT_UNIT_PATH } = require('../nat/user-data') as typeof import('../nat/user-data');
  // Directories whose files the NAT's boot writes and rewrites; user data must leave them alone.
  const OWNED_DIRS = [posix.dirname(BOOT_SCRIPT_PATH), posix.dirname(BOOT_CONFIG_PATH), BOOT_CACHE_DIR];
  const OWNED_FILES = [BOOT_SCRIPT_PATH, BOOT_CONFIG_PATH, BOOT_UNIT_PATH];
  const seen = new Map<string, number>();
  nat.userData.writeFiles.forEach((file, k) => {
    const normal = posix.normalize(file.path).replace(/\/+$/, '');
    const at: IssuePath = [...path, k, 'path'];
    if (OWNED_FILES.includes(normal) || OWNED_DIRS.some((dir) => normal === dir || normal.startsWith(`${dir}/`)) || OWNED_PATTERN.test(normal)) {
      error(at, `${quote(file.path)} belongs to the NAT's boot (${OWNED_DIRS.join(', ')}, /etc/systemd/system/cdktf-egress-*, /etc/systemd/network/40-cdktf-egress-*); write your file elsewhere`);
    } else if (seen.has(normal)) {
      error(at, `${quote(file.path)} is also written by writeFiles[${seen.get(normal)}]; cloud-init would keep only the last; write each path once`);
    } else {
      seen.set(normal, k);
    }
  });
}

/** Without listed types, the default must exist: the largest catalog type bounds the spokes. */
export function checkDefaultInstanceTypes(nat: NatInstanceSpec, path: IssuePath, error: Report): void {
  if (nat.instanceTypes) return;
  const needed = enisNeeded(nat.egressInterface, nat.spokes.length);
  const most = Math.max(...INSTANCE_TYPES.filter((t) => t.architecture === 'arm64').map((t) => t.maxEnis));
  if (needed > most) {
    const maxSpokes = most - enisNeeded(nat.egressInterface, 0);
    error([...path, 'spokes'], `${nat.spokes.length} spokes need ${needed} network interfaces; the largest default instance type carries ${most}, so serve at most ${maxSpokes} spokes from this NAT and the rest from another`);
  }
}

/** A spoke overlapping the hub: replies to hub hosts would route out of the spoke's ENI. */
export function checkSpokeOverlapsHub(hub: NamedVpc, spoke: NamedVpc, path: IssuePath, error: Report): void {
  for (const a of spoke.cidrs) {
    const clash = hub.cidrs.find((b) => overlaps(a, b));
    if (clash) {
      error(path, `spoke "${spoke.name}" (${a}) overlaps the NAT's own VPC "${hub.name}" (${clash}); replies to ${hub.name} would leave through the spoke's ENI, so give the spoke a CIDR outside ${clash}`);
      return;
    }
  }
}

/** A created hub whose NATs all use `primary` gets no IPv4 default route in its private subnets. */
export function checkHubLeftWithoutRoute(spec: Spec, vpcs: Map<string, NamedVpc>, error: Report): void {
  const served = new Set(spec.natInstances.flatMap((nat) => [...nat.spokes, ...(nat.egressInterface === 'dedicated' ? [nat.vpc] : [])]));
  spec.natInstances.forEach((nat, i) => {
    const hub = vpcs.get(nat.vpc);
    if (nat.egressInterface !== 'primary' || nat.allowHubWithoutEgress || nat.spokes.length === 0 || !hub || !hub.valid || hub.path[0] !== 'vpcs' || served.has(hub.name)) return;
    const layout = subnetLayout(hub.cidrs[0], hub.azs.length);
    const subnets = layout.private.map((cidr, k) => `${cidr} in ${hub.azs[k]}`).join(', ');
    error(['natInstances', i, 'egressInterface'], `"primary" leaves the private subnets of VPC "${hub.name}" (${subnets}) with no IPv4 default route; use egressInterface "dedicated" to serve ${hub.name} too, serve it from another NAT, or set allowHubWithoutEgress: true if nothing there needs IPv4 egress`);
  });
}

/** A forward target must be a host: not a subnet's network, broadcast or AWS-reserved address. */
export function checkForwardTarget(to: string, owner: NamedVpc, path: IssuePath, error: Report): void {
  if (owner.path[0] !== 'vpcs') {
    // Existing VPC: its subnets are unknown, but the VPC's first four and last addresses are always reserved.
    const cidr = owner.cidrs.find((c) => containsAddress(c, to));
    const role = cidr && reservedRole(cidr, to);
    if (role) error(path, `${to} is ${role} of a subnet of VPC "${owner.name}" (${cidr}); forward to a host address`);
    return;
  }
  const layout = subnetLayout(owner.cidrs[0], owner.azs.length);
  const subnets = [...layout.public.map((c, k) => ({ c, what: `public subnet in ${owner.azs[k]}` })), ...layout.private.map((c, k) => ({ c, what: `private subnet in ${owner.azs[k]}` }))];
  const subnet = subnets.find((s) => containsAddress(s.c, to));
  if (!subnet) {
    error(path, `${to} is in no subnet of VPC "${owner.name}" (${subnets.map((s) => s.c).join(', ')}); forward to a host in one of them`);
    return;
  }
  const role = reservedRole(subnet.c, to);
  if (role) error(path, `${to} is ${role} of ${owner.name}'s ${subnet.what} (${subnet.c}); forward to a host address`);
}
