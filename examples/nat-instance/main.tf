# The int128/nat-instance README's "Getting Started", on this repository's modules: the VPC
# module stands in for terraform-aws-modules/vpc (same output names), the NAT module for
# int128/nat-instance/aws (same inputs and outputs).

provider "aws" {
  region = "us-west-2"
}

module "vpc" {
  source = "../../modules/egress-vpc"

  name = "main"
  cidr = "172.18.0.0/16"
  azs  = ["us-west-2a", "us-west-2b", "us-west-2c"]
}

module "nat" {
  source = "../../modules/nat-instance"

  name                        = "main"
  vpc_id                      = module.vpc.vpc_id
  public_subnet               = module.vpc.public_subnets[0]
  private_subnets_cidr_blocks = module.vpc.private_subnets_cidr_blocks
  private_route_table_ids     = module.vpc.private_route_table_ids
}

# The module makes no EIP (create_eip defaults to false): this one is the egress address.
resource "aws_eip" "nat" {
  network_interface = module.nat.eni_id
  tags = {
    "Name" = "nat-instance-main"
  }
}

output "nat_public_ip" {
  description = "Egress IPv4 address of the private subnets."
  value       = aws_eip.nat.public_ip
}
