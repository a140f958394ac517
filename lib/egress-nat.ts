import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { instanceTypesFor } from './nat/instance-types';
import { NatInstance, type EgressInterface, type NatInstanceProps } from './nat/nat-instance';
import type { NatSpoke } from './nat/spoke-attachment';
import { awsProviderDefaults } from './provider-defaults';

/**
 * A VPC as the user already has it: a `Vpc` resource, a `DataAwsVpc` data source (anything
 * with `id` and `cidrBlock`), or a VPC ID such as `vpc-0123456789abcdef0`.
 */
export type VpcInput = string | { readonly id: string; readonly cidrBlock: string };

/** A subnet or route table: the provider object (`Subnet`, `DataAwsSubnet`, `RouteTable`, ...) or its ID. */
export type ResourceInput = string | { readonly id: string };

/** A VPC served through an ENI of the NAT created in it (Multi-VPC ENI attachment). */
export interface EgressNatSpoke {
  /** Short name, unique among the spokes; part of the ENI's and security group's names. */
  readonly name: string;
  /** The spoke VPC. */
  readonly vpc: VpcInput;
  /**
   * Sources admitted from the spoke and routed back to it.
   * @default - the VPC's `cidrBlock`; required when `vpc` is an ID
   */
  readonly cidrBlocks?: string[];
  /** A private subnet of the spoke in the NAT's availability zone: the spoke's ENI is created there. */
  readonly subnet: ResourceInput;
  /** The spoke's private route tables; each gets `0.0.0.0/0` to the spoke's ENI. */
  readonly routeTables: readonly ResourceInput[];
}

/** What `EgressNat` passes on to `NatInstance` unchanged. */
type PassedOn = Omit<NatInstanceProps,
  'natId' | 'region' | 'vpcId' | 'publicSubnetId' | 'egressInterface' | 'servedCidrs' | 'privateRouteTableIds' | 'spokes' | 'instanceTypes' | 'tags'>;

export interface EgressNatProps extends PassedOn {
  /** The VPC the NAT instance lives in (the hub). */
  readonly vpc: VpcInput;
  /**
   * The hub's networks the NAT serves.
   * @default - the VPC's `cidrBlock`; required when `vpc` is an ID
   */
  readonly cidrBlocks?: string[];
  /** A public subnet of the hub (a route to an internet gateway); it fixes the NAT's availability zone. */
  readonly publicSubnet: ResourceInput;
  /**
   * The hub's private route tables; each gets `0.0.0.0/0` to the NAT's egress ENI.
   * @default [] (the NAT serves only spokes)
   */
  readonly privateRouteTables?: readonly ResourceInput[];
  /**
   * Other VPCs of the account served through ENIs in them, attached in this order. Their
   * subnets must be in the public subnet's availability zone (AWS refuses the attachment otherwise).
   * @default []
   */
  readonly spokes?: readonly EgressNatSpoke[];
  /**
   * Name prefix of every resource and value of the `cdktf-egress:nat` tag: lower-case letters,
   * digits and dashes, starting with a letter, at most 32 characters.
   * @default - the stack's and this construct's names, e.g. `egress-nat`
   */
  readonly name?: string;
  /**
   * AWS region; the boot script calls the EC2 API there.
   * @default - the region of the stack's default `aws` provider
   */
  readonly region?: string;
  /**
   * `dedicated`: an egress ENI with the EIP is the way out and the hub's route target.
   * `primary`: the EIP moves onto the primary interface, saving an interface; spokes only.
   * @default - 'dedicated' when `privateRouteTables` are given, else 'primary'
   */
  readonly egressInterface?: EgressInterface;
  /**
   * Instance types, one CPU architecture.
   * @default - the two cheapest Graviton types with enough network interfaces for the hub and every spoke
   */
  readonly instanceTypes?: string[];
  /**
   * Tags for the instances, volumes and interfaces the Auto Scaling group launches, over the
   * default aws provider's `default_tags` (which reach the resources here but not what the
   * group launches).
   * @default - the default aws provider's `default_tags`
   */
  readonly tags?: Record<string, string>;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The common case in a few lines: a NAT instance for a VPC you already have, serving its
 * private route tables and any spoke VPCs, with instance types chosen by the interfaces it
 * needs, names and tags derived from the stack, and the region taken from the aws provider.
 */
export class EgressNat extends Construct {
  /** The NAT instance, for its security group, ENIs, EIP and Auto Scaling group. */
  readonly natInstance: NatInstance;
  /** The name prefix and `cdktf-egress:nat` tag value in use. */
  readonly natId: string;
  /** The instance types the Auto Scaling group launches. */
  readonly instanceTypes: string[];
  /** The fixed egress IPv4 address (the EIP), known after apply. */
  readonly publicIp?: string;

