mock_provider "aws" {
  source = "./tests"
}

variables {
  name                        = "nat-test"
  vpc_id                      = "vpc-0123456789abcdef0"
  public_subnet               = "subnet-0123456789abcdef0"
  private_subnets_cidr_blocks = ["10.0.128.0/20", "10.0.144.0/20"]
  private_route_table_ids     = ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"]
}

run "plans_the_int128_layout" {
  command = plan

  assert {
    condition     = length(aws_route.this) == 2 && aws_route.this[1].route_table_id == "rtb-0123456789abcdef1"
    error_message = "every private route table gets one default route"
  }
  assert {
    condition     = aws_network_interface.this.source_dest_check == false && aws_network_interface.this.subnet_id == "subnet-0123456789abcdef0"
    error_message = "the egress ENI forwards (source/dest check off) from the public subnet"
  }
  assert {
    condition     = length(aws_eip.this) == 0
    error_message = "no EIP unless create_eip: int128 callers attach their own"
  }
  assert {
    condition     = aws_autoscaling_group.this.max_size == 1 && aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_percentage_above_base_capacity == 0
    error_message = "an auto scaling group of one, on spot"
  }
  assert {
    condition     = aws_security_group_rule.ingress_any.cidr_blocks == tolist(["10.0.128.0/20", "10.0.144.0/20"])
    error_message = "the served CIDRs may reach the NAT"
  }
}

run "renders_the_boot_files_it_ships" {
  command = plan

  # S3 names the bucket from its prefix at apply; the plan is given one so the user data,
  # whose manifest names it, is known.
  override_resource {
    target          = aws_s3_bucket.nat_boot_files_bucket
    override_during = plan
    values = {
      bucket = "nat-test-boot-plan"
      arn    = "arn:aws:s3:::nat-test-boot-plan"
    }
  }

  assert {
    # EC2 counts the gzip-compressed bytes: base64 of at most 16384 of them.
    condition     = startswith(local.user_data_text, "#cloud-config\n") && length(aws_launch_template.this.user_data) <= 21848
    error_message = "user data is cloud-config within EC2's 16 KB, gzip-compressed"
  }
  assert {
    condition     = strcontains(local.user_data_text, "HUB_CIDRS=\"10.0.128.0/20 10.0.144.0/20\"") && strcontains(local.user_data_text, "NAT_ID=\"nat-test\"")
    error_message = "the boot config names the served CIDRs and the NAT"
  }
  assert {
    condition     = strcontains(local.nat_boot_files_manifest, "\nbucket nat-test-boot-plan ${data.aws_region.current.id}\n") && strcontains(local.user_data_text, "/etc/cdktf-egress/boot.manifest")
    error_message = "user data carries the manifest naming the bucket"
  }
  assert {
    # Each boot file is uploaded from boot/ and pinned by the digest of those bytes.
    condition = alltrue([
      for f in fileset("${path.module}/boot", "*") :
      strcontains(local.nat_boot_files_manifest, "\nfile ${f} ${filesha256("${path.module}/boot/${f}")} ")
    ]) && length(fileset("${path.module}/boot", "*")) == 9
    error_message = "the manifest pins every file of boot/ by its SHA-256"
  }
  assert {
    condition     = aws_s3_object.nat_boot_files_object_nat_boot_sh.source == "${path.module}/boot/nat-boot.sh" && aws_s3_object.nat_boot_files_object_nat_boot_sh.key == "boot/${filesha256("${path.module}/boot/nat-boot.sh")}/nat-boot.sh"
    error_message = "the boot script's object is boot/nat-boot.sh, under its digest"
  }
  assert {
    condition     = !strcontains(local.user_data_text, "# Handover: everything that does not need the interfaces happens first.")
    error_message = "the boot scripts are not in user data: the loader fetches them"
  }
}

run "applies_with_its_own_eip" {
  command = apply

  variables {
    create_eip = true
    tags       = { owner = "platform" }
  }

  assert {
    condition     = output.eni_id == "eni-0a1b2c3d4e5f60718" && aws_route.this[0].network_interface_id == output.eni_id
    error_message = "routes point at the ENI, never at an instance"
  }
  assert {
    condition     = output.public_ip == "203.0.113.10" && output.eip_allocation_id == "eipalloc-0a1b2c3d4e5f60718"
    error_message = "the EIP on the ENI is the egress address"
  }
  assert {
    condition     = aws_launch_template.this.iam_instance_profile[0].arn == "arn:aws:iam::123456789012:instance-profile/nat-20261129000000000000000002"
    error_message = "the instance runs with the module's instance profile"
  }
  assert {
    condition     = aws_network_interface.this.tags["owner"] == "platform" && aws_network_interface.this.tags["cdktf-egress:nat"] == "nat-test"
    error_message = "caller tags and the tag the boot script finds its ENI by"
  }
}

run "disabled_scales_to_zero_and_keeps_the_eni" {
  command = plan

  variables {
    enabled = false
  }

  assert {
    # desired_capacity is left to Auto Scaling (ignore_changes, for schedules): max_size 0 forces it to 0.
    condition     = aws_autoscaling_group.this.max_size == 0 && aws_autoscaling_group.this.min_size == 0
    error_message = "enabled = false runs no instance"
  }
  assert {
    condition     = length(aws_route.this) == 2
    error_message = "routes and ENI stay, so the egress address survives"
  }
}

run "accepts_ids_a_mock_made_up" {
  command = plan

  variables {
    vpc_id                  = "hbsk3l7x"
    public_subnet           = "q8xw2mzd"
    private_route_table_ids = ["p0d2kq7a"]
  }

  assert {
    condition     = aws_route.this[0].route_table_id == "p0d2kq7a"
    error_message = "IDs are passed through as given"
  }
}

run "rejects_an_invalid_cidr" {
  command = plan

  variables {
    private_subnets_cidr_blocks = ["10.0.0.0/33"]
  }

  expect_failures = [var.private_subnets_cidr_blocks]
}

run "rejects_mixed_architectures" {
  command = plan

  variables {
    instance_types = ["t4g.nano", "t3.nano"]
  }

  expect_failures = [var.instance_types]
}
