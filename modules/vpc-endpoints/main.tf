# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

locals {
  private_subnets = [for s in var.private_subnets : { id = s.id, az = s.az, routeTableId = s.route_table_id }]
  presets = {
    ssm = {
      interface = ["ssm", "ssmmessages", "ec2messages"]
      gateway   = []
    }
    ecr = {
      interface = ["ecr.api", "ecr.dkr"]
      gateway   = ["s3"]
    }
  }
  interface_services = distinct(flatten([for key, val in var.interface : contains(keys(local.presets), val) ? local.presets[val].interface : [val]]))
  gateway_services   = distinct(concat(var.gateway, flatten([for key, val in var.interface : contains(keys(local.presets), val) ? local.presets[val].gateway : []])))
}

data "aws_region" "current" {}

resource "aws_vpc_endpoint" "gateway" {
  for_each          = toset(local.gateway_services)
  route_table_ids   = distinct([for key, val in local.private_subnets : val.routeTableId])
  service_name      = can(regex("^(com[.]amazonaws|aws[.][a-z0-9-]+)[.][a-z0-9.-]+$", each.value)) ? each.value : "com.amazonaws.${data.aws_region.current.id}.${each.value}"
  tags              = merge(var.tags, { "Name" = "${var.name}-${each.key}" })
  vpc_endpoint_type = "Gateway"
  vpc_id            = var.vpc_id
}

resource "aws_vpc_endpoint" "interface" {
  for_each            = toset(local.interface_services)
  private_dns_enabled = true
  security_group_ids  = [one(aws_security_group.this[*].id)]
  service_name        = can(regex("^(com[.]amazonaws|aws[.][a-z0-9-]+)[.][a-z0-9.-]+$", each.value)) ? each.value : "com.amazonaws.${data.aws_region.current.id}.${each.value}"
  subnet_ids          = tolist((var.placement == "per-az") ? [for key, val in { for key, val in local.private_subnets : val.az => val.id... } : val[0]] : [for key, val in slice(local.private_subnets, 0, min(1, length(local.private_subnets))) : val.id])
  tags                = merge(var.tags, { "Name" = "${var.name}-${each.key}" })
  vpc_endpoint_type   = "Interface"
  vpc_id              = var.vpc_id

  lifecycle {
    precondition {
      condition     = (length(tolist((var.placement == "per-az") ? [for key, val in { for key, val in local.private_subnets : val.az => val.id... } : val[0]] : [for key, val in slice(local.private_subnets, 0, min(1, length(local.private_subnets))) : val.id])) >= 1)
      error_message = "VpcEndpoints ${var.name}: VPC ${var.name} has no private subnet for interface endpoints"
    }
  }
}

resource "aws_security_group" "this" {
  count       = tonumber((length(local.interface_services) >= 1) ? 1 : 0)
  description = "Interface endpoints of ${var.name}: HTTPS from the VPC"
  name_prefix = "${var.name}-endpoints-"
  tags        = merge(var.tags, { "Name" = "${var.name}-endpoints" })
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "https" {
  count             = tonumber((length(local.interface_services) >= 1) ? 1 : 0)
  cidr_blocks       = var.vpc_cidr_blocks
  description       = "HTTPS from the VPC"
  from_port         = 443
  protocol          = "tcp"
  security_group_id = one(aws_security_group.this[*].id)
  to_port           = 443
  type              = "ingress"
}
