# Generated from lib/modules by `npm run modules`; do not edit. Change the TypeScript and regenerate (`npm run modules -- --check` finds stale files).

locals {
  port_forwards           = [for f in var.port_forwards : { protocol = f.protocol, port = f.port, to = f.to, toPort = coalesce(f.to_port, f.port), allowFrom = f.allow_from }]
  image_id                = var.image_id != "" ? var.image_id : (split(".", var.instance_types[0])[0] == "a1" || can(regex("^[a-z]+[0-9]+g", split(".", var.instance_types[0])[0])) ? "arm64" : "x86_64") == "arm64" ? "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" : "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
  key_name                = var.key_name != "" ? var.key_name : null
  metrics_period          = var.metrics_enabled ? var.metrics_period : 0
  nat_boot_files_manifest = <<EOT
# Written by cdktf-egress at synth time; read by nat-load.sh.
bucket ${aws_s3_bucket.nat_boot_files_bucket.bucket} ${data.aws_region.current.id}
file nat-boot.sh ${filesha256("${path.module}/boot/nat-boot.sh")} 0755 /opt/cdktf-egress/nat-boot.sh
file cdktf-egress-nat.service ${filesha256("${path.module}/boot/cdktf-egress-nat.service")} 0644 /etc/systemd/system/cdktf-egress-nat.service
file nat-aws.sh ${filesha256("${path.module}/boot/nat-aws.sh")} 0644 /opt/cdktf-egress/nat-aws.sh
file nat-handover.sh ${filesha256("${path.module}/boot/nat-handover.sh")} 0644 /opt/cdktf-egress/nat-handover.sh
file nat-watch.sh ${filesha256("${path.module}/boot/nat-watch.sh")} 0755 /opt/cdktf-egress/nat-watch.sh
file cdktf-egress-nat-watch.service ${filesha256("${path.module}/boot/cdktf-egress-nat-watch.service")} 0644 /etc/systemd/system/cdktf-egress-nat-watch.service
file nat-watchdog.sh ${filesha256("${path.module}/boot/nat-watchdog.sh")} 0755 /opt/cdktf-egress/nat-watchdog.sh
file cdktf-egress-watchdog.service ${filesha256("${path.module}/boot/cdktf-egress-watchdog.service")} 0644 /etc/systemd/system/cdktf-egress-watchdog.service
file cdktf-egress-watchdog.timer ${filesha256("${path.module}/boot/cdktf-egress-watchdog.timer")} 0644 /etc/systemd/system/cdktf-egress-watchdog.timer
EOT
  cloud_config_base = {
    write_files = [
      {
        path        = "/opt/cdktf-egress/nat-load.sh"
        permissions = "0755"
        content     = <<EOT
#!/usr/bin/env bash
# cdktf-egress boot loader, the one boot file in user data (docs/boot-files.md). Fetches
# each file the manifest pins from S3 (key boot/SHA256/NAME; bounded attempts), checks
# every digest before installing anything, installs each file atomically and keeps it in
# a cache, so a re-run works without S3. On failure: reports the instance Unhealthy, exits 1.
# Manifest lines: `bucket BUCKET REGION [ENDPOINT_URL]`, `file NAME SHA256 MODE DEST`.
# Test overrides: EGRESS_BOOT_MANIFEST, EGRESS_BOOT_CACHE, EGRESS_BOOT_ROOT (DEST prefix),
# EGRESS_LOAD_ATTEMPTS, EGRESS_IMDS.
set -Euo pipefail
umask 022
export AWS_PAGER=""
readonly MANIFEST=$${EGRESS_BOOT_MANIFEST:-/etc/cdktf-egress/boot.manifest}
readonly CACHE=$${EGRESS_BOOT_CACHE:-/var/lib/cdktf-egress/boot-cache}
readonly ROOT=$${EGRESS_BOOT_ROOT:-}
readonly ATTEMPTS=$${EGRESS_LOAD_ATTEMPTS:-6} CALL_TIMEOUT=30
readonly IMDS=$${EGRESS_IMDS:-http://169.254.169.254/latest}
BUCKET="" REGION="" ENDPOINT=""
readonly URL='^https?://[][A-Za-z0-9.:-]+/?$'
NAMES=() KEYS=() DIGESTS=() MODES=() DESTS=()

log() { printf 'cdktf-egress-load: %s\n' "$*" >&2; }

report_unhealthy() {
  local token id region
  token=$(curl -fsS --noproxy '*' --max-time 3 --retry 3 --retry-delay 1 --retry-connrefused -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token" 2>/dev/null) || token=""
  [[ -n $token ]] || { log "no IMDSv2 token: cannot report this instance Unhealthy"; return; }
  meta() { curl -fsS --noproxy '*' --max-time 3 --retry 3 -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/$1"; }
  id=$(meta instance-id) || { log "no instance ID from IMDS: cannot report Unhealthy"; return; }
  region=$${REGION:-$(meta placement/region)} || { log "no region from IMDS: cannot report Unhealthy"; return; }
  local n
  for ((n = 1; n <= 5; n++)); do
    # Without --no-should-respect-grace-period the ASG ignores this during its grace period.
    if timeout "$CALL_TIMEOUT" aws autoscaling set-instance-health --region "$region" --instance-id "$id" \
      --health-status Unhealthy --no-should-respect-grace-period </dev/null; then
      log "reported $id Unhealthy"
      return
    fi
    sleep $((n * 2))
  done
  log "could not report $id Unhealthy"
}

fail() {
  log "FAILED: $*"
  report_unhealthy
  exit 1
}

read_manifest() {
  [[ -r $MANIFEST ]] || fail "manifest $MANIFEST not readable"
  local kind a c d e extra
  while read -r kind a c d e extra || [[ -n $kind ]]; do
    case $kind in
      '' | '#'*) ;;
      bucket)
        [[ $a =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || fail "manifest: bad bucket name $a"
        [[ $c =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || fail "manifest: bad region $c"
        [[ -z $d || $d =~ $URL ]] || fail "manifest: bad endpoint URL $d"
        BUCKET=$a REGION=$c ENDPOINT=$d
        # An endpoint is named only for an instance without public IPv4: the Unhealthy report
        # must go to Auto Scaling's dual-stack endpoint too, as nat-boot.sh's calls do.
        [[ -z $d ]] || export AWS_USE_DUALSTACK_ENDPOINT=true ;;
      file)
        [[ $a =~ ^[A-Za-z0-9._-]+$ ]] || fail "manifest: bad file name $a"
        [[ $c =~ ^[0-9a-f]{64}$ ]] || fail "manifest: bad SHA-256 for $a"
        [[ $d =~ ^0[0-7]{3}$ ]] || fail "manifest: bad mode $d for $a"
        [[ $e =~ ^/[A-Za-z0-9._/-]+$ && $e != *..* && -z $extra ]] || fail "manifest: bad destination for $a"
        NAMES+=("$a") KEYS+=("boot/$c/$a") DIGESTS+=("$c") MODES+=("$d") DESTS+=("$e") ;;
      *) fail "manifest: unknown line kind $kind" ;;
    esac
  done <"$MANIFEST"
  [[ -n $BUCKET ]] || fail "manifest: no bucket line"
  (($${#NAMES[@]} > 0)) || fail "manifest: no files"
}

digest_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch I: the verified bytes of file I into the cache (CACHE/SHA256); a cached copy is used as is.
fetch() {
  local i=$1 cached="$CACHE/$${DIGESTS[$1]}" tmp n ms got err
  if [[ -f $cached && $(digest_of "$cached") == "$${DIGESTS[i]}" ]]; then return 0; fi
  tmp="$cached.part.$$"
  local ep=()
  [[ -z $ENDPOINT ]] || ep=(--endpoint-url "$ENDPOINT")
  for ((n = 1; n <= ATTEMPTS; n++)); do
    rm -f "$tmp"
    if err=$(timeout "$CALL_TIMEOUT" aws s3api get-object --region "$REGION" "$${ep[@]}" \
      --bucket "$BUCKET" --key "$${KEYS[i]}" "$tmp" </dev/null 2>&1 >/dev/null); then
      got=$(digest_of "$tmp")
      # The key names its digest: other bytes under it will not heal by asking again.
      [[ $got == "$${DIGESTS[i]}" ]] || { rm -f "$tmp"; fail "$${NAMES[i]}: SHA-256 $got, the manifest pins $${DIGESTS[i]}"; }
      mv -f "$tmp" "$cached"
      return 0
    fi
    err=$(tr -s '\n' ' ' <<<"$err")
    if [[ $err =~ \((NoSuchKey|NoSuchBucket|AccessDenied|AllAccessDisabled|InvalidObjectState)\) ]]; then
      fail "$${NAMES[i]}: s3://$BUCKET/$${KEYS[i]}: $${BASH_REMATCH[1]}, not retried: $err"
    fi
    ((n < ATTEMPTS)) || break
    ms=$((500 << (n - 1)))
    ((ms <= 8000)) || ms=8000
    ms=$((ms / 2 + RANDOM % (ms / 2 + 1)))
    log "$${NAMES[i]}: get-object failed (attempt $n/$ATTEMPTS), retrying in $${ms} ms: $err"
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  done
  rm -f "$tmp"
  fail "$${NAMES[i]}: s3://$BUCKET/$${KEYS[i]} not fetched in $ATTEMPTS attempts: $err"
}

install_file() {
  local i=$1 dest="$ROOT$${DESTS[$1]}"
  mkdir -p "$(dirname "$dest")" || fail "cannot create the directory of $dest"
  if ! { cp "$CACHE/$${DIGESTS[i]}" "$dest.load.$$" && chmod "$${MODES[i]}" "$dest.load.$$" && mv -f "$dest.load.$$" "$dest"; }; then
    rm -f "$dest.load.$$"
    fail "cannot install $dest"
  fi
}

read_manifest
{ mkdir -p "$CACHE" && chmod 0700 "$CACHE"; } || fail "cannot create the cache $CACHE"
# Everything verified first: a refused file leaves the instance with none of the new files.
for i in "$${!NAMES[@]}"; do fetch "$i"; done
for i in "$${!NAMES[@]}"; do install_file "$i"; done
log "installed $${#NAMES[@]} boot files from s3://$BUCKET"
EOT
      },
      {
        path        = "/etc/cdktf-egress/boot.manifest"
        permissions = "0644"
        content     = local.nat_boot_files_manifest
      },
      {
        path        = "/etc/cdktf-egress/nat.conf"
        permissions = "0644"
        content     = <<EOT
# Written by cdktf-egress at synth time; read by nat-boot.sh.
NAT_ID="${var.name}"
REGION="${data.aws_region.current.id}"
EGRESS_MODE="dedicated"
EC2_ENDPOINT_URL=""
HUB_CIDRS="${join(" ", var.private_subnets_cidr_blocks)}"
SPOKES=""
PORT_FORWARDS="${join(" ", [for key, val in local.port_forwards : join("", [val.protocol, ":", val.port, ":", val.to, ":", val.toPort, ":", join(",", val.allowFrom)])])}"
ATTACH_MAX_ATTEMPTS="8"
INTERFACE_WAIT_SECONDS="60"
CONNTRACK_MAX="${var.conntrack_max}"
CONNTRACK_TCP_ESTABLISHED_TIMEOUT="${var.conntrack_tcp_established_timeout}"
CONNTRACK_UDP_TIMEOUT="${var.conntrack_udp_timeout}"
CONNTRACK_UDP_STREAM_TIMEOUT="${var.conntrack_udp_stream_timeout}"
LAUNCH_HOOK="cdktf-egress-launch"
TERMINATE_HOOK="cdktf-egress-terminate"
HANDOVER_SECONDS="60"
HOLDER_WAIT_SECONDS="900"
SPOT_RELEASE_SECONDS="20"
EOT
      },
      {
        path        = "/etc/cdktf-egress/watchdog.conf"
        permissions = "0644"
        content     = <<EOT
# Written by cdktf-egress at synth time; read by nat-watchdog.sh.
WATCHDOG_ENABLED="${var.watchdog_enabled}"
WATCHDOG_REPAIRS="${var.watchdog_repairs_before_unhealthy}"
WATCHDOG_PROBE="${var.watchdog_egress_probe}"
CONNTRACK_FULL_PERCENT="95"
PORT_FAILURES_LIMIT="50"
METRICS_PERIOD="${local.metrics_period}"
METRICS_NAMESPACE="CdktfEgress"
METRIC_HUB="hub"
METRIC_SPOKES=""
EOT
      },
    ]
    runcmd = [
      ["/opt/cdktf-egress/nat-load.sh"],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "cdktf-egress-nat.service"],
      ["systemctl", "enable", "--now", "cdktf-egress-nat-watch.service"],
      ["systemctl", "enable", "--now", "cdktf-egress-watchdog.timer"],
    ]
  }
  cloud_config   = merge(local.cloud_config_base, { "write_files" = concat(local.cloud_config_base.write_files, [for key, val in var.user_data_write_files : merge({ "permissions" = "0644" }, val)]), "runcmd" = concat(local.cloud_config_base.runcmd, var.user_data_runcmd) })
  user_data_text = join("", ["#cloud-config\n", yamlencode(local.cloud_config)])
}

data "aws_region" "current" {}

resource "aws_security_group" "this" {
  description = "NAT instance ${var.name}"
  name_prefix = "${var.name}-"
  tags        = merge(var.tags, { "Name" = var.name })
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "ingress_any" {
  cidr_blocks       = var.private_subnets_cidr_blocks
  description       = "all protocols (TCP, UDP, ICMP) from the served private subnets"
  from_port         = 0
  protocol          = "-1"
  security_group_id = aws_security_group.this.id
  to_port           = 0
  type              = "ingress"
}

resource "aws_security_group_rule" "egress" {
  cidr_blocks       = ["0.0.0.0/0"]
  description       = "NAT traffic to the internet"
  from_port         = 0
  ipv6_cidr_blocks  = ["::/0"]
  protocol          = "-1"
  security_group_id = aws_security_group.this.id
  to_port           = 0
  type              = "egress"
}

resource "aws_security_group_rule" "port_forward" {
  for_each          = { for key, val in local.port_forwards : join("/", [val.protocol, val.port]) => val }
  cidr_blocks       = each.value.allowFrom
  description       = "port forward to ${each.value.to}:${each.value.toPort}"
  from_port         = each.value.port
  protocol          = each.value.protocol
  security_group_id = aws_security_group.this.id
  to_port           = each.value.port
  type              = "ingress"
}

resource "aws_network_interface" "this" {
  description       = "NAT ${var.name} egress (device 1)"
  security_groups   = [aws_security_group.this.id]
  source_dest_check = false
  subnet_id         = var.public_subnet
  tags              = merge(var.tags, { "Name" = var.name, "cdktf-egress:nat" = var.name, "cdktf-egress:device-index" = "1" })
}

resource "aws_route" "this" {
  count                  = length(var.private_route_table_ids)
  destination_cidr_block = "0.0.0.0/0"
  network_interface_id   = aws_network_interface.this.id
  route_table_id         = element(var.private_route_table_ids, count.index)
}

resource "aws_eip" "this" {
  count             = tonumber(var.create_eip ? 1 : 0)
  domain            = "vpc"
  network_interface = aws_network_interface.this.id
  tags              = merge(var.tags, { "Name" = var.name, "cdktf-egress:nat" = var.name })
}

resource "aws_iam_role" "this" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "ec2.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
  description = "NAT instance ${var.name}"
  name_prefix = "${var.name}-"
  tags        = merge(var.tags, {})
}

resource "aws_iam_role_policy_attachment" "ssm" {
  policy_arn = var.ssm_policy_arn
  role       = aws_iam_role.this.name
}

resource "aws_iam_role_policy" "boot" {
  name = "nat-boot"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "FindOwnInterfaces"
        Effect = "Allow"
        Action = [
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeAddresses",
          "ec2:DescribeInstances",
          "autoscaling:DescribeAutoScalingInstances",
        ]
        Resource = "*"
      },
      {
        Sid      = "MoveOwnInterfaces"
        Effect   = "Allow"
        Action   = ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"]
        Resource = ["arn:aws:ec2:*:*:network-interface/*", "arn:aws:ec2:*:*:instance/*"]
        Condition = {
          StringEquals = {
            "aws:ResourceTag/cdktf-egress:nat" = var.name
          }
        }
      },
      {
        Sid      = "ReportToOwnGroup"
        Effect   = "Allow"
        Action   = ["autoscaling:SetInstanceHealth", "autoscaling:CompleteLifecycleAction"]
        Resource = "*"
        Condition = {
          StringEquals = {
            "autoscaling:ResourceTag/cdktf-egress:nat" = var.name
          }
        }
      },
    ]
  })
  role = aws_iam_role.this.id
}

resource "aws_iam_role_policy" "metrics" {
  count = tonumber((local.metrics_period >= 1) ? 1 : 0)
  name  = "nat-metrics"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "PutOwnMetrics"
        Effect   = "Allow"
        Action   = "cloudwatch:PutMetricData"
        Resource = "*"
        Condition = {
          StringEquals = {
            "cloudwatch:namespace" = "CdktfEgress"
          }
        }
      },
    ]
  })
  role = aws_iam_role.this.id
}

