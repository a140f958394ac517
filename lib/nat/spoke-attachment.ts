import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { Route } from '@cdktf/provider-aws/lib/route';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Fn, FOR_EXPRESSION_VALUE, forExpression, propertyAccess, TerraformIterator, TerraformLocal, Token, type IResolvable } from 'cdktf';
import { Construct } from 'constructs';
import { eachValue, forEachValue, instanceAttribute, keyedBy } from './for-each';
import { DEVICE_INDEX_TAG, NAT_TAG } from './tags';

/** A VPC served by a NAT instance that lives in another VPC (Multi-VPC ENI attachment). */
export interface NatSpoke {
  /** Name tag part, e.g. `app1`. */
  readonly name: string;
  /** The spoke VPC: the ENI's security group is made there. */
  readonly vpcId: string;
  /** A private subnet of the spoke in the NAT instance's AZ: the ENI is created there. */
  readonly subnetId: string;
  /** Sources admitted and routed back through this spoke's ENI. */
  readonly cidrs: string[];
  /** Each gets `0.0.0.0/0 -> this spoke's ENI`. */
  readonly routeTableIds: string[];
}

/** A spoke and the device index its ENI is attached at. */
export interface IndexedSpoke extends NatSpoke {
  /** Device index the boot script attaches the spoke's ENI at. */
  readonly deviceIndex: number;
}

export interface SpokeAttachmentProps extends NatSpoke {
  /** The NAT's name: name prefix and `cdktf-egress:nat` tag value the boot script finds the ENI by. */
  readonly natId: string;
  /** Device index the boot script attaches the ENI at (2.. with a dedicated egress ENI, else 1..). */
  readonly deviceIndex: number;
  /**
   * Spokes only Terraform knows, as `{ <name> = <IndexedSpoke> }`: every resource is made once
   * per spoke with `for_each`, and the other props are fields of `each.value`. See `forEachSpoke`.
   * @default - one spoke, the one the other props describe
   */
  readonly spokesByName?: IResolvable;
}

/** `{ <spoke>/<i> = { spoke, routeTableId } }`: one entry per route table of every spoke, keys known at plan time. */
const ROUTE_TABLES_OF_SPOKE = '[for i, id in val.routeTableIds : { address = "${key}/${i}", spoke = key, routeTableId = id }]';

/**
 * An ENI of the NAT in a spoke VPC: created in the spoke's subnet in the NAT's AZ, admitting
 * only the spoke's CIDRs, and the target of the spoke's default routes.
 */
export class SpokeAttachment extends Construct {
  /** The attachments of a spoke list only Terraform knows (a module variable): one construct, resources with `for_each`. */
  static forEachSpoke(scope: Construct, id: string, props: { natId: string; spokes: readonly IndexedSpoke[] }): SpokeAttachment {
    const spoke = eachValue<IndexedSpoke>();
    return new SpokeAttachment(scope, id, {
      name: spoke.name,
      vpcId: spoke.vpcId,
      subnetId: spoke.subnetId,
      cidrs: spoke.cidrs,
      routeTableIds: spoke.routeTableIds,
      deviceIndex: spoke.deviceIndex,
      natId: props.natId,
      spokesByName: keyedBy(props.spokes, 'name'),
    });
  }

  readonly eni: NetworkInterface;
  readonly securityGroup: SecurityGroup;
  readonly deviceIndex: number;

  constructor(scope: Construct, id: string, props: SpokeAttachmentProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.deviceIndex) && props.deviceIndex < 1) {
      throw new Error(`SpokeAttachment ${props.name}: deviceIndex ${props.deviceIndex} is taken by the primary interface; use 1 or more`);
    }
    this.deviceIndex = props.deviceIndex;
    const spokesByName = props.spokesByName && new TerraformLocal(this, 'by-name', props.spokesByName).expression;
    const forEach = spokesByName ? TerraformIterator.fromMap(Token.asAnyMap(spokesByName)) : undefined;
    const name = `${props.natId}-${props.name}`;
    this.securityGroup = new SecurityGroup(this, 'sg', {
      namePrefix: `${name}-`,
      description: `NAT ${props.natId}: traffic from spoke ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: name },
      lifecycle: { createBeforeDestroy: true },
      forEach,
    });
    const securityGroupId = forEach ? instanceAttribute(this.securityGroup, forEach.key, 'id') : this.securityGroup.id;
    new SecurityGroupRule(this, 'from-spoke', {
      type: 'ingress',
      securityGroupId,
      protocol: '-1',
      fromPort: 0,
      toPort: 0,
      cidrBlocks: props.cidrs,
      description: `all protocols from spoke ${props.name}`,
      forEach,
    });
    new SecurityGroupRule(this, 'egress', {
      type: 'egress',
      securityGroupId,
      protocol: '-1',
      fromPort: 0,
      toPort: 0,
      cidrBlocks: ['0.0.0.0/0'],
      description: 'replies to the spoke',
      forEach,
    });
    this.eni = new NetworkInterface(this, 'eni', {
      subnetId: props.subnetId,
      securityGroups: [securityGroupId],
      sourceDestCheck: false,
      description: `NAT ${props.natId} in spoke ${props.name} (device ${props.deviceIndex})`,
      tags: { Name: name, [NAT_TAG]: props.natId, [DEVICE_INDEX_TAG]: String(props.deviceIndex) },
      forEach,
    });
    if (spokesByName) {
      this.routesOfEverySpoke(spokesByName);
      return;
    }
    forEachValue(this, 'default', props.routeTableIds, (scope, routeId, routeTableId, count) =>
      new Route(scope, routeId, {
        routeTableId,
        destinationCidrBlock: '0.0.0.0/0',
        networkInterfaceId: this.eni.id,
        count,
      }),
    );
  }

  /** One `for_each` route per route table of every spoke, each to that spoke's ENI. */
  private routesOfEverySpoke(spokesByName: IResolvable): void {
    const routeTables = Fn.flatten(Token.asList(forExpression(spokesByName, ROUTE_TABLES_OF_SPOKE)));
    const byAddress = forExpression(routeTables, FOR_EXPRESSION_VALUE, propertyAccess(FOR_EXPRESSION_VALUE, ['address']));
    const routes = TerraformIterator.fromMap(Token.asAnyMap(new TerraformLocal(this, 'route-tables', byAddress).expression));
    new Route(this, 'default', {
      routeTableId: routes.getString('routeTableId'),
      destinationCidrBlock: '0.0.0.0/0',
      networkInterfaceId: instanceAttribute(this.eni, routes.getString('spoke'), 'id'),
      forEach: routes,
    });
  }
}
