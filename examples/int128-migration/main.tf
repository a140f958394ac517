# A configuration written for the int128/nat-instance/aws module, moved to this repository's
# nat-instance module by changing only `source`. Everything else is as it was: the caller's
# EIP on eni_id, extra cloud-init files and commands, a policy on the instance role and a
# rule on the security group.

provider "aws" {
  region = "us-west-2"
}

# Stands in for terraform-aws-modules/vpc/aws: the outputs used below have the same names.
module "vpc" {
  source = "../../modules/egress-vpc"

  name = "main"
  cidr = "172.18.0.0/16"
  azs  = ["us-west-2a", "us-west-2b", "us-west-2c"]
}

module "nat" {
  # was: source = "int128/nat-instance/aws"
  source = "../../modules/nat-instance"

  name                        = "main"
  vpc_id                      = module.vpc.vpc_id
  public_subnet               = module.vpc.public_subnets[0]
  private_subnets_cidr_blocks = module.vpc.private_subnets_cidr_blocks
  private_route_table_ids     = module.vpc.private_route_table_ids

  use_spot_instance = true
  instance_types    = ["t3.nano", "t3a.nano"]

  user_data_write_files = [
    {
      path : "/opt/nat/egress-report.sh",
      content : file("${path.module}/egress-report.sh"),
      permissions : "0755",
    },
    {
      path : "/etc/motd",
      content : "NAT instance main: traffic from the private subnets leaves here.\n",
    },
  ]
  user_data_runcmd = [
    ["/opt/nat/egress-report.sh"],
  ]

  tags = {
    Environment = "migration-example"
  }
}

resource "aws_eip" "nat" {
  network_interface = module.nat.eni_id
  tags = {
    "Name" = "nat-instance-main"
  }
}

# egress-report.sh reads the instance's own tags.
resource "aws_iam_role_policy" "egress_report" {
  role = module.nat.iam_role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["ec2:DescribeTags"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_security_group_rule" "nat_ssh" {
  description       = "SSH to the NAT instance from the office"
  security_group_id = module.nat.sg_id
  type              = "ingress"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["198.51.100.0/24"]
}
