# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

locals {
  public_subnets  = [for key, val in var.azs : { "id" = aws_subnet.public[val].id, "az" = val, "routeTableId" = aws_route_table.public.id, "cidr" = aws_subnet.public[val].cidr_block }]
  private_subnets = [for key, val in var.azs : { "id" = aws_subnet.private[val].id, "az" = val, "routeTableId" = aws_route_table.private[val].id, "cidr" = aws_subnet.private[val].cidr_block }]
}

resource "aws_vpc" "this" {
  assign_generated_ipv6_cidr_block = var.ipv6
  cidr_block                       = var.cidr
  enable_dns_hostnames             = true
  enable_dns_support               = true
  tags                             = merge(var.tags, { "Name" = var.name })
}

resource "aws_internet_gateway" "this" {
  tags   = merge(var.tags, { "Name" = "${var.name}-igw" })
  vpc_id = aws_vpc.this.id
}

resource "aws_egress_only_internet_gateway" "this" {
  count  = tonumber(var.ipv6 ? 1 : 0)
  tags   = merge(var.tags, { "Name" = "${var.name}-eigw" })
  vpc_id = aws_vpc.this.id
}

resource "aws_route_table" "public" {
  tags   = merge(var.tags, { "Name" = "${var.name}-public" })
  vpc_id = aws_vpc.this.id
}

resource "aws_route_table" "private" {
  for_each = { for key, val in var.azs : val => key }
  tags     = merge(var.tags, { "Name" = "${var.name}-private-${each.key}" })
  vpc_id   = aws_vpc.this.id
}

resource "aws_route" "public_default" {
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
  route_table_id         = aws_route_table.public.id
}

resource "aws_route" "public_default_v6" {
  count                       = tonumber(var.ipv6 ? 1 : 0)
  destination_ipv6_cidr_block = "::/0"
  gateway_id                  = aws_internet_gateway.this.id
  route_table_id              = aws_route_table.public.id
}

resource "aws_route" "private_default_v6" {
  for_each                    = var.ipv6 ? { for key, val in var.azs : val => key } : {}
  destination_ipv6_cidr_block = "::/0"
  egress_only_gateway_id      = one(aws_egress_only_internet_gateway.this[*].id)
  route_table_id              = aws_route_table.private[each.key].id
}

resource "aws_subnet" "public" {
  for_each                        = { for key, val in var.azs : val => key }
  assign_ipv6_address_on_creation = var.ipv6
  availability_zone               = each.key
  cidr_block                      = cidrsubnet(aws_vpc.this.cidr_block, 4, each.value)
  ipv6_cidr_block                 = tostring(var.ipv6 ? cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, each.value) : null)
  map_public_ip_on_launch         = false
  tags                            = merge(var.tags, { "Name" = "${var.name}-public-${each.key}" })
  vpc_id                          = aws_vpc.this.id
}

resource "aws_subnet" "private" {
  for_each                        = { for key, val in var.azs : val => key }
  assign_ipv6_address_on_creation = var.ipv6
  availability_zone               = each.key
  cidr_block                      = cidrsubnet(aws_vpc.this.cidr_block, 4, (8 + each.value))
  ipv6_cidr_block                 = tostring(var.ipv6 ? cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, (8 + each.value)) : null)
  map_public_ip_on_launch         = false
  tags                            = merge(var.tags, { "Name" = "${var.name}-private-${each.key}" })
  vpc_id                          = aws_vpc.this.id
}

resource "aws_route_table_association" "public" {
  for_each       = { for key, val in var.azs : val => key }
  route_table_id = aws_route_table.public.id
  subnet_id      = aws_subnet.public[each.key].id
}

resource "aws_route_table_association" "private" {
  for_each       = { for key, val in var.azs : val => key }
  route_table_id = aws_route_table.private[each.key].id
  subnet_id      = aws_subnet.private[each.key].id
}
