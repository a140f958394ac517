# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

variable "name" {
  description = "Name tag prefix of every resource, e.g. dev-hub."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{0,30}$ (lower case, digits, dashes; starts with a letter)"
  }
}

variable "cidr" {
  description = "IPv4 CIDR of the VPC, /16 to /24: cut into sixteen blocks, AZ i gets block i (public) and 8 + i (private)."
  type        = string
  nullable    = false

  validation {
    condition     = can(cidrnetmask(var.cidr)) || (can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", var.cidr)) && can(regex("(^|[.])0[0-9]", split("/", var.cidr)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", var.cidr)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", var.cidr)[1], "?")}")))
    error_message = "\"${var.cidr}\" is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16"
  }

  validation {
    condition     = !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", var.cidr)) && can(regex("(^|[.])0[0-9]", split("/", var.cidr)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", var.cidr)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", var.cidr)[1], "?")}")))
    error_message = "\"${var.cidr}\" has a leading zero in an octet, which AWS and Terraform do not accept; write ${try(join(".", [for o in split(".", split("/", var.cidr)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", var.cidr)[1], "?")}"
  }

  validation {
    condition     = !can(cidrnetmask(var.cidr)) || try(tonumber(split("/", var.cidr)[1]) >= 16 && tonumber(split("/", var.cidr)[1]) <= 24, true)
    error_message = "/${try(split("/", var.cidr)[1], "?")} is outside /16../24; use a prefix length in that range"
  }

  validation {
    condition     = (can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", var.cidr)) && can(regex("(^|[.])0[0-9]", split("/", var.cidr)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", var.cidr)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", var.cidr)[1], "?")}"))) || try(cidrhost(var.cidr, 0) == split("/", var.cidr)[0], true)
    error_message = "${var.cidr} is not a network address; did you mean ${try(cidrhost(var.cidr, 0), "?")}/${try(split("/", var.cidr)[1], "?")}?"
  }
}

variable "azs" {
  description = "AZs, 1 to 6: one public and one private subnet (with its own route table) each."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.azs) >= 1
    error_message = "azs must list at least 1 item"
  }

  validation {
    condition     = length(var.azs) <= 6
    error_message = "azs must list at most 6 items"
  }

  validation {
    condition     = alltrue([for az in var.azs : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$", az))])
    error_message = "azs must be availability zone names such as ap-northeast-1a"
  }

  validation {
    condition     = length(distinct(var.azs)) == length(var.azs)
    error_message = "${join(", ", [for az, v in { for az in var.azs : az => az... } : "\"${az}\"" if length(v) > 1])} is listed twice; list each AZ once"
  }
}

variable "ipv6" {
  description = "Dual stack: an Amazon-provided /56, a /64 per subnet, ::/0 to the internet gateway from public subnets and to an egress-only internet gateway from private ones, so IPv6 skips the NAT."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource of the module (their Name tags win)."
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
