# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

variable "egress_interface" {
  description = "dedicated: an egress ENI with the EIP serves the NAT's own VPC too (route target of private_route_table_ids). primary: the EIP moves onto the primary interface, one ENI fewer, and only spokes are served."
  type        = string
  default     = "dedicated"
  nullable    = false

  validation {
    condition     = contains(["dedicated", "primary"], var.egress_interface)
    error_message = "egress_interface must be one of \"dedicated\", \"primary\""
  }
}

variable "instance_types" {
  description = "Instance types of one architecture, each carrying the network interfaces needed (primary, egress ENI when dedicated, one per spoke). null picks the two cheapest Graviton types that do."
  type        = list(string)
  default     = null
  nullable    = true

  validation {
    condition     = var.instance_types == null ? true : (length(coalesce(var.instance_types, [])) > 0)
    error_message = "instance_types is empty; give at least one type such as t4g.nano"
  }

  validation {
    condition     = var.instance_types == null ? true : (alltrue([for t in coalesce(var.instance_types, []) : can(regex("^[a-z][a-z0-9-]*[.][a-z0-9]+$", t))]))
    error_message = "instance_types must be EC2 instance types such as t4g.nano"
  }

  validation {
    condition     = var.instance_types == null ? true : (length(distinct([for t in coalesce(var.instance_types, []) : (split(".", t)[0] == "a1" || can(regex("^[a-z]+[0-9]+g", split(".", t)[0])) ? "arm64" : "x86_64")])) <= 1)
    error_message = "instance types mix architectures (${join(" and ", distinct([for t in coalesce(var.instance_types, []) : (split(".", t)[0] == "a1" || can(regex("^[a-z]+[0-9]+g", split(".", t)[0])) ? "arm64" : "x86_64")]))}); one launch template boots one AMI, so list types of one architecture"
  }

  validation {
    condition     = var.instance_types == null ? true : (alltrue([for t in coalesce(var.instance_types, []) : contains(keys(local.eni_limits), t)]))
    error_message = "unknown instance type ${join(", ", [for t in coalesce(var.instance_types, []) : t if !contains(keys(local.eni_limits), t)])}: its ENI limit is not known; use types of the families t4g, c6g, c7g, m6g, m7g, c6gn, c7gn, t3a, t3, m5, m6i, m7i, c6in"
  }

  validation {
    condition     = var.instance_types == null ? true : (length([for t in coalesce(var.instance_types, []) : "${t} (${local.eni_limits[t]})" if lookup(local.eni_limits, t, 99) < local.enis_needed]) == 0)
    error_message = "${join(", ", [for t in coalesce(var.instance_types, []) : "${t} (${local.eni_limits[t]})" if lookup(local.eni_limits, t, 99) < local.enis_needed])} cannot carry the ${local.enis_needed} network interfaces this NAT needs (${join(" + ", concat(["primary"], var.egress_interface == "dedicated" ? ["egress ENI"] : [], length(var.spokes) > 0 ? ["${length(var.spokes)} spoke ENI${length(var.spokes) > 1 ? "s" : ""}"] : []))}); choose larger types, or egress_interface \"primary\" to save one"
  }
}

variable "name" {
  description = "Name of the NAT: prefix of every resource name, Name tag, and the cdktf-egress:nat tag the boot script finds its ENIs by."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{0,30}$ (lower case, digits, dashes; starts with a letter)"
  }
}

variable "enabled" {
  description = "Run the NAT instance. false scales the auto scaling group to zero and keeps the ENI, EIP and routes, so the egress address survives."
  type        = bool
  default     = true
  nullable    = false
}

variable "image_id" {
  description = "AMI ID or resolve:ssm: parameter for the instance. \"\" (the default) is the latest Amazon Linux 2023 for the architecture of the first instance type."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = !can(regex("[[:space:]]", var.image_id))
    error_message = "image_id must be an AMI ID (ami-...) or resolve:ssm:<parameter>, without spaces; \"\" picks Amazon Linux 2023"
  }
}

variable "use_spot_instance" {
  description = "Run on spot (capacity-rebalanced, price-capacity-optimized); false runs on demand."
  type        = bool
  default     = true
  nullable    = false
}

