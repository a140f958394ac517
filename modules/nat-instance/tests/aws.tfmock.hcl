# Copied from lib/modules/tftest/aws.tfmock.hcl by `npm run modules`; edit it there.
# What the mocked aws provider returns for computed attributes: IDs and ARNs in AWS's own
# formats, so assertions read like a real plan and nothing downstream sees a random string.

mock_data "aws_region" {
  defaults = {
    id   = "ap-northeast-1"
    name = "ap-northeast-1"
  }
}

mock_resource "aws_vpc" {
  defaults = {
    id                     = "vpc-0a1b2c3d4e5f60718"
    arn                    = "arn:aws:ec2:ap-northeast-1:123456789012:vpc/vpc-0a1b2c3d4e5f60718"
    ipv6_cidr_block        = "2001:db8:1234:1a00::/56"
    default_route_table_id = "rtb-0f0e0d0c0b0a09080"
    main_route_table_id    = "rtb-0f0e0d0c0b0a09080"
    owner_id               = "123456789012"
  }
}

mock_resource "aws_subnet" {
  defaults = {
    id  = "subnet-0a1b2c3d4e5f60718"
    arn = "arn:aws:ec2:ap-northeast-1:123456789012:subnet/subnet-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_route_table" {
  defaults = {
    id  = "rtb-0a1b2c3d4e5f60718"
    arn = "arn:aws:ec2:ap-northeast-1:123456789012:route-table/rtb-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_route" {
  defaults = {
    id = "r-rtb-0a1b2c3d4e5f607181080289494"
  }
}

mock_resource "aws_internet_gateway" {
  defaults = {
    id  = "igw-0a1b2c3d4e5f60718"
    arn = "arn:aws:ec2:ap-northeast-1:123456789012:internet-gateway/igw-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_egress_only_internet_gateway" {
  defaults = {
    id = "eigw-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_security_group" {
  defaults = {
    id  = "sg-0a1b2c3d4e5f60718"
    arn = "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_security_group_rule" {
  defaults = {
    id = "sgrule-1234567890"
  }
}

mock_resource "aws_network_interface" {
  defaults = {
    id          = "eni-0a1b2c3d4e5f60718"
    arn         = "arn:aws:ec2:ap-northeast-1:123456789012:network-interface/eni-0a1b2c3d4e5f60718"
    private_ip  = "10.0.0.10"
    mac_address = "0a:1b:2c:3d:4e:5f"
  }
}

mock_resource "aws_eip" {
  defaults = {
    id            = "eipalloc-0a1b2c3d4e5f60718"
    allocation_id = "eipalloc-0a1b2c3d4e5f60718"
    public_ip     = "203.0.113.10"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    id        = "nat-20261129000000000000000001"
    name      = "nat-20261129000000000000000001"
    arn       = "arn:aws:iam::123456789012:role/nat-20261129000000000000000001"
    unique_id = "AROA0A1B2C3D4E5F60718"
  }
}

mock_resource "aws_iam_instance_profile" {
  defaults = {
    id        = "nat-20261129000000000000000002"
    name      = "nat-20261129000000000000000002"
    arn       = "arn:aws:iam::123456789012:instance-profile/nat-20261129000000000000000002"
    unique_id = "AIPA0A1B2C3D4E5F60718"
  }
}

mock_resource "aws_launch_template" {
  defaults = {
    id             = "lt-0a1b2c3d4e5f60718"
    arn            = "arn:aws:ec2:ap-northeast-1:123456789012:launch-template/lt-0a1b2c3d4e5f60718"
    latest_version = 1
  }
}

mock_resource "aws_autoscaling_group" {
  defaults = {
    id   = "nat-20261129000000000000000003"
    name = "nat-20261129000000000000000003"
    arn  = "arn:aws:autoscaling:ap-northeast-1:123456789012:autoScalingGroup:0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9:autoScalingGroupName/nat-20261129000000000000000003"
  }
}

mock_resource "aws_vpc_endpoint" {
  defaults = {
    id  = "vpce-0a1b2c3d4e5f60718"
    arn = "arn:aws:ec2:ap-northeast-1:123456789012:vpc-endpoint/vpce-0a1b2c3d4e5f60718"
  }
}
