# Copied from lib/modules/tftest/vpc-endpoints/vpc_endpoints.tftest.hcl by `npm run modules`; edit it there.
mock_provider "aws" {
  source = "./tests"
}

variables {
  name            = "app1"
  vpc_id          = "vpc-0123456789abcdef0"
  vpc_cidr_blocks = ["10.1.0.0/16"]
  private_subnets = [
    { id = "subnet-0123456789abcdef0", az = "ap-northeast-1a", route_table_id = "rtb-0123456789abcdef0" },
    { id = "subnet-0123456789abcdef1", az = "ap-northeast-1c", route_table_id = "rtb-0123456789abcdef1" },
  ]
  gateway   = ["s3", "dynamodb"]
  interface = ["ssm"]
}

run "single_subnet_placement" {
  command = plan

  assert {
    condition     = aws_vpc_endpoint.gateway["s3"].service_name == "com.amazonaws.ap-northeast-1.s3" && toset(aws_vpc_endpoint.gateway["s3"].route_table_ids) == toset(["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"])
    error_message = "gateway endpoints are free and go on every private route table"
  }
  assert {
    condition     = alltrue([for e in aws_vpc_endpoint.interface : e.subnet_ids == toset(["subnet-0123456789abcdef0"])])
    error_message = "single-subnet placement puts each interface endpoint in one subnet"
  }
}

run "per_az_placement_applies" {
  command = apply

  variables {
    placement = "per-az"
  }

  assert {
    condition     = alltrue([for e in aws_vpc_endpoint.interface : length(e.subnet_ids) == 2])
    error_message = "per-az placement puts an endpoint network interface in each AZ"
  }
  assert {
    condition     = output.security_group_id == "sg-0a1b2c3d4e5f60718"
    error_message = "interface endpoints share one security group"
  }
}

run "rejects_an_unknown_placement" {
  command = plan

  variables {
    placement = "everywhere"
  }

  expect_failures = [var.placement]
}