variable "key_name" {
  description = "EC2 key pair for SSH. \"\" (the default) means none; Session Manager works either way. Open port 22 on sg_id yourself."
  type        = string
  default     = ""
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource of the module and what the instance launches."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = !contains(keys(var.tags), "")
    error_message = "tags[\"\"]: the key must not be empty"
  }

  validation {
    condition     = alltrue([for k in keys(var.tags) : length(k) <= 128])
    error_message = "tags[${join(", ", [for k, v in var.tags : "\"${k}\"" if length(k) > 128])}]: the key must be at most 128 characters long"
  }

  validation {
    condition     = alltrue([for k, v in var.tags : length(v) <= 256])
    error_message = "tags[${join(", ", [for k, v in var.tags : "\"${k}\"" if length(v) > 256])}]: must be at most 256 characters long"
  }

  validation {
    condition     = alltrue([for k in keys(var.tags) : !can(regex("^(?i)aws:", k))])
    error_message = "tag keys starting with \"aws:\" are reserved for AWS; choose another key"
  }

  validation {
    condition     = alltrue([for k in keys(var.tags) : !can(regex("^(?i)cdktf-egress:", k))])
    error_message = "tag keys starting with \"cdktf-egress:\" are set by cdktf-egress itself; choose another key"
  }

  validation {
    condition     = alltrue([for k in keys(var.tags) : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$", k))])
    error_message = "tag key ${join(", ", [for k, v in var.tags : "\"${k}\"" if !can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$", k))])} has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @"
  }

  validation {
    condition     = alltrue([for k, v in var.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$", v))])
    error_message = "tag value ${join(", ", [for k, v in var.tags : "\"${v}\"" if !can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$", v))])} has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @"
  }

  validation {
    condition     = length(setunion(keys(var.tags), ["Name", "cdktf-egress:project", "cdktf-egress:nat", "cdktf-egress:device-index"])) <= 50
    error_message = "${length(var.tags)} tags plus the 4 cdktf-egress sets (Name, cdktf-egress:project, cdktf-egress:nat, cdktf-egress:device-index) make ${length(setunion(keys(var.tags), ["Name", "cdktf-egress:project", "cdktf-egress:nat", "cdktf-egress:device-index"]))}; AWS allows 50 per resource, so drop ${length(setunion(keys(var.tags), ["Name", "cdktf-egress:project", "cdktf-egress:nat", "cdktf-egress:device-index"])) - 50}"
  }
}

variable "user_data_write_files" {
  description = "Extra cloud-init write_files entries, written after the NAT's own. Keys: path, content, permissions, owner, encoding; path and content are required, permissions defaults to 0644."
  type        = list(map(string))
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for f in var.user_data_write_files : length(setsubtract(keys(f), ["path", "content", "permissions", "owner", "encoding"])) == 0])
    error_message = "user_data_write_files entries take only the keys path, content, permissions, owner, encoding"
  }

  validation {
    condition     = alltrue([for f in var.user_data_write_files : contains(keys(f), "path") && contains(keys(f), "content")])
    error_message = "user_data_write_files entries need a path and a content"
  }

  validation {
    condition     = alltrue([for f in var.user_data_write_files : startswith(lookup(f, "path", "/"), "/")])
    error_message = "user_data_write_files[*].path must start with \"/\""
  }

  validation {
    condition     = alltrue([for f in var.user_data_write_files : can(regex("^0[0-7]{3}$", lookup(f, "permissions", "0644")))])
    error_message = "user_data_write_files[*].permissions must be an octal mode such as 0644"
  }
}

variable "user_data_runcmd" {
  description = "Extra cloud-init runcmd entries (argv lists), run after the NAT service is up."
  type        = list(list(string))
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.user_data_runcmd : length(c) > 0])
    error_message = "user_data_runcmd entries must not be empty"
  }
}

