# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

variable "name" {
  description = "Name tag prefix, e.g. dev-app1."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{0,30}$ (lower case, digits, dashes; starts with a letter)"
  }
}

variable "vpc_id" {
  description = "ID of the VPC."
  type        = string
  nullable    = false

  validation {
    condition     = trimspace(var.vpc_id) != ""
    error_message = "vpc_id is empty; give the ID of a VPC, such as vpc-0123456789abcdef0"
  }
}

variable "vpc_cidr_blocks" {
  description = "CIDR blocks of the VPC: interface endpoints admit HTTPS from them."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for c in var.vpc_cidr_blocks : !(!can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))))])
    error_message = "${join(", ", [for c in var.vpc_cidr_blocks : "\"${c}\"" if !can(cidrnetmask(c)) && !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} is not a valid IPv4 CIDR; use a network such as 10.0.0.0/16"
  }

  validation {
    condition     = alltrue([for c in var.vpc_cidr_blocks : !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])
    error_message = "${join(", ", [for c in var.vpc_cidr_blocks : "\"${c}\"" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])} has a leading zero in an octet, which AWS and Terraform do not accept; write ${join(", ", [for c in var.vpc_cidr_blocks : "${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}" if(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}")))])}"
  }

  validation {
    condition     = alltrue([for c in var.vpc_cidr_blocks : !(!(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true))])
    error_message = "${join(", ", [for c in var.vpc_cidr_blocks : c if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])} is not a network address; did you mean ${join(", ", [for c in var.vpc_cidr_blocks : "${try(cidrhost(c, 0), "?")}/${try(split("/", c)[1], "?")}" if !(can(regex("^([0-9]{1,3}[.]){3}[0-9]{1,3}/[0-9]{1,2}$", c)) && can(regex("(^|[.])0[0-9]", split("/", c)[0])) && can(cidrnetmask("${try(join(".", [for o in split(".", split("/", c)[0]) : format("%d", tonumber(o))]), "?")}/${try(split("/", c)[1], "?")}"))) && !try(cidrhost(c, 0) == split("/", c)[0], true)])}?"
  }
}

variable "private_subnets" {
  description = "Private subnets of the VPC (the egress-vpc module's private_subnet_objects output): gateway endpoints are routed from their route tables, interface endpoints placed in them."
  type        = list(object({ id = string, az = string, route_table_id = string }))
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.private_subnets[*].id : trimspace(id) != ""])
    error_message = "private_subnets[*].id holds an empty ID; list IDs of subnets, such as subnet-0123456789abcdef0"
  }

  validation {
    condition     = alltrue([for id in var.private_subnets[*].route_table_id : trimspace(id) != ""])
    error_message = "private_subnets[*].route_table_id holds an empty ID; list IDs of route tables, such as rtb-0123456789abcdef0"
  }
}

variable "gateway" {
  description = "Free gateway endpoints: s3, dynamodb."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for g in var.gateway : contains(["s3", "dynamodb"], g)])
    error_message = "gateway entries must be one of \"s3\", \"dynamodb\""
  }

  validation {
    condition     = length(distinct(var.gateway)) == length(var.gateway)
    error_message = "${join(", ", [for g, v in { for g in var.gateway : g => g... } : "\"${g}\"" if length(v) > 1])} is listed twice; list it once"
  }
}

