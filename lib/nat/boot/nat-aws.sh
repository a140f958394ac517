# shellcheck shell=bash
# cdktf-egress: IMDSv2 and AWS API calls for nat-boot.sh and nat-watch.sh (sourced, not run).
#
# Every EC2 and Auto Scaling call retries throttling, 5xx, timeouts and unreachable
# endpoints with jittered exponential backoff; any other error is permanent and returned
# at once with its code, so the caller can say which. The caller defines log(), REGION,
# EC2_ENDPOINT_URL and NAT_ID.
readonly IMDS=http://169.254.169.254/latest
readonly API_MAX_ATTEMPTS=${EGRESS_API_MAX_ATTEMPTS:-7} API_CALL_TIMEOUT=30
TOKEN="" AWS_OUT="" AWS_ERR="" AWS_MSG="" AWS_TRIES=0
AWS_ERRFILE=$(mktemp)

# Throttling and server-side faults; everything else (UnauthorizedOperation,
# InvalidParameterCombination, AttachmentLimitExceeded, ...) will not heal by retrying. A
# bare HTTP status is what the CLI reports when the answer holds no error code (a front
# end's 502 page, say): 429 and 5xx are transient too.
aws_retryable() {
  [[ $1 =~ ^(Throttling|ThrottlingException|RequestLimitExceeded|RequestThrottled|RequestThrottledException|TooManyRequestsException|EC2ThrottledException|PriorRequestNotComplete|InternalError|InternalFailure|ServiceUnavailable|Unavailable|RequestTimeout|RequestTimeoutException|Timeout|Unreachable|429|5[0-9][0-9])$ ]]
}

sleep_ms() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }

# aws_call SERVICE OPERATION ARGS...: stdout in AWS_OUT. On failure AWS_ERR is the error
# code (Timeout, Unreachable or ExitN when there is none) and AWS_MSG the message.
aws_call() {
  local rc ms
  AWS_TRIES=0
  while :; do
    AWS_TRIES=$((AWS_TRIES + 1)) AWS_ERR="" AWS_MSG=""
    # </dev/null: the CLI must not eat the input of a `while read` loop around it.
    if AWS_OUT=$(timeout "$API_CALL_TIMEOUT" aws "$@" 2>"$AWS_ERRFILE" </dev/null); then return 0; else rc=$?; fi
    AWS_MSG=$(tr -s '\n' ' ' <"$AWS_ERRFILE")
    if [[ $AWS_MSG =~ An\ error\ occurred\ \(([A-Za-z0-9.]+)\) ]]; then AWS_ERR=${BASH_REMATCH[1]}
    elif ((rc == 124)); then AWS_ERR=Timeout
    elif ((rc == 255)); then AWS_ERR=Unreachable
    else AWS_ERR=Exit$rc; fi
    aws_retryable "$AWS_ERR" || return 1
    ((AWS_TRIES < API_MAX_ATTEMPTS)) || return 1
    # Full jitter over an exponential bound (0.25 s doubling, at most 8 s).
    ms=$((250 << (AWS_TRIES - 1)))
    ((ms <= 8000)) || ms=8000
    ms=$((ms / 2 + RANDOM % (ms / 2 + 1)))
    log "$1 $2: $AWS_ERR (attempt $AWS_TRIES/$API_MAX_ATTEMPTS), retrying in ${ms} ms"
    sleep_ms "$ms"
  done
}

# Why the last call failed, for a log line or fail().
aws_why() {
  if aws_retryable "$AWS_ERR"; then echo "$AWS_ERR persisted through $AWS_TRIES attempts: ${AWS_MSG# }"
  else echo "permanent error $AWS_ERR, not retried: ${AWS_MSG# }"; fi
}

ec2() {
  local ep=()
  [[ -z $EC2_ENDPOINT_URL ]] || ep=(--endpoint-url "$EC2_ENDPOINT_URL")
  aws_call ec2 "$@" --region "$REGION" "${ep[@]}" --output text
}

asg() { aws_call autoscaling "$@" --region "$REGION" --output text; }

# An empty 200 is as useless as an error: both are retried.
imds_token() {
  local n t
  for ((n = 1; n <= 10; n++)); do
    t=$(curl -fsS --noproxy '*' --max-time 3 --retry 3 --retry-delay 1 --retry-connrefused -X PUT \
      -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' "$IMDS/api/token" 2>/dev/null) || t=""
    if [[ -n $t ]]; then TOKEN=$t && return 0; fi
    log "IMDSv2 token request $n/10 got no token; retrying"
    sleep_ms $((500 + RANDOM % 500))
  done
  return 1
}

imds() {
  curl -fsS --noproxy '*' --max-time 3 --retry 3 --retry-delay 1 \
    -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/meta-data/$1"
}

# The group and lifecycle state of this instance: ASG_NAME, LIFECYCLE_STATE ("None" outside a group).
asg_membership() {
  ASG_NAME="" LIFECYCLE_STATE=""
  asg describe-auto-scaling-instances --instance-ids "$INSTANCE_ID" \
    --query 'AutoScalingInstances[0].[AutoScalingGroupName,LifecycleState]' || return 1
  read -r ASG_NAME LIFECYCLE_STATE <<<"$AWS_OUT"
}

# complete_lifecycle HOOK WAIT_STATE RESULT: completes the hook if the instance waits in it.
complete_lifecycle() {
  [[ -n $1 ]] || return 0
  if ! asg_membership; then log "could not read the lifecycle state: $(aws_why)"; return 1; fi
  [[ $LIFECYCLE_STATE == "$2" ]] || return 0
  if asg complete-lifecycle-action --lifecycle-hook-name "$1" --auto-scaling-group-name "$ASG_NAME" \
    --instance-id "$INSTANCE_ID" --lifecycle-action-result "$3"; then
    log "lifecycle hook $1: $3"
  else
    log "could not complete lifecycle hook $1 with $3: $(aws_why)"
    return 1
  fi
}
