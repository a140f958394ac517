import type { SpecInput } from '../lib/spec/schema';

/**
 * A spec with `vpcCount` VPCs for the scaling benchmark: groups of one IPv6 hub and up to
 * two spokes, each hub with a spot NAT in primary mode serving its spokes, and S3 + SSM
 * endpoints in every spoke. One VPC alone is a hub with a dedicated NAT.
 */
export function scalingSpec(vpcCount: number): SpecInput {
  const region = 'us-east-1';
  const azs = [`${region}a`, `${region}b`];
  const vpcs: NonNullable<SpecInput['vpcs']> = [];
  const natInstances: NonNullable<SpecInput['natInstances']> = [];
  const endpoints: NonNullable<SpecInput['endpoints']> = [];
  for (let i = 0; i < vpcCount; i += 3) {
    const group = i / 3;
    const hub = `hub${group}`;
    vpcs.push({ name: hub, cidr: cidr(i), azs, ipv6: true });
    const spokes = [i + 1, i + 2].filter((n) => n < vpcCount).map((n) => `app${n}`);
    spokes.forEach((name, k) => {
      vpcs.push({ name, cidr: cidr(i + 1 + k), azs });
      endpoints.push({ vpc: name, gateway: ['s3'], interface: ['ssm'] });
    });
    natInstances.push(
      spokes.length > 0
        ? { name: `nat${group}`, vpc: hub, az: azs[0], egressInterface: 'primary', allowHubWithoutEgress: true, spokes }
        : { name: `nat${group}`, vpc: hub, az: azs[0] },
    );
  }
  return { project: 'scale', region, vpcs, natInstances, endpoints };
}

/** A /20 per VPC: room for 4,096 VPCs in 10.0.0.0/8. */
function cidr(n: number): string {
  return `10.${n >> 4}.${(n & 15) << 4}.0/20`;
}