resource "aws_iam_role_policy" "nat_boot_files_read" {
  name   = "nat-boot-files"
  policy = jsonencode({ "Version" = "2012-10-17", "Statement" = [{ "Sid" = "ReadOwnBootFiles", "Effect" = "Allow", "Action" = "s3:GetObject", "Resource" = "${aws_s3_bucket.nat_boot_files_bucket.arn}/boot/*" }] })
  role   = aws_iam_role.this.id
}

resource "aws_iam_instance_profile" "this" {
  name_prefix = "${var.name}-"
  role        = aws_iam_role.this.name
  tags        = merge(var.tags, {})
}

resource "aws_s3_bucket" "nat_boot_files_bucket" {
  bucket_prefix = "${substr(lower(var.name), 0, 30)}-boot-"
  force_destroy = true
  tags          = merge(var.tags, {})
}

resource "aws_s3_bucket_public_access_block" "nat_boot_files_public_access" {
  block_public_acls       = true
  block_public_policy     = true
  bucket                  = aws_s3_bucket.nat_boot_files_bucket.id
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "nat_boot_files_ownership" {
  bucket = aws_s3_bucket.nat_boot_files_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "nat_boot_files_encryption" {
  bucket = aws_s3_bucket.nat_boot_files_bucket.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_policy" "nat_boot_files_tls_only" {
  bucket = aws_s3_bucket.nat_boot_files_bucket.id
  policy = jsonencode({ "Version" = "2012-10-17", "Statement" = [{ "Sid" = "TlsOnly", "Effect" = "Deny", "Principal" = "*", "Action" = "s3:*", "Resource" = [aws_s3_bucket.nat_boot_files_bucket.arn, "${aws_s3_bucket.nat_boot_files_bucket.arn}/*"], "Condition" = { "Bool" = { "aws:SecureTransport" = "false" } } }] })
}

resource "aws_s3_object" "nat_boot_files_object_nat_boot_sh" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/nat-boot.sh")}/nat-boot.sh"
  source       = "${path.module}/boot/nat-boot.sh"
  source_hash  = filesha256("${path.module}/boot/nat-boot.sh")
}

resource "aws_s3_object" "nat_boot_files_object_cdktf_egress_nat_service" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/cdktf-egress-nat.service")}/cdktf-egress-nat.service"
  source       = "${path.module}/boot/cdktf-egress-nat.service"
  source_hash  = filesha256("${path.module}/boot/cdktf-egress-nat.service")
}