variable "ssm_policy_arn" {
  description = "Managed policy attached to the instance role for Session Manager."
  type        = string
  default     = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
  nullable    = false

  validation {
    condition     = trimspace(var.ssm_policy_arn) != ""
    error_message = "ssm_policy_arn is empty; give an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }
}

variable "root_volume_size" {
  description = "Root volume size in GiB (gp3, encrypted)."
  type        = number
  default     = 8
  nullable    = false

  validation {
    condition     = var.root_volume_size == floor(var.root_volume_size)
    error_message = "root_volume_size must be an integer"
  }

  validation {
    condition     = var.root_volume_size >= 2
    error_message = "root_volume_size must be at least 2"
  }

  validation {
    condition     = var.root_volume_size <= 100
    error_message = "root_volume_size must be at most 100"
  }
}

variable "port_forwards" {
  description = "Ports on the egress address forwarded to hosts behind the NAT: protocol (tcp|udp), port, to (IPv4), to_port (defaults to port), allow_from (CIDRs; 0.0.0.0/0 only with allow_anywhere = true)."
  type        = list(object({ protocol = string, port = number, to = string, to_port = optional(number), allow_from = list(string), allow_anywhere = optional(bool, false) }))
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for f in var.port_forwards : contains(["tcp", "udp"], f.protocol)])
    error_message = "port_forwards[*].protocol must be one of \"tcp\", \"udp\""
  }

  validation {
    condition     = alltrue([for f in var.port_forwards : f.port >= 1 && f.port <= 65535 && floor(f.port) == f.port && coalesce(f.to_port, f.port) >= 1 && coalesce(f.to_port, f.port) <= 65535])
    error_message = "port_forwards[*].port and to_port must be whole numbers from 1 to 65535"
  }

  validation {
    condition     = alltrue([for f in var.port_forwards : can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}$", f.to))])
    error_message = "port_forwards[*].to must be an IPv4 address such as 10.1.0.10"
  }

  validation {
    condition     = alltrue([for f in var.port_forwards : length(f.allow_from) > 0])
    error_message = "port_forwards[*].allow_from must list at least 1 item"
  }

  validation {
    condition     = alltrue([for c in flatten(var.port_forwards[*].allow_from) : !(!can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))))])
    error_message = "${join(", ", [for c in flatten(var.port_forwards[*].allow_from) : "\"${c}\"" if !can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16"
  }

  validation {
    condition     = alltrue([for c in flatten(var.port_forwards[*].allow_from) : !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])
    error_message = "${join(", ", [for c in flatten(var.port_forwards[*].allow_from) : "\"${c}\"" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} has a leading zero in an octet, which AWS and Terraform do not accept; write ${join(", ", [for c in flatten(var.port_forwards[*].allow_from) : "${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])}"
  }

  validation {
    condition     = alltrue([for c in flatten(var.port_forwards[*].allow_from) : !(!(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true))])
    error_message = "${join(", ", [for c in flatten(var.port_forwards[*].allow_from) : c if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])} is not a network address; did you mean ${join(", ", [for c in flatten(var.port_forwards[*].allow_from) : "${try(cidrhost(c, 0), "?")}/${try(split("/", c)[1], "?")}" if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])}?"
  }

  validation {
    condition     = alltrue([for f in var.port_forwards : f.allow_anywhere || !anytrue([for c in f.allow_from : can(cidrnetmask(c)) && endswith(c, "/0")])])
    error_message = "0.0.0.0/0 opens the port to the whole internet; set allow_anywhere = true to mean it, or narrow the range"
  }

  validation {
    condition     = length(distinct([for f in var.port_forwards : "${f.protocol}/${f.port}"])) == length(var.port_forwards)
    error_message = "${join(", ", [for k, v in { for f in var.port_forwards : "${f.protocol}/${f.port}" => f... } : k if length(v) > 1])} is forwarded twice; each protocol and port can be forwarded once"
  }

  validation {
    condition     = alltrue([for f in var.port_forwards : length(distinct([for v in concat(var.egress_interface == "dedicated" ? [for c in var.hub_cidr_blocks : { vpc = "hub", cidr = c }] : [], flatten([for s in var.spokes : [for c in s.cidr_blocks : { vpc = s.name, cidr = c }]])) : v.vpc if can(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0)) && can(cidrnetmask(v.cidr)) && try(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0) == cidrhost(v.cidr, 0), false)])) == 1])
    error_message = join("; ", [for f in var.port_forwards : length(distinct([for v in concat(var.egress_interface == "dedicated" ? [for c in var.hub_cidr_blocks : { vpc = "hub", cidr = c }] : [], flatten([for s in var.spokes : [for c in s.cidr_blocks : { vpc = s.name, cidr = c }]])) : v.vpc if can(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0)) && can(cidrnetmask(v.cidr)) && try(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0) == cidrhost(v.cidr, 0), false)])) == 0 ? "${f.to} is in none of the VPCs this NAT serves (${join("; ", [for v in concat(var.egress_interface == "dedicated" ? [for c in var.hub_cidr_blocks : { vpc = "hub", cidr = c }] : [], flatten([for s in var.spokes : [for c in s.cidr_blocks : { vpc = s.name, cidr = c }]])) : "${v.vpc} ${v.cidr}"])}); forward to a host in one of them" : "${f.to} is in ${join(" and ", distinct([for v in concat(var.egress_interface == "dedicated" ? [for c in var.hub_cidr_blocks : { vpc = "hub", cidr = c }] : [], flatten([for s in var.spokes : [for c in s.cidr_blocks : { vpc = s.name, cidr = c }]])) : v.vpc if can(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0)) && can(cidrnetmask(v.cidr)) && try(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0) == cidrhost(v.cidr, 0), false)]))}, whose CIDRs overlap; a forward must name one host" if length(distinct([for v in concat(var.egress_interface == "dedicated" ? [for c in var.hub_cidr_blocks : { vpc = "hub", cidr = c }] : [], flatten([for s in var.spokes : [for c in s.cidr_blocks : { vpc = s.name, cidr = c }]])) : v.vpc if can(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0)) && can(cidrnetmask(v.cidr)) && try(cidrhost("${f.to}/${split("/", v.cidr)[1]}", 0) == cidrhost(v.cidr, 0), false)])) != 1])
  }
}

