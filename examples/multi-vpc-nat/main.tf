# One NAT instance in a hub VPC serving the hub and two application VPCs, instead of a NAT
# Gateway each. Every VPC has a subnet in ap-northeast-1a, the NAT's AZ: the NAT's ENI in each
# spoke is created there.

provider "aws" {
  region = "ap-northeast-1"
}

module "hub" {
  source = "../../modules/egress-vpc"

  name = "dev-hub"
  cidr = "10.0.0.0/16"
  azs  = ["ap-northeast-1a", "ap-northeast-1c"]
  ipv6 = true
}

module "app1" {
  source = "../../modules/egress-vpc"

  name = "dev-app1"
  cidr = "10.1.0.0/16"
  azs  = ["ap-northeast-1a", "ap-northeast-1c"]
}

module "app2" {
  source = "../../modules/egress-vpc"

  name = "dev-app2"
  cidr = "10.2.0.0/16"
  azs  = ["ap-northeast-1a"]
}

module "nat" {
  source = "../../modules/multi-vpc-nat"

  name                    = "dev-shared"
  vpc_id                  = module.hub.vpc_id
  public_subnet           = module.hub.public_subnets[0]
  egress_interface        = "dedicated"
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
    {
      name            = "app2"
      vpc_id          = module.app2.vpc_id
      subnet_id       = module.app2.private_subnets[0]
      cidr_blocks     = [module.app2.vpc_cidr_block]
      route_table_ids = module.app2.private_route_table_ids
    },
  ]

  port_forwards = [
    { protocol = "tcp", port = 8080, to = "10.1.128.10", to_port = 80, allow_from = ["203.0.113.0/24"] },
  ]

  tags = {
    environment = "dev"
  }
}

output "egress_ip" {
  description = "The one egress IPv4 address of all three VPCs."
  value       = module.nat.public_ip
}

output "instance_types" {
  description = "Types picked for a NAT with four network interfaces."
  value       = module.nat.instance_types
}