resource "aws_s3_object" "nat_boot_files_object_nat_aws_sh" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/nat-aws.sh")}/nat-aws.sh"
  source       = "${path.module}/boot/nat-aws.sh"
  source_hash  = filesha256("${path.module}/boot/nat-aws.sh")
}

resource "aws_s3_object" "nat_boot_files_object_nat_handover_sh" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/nat-handover.sh")}/nat-handover.sh"
  source       = "${path.module}/boot/nat-handover.sh"
  source_hash  = filesha256("${path.module}/boot/nat-handover.sh")
}

resource "aws_s3_object" "nat_boot_files_object_nat_watch_sh" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/nat-watch.sh")}/nat-watch.sh"
  source       = "${path.module}/boot/nat-watch.sh"
  source_hash  = filesha256("${path.module}/boot/nat-watch.sh")
}

resource "aws_s3_object" "nat_boot_files_object_cdktf_egress_nat_watch_service" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/cdktf-egress-nat-watch.service")}/cdktf-egress-nat-watch.service"
  source       = "${path.module}/boot/cdktf-egress-nat-watch.service"
  source_hash  = filesha256("${path.module}/boot/cdktf-egress-nat-watch.service")
}

resource "aws_s3_object" "nat_boot_files_object_nat_watchdog_sh" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/nat-watchdog.sh")}/nat-watchdog.sh"
  source       = "${path.module}/boot/nat-watchdog.sh"
  source_hash  = filesha256("${path.module}/boot/nat-watchdog.sh")
}

