import { cidrSubnet } from '../spec/cidr';

/**
 * How a created VPC's CIDR is cut: sixteen equal blocks (four more prefix bits); AZ i gets
 * block i for its public subnet and block 8 + i for its private one. A /16 gives /20 subnets
 * (4,091 usable addresses each); the smallest VPC that fits, a /24, gives /28s.
 */
export const SUBNET_NEW_BITS = 4;
export const PRIVATE_BLOCK_OFFSET = 8;
export const MAX_AZS = 6;
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 28 - SUBNET_NEW_BITS;

export interface SubnetLayout {
  readonly public: string[];
  readonly private: string[];
}

export function subnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
  const indexes = [...Array(azCount).keys()];
  return {
    public: indexes.map((i) => cidrSubnet(vpcCidr, SUBNET_NEW_BITS, i)),
    private: indexes.map((i) => cidrSubnet(vpcCidr, SUBNET_NEW_BITS, PRIVATE_BLOCK_OFFSET + i)),
  };
}
