# How a root that uses the module tests itself without an AWS account: every resource,
# the module's included, comes from a mocked provider that makes up its IDs. The module
# checks IDs for presence only, so made-up IDs pass through as they would with real ones.
# The one default needed is an ARN the aws provider itself checks (int128/nat-instance's
# launch template needs the same); modules/nat-instance/tests/aws.tfmock.hcl has more.

mock_provider "aws" {
  mock_resource "aws_iam_instance_profile" {
    defaults = {
      arn = "arn:aws:iam::123456789012:instance-profile/nat-main"
    }
  }
}

run "applies_with_made_up_ids" {
  command = apply

  assert {
    condition     = aws_eip.nat.network_interface == module.nat.eni_id
    error_message = "the root's EIP sits on the module's ENI"
  }
  assert {
    condition     = output.nat_public_ip == aws_eip.nat.public_ip
    error_message = "the egress address is the root's EIP"
  }
}
