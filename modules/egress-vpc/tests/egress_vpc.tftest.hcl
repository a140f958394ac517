# Copied from lib/modules/tftest/egress-vpc/egress_vpc.tftest.hcl by `npm run modules`; edit it there.
mock_provider "aws" {
  source = "./tests"
}

variables {
  name = "hub"
  cidr = "10.0.0.0/16"
  azs  = ["ap-northeast-1a", "ap-northeast-1c"]
}

run "one_public_and_one_private_subnet_per_az" {
  command = plan

  assert {
    condition     = length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2
    error_message = "a public and a private subnet in each AZ"
  }
  assert {
    condition     = output.private_subnets_cidr_blocks == ["10.0.128.0/20", "10.0.144.0/20"]
    error_message = "private subnets take the upper half of the VPC"
  }
}

run "dual_stack_applies" {
  command = apply

  variables {
    ipv6 = true
  }

  assert {
    condition     = output.vpc_id == "vpc-0a1b2c3d4e5f60718" && output.egress_only_internet_gateway_id == "eigw-0a1b2c3d4e5f60718"
    error_message = "a dual-stack VPC gets an egress-only internet gateway"
  }
}

run "rejects_a_host_address" {
  command = plan

  variables {
    cidr = "10.0.0.1/16"
  }

  expect_failures = [var.cidr]
}
