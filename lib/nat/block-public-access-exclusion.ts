import { VpcBlockPublicAccessExclusion } from '@cdktf/provider-aws/lib/vpc-block-public-access-exclusion';
import { Fn, Op, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { BpaAccountMode, BpaScope } from '../spec/block-public-access';
import { choose, isPlainFlag, type Flag } from './conditional';
import { NAT_TAG } from './tags';

export interface BlockPublicAccessExclusionProps {
  readonly natId: string;
  /**
   * The account's VPC Block Public Access mode in the region. `block-ingress` honours only
   * `allow-bidirectional` exclusions; `block-bidirectional` honours `allow-egress` ones too.
   */
  readonly accountMode: BpaAccountMode;
  /** `subnet`: the NAT's public subnet; `vpc`: its whole VPC. @default 'subnet' */
  readonly exclude?: BpaScope;
  readonly vpcId: string;
  readonly subnetId: string;
  /** The NAT takes connections from the internet (port forwards, SSH). @default false */
  readonly inbound?: Flag;
  /** Create the exclusion; a Terraform boolean for a module's nullable input. @default true */
  readonly create?: Flag;
}

/**
 * The exclusion a NAT instance needs where VPC Block Public Access is on: the NAT is an
 * ordinary instance behind an internet gateway, which BPA blocks (only NAT Gateways and
 * egress-only internet gateways are spared in `block-ingress` mode).
 *
 * The mode is the narrowest that keeps the NAT working: `allow-egress` (outbound connections
 * and their replies) where the account blocks both directions and nothing listens on the
 * internet side; `allow-bidirectional` where the account blocks ingress only (egress-only
 * exclusions do not apply there) or where port forwards or SSH take inbound connections.
 */
export class BlockPublicAccessExclusion extends Construct {
  readonly exclusion: VpcBlockPublicAccessExclusion;
  /** `allow-egress` or `allow-bidirectional` (a Terraform expression for module inputs). */
  readonly mode: string;

  constructor(scope: Construct, id: string, props: BlockPublicAccessExclusionProps) {
    super(scope, id);
    this.mode = exclusionMode(props.accountMode, props.inbound ?? false);
    const scopeIsVpc: Flag = Token.isUnresolved(props.exclude) ? Op.eq(props.exclude, 'vpc') : props.exclude === 'vpc';
    this.exclusion = new VpcBlockPublicAccessExclusion(this, 'exclusion', {
      internetGatewayExclusionMode: this.mode,
      vpcId: choose(scopeIsVpc, false, props.vpcId, undefined),
      subnetId: choose(scopeIsVpc, false, undefined, props.subnetId),
      tags: { Name: props.natId, [NAT_TAG]: props.natId },
      count: isPlainFlag(props.create) ? undefined : choose(props.create, true, 1, 0),
    });
  }
}

function exclusionMode(accountMode: string, inbound: Flag): string {
  if (!Token.isUnresolved(accountMode) && isPlainFlag(inbound)) {
    return accountMode === 'block-ingress' || inbound ? 'allow-bidirectional' : 'allow-egress';
  }
  const bidirectional = Op.or(Op.eq(accountMode, 'block-ingress'), inbound);
  return Token.asString(Fn.conditional(bidirectional, 'allow-bidirectional', 'allow-egress'));
}