resource "aws_s3_object" "nat_boot_files_object_cdktf_egress_watchdog_service" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/cdktf-egress-watchdog.service")}/cdktf-egress-watchdog.service"
  source       = "${path.module}/boot/cdktf-egress-watchdog.service"
  source_hash  = filesha256("${path.module}/boot/cdktf-egress-watchdog.service")
}

resource "aws_s3_object" "nat_boot_files_object_cdktf_egress_watchdog_timer" {
  bucket       = aws_s3_bucket.nat_boot_files_bucket.id
  content_type = "text/plain"
  key          = "boot/${filesha256("${path.module}/boot/cdktf-egress-watchdog.timer")}/cdktf-egress-watchdog.timer"
  source       = "${path.module}/boot/cdktf-egress-watchdog.timer"
  source_hash  = filesha256("${path.module}/boot/cdktf-egress-watchdog.timer")
}

resource "aws_vpc_block_public_access_exclusion" "nat_bpa_exclusion" {
  count                           = tonumber((var.block_public_access != null) ? 1 : 0)
  internet_gateway_exclusion_mode = ((var.block_public_access.account_mode == "block-ingress") || (length(local.port_forwards) >= 1)) ? "allow-bidirectional" : "allow-egress"
  subnet_id                       = tostring((var.block_public_access.exclude == "vpc") ? null : var.public_subnet)
  tags                            = merge(var.tags, { "Name" = var.name, "cdktf-egress:nat" = var.name })
  vpc_id                          = tostring((var.block_public_access.exclude == "vpc") ? var.vpc_id : null)
}