variable "conntrack_max" {
  description = "nf_conntrack_max on the instance (the hash table gets a quarter as many buckets). 0 (the default) sizes it by memory: 64 entries per MiB, 16384 to 1048576."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.conntrack_max == floor(var.conntrack_max)
    error_message = "conntrack_max must be an integer"
  }

  validation {
    condition     = var.conntrack_max == 0 || (var.conntrack_max >= 1024 && var.conntrack_max <= 16777216)
    error_message = "conntrack_max must be 0 (sized by memory) or from 1024 to 16777216"
  }
}

variable "conntrack_tcp_established_timeout" {
  description = "Idle timeout in seconds of an established TCP connection, 60-432000: on the instance (nf_conntrack) and in EC2's tracking of its primary interface."
  type        = number
  default     = 7440
  nullable    = false

  validation {
    condition     = var.conntrack_tcp_established_timeout == floor(var.conntrack_tcp_established_timeout)
    error_message = "conntrack_tcp_established_timeout must be an integer"
  }

  validation {
    condition     = var.conntrack_tcp_established_timeout >= 60
    error_message = "conntrack_tcp_established_timeout must be at least 60"
  }

  validation {
    condition     = var.conntrack_tcp_established_timeout <= 432000
    error_message = "conntrack_tcp_established_timeout must be at most 432000"
  }
}

variable "conntrack_udp_timeout" {
  description = "Idle timeout in seconds of a UDP flow seen one way, 30-60: on the instance (nf_conntrack) and in EC2's tracking of its primary interface."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.conntrack_udp_timeout == floor(var.conntrack_udp_timeout)
    error_message = "conntrack_udp_timeout must be an integer"
  }

  validation {
    condition     = var.conntrack_udp_timeout >= 30
    error_message = "conntrack_udp_timeout must be at least 30"
  }

  validation {
    condition     = var.conntrack_udp_timeout <= 60
    error_message = "conntrack_udp_timeout must be at most 60"
  }
}

variable "conntrack_udp_stream_timeout" {
  description = "Idle timeout in seconds of a UDP flow seen both ways, 60-180: on the instance (nf_conntrack) and in EC2's tracking of its primary interface."
  type        = number
  default     = 120
  nullable    = false

  validation {
    condition     = var.conntrack_udp_stream_timeout == floor(var.conntrack_udp_stream_timeout)
    error_message = "conntrack_udp_stream_timeout must be an integer"
  }

  validation {
    condition     = var.conntrack_udp_stream_timeout >= 60
    error_message = "conntrack_udp_stream_timeout must be at least 60"
  }

  validation {
    condition     = var.conntrack_udp_stream_timeout <= 180
    error_message = "conntrack_udp_stream_timeout must be at most 180"
  }
}

