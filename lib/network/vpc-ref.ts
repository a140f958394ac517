/** A subnet as the NAT and endpoint constructs need it: created here or already there. */
export interface SubnetRef {
  readonly id: string;
  readonly az: string;
  readonly routeTableId: string;
  /** Known for created subnets; existing ones are referenced by ID only. */
  readonly cidr?: string;
}

/** A VPC as the NAT and endpoint constructs need it. */
export interface VpcRef {
  readonly name: string;
  readonly vpcId: string;
  readonly cidrBlocks: string[];
  readonly publicSubnets: SubnetRef[];
  readonly privateSubnets: SubnetRef[];
  readonly ipv6: boolean;
}

export interface ExistingVpcProps {
  readonly name: string;
  readonly id: string;
  readonly cidrBlocks: string[];
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