resource "aws_launch_template" "this" {
  description            = "NAT instance ${var.name}"
  image_id               = local.image_id
  key_name               = local.key_name
  name_prefix            = "${var.name}-"
  tags                   = merge(var.tags, { "Name" = var.name })
  update_default_version = true
  user_data              = base64gzip(local.user_data_text)

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      delete_on_termination = "true"
      encrypted             = "true"
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
    }
  }

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_put_response_hop_limit = 1
    http_tokens                 = "required"
  }

  network_interfaces {
    associate_public_ip_address = "true"
    delete_on_termination       = "true"
    description                 = "NAT ${var.name} primary"
    device_index                = 0
    security_groups             = [aws_security_group.this.id]
    subnet_id                   = var.public_subnet

    connection_tracking_specification {
      tcp_established_timeout = var.conntrack_tcp_established_timeout
      udp_stream_timeout      = var.conntrack_udp_stream_timeout
      udp_timeout             = var.conntrack_udp_timeout
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { "cdktf-egress:nat" = var.name, "Name" = var.name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { "cdktf-egress:nat" = var.name, "Name" = var.name })
  }

  tag_specifications {
    resource_type = "network-interface"
    tags          = merge(var.tags, { "cdktf-egress:nat" = var.name, "Name" = var.name })
  }

  lifecycle {
    precondition {
      condition     = (length(base64gzip(local.user_data_text)) <= 21844)
      error_message = "user data would be about ${floor(((length(base64gzip(local.user_data_text)) / 4) * 3))} bytes gzip-compressed; EC2 accepts at most 16384. Shorten user_data_write_files or user_data_runcmd"
    }
  }
}

