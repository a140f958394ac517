# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

output "public_ip" {
  description = "Egress IPv4 address (the EIP) of every VPC the NAT serves."
  value       = aws_eip.this.public_ip
}

output "eip_allocation_id" {
  description = "Allocation ID of the EIP."
  value       = aws_eip.this.allocation_id
}

output "eni_id" {
  description = "ID of the egress ENI, the hub routes' target (dedicated); null with primary."
  value       = one(aws_network_interface.this[*].id)
}

output "sg_id" {
  description = "ID of the security group of the instance and its egress ENI."
  value       = aws_security_group.this.id
}

output "iam_role_name" {
  description = "Name of the instance role (attach extra policies here)."
  value       = aws_iam_role.this.name
}

output "spoke_eni_ids" {
  description = "ENI of the NAT in each spoke, by spoke name: the target of that spoke's routes."
  value       = { for name, eni in aws_network_interface.spoke : name => eni.id }
}

output "spoke_sg_ids" {
  description = "Security group of each spoke ENI, by spoke name."
  value       = { for name, sg in aws_security_group.spoke : name => sg.id }
}

output "instance_types" {
  description = "The instance types the auto scaling group launches (given or picked)."
  value       = local.instance_types
}

output "autoscaling_group_name" {
  description = "Name of the auto scaling group of one that keeps the instance running."
  value       = aws_autoscaling_group.this.name
}
