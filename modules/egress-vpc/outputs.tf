# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "vpc_ipv6_cidr_block" {
  description = "The VPC's Amazon-provided IPv6 /56; null without ipv6."
  value       = tostring(var.ipv6 ? aws_vpc.this.ipv6_cidr_block : null)
}

output "azs" {
  description = "The AZs, in the order the subnet lists follow."
  value       = var.azs
}

output "public_subnets" {
  description = "IDs of the public subnets, one per AZ (NAT instances go here), known once their default routes to the internet gateway exist."
  value       = [for key, val in local.public_subnets : val.id]
  depends_on = [
    aws_route.public_default,
    aws_route.public_default_v6,
    aws_route_table_association.public,
  ]
}

output "private_subnets" {
  description = "IDs of the private subnets, one per AZ."
  value       = [for key, val in local.private_subnets : val.id]
}

output "public_subnets_cidr_blocks" {
  description = "CIDR blocks of the public subnets."
  value       = [for key, val in local.public_subnets : val.cidr]
}

output "private_subnets_cidr_blocks" {
  description = "CIDR blocks of the private subnets: what a NAT accepts traffic from."
  value       = [for key, val in local.private_subnets : val.cidr]
}

output "public_route_table_ids" {
  description = "The route table of the public subnets (0.0.0.0/0 to the internet gateway), as a list of one."
  value       = [aws_route_table.public.id]
}

output "private_route_table_ids" {
  description = "The route table of each private subnet: give them to a NAT module."
  value       = [for key, val in local.private_subnets : val.routeTableId]
}

output "private_subnet_objects" {
  description = "Private subnets as { id, az, route_table_id } objects: the private_subnets input of the vpc-endpoints module."
  value       = [for key, val in local.private_subnets : { "id" = val.id, "az" = val.az, "route_table_id" = val.routeTableId }]
}

output "igw_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "egress_only_internet_gateway_id" {
  description = "ID of the egress-only internet gateway; null without ipv6."
  value       = one(aws_egress_only_internet_gateway.this[*].id)
}
