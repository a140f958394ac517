# Endpoints for an application VPC: S3 through the free gateway endpoint, Session Manager
# and image pulls through interface endpoints placed in one subnet, so instances without any
# internet route still work.

provider "aws" {
  region = "ap-northeast-1"
}

module "vpc" {
  source = "../../modules/egress-vpc"

  name = "dev-app1"
  cidr = "10.1.0.0/16"
  azs  = ["ap-northeast-1a", "ap-northeast-1c"]
}

module "endpoints" {
  source = "../../modules/vpc-endpoints"

  name            = "dev-app1"
  vpc_id          = module.vpc.vpc_id
  vpc_cidr_blocks = [module.vpc.vpc_cidr_block]
  private_subnets = module.vpc.private_subnet_objects
  gateway         = ["s3", "dynamodb"]
  interface       = ["ssm", "ecr", "logs"]
  placement       = "single-subnet"
}

output "interface_endpoint_ids" {
  description = "Interface endpoints by service."
  value       = module.endpoints.interface_endpoint_ids
}
