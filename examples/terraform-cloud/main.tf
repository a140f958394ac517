# A NAT instance for a VPC, run by HCP Terraform / Terraform Cloud. The empty cloud block
# takes the organization and workspace from TF_CLOUD_ORGANIZATION and TF_WORKSPACE, so the
# same files serve every workspace.

terraform {
  cloud {}
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region of the VPC and the NAT instance."
  type        = string
  default     = "ap-northeast-1"
}

variable "name" {
  description = "Name prefix of the VPC and the NAT instance, e.g. the workspace's environment."
  type        = string
  default     = "tfc"
}

module "vpc" {
  source = "../../modules/egress-vpc"

  name = var.name
  cidr = "10.20.0.0/16"
  azs  = ["${var.region}a", "${var.region}c"]
}

module "nat" {
  source = "../../modules/nat-instance"

  name                        = var.name
  vpc_id                      = module.vpc.vpc_id
  public_subnet               = module.vpc.public_subnets[0]
  private_subnets_cidr_blocks = module.vpc.private_subnets_cidr_blocks
  private_route_table_ids     = module.vpc.private_route_table_ids
  instance_types              = ["t4g.nano", "t4g.micro"]
  create_eip                  = true
}

output "egress_ip" {
  description = "Egress IPv4 address of the private subnets."
  value       = module.nat.public_ip
}