variable "interface" {
  description = "Interface endpoints: presets (ssm, ecr), short names such as ssm, or full service names."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.interface : can(regex("^[a-z0-9][a-z0-9.-]*$", e))])
    error_message = "interface entries must be a short service name such as ssm, a preset such as ecr, or a full service name such as com.amazonaws.ap-northeast-1.ssm"
  }

  validation {
    condition     = alltrue([for e in var.interface : contains(keys({ "ssm" : { "interface" : ["ssm", "ssmmessages", "ec2messages"], "gateway" : [] }, "ecr" : { "interface" : ["ecr.api", "ecr.dkr"], "gateway" : ["s3"] } }), e) || contains(["autoscaling", "cloudformation", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "elasticfilesystem", "elasticloadbalancing", "events", "execute-api", "kinesis-streams", "kms", "lambda", "logs", "monitoring", "rds", "secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "states", "sts", "xray"], e) || can(regex("^(com[.]amazonaws|aws[.][a-z0-9-]+)[.][a-z0-9.-]+$", e))])
    error_message = join("; ", [for e in var.interface : "unknown interface endpoint \"${e}\"; use a preset (ssm, ecr), a short name (autoscaling, cloudformation, ec2, ec2messages, ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, elasticfilesystem, elasticloadbalancing, events, execute-api, kinesis-streams, kms, lambda, logs, monitoring, rds, secretsmanager, sns, sqs, ssm, ssmmessages, states, sts, xray) or a full name such as com.amazonaws.<region>.<service>" if !(contains(keys({ "ssm" : { "interface" : ["ssm", "ssmmessages", "ec2messages"], "gateway" : [] }, "ecr" : { "interface" : ["ecr.api", "ecr.dkr"], "gateway" : ["s3"] } }), e) || contains(["autoscaling", "cloudformation", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "elasticfilesystem", "elasticloadbalancing", "events", "execute-api", "kinesis-streams", "kms", "lambda", "logs", "monitoring", "rds", "secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "states", "sts", "xray"], e) || can(regex("^(com[.]amazonaws|aws[.][a-z0-9-]+)[.][a-z0-9.-]+$", e)))])
  }

  validation {
    condition     = alltrue([for s, from in { for p in flatten([for e in var.interface : [for s in(contains(keys({ "ssm" : { "interface" : ["ssm", "ssmmessages", "ec2messages"], "gateway" : [] }, "ecr" : { "interface" : ["ecr.api", "ecr.dkr"], "gateway" : ["s3"] } }), e) ? { "ssm" : { "interface" : ["ssm", "ssmmessages", "ec2messages"], "gateway" : [] }, "ecr" : { "interface" : ["ecr.api", "ecr.dkr"], "gateway" : ["s3"] } }[e].interface : [e]) : { service = can(regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)) && contains(["autoscaling", "cloudformation", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "elasticfilesystem", "elasticloadbalancing", "events", "execute-api", "kinesis-streams", "kms", "lambda", "logs", "monitoring", "rds", "secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "states", "sts", "xray"], try(regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)[0], "")) ? regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)[0] : s, from = e }]]) : p.service => p.from... } : length(from) == 1])
    error_message = join("; ", [for s, from in { for p in flatten([for e in var.interface : [for s in(contains(keys({ "ssm" : { "interface" : ["ssm", "ssmmessages", "ec2messages"], "gateway" : [] }, "ecr" : { "interface" : ["ecr.api", "ecr.dkr"], "gateway" : ["s3"] } }), e) ? { "ssm" : { "interface" : ["ssm", "ssmmessages", "ec2messages"], "gateway" : [] }, "ecr" : { "interface" : ["ecr.api", "ecr.dkr"], "gateway" : ["s3"] } }[e].interface : [e]) : { service = can(regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)) && contains(["autoscaling", "cloudformation", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "elasticfilesystem", "elasticloadbalancing", "events", "execute-api", "kinesis-streams", "kms", "lambda", "logs", "monitoring", "rds", "secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "states", "sts", "xray"], try(regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)[0], "")) ? regex("^com[.]amazonaws[.][a-z0-9-]+[.](.+)$", s)[0] : s, from = e }]]) : p.service => p.from... } : "\"${s}\" is listed twice (also from \"${from[0]}\"); list it once" if length(from) > 1])
  }
}

variable "placement" {
  description = "single-subnet: one ENI per endpoint in the first private subnet (every AZ reaches it; cheapest). per-az: one per AZ (survives an AZ loss)."
  type        = string
  default     = "single-subnet"
  nullable    = false

  validation {
    condition     = contains(["single-subnet", "per-az"], var.placement)
    error_message = "placement must be one of \"single-subnet\", \"per-az\""
  }
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