variable "schedule" {
  description = "Start and stop the NAT on a timetable: Unix cron (five fields) for on and off, read in time_zone (IANA, e.g. Asia/Tokyo). null (the default) runs it all the time. While it is off the private subnets it serves have no IPv4 egress; the ENI, EIP (still billed) and routes stay."
  type        = object({ time_zone = string, on = string, off = string })
  default     = null
  nullable    = true

  validation {
    condition     = var.schedule == null || alltrue([for c in [try(var.schedule.on, ""), try(var.schedule.off, "")] : can(regex("^[0-9A-Za-z*,/-]+( [0-9A-Za-z*,/-]+){4}$", c)) && !can(regex("[?#]|(^|[ ,])[0-9]*(L|W|LW)([ ,]|$)", c))])
    error_message = "schedule.on and schedule.off must be Unix cron with five fields \"minute hour day-of-month month day-of-week\" such as \"0 8 * * 1-5\" (no Quartz ?, L, W or #)"
  }

  validation {
    condition     = var.schedule == null || can(regex("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", try(var.schedule.time_zone, "")))
    error_message = "schedule.time_zone must be an IANA time zone such as Etc/UTC, Europe/Berlin or Asia/Tokyo"
  }

  validation {
    condition     = var.schedule == null || try(var.schedule.on != var.schedule.off, true)
    error_message = "schedule.off must differ from schedule.on"
  }
}

variable "block_public_access" {
  description = "The account's VPC Block Public Access mode (block-bidirectional or block-ingress), to create the exclusion the NAT needs: for its public subnet (exclude = \"subnet\") or its VPC (\"vpc\"). allow-egress where the account blocks both directions and nothing listens; allow-bidirectional where it blocks ingress only or port forwards take connections. null (the default) creates none."
  type        = object({ account_mode = string, exclude = optional(string, "subnet") })
  default     = null
  nullable    = true

  validation {
    condition     = contains(["block-bidirectional", "block-ingress"], try(var.block_public_access.account_mode, "block-bidirectional"))
    error_message = "block_public_access.account_mode must be one of \"block-bidirectional\", \"block-ingress\""
  }

  validation {
    condition     = contains(["subnet", "vpc"], try(var.block_public_access.exclude, "subnet"))
    error_message = "block_public_access.exclude must be one of \"subnet\", \"vpc\""
  }
}

variable "watchdog_enabled" {
  description = "Run the on-instance watchdog: every 20 s it checks the NAT (nftables, forwarding, default route, ENIs, conntrack, port allocation), converges again on a failure and reports the instance Unhealthy after watchdog_repairs_before_unhealthy failed repairs."
  type        = bool
  default     = true
  nullable    = false
}

variable "watchdog_repairs_before_unhealthy" {
  description = "Failed repairs in a row before the instance reports itself Unhealthy and the group replaces it."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.watchdog_repairs_before_unhealthy == floor(var.watchdog_repairs_before_unhealthy)
    error_message = "watchdog_repairs_before_unhealthy must be an integer"
  }

  validation {
    condition     = var.watchdog_repairs_before_unhealthy >= 1
    error_message = "watchdog_repairs_before_unhealthy must be at least 1"
  }

  validation {
    condition     = var.watchdog_repairs_before_unhealthy <= 99
    error_message = "watchdog_repairs_before_unhealthy must be at most 99"
  }
}

variable "watchdog_egress_probe" {
  description = "host:port the watchdog connects to over TCP through the egress interface at every run (for example ec2.<region>.amazonaws.com:443); \"\" (the default) turns the probe off."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.watchdog_egress_probe == "" || can(regex("^[A-Za-z0-9.-]+:[0-9]{1,5}$", var.watchdog_egress_probe))
    error_message = "watchdog_egress_probe must be \"\" or host:port such as ec2.ap-northeast-1.amazonaws.com:443"
  }
}

variable "metrics_enabled" {
  description = "Send CloudWatch metrics from the watchdog (namespace CdktfEgress, dimension NatId): conntrack, bytes and packets per served VPC, drops, port-allocation failures, repairs. Needs watchdog_enabled."
  type        = bool
  default     = false
  nullable    = false

  validation {
    condition     = !var.metrics_enabled || var.watchdog_enabled
    error_message = "the watchdog sends the metrics; set watchdog_enabled = true or metrics_enabled = false"
  }
}

variable "metrics_period" {
  description = "Seconds between metric sends."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.metrics_period == floor(var.metrics_period)
    error_message = "metrics_period must be an integer"
  }

  validation {
    condition     = var.metrics_period >= 60
    error_message = "metrics_period must be at least 60"
  }

  validation {
    condition     = var.metrics_period <= 3600
    error_message = "metrics_period must be at most 3600"
  }
}

variable "alarms_enabled" {
  description = "CloudWatch alarms: fewer InService instances than desired for alarm_no_in_service_minutes; and, with metrics_enabled, a failed watchdog repair and conntrack above alarm_conntrack_percent."
  type        = bool
  default     = false
  nullable    = false
}

