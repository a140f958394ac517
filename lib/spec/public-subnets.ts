import type { Spec, VpcSpec } from './schema';

/**
 * Whether a created VPC gets an internet gateway and public subnets: as its `publicSubnets`
 * says, else yes unless it is a NAT's spoke and hosts no NAT. A spoke reaches the internet
 * through the NAT's ENI in its private subnet; an IGW and public subnets there would only
 * be resources to plan, apply and secure.
 */
export function hasPublicSubnets(spec: Pick<Spec, 'natInstances'>, vpc: Pick<VpcSpec, 'name' | 'publicSubnets'>): boolean {
  if (vpc.publicSubnets !== undefined) return vpc.publicSubnets;
  const { spokes, hubs } = natRoles(spec.natInstances);
  return !spokes.has(vpc.name) || hubs.has(vpc.name);
}

/** Asked once per VPC: the roles are gathered once per list of NATs, not once per VPC. */
const roles = new WeakMap<Spec['natInstances'], { spokes: Set<string>; hubs: Set<string> }>();

function natRoles(nats: Spec['natInstances']): { spokes: Set<string>; hubs: Set<string> } {
  let found = roles.get(nats);
  if (!found) {
    found = { spokes: new Set(nats.flatMap((nat) => nat.spokes)), hubs: new Set(nats.map((nat) => nat.vpc)) };
    roles.set(nats, found);
  }
  return found;
}
