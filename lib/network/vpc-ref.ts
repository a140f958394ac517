/** A subnet as the NAT and endpoint constructs need it: created here or already there. */
export interface SubnetRef {
  /** Subnet ID. */
  readonly id: string;
  /** Availability zone name, e.g. `ap-northeast-1a`. */
  readonly az: string;
  /** The route table associated with the subnet. */
  readonly routeTableId: string;
  /** Known for created subnets; existing ones are referenced by ID only. */
  readonly cidr?: string;
}

/** A VPC as the NAT and endpoint constructs need it. */
export interface VpcRef {
  /** Name used in resource names and messages. */
  readonly name: string;
  /** VPC ID. */
  readonly vpcId: string;
  /** Every IPv4 CIDR of the VPC (primary first). */
  readonly cidrBlocks: string[];
  /** Subnets routed to an internet gateway; NAT instances live here. */
  readonly publicSubnets: SubnetRef[];
  /** Subnets whose route tables a NAT or endpoints route into. */
  readonly privateSubnets: SubnetRef[];
  /** Dual stack (an IPv6 CIDR and IPv6 routes). */
  readonly ipv6: boolean;
}

export interface ExistingVpcProps {
  /** Name used in resource names and messages. */
  readonly name: string;
  /** VPC ID, e.g. `vpc-0123456789abcdef0`. */
  readonly id: string;
  /** Every IPv4 CIDR of the VPC (primary first). */
  readonly cidrBlocks: string[];
  /** Its subnets, each with its AZ, route table and whether it is public. */
  readonly subnets: readonly { id: string; az: string; routeTableId: string; public: boolean }[];
}

/** A VPC that already exists, referenced by the IDs given (no data sources: plan works offline). */
export function existingVpcRef(props: ExistingVpcProps): VpcRef {
  const ref = ({ id, az, routeTableId }: SubnetRef): SubnetRef => ({ id, az, routeTableId });
  return {
    name: props.name,
    vpcId: props.id,
    cidrBlocks: props.cidrBlocks,
    publicSubnets: props.subnets.filter((s) => s.public).map(ref),
    privateSubnets: props.subnets.filter((s) => !s.public).map(ref),
    ipv6: false,
  };
}

/** Private route tables of a VPC, each once (existing subnets may share one). */
export function privateRouteTableIds(vpc: VpcRef): string[] {
  return [...new Set(vpc.privateSubnets.map((s) => s.routeTableId))];
}