variable "alarm_no_in_service_minutes" {
  description = "Minutes without the desired InService instance before the capacity alarm fires."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.alarm_no_in_service_minutes == floor(var.alarm_no_in_service_minutes)
    error_message = "alarm_no_in_service_minutes must be an integer"
  }

  validation {
    condition     = var.alarm_no_in_service_minutes >= 1
    error_message = "alarm_no_in_service_minutes must be at least 1"
  }

  validation {
    condition     = var.alarm_no_in_service_minutes <= 60
    error_message = "alarm_no_in_service_minutes must be at most 60"
  }
}

variable "alarm_conntrack_percent" {
  description = "Conntrack fill (percent of its maximum) that fires the conntrack alarm."
  type        = number
  default     = 80
  nullable    = false

  validation {
    condition     = var.alarm_conntrack_percent == floor(var.alarm_conntrack_percent)
    error_message = "alarm_conntrack_percent must be an integer"
  }

  validation {
    condition     = var.alarm_conntrack_percent >= 1
    error_message = "alarm_conntrack_percent must be at least 1"
  }

  validation {
    condition     = var.alarm_conntrack_percent <= 100
    error_message = "alarm_conntrack_percent must be at most 100"
  }
}

variable "alarm_email" {
  description = "Email address subscribed to a new SNS topic for the alarms; \"\" for none."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$", var.alarm_email))
    error_message = "alarm_email must be \"\" or an email address such as ops@example.com"
  }
}

