import { z } from 'zod';

/**
 * VPC Block Public Access (BPA) blocks traffic through internet gateways account-wide per region.
 * A NAT instance sends through its VPC's internet gateway like any public instance, so with BPA
 * on its subnet (or VPC) needs an exclusion. Which exclusion mode is right depends on the
 * account's BPA mode, which Terraform cannot read from here, so the spec says it.
 */

export const BPA_ACCOUNT_MODES = ['block-bidirectional', 'block-ingress'] as const;
export const BPA_SCOPES = ['subnet', 'vpc'] as const;

export type BpaAccountMode = (typeof BPA_ACCOUNT_MODES)[number];
export type BpaScope = (typeof BPA_SCOPES)[number];

export const BlockPublicAccessSchema = z.strictObject({
  /** The account's BPA mode in this region (`aws ec2 describe-vpc-block-public-access-options`). */
  accountMode: z.enum(BPA_ACCOUNT_MODES).describe("The account's VPC Block Public Access mode in this region"),
  /** `subnet`: the NAT's public subnet only (narrowest); `vpc`: the whole VPC the NAT lives in. */
  exclude: z.enum(BPA_SCOPES).default('subnet').describe("subnet: the NAT's public subnet only; vpc: the NAT's whole VPC"),
});

export type BlockPublicAccessSpec = z.output<typeof BlockPublicAccessSchema>;
