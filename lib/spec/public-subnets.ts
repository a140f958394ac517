import type { Spec, VpcSpec } from './schema';

/**
 * Whether a created VPC gets an internet gateway and public subnets: as its `publicSubnets`
 * says, else yes unless it is a NAT's spoke and hosts no NAT. A spoke reaches the internet
 * through the NAT's ENI in its private subnet; an IGW and public subnets there would only
 * be resources to plan, apply and secure.
 */
export function hasPublicSubnets(spec: Pick<Spec, 'natInstances'>, vpc: Pick<VpcSpec, 'name' | 'publicSubnets'>): boolean {
  if (vpc.publicSubnets !== undefined) return vpc.publicSubnets;
  const isSpoke = spec.natInstances.some((nat) => nat.spokes.includes(vpc.name));
  return !isSpoke || spec.natInstances.some((nat) => nat.vpc === vpc.name);
}
