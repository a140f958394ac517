mock_provider "aws" {
  source = "./tests"
}

variables {
  name                    = "shared"
  vpc_id                  = "vpc-0123456789abcdef0"
  public_subnet           = "subnet-0123456789abcdef0"
  hub_cidr_blocks         = ["10.0.0.0/16"]
  private_route_table_ids = ["rtb-0123456789abcdef0"]
  spokes = [
    { name = "app1", vpc_id = "vpc-0123456789abcdef1", subnet_id = "subnet-0123456789abcdef1", cidr_blocks = ["10.1.0.0/16"], route_table_ids = ["rtb-0123456789abcdef1", "rtb-0123456789abcdef2"] },
    { name = "app2", vpc_id = "vpc-0123456789abcdef2", subnet_id = "subnet-0123456789abcdef2", cidr_blocks = ["10.2.0.0/16"], route_table_ids = ["rtb-0123456789abcdef3"] },
  ]
  port_forwards = [
    { protocol = "tcp", port = 8080, to = "10.1.128.10", to_port = 80, allow_from = ["203.0.113.0/24"] },
  ]
}

run "attaches_one_eni_per_spoke_in_list_order" {
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
    condition     = aws_network_interface.spoke["app1"].tags["cdktf-egress:device-index"] == "2" && aws_network_interface.spoke["app2"].tags["cdktf-egress:device-index"] == "3"
    error_message = "spoke ENIs take device indexes after the egress ENI, in list order"
  }
  assert {
    condition     = toset(keys(aws_route.spoke)) == toset(["app1/0", "app1/1", "app2/0"])
    error_message = "one default route per spoke route table"
  }
  assert {
    condition     = length(local.instance_types) == 2 && alltrue([for t in local.instance_types : local.eni_limits[t] >= 4])
    error_message = "the default types are the two cheapest Graviton types carrying 4 interfaces"
  }
  assert {
    condition     = strcontains(local.user_data_text, "SPOKES=\"2=10.1.0.0/16 3=10.2.0.0/16\"") && strcontains(local.user_data_text, "PORT_FORWARDS=\"tcp:8080:10.1.128.10:80:203.0.113.0/24\"")
    error_message = "the boot config names the spokes and the forward"
  }
}

run "applies_and_reports_spoke_enis_by_name" {
  command = apply

  assert {
    condition     = output.spoke_eni_ids == { app1 = "eni-0a1b2c3d4e5f60718", app2 = "eni-0a1b2c3d4e5f60718" }
    error_message = "spoke ENIs are reported by spoke name"
  }
  assert {
    condition     = output.public_ip == "203.0.113.10" && aws_eip.this.network_interface == output.eni_id
    error_message = "the EIP sits on the egress ENI (dedicated)"
  }
  assert {
    condition     = aws_route.spoke["app2/0"].network_interface_id == aws_network_interface.spoke["app2"].id
    error_message = "each spoke routes to its own ENI"
  }
}

run "primary_mode_drops_the_egress_eni" {
  command = plan

  variables {
    egress_interface = "primary"
  }

  assert {
    condition     = length(aws_network_interface.this) == 0 && length(aws_route.this) == 0
    error_message = "primary mode has no egress ENI and no hub routes"
  }
  assert {
    condition     = aws_network_interface.spoke["app1"].tags["cdktf-egress:device-index"] == "1"
    error_message = "spokes start at device index 1 without the egress ENI"
  }
}

run "rejects_types_short_of_interfaces" {
  command = plan

  variables {
    instance_types = ["t4g.nano"]
  }

  expect_failures = [var.instance_types]
}

run "rejects_a_forward_to_no_served_vpc" {
  command = plan

  variables {
    port_forwards = [{ protocol = "tcp", port = 8080, to = "10.9.0.1", allow_from = ["203.0.113.0/24"] }]
  }

  expect_failures = [var.port_forwards]
}

run "rejects_a_spoke_inside_the_hub" {
  command = plan

  variables {
    spokes        = [{ name = "app1", vpc_id = "vpc-0123456789abcdef1", subnet_id = "subnet-0123456789abcdef1", cidr_blocks = ["10.0.128.0/20"], route_table_ids = ["rtb-0123456789abcdef1"] }]
    port_forwards = []
  }

  expect_failures = [var.spokes]
}

run "rejects_a_hub_inside_a_spoke" {
  command = plan

  variables {
    hub_cidr_blocks = ["10.1.16.0/20"]
    port_forwards   = []
  }

  expect_failures = [var.spokes]
}
