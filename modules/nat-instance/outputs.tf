# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

output "eni_id" {
  description = "ID of the NAT ENI: the target of the private routes, and where an EIP goes."
  value       = aws_network_interface.this.id
}

output "eni_private_ip" {
  description = "Private IPv4 address of the NAT ENI."
  value       = aws_network_interface.this.private_ip
}

output "sg_id" {
  description = "ID of the security group of the instance and its ENI (add rules such as SSH here)."
  value       = aws_security_group.this.id
}

output "iam_role_name" {
  description = "Name of the instance role (attach extra policies here)."
  value       = aws_iam_role.this.name
}

output "public_ip" {
  description = "Egress IPv4 address when create_eip is true; null otherwise."
  value       = one(aws_eip.this[*].public_ip)
}

output "eip_allocation_id" {
  description = "Allocation ID of the EIP when create_eip is true; null otherwise."
  value       = one(aws_eip.this[*].allocation_id)
}

output "autoscaling_group_name" {
  description = "Name of the auto scaling group of one that keeps the instance running."
  value       = aws_autoscaling_group.this.name
}

output "launch_template_id" {
  description = "ID of the launch template (its user data installs the boot script)."
  value       = aws_launch_template.this.id
}
