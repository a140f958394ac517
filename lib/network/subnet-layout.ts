import { Remembered } from '../remembered';
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
  readonly public: readonly string[];
  readonly private: readonly string[];
}

/** Layouts are kept (shared and frozen): the checks, the topology and the cost advisor's re-checks ask for the same ones. */
const layouts = new Remembered<string, SubnetLayout>();

export function subnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
  return layouts.get(`${vpcCidr} ${azCount}`, () => {
    const indexes = [...Array(azCount).keys()];
    return Object.freeze({
      public: Object.freeze(indexes.map((i) => cidrSubnet(vpcCidr, SUBNET_NEW_BITS, i))),
      private: Object.freeze(indexes.map((i) => cidrSubnet(vpcCidr, SUBNET_NEW_BITS, PRIVATE_BLOCK_OFFSET + i))),
    });
  });
}
