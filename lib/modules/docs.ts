import type { ModuleDocs } from './readme';

export const NAT_INSTANCE_DOCS: ModuleDocs = {
  title: 'nat-instance',
  summary: `
A NAT instance for one VPC, and a drop-in for the \`int128/nat-instance/aws\` module: the same
inputs (names, types and defaults) and outputs, so a configuration written for it only changes
its \`source\`.

An auto scaling group of one (spot by default) runs the instance; a pre-allocated ENI in the
public subnet is the target of the private routes, and the boot script attaches it, turns on
forwarding and masquerading and moves the default route onto it. Replacing the instance keeps
the ENI, so the egress address and the routes survive.

Differences from int128/nat-instance:

- \`image_id = ""\` means the latest Amazon Linux 2023 (for the architecture of the first instance type), resolved by EC2 at launch.
- \`name\` must match \`^[a-z][a-z0-9-]{0,30}$\`; it is written into the boot configuration.
- \`user_data_write_files\` is \`list(map(string))\` rather than \`list(any)\`: entries take the cloud-init keys path, content, permissions, owner and encoding, all strings.
- New inputs, all off by default: \`create_eip\`, \`port_forwards\`, \`root_volume_size\`. New outputs: \`public_ip\`, \`eip_allocation_id\`, \`autoscaling_group_name\`, \`launch_template_id\`.
- Resources keep int128's addresses where it has them (\`aws_network_interface.this\`, \`aws_route.this\`, ...), so moving a root to this module keeps the ENI and the EIP on it.
`,
  usage: `
module "nat" {
  source = "../../modules/nat-instance"

  name                        = "main"
  vpc_id                      = module.vpc.vpc_id
  public_subnet               = module.vpc.public_subnets[0]
  private_subnets_cidr_blocks = module.vpc.private_subnets_cidr_blocks
  private_route_table_ids     = module.vpc.private_route_table_ids
}

resource "aws_eip" "nat" {
  network_interface = module.nat.eni_id
  tags = {
    "Name" = "nat-instance-main"
  }
}
`,
  notes: `
The module makes no EIP unless \`create_eip = true\`: attach your own to \`eni_id\` as above
(int128's way), or let the module make it, not both.
`,
};

export const MULTI_VPC_NAT_DOCS: ModuleDocs = {
  title: 'multi-vpc-nat',
  summary: `
One NAT instance for several VPCs of the same account: it lives in a hub VPC and reaches each
spoke VPC through a secondary ENI created in that spoke (a Multi-VPC ENI attachment). Each
spoke's route tables point at its own ENI; spokes with overlapping CIDRs still work, and spokes
cannot reach each other through the NAT.

Every spoke needs a subnet in the NAT's AZ (the AZ of \`public_subnet\`): an ENI can only be
attached to an instance in its own AZ. \`egress_interface = "primary"\` saves one ENI (and
lets a smaller instance type carry more spokes) when the hub itself needs no NAT.
`,
  usage: `
module "nat" {
  source = "../../modules/multi-vpc-nat"

  name                    = "shared"
  vpc_id                  = module.hub.vpc_id
  public_subnet           = module.hub.public_subnets[0]
  hub_cidr_blocks         = [module.hub.vpc_cidr_block]
  private_route_table_ids = module.hub.private_route_table_ids

  spokes = [
    {
      name            = "app1"
      vpc_id          = module.app1.vpc_id
      subnet_id       = module.app1.private_subnets[0]
      cidr_blocks     = [module.app1.vpc_cidr_block]
      route_table_ids = module.app1.private_route_table_ids
    },
  ]
}
`,
  notes: `
Spokes are keyed by \`name\` (\`aws_network_interface.spoke["app1"]\`), so adding or removing one
leaves the others in place. Their device indexes follow the list order, so append new spokes
at the end: reordering re-attaches ENIs on the next instance launch.
`,
};

export const VPC_ENDPOINTS_DOCS: ModuleDocs = {
  title: 'vpc-endpoints',
  summary: `
VPC endpoints for one VPC, so traffic to AWS services never crosses a NAT: free gateway
endpoints (S3, DynamoDB) routed from every private route table, and interface endpoints in
one private subnet (\`single-subnet\`: every AZ reaches it, one ENI-hour per hour) or one per AZ
(\`per-az\`: survives an AZ loss). Presets expand to what a use needs: \`ssm\` (Session Manager)
and \`ecr\` (image pulls, with the S3 gateway endpoint).
`,
  usage: `
module "endpoints" {
  source = "../../modules/vpc-endpoints"

  name            = "dev-app1"
  vpc_id          = module.vpc.vpc_id
  vpc_cidr_blocks = [module.vpc.vpc_cidr_block]
  private_subnets = module.vpc.private_subnet_objects
  gateway         = ["s3"]
  interface       = ["ssm"]
}
`,
};

export const EGRESS_VPC_DOCS: ModuleDocs = {
  title: 'egress-vpc',
  summary: `
A VPC laid out for cheap egress: a public subnet per AZ behind an internet gateway (for NAT
instances), and a private subnet per AZ with its own route table for a NAT, or anything else,
to route into. With \`ipv6 = true\` the VPC is dual stack and private subnets send \`::/0\` to an
egress-only internet gateway, so IPv6 traffic skips the NAT entirely.
`,
  usage: `
module "vpc" {
  source = "../../modules/egress-vpc"

  name = "dev-hub"
  cidr = "10.0.0.0/16"
  azs  = ["ap-northeast-1a", "ap-northeast-1c"]
  ipv6 = true
}
`,
};