  constructor(scope: Construct, id: string, props: EgressNatProps) {
    super(scope, id);
    const defaults = awsProviderDefaults(this);
    this.natId = props.name ?? defaultName(this);
    const where = `EgressNat ${this.node.path}`;
    if (!Token.isUnresolved(this.natId) && !NAME.test(this.natId)) {
      throw new Error(`${where}: name "${this.natId}" must match ${NAME.source} (lower-case letters, digits and dashes, starting with a letter)`);
    }
    const region = props.region ?? defaults.region;
    if (!region) {
      throw new Error(`${where}: no region: give the default aws provider a region before creating EgressNat, or set the region prop`);
    }
    const routeTables = (props.privateRouteTables ?? []).map(idOf);
    const spokes = (props.spokes ?? []).map((spoke) => toNatSpoke(where, spoke));
    checkSpokeNames(where, spokes);
    if (routeTables.length === 0 && spokes.length === 0) {
      throw new Error(`${where}: serves nothing; give privateRouteTables (the hub's private route tables), spokes, or both`);
    }
    const egressInterface = props.egressInterface ?? (routeTables.length > 0 ? 'dedicated' : 'primary');
    if (egressInterface === 'primary' && routeTables.length > 0) {
      throw new Error(`${where}: egressInterface "primary" serves only spokes, but privateRouteTables are given; leave egressInterface out (dedicated) to serve the hub`);
    }
    this.instanceTypes = instanceTypesFor(props.instanceTypes, egressInterface, spokes.length);
    const tags = { ...defaults.tags, ...props.tags };
    this.natInstance = new NatInstance(this, 'nat', {
      ...passedOn(props),
      natId: this.natId,
      region,
      vpcId: idOf(props.vpc),
      publicSubnetId: idOf(props.publicSubnet),
      egressInterface,
      servedCidrs: egressInterface === 'dedicated' ? cidrsOf(where, 'vpc', props.vpc, props.cidrBlocks) : [],
      privateRouteTableIds: routeTables,
      spokes,
      instanceTypes: this.instanceTypes,
      tags: Object.keys(tags).length > 0 ? tags : undefined,
    });
    this.publicIp = this.natInstance.eipPublicIp;
  }
}

const OWN_PROPS: readonly string[] = ['vpc', 'cidrBlocks', 'publicSubnet', 'privateRouteTables', 'spokes', 'name', 'region', 'egressInterface', 'instanceTypes', 'tags'];

function passedOn(props: EgressNatProps): PassedOn {
  return Object.fromEntries(Object.entries(props).filter(([key]) => !OWN_PROPS.includes(key))) as PassedOn;
}

function idOf(input: ResourceInput): string {
  return typeof input === 'string' ? input : input.id;
}

function cidrsOf(where: string, field: string, vpc: VpcInput, given: string[] | undefined): string[] {
  if (given) return given;
  if (typeof vpc !== 'string') return [vpc.cidrBlock];
  throw new Error(`${where}: ${field} is the ID ${vpc}, so give cidrBlocks beside it (the networks served, e.g. ['10.0.0.0/16']), or pass the Vpc or DataAwsVpc object`);
}

function toNatSpoke(where: string, spoke: EgressNatSpoke): NatSpoke {
  if (spoke.routeTables.length === 0) throw new Error(`${where}: spoke "${spoke.name}" has no routeTables; give the private route tables to route through the NAT`);
  return {
    name: spoke.name,
    vpcId: idOf(spoke.vpc),
    subnetId: idOf(spoke.subnet),
    cidrs: cidrsOf(where, `spoke "${spoke.name}" vpc`, spoke.vpc, spoke.cidrBlocks),
    routeTableIds: [...new Set(spoke.routeTables.map(idOf))],
  };
}

function checkSpokeNames(where: string, spokes: readonly NatSpoke[]): void {
  const seen = new Set<string>();
  for (const { name } of spokes) {
    if (!NAME.test(name)) throw new Error(`${where}: spoke name "${name}" must match ${NAME.source}`);
    if (seen.has(name)) throw new Error(`${where}: spoke name "${name}" is used twice; give each spoke its own name`);
    seen.add(name);
  }
}

/** `<stack>-<id>`, made into a valid name: lower case, dashes for anything else, at most 32 characters. */
function defaultName(construct: Construct): string {
  const stack = TerraformStack.of(construct);
  const raw = `${stack.node.id}-${construct.node.id}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '');
  const name = raw.slice(0, 32).replace(/-+$/, '');
  return name || 'egress-nat';
}