resource "aws_autoscaling_group" "this" {
  capacity_rebalance  = var.use_spot_instance
  desired_capacity    = tonumber(var.enabled ? 1 : 0)
  enabled_metrics     = ["GroupInServiceInstances", "GroupDesiredCapacity"]
  health_check_type   = "EC2"
  max_size            = tonumber(var.enabled ? 1 : 0)
  metrics_granularity = "1Minute"
  min_size            = tonumber((var.schedule != null) ? 0 : tonumber(var.enabled ? 1 : 0))
  name_prefix         = "${var.name}-"
  vpc_zone_identifier = [var.public_subnet]

  initial_lifecycle_hook {
    default_result       = "ABANDON"
    heartbeat_timeout    = 1200
    lifecycle_transition = "autoscaling:EC2_INSTANCE_LAUNCHING"
    name                 = "cdktf-egress-launch"
  }

  initial_lifecycle_hook {
    default_result       = "CONTINUE"
    heartbeat_timeout    = 120
    lifecycle_transition = "autoscaling:EC2_INSTANCE_TERMINATING"
    name                 = "cdktf-egress-terminate"
  }

  instance_maintenance_policy {
    max_healthy_percentage = 200
    min_healthy_percentage = 100
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      max_healthy_percentage = 200
      min_healthy_percentage = 100
    }
  }

  mixed_instances_policy {
    instances_distribution {
      on_demand_allocation_strategy            = "lowest-price"
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = tonumber(var.use_spot_instance ? 0 : 100)
      spot_allocation_strategy                 = "price-capacity-optimized"
    }

    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.this.id
        version            = aws_launch_template.this.latest_version
      }

      dynamic "override" {
        for_each = var.instance_types

        content {
          instance_type = override.value
        }
      }
    }
  }

  dynamic "tag" {
    for_each = merge(var.tags, { "cdktf-egress:nat" = var.name, "Name" = var.name })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = false
    }
  }

  depends_on = [
    aws_iam_role_policy.boot,
    aws_iam_role_policy.nat_boot_files_read,
    aws_s3_object.nat_boot_files_object_nat_boot_sh,
    aws_s3_object.nat_boot_files_object_cdktf_egress_nat_service,
    aws_s3_object.nat_boot_files_object_nat_aws_sh,
    aws_s3_object.nat_boot_files_object_nat_handover_sh,
    aws_s3_object.nat_boot_files_object_nat_watch_sh,
    aws_s3_object.nat_boot_files_object_cdktf_egress_nat_watch_service,
    aws_s3_object.nat_boot_files_object_nat_watchdog_sh,
    aws_s3_object.nat_boot_files_object_cdktf_egress_watchdog_service,
    aws_s3_object.nat_boot_files_object_cdktf_egress_watchdog_timer,
    aws_vpc_block_public_access_exclusion.nat_bpa_exclusion,
  ]

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_schedule" "nat_schedule_on" {
  count                  = tonumber((var.enabled && (var.schedule != null)) ? 1 : 0)
  autoscaling_group_name = aws_autoscaling_group.this.name
  desired_capacity       = 1
  max_size               = -1
  min_size               = -1
  recurrence             = var.schedule.on
  scheduled_action_name  = "${var.name}-on"
  time_zone              = var.schedule.time_zone
}

