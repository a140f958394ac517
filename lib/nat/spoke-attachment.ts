import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { Route } from '@cdktf/provider-aws/lib/route';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Construct } from 'constructs';
import { forEachValue } from './for-each';
import { DEVICE_INDEX_TAG, NAT_TAG } from './tags';

/** A VPC served by a NAT instance that lives in another VPC (Multi-VPC ENI attachment). */
export interface NatSpoke {
  /** Name tag part, e.g. `app1`. */
  readonly name: string;
  readonly vpcId: string;
  /** A private subnet of the spoke in the NAT instance's AZ: the ENI is created there. */
  readonly subnetId: string;
  /** Sources admitted and routed back through this spoke's ENI. */
  readonly cidrs: string[];
  /** Each gets `0.0.0.0/0 -> this spoke's ENI`. */
  readonly routeTableIds: string[];
}

export interface SpokeAttachmentProps extends NatSpoke {
  readonly natId: string;
  /** Device index the boot script attaches the ENI at (2.. with a dedicated egress ENI, else 1..). */
  readonly deviceIndex: number;
}

/**
 * An ENI of the NAT in a spoke VPC: created in the spoke's subnet in the NAT's AZ, admitting
 * only the spoke's CIDRs, and the target of the spoke's default routes.
 */
export class SpokeAttachment extends Construct {
  readonly eni: NetworkInterface;
  readonly securityGroup: SecurityGroup;
  readonly deviceIndex: number;

  constructor(scope: Construct, id: string, props: SpokeAttachmentProps) {
    super(scope, id);
    if (props.deviceIndex < 1) throw new Error(`SpokeAttachment ${props.name}: deviceIndex ${props.deviceIndex} is taken by the primary interface; use 1 or more`);
    this.deviceIndex = props.deviceIndex;
    const name = `${props.natId}-${props.name}`;
    this.securityGroup = new SecurityGroup(this, 'sg', {
      namePrefix: `${name}-`,
      description: `NAT ${props.natId}: traffic from spoke ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: name },
      lifecycle: { createBeforeDestroy: true },
    });
    new SecurityGroupRule(this, 'from-spoke', {
      type: 'ingress',
      securityGroupId: this.securityGroup.id,
      protocol: '-1',
      fromPort: 0,
      toPort: 0,
      cidrBlocks: props.cidrs,
      description: `all protocols from spoke ${props.name}`,
    });
    new SecurityGroupRule(this, 'egress', {
      type: 'egress',
      securityGroupId: this.securityGroup.id,
      protocol: '-1',
      fromPort: 0,
      toPort: 0,
      cidrBlocks: ['0.0.0.0/0'],
      description: 'replies to the spoke',
    });
    this.eni = new NetworkInterface(this, 'eni', {
      subnetId: props.subnetId,
      securityGroups: [this.securityGroup.id],
      sourceDestCheck: false,
      description: `NAT ${props.natId} in spoke ${props.name} (device ${props.deviceIndex})`,
      tags: { Name: name, [NAT_TAG]: props.natId, [DEVICE_INDEX_TAG]: String(props.deviceIndex) },
    });
    forEachValue(this, 'default', props.routeTableIds, (scope, routeId, routeTableId, count) =>
      new Route(scope, routeId, {
        routeTableId,
        destinationCidrBlock: '0.0.0.0/0',
        networkInterfaceId: this.eni.id,
        count,
      }),
    );
  }
}