variable "alarm_topic_arn" {
  description = "Existing SNS topic ARN for the alarms; \"\" for none."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.alarm_topic_arn == "" || can(regex("^arn:aws[a-z-]*:sns:", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be \"\" or an SNS topic ARN such as arn:aws:sns:ap-northeast-1:123456789012:ops"
  }

  validation {
    condition     = var.alarm_email == "" || var.alarm_topic_arn == ""
    error_message = "give alarm_email (a new topic) or alarm_topic_arn (an existing one), not both"
  }
}

variable "vpc_id" {
  description = "ID of the VPC the NAT instance lives in (the hub)."
  type        = string
  nullable    = false

  validation {
    condition     = trimspace(var.vpc_id) != ""
    error_message = "vpc_id is empty; give the ID of a VPC, such as vpc-0123456789abcdef0"
  }
}

variable "public_subnet" {
  description = "ID of a public subnet of the hub: it fixes the AZ, and every spoke needs a subnet in that AZ."
  type        = string
  nullable    = false

  validation {
    condition     = trimspace(var.public_subnet) != ""
    error_message = "public_subnet is empty; give the ID of a subnet, such as subnet-0123456789abcdef0"
  }
}

variable "hub_cidr_blocks" {
  description = "CIDR blocks of the hub served through the egress ENI (dedicated only)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.hub_cidr_blocks : !(!can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))))])
    error_message = "${join(", ", [for c in var.hub_cidr_blocks : "\"${c}\"" if !can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16"
  }

  validation {
    condition     = alltrue([for c in var.hub_cidr_blocks : !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])
    error_message = "${join(", ", [for c in var.hub_cidr_blocks : "\"${c}\"" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} has a leading zero in an octet, which AWS and Terraform do not accept; write ${join(", ", [for c in var.hub_cidr_blocks : "${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])}"
  }

  validation {
    condition     = alltrue([for c in var.hub_cidr_blocks : !(!(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true))])
    error_message = "${join(", ", [for c in var.hub_cidr_blocks : c if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])} is not a network address; did you mean ${join(", ", [for c in var.hub_cidr_blocks : "${try(cidrhost(c, 0), "?")}/${try(split("/", c)[1], "?")}" if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])}?"
  }
}

variable "private_route_table_ids" {
  description = "Hub route tables that get 0.0.0.0/0 to the egress ENI (dedicated only)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.private_route_table_ids : trimspace(id) != ""])
    error_message = "private_route_table_ids holds an empty ID; list IDs of route tables, such as rtb-0123456789abcdef0"
  }
}

variable "spokes" {
  description = "VPCs served through ENIs of the NAT in them: name (unique), vpc_id, subnet_id (a private subnet in the NAT's AZ), cidr_blocks (sources admitted and routed back), route_table_ids (each gets 0.0.0.0/0 to that ENI). Device indexes follow the list order."
  type        = list(object({ name = string, vpc_id = string, subnet_id = string, cidr_blocks = list(string), route_table_ids = list(string) }))
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.spokes : can(regex("^[a-z][a-z0-9-]{0,30}$", s.name))])
    error_message = "spokes[*].name must match ^[a-z][a-z0-9-]{0,30}$ (lower case, digits, dashes; starts with a letter)"
  }

  validation {
    condition     = length(distinct(var.spokes[*].name)) == length(var.spokes)
    error_message = "spoke name ${join(", ", [for n, v in { for s in var.spokes : s.name => s... } : "\"${n}\"" if length(v) > 1])} is used twice; spoke names must be unique"
  }

  validation {
    condition     = alltrue([for c in flatten(var.spokes[*].cidr_blocks) : !(!can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))))])
    error_message = "${join(", ", [for c in flatten(var.spokes[*].cidr_blocks) : "\"${c}\"" if !can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16"
  }

  validation {
    condition     = alltrue([for c in flatten(var.spokes[*].cidr_blocks) : !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])
    error_message = "${join(", ", [for c in flatten(var.spokes[*].cidr_blocks) : "\"${c}\"" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} has a leading zero in an octet, which AWS and Terraform do not accept; write ${join(", ", [for c in flatten(var.spokes[*].cidr_blocks) : "${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])}"
  }

  validation {
    condition     = alltrue([for c in flatten(var.spokes[*].cidr_blocks) : !(!(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true))])
    error_message = "${join(", ", [for c in flatten(var.spokes[*].cidr_blocks) : c if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])} is not a network address; did you mean ${join(", ", [for c in flatten(var.spokes[*].cidr_blocks) : "${try(cidrhost(c, 0), "?")}/${try(split("/", c)[1], "?")}" if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])}?"
  }

  validation {
    condition     = alltrue([for s in var.spokes : length(s.cidr_blocks) > 0])
    error_message = "spokes[*].cidr_blocks must list at least 1 item"
  }

  validation {
    condition     = length(flatten([for s in var.spokes : [for c in s.cidr_blocks : [for h in var.hub_cidr_blocks : "spoke \"${s.name}\" ${c} overlaps the hub's ${h}" if try(cidrhost("${split("/", c)[0]}/${min(tonumber(split("/", c)[1]), tonumber(split("/", h)[1]))}", 0) == cidrhost("${split("/", h)[0]}/${min(tonumber(split("/", c)[1]), tonumber(split("/", h)[1]))}", 0), false)]]])) == 0
    error_message = "${join("; ", flatten([for s in var.spokes : [for c in s.cidr_blocks : [for h in var.hub_cidr_blocks : "spoke \"${s.name}\" ${c} overlaps the hub's ${h}" if try(cidrhost("${split("/", c)[0]}/${min(tonumber(split("/", c)[1]), tonumber(split("/", h)[1]))}", 0) == cidrhost("${split("/", h)[0]}/${min(tonumber(split("/", c)[1]), tonumber(split("/", h)[1]))}", 0), false)]]]))}; replies to the hub would leave through the spoke's ENI, so give each spoke CIDRs outside the hub's"
  }

  validation {
    condition     = alltrue([for id in var.spokes[*].vpc_id : trimspace(id) != ""])
    error_message = "spokes[*].vpc_id holds an empty ID; list IDs of VPCs, such as vpc-0123456789abcdef0"
  }

  validation {
    condition     = alltrue([for id in var.spokes[*].subnet_id : trimspace(id) != ""])
    error_message = "spokes[*].subnet_id holds an empty ID; list IDs of subnets, such as subnet-0123456789abcdef0"
  }

  validation {
    condition     = alltrue([for id in flatten(var.spokes[*].route_table_ids) : trimspace(id) != ""])
    error_message = "spokes[*].route_table_ids holds an empty ID; list IDs of route tables, such as rtb-0123456789abcdef0"
  }

  validation {
    condition     = var.egress_interface != "primary" || length(var.spokes) > 0
    error_message = "egress_interface \"primary\" serves only spokes; list at least one spoke, or use egress_interface \"dedicated\" to serve the NAT's own VPC"
  }

  validation {
    condition     = 1 + (var.egress_interface == "dedicated" ? 1 : 0) + length(var.spokes) <= 8
    error_message = "no instance type in the catalog carries ${1 + (var.egress_interface == "dedicated" ? 1 : 0) + length(var.spokes)} network interfaces (the most is 8)"
  }
}