resource "aws_autoscaling_schedule" "nat_schedule_off" {
  count                  = tonumber((var.enabled && (var.schedule != null)) ? 1 : 0)
  autoscaling_group_name = aws_autoscaling_group.this.name
  desired_capacity       = 0
  max_size               = -1
  min_size               = -1
  recurrence             = var.schedule.off
  scheduled_action_name  = "${var.name}-off"
  time_zone              = var.schedule.time_zone
}

resource "aws_sns_topic" "alarms_topic" {
  count = tonumber((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? 1 : 0)
  name  = "${var.name}-nat-alarms"
  tags  = merge(var.tags, {})
}

resource "aws_sns_topic_subscription" "alarms_email" {
  count     = tonumber((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? 1 : 0)
  endpoint  = var.alarm_email
  protocol  = "email"
  topic_arn = one(aws_sns_topic.alarms_topic[*].arn)
}

resource "aws_cloudwatch_metric_alarm" "alarms_capacity" {
  count               = tonumber(var.alarms_enabled ? 1 : 0)
  alarm_actions       = compact([tostring((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? one(aws_sns_topic.alarms_topic[*].arn) : ""), var.alarm_topic_arn])
  alarm_description   = "NAT ${var.name}: fewer InService instances than desired for ${var.alarm_no_in_service_minutes} minutes; private subnets behind it have no egress."
  alarm_name          = "${var.name}-nat-not-in-service"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = var.alarm_no_in_service_minutes
  evaluation_periods  = var.alarm_no_in_service_minutes
  ok_actions          = compact([tostring((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? one(aws_sns_topic.alarms_topic[*].arn) : ""), var.alarm_topic_arn])
  tags                = merge(var.tags, {})
  threshold           = 1
  treat_missing_data  = "breaching"

  metric_query {
    id = "desired"

    metric {
      dimensions = {
        AutoScalingGroupName = aws_autoscaling_group.this.name
      }
      metric_name = "GroupDesiredCapacity"
      namespace   = "AWS/AutoScaling"
      period      = 60
      stat        = "Maximum"
    }
  }

  metric_query {
    id = "inservice"

    metric {
      dimensions = {
        AutoScalingGroupName = aws_autoscaling_group.this.name
      }
      metric_name = "GroupInServiceInstances"
      namespace   = "AWS/AutoScaling"
      period      = 60
      stat        = "Minimum"
    }
  }

  metric_query {
    expression  = "desired - inservice"
    id          = "missing"
    label       = "instances short of desired"
    return_data = true
  }
}

resource "aws_cloudwatch_metric_alarm" "alarms_watchdog" {
  count               = tonumber((var.alarms_enabled && var.metrics_enabled) ? 1 : 0)
  alarm_actions       = compact([tostring((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? one(aws_sns_topic.alarms_topic[*].arn) : ""), var.alarm_topic_arn])
  alarm_description   = "NAT ${var.name}: a watchdog repair did not fix a failed check; after repeated failures the instance reports itself Unhealthy and is replaced."
  alarm_name          = "${var.name}-nat-watchdog"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  dimensions = {
    NatId = var.name
  }
  evaluation_periods = 1
  metric_name        = "WatchdogRepairFailures"
  namespace          = "CdktfEgress"
  ok_actions         = compact([tostring((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? one(aws_sns_topic.alarms_topic[*].arn) : ""), var.alarm_topic_arn])
  period             = 300
  statistic          = "Sum"
  tags               = merge(var.tags, {})
  threshold          = 1
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "alarms_conntrack" {
  count               = tonumber((var.alarms_enabled && var.metrics_enabled) ? 1 : 0)
  alarm_actions       = compact([tostring((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? one(aws_sns_topic.alarms_topic[*].arn) : ""), var.alarm_topic_arn])
  alarm_description   = "NAT ${var.name}: conntrack above ${var.alarm_conntrack_percent}% of its maximum; new connections are dropped when it is full."
  alarm_name          = "${var.name}-nat-conntrack"
  comparison_operator = "GreaterThanThreshold"
  datapoints_to_alarm = 2
  evaluation_periods  = 2
  ok_actions          = compact([tostring((var.alarms_enabled && (length(var.alarm_email) >= 1)) ? one(aws_sns_topic.alarms_topic[*].arn) : ""), var.alarm_topic_arn])
  tags                = merge(var.tags, {})
  threshold           = var.alarm_conntrack_percent
  treat_missing_data  = "notBreaching"

  metric_query {
    id = "entries"

    metric {
      dimensions = {
        NatId = var.name
      }
      metric_name = "ConntrackEntries"
      namespace   = "CdktfEgress"
      period      = 300
      stat        = "Maximum"
    }
  }

  metric_query {
    id = "max"

    metric {
      dimensions = {
        NatId = var.name
      }
      metric_name = "ConntrackMax"
      namespace   = "CdktfEgress"
      period      = 300
      stat        = "Maximum"
    }
  }

  metric_query {
    expression  = "100 * entries / max"
    id          = "fill"
    label       = "conntrack fill (%)"
    return_data = true
  }
}
