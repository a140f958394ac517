# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

output "gateway_endpoint_ids" {
  description = "Gateway endpoint IDs by service (s3, dynamodb)."
  value       = { for k, e in aws_vpc_endpoint.gateway : k => e.id }
}

output "interface_endpoint_ids" {
  description = "Interface endpoint IDs by service as listed (presets expanded)."
  value       = { for k, e in aws_vpc_endpoint.interface : k => e.id }
}

output "security_group_id" {
  description = "Security group of the interface endpoints; null when there are none."
  value       = one(aws_security_group.this[*].id)
}
