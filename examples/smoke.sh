#!/usr/bin/env bash
# Smoke test against a real AWS account, for a stack you deployed yourself (it deploys nothing):
#   examples/smoke.sh [--stack TaskStatusExample] [--task smoke-<time>] [--timeout 120]
# Reads the stack outputs (StarterFunctionName, TableName), invokes the starter, then polls the
# table until the item is DONE or FAILED, printing each status change. Exits 0 on DONE.
# Needs the AWS CLI (v2, or v1) with credentials for the stack's account and region.
set -euo pipefail

stack="TaskStatusExample"
task="smoke-$(date +%s)"
timeout=120
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack="$2"; shift 2 ;;
    --task) task="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "smoke: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v aws >/dev/null || { echo "smoke: the AWS CLI ('aws') is required" >&2; exit 1; }
case "$task" in
  *[\"\\]*|'') echo "smoke: use a task id without quotes or backslashes" >&2; exit 2 ;;
esac

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
function_name="$(output StarterFunctionName)"
table="$(output TableName)"
if [ -z "$function_name" ] || [ "$function_name" = "None" ] || [ -z "$table" ]; then
  echo "smoke: stack $stack has no StarterFunctionName/TableName outputs; deploy it first" >&2
  exit 1
fi

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }
result="$(mktemp)"
trap 'rm -f "$result"' EXIT
# CLI v2 reads --payload as base64 unless told otherwise; v1 has no such option.
binary_format=(--cli-binary-format raw-in-base64-out)
case "$(aws --version 2>&1)" in aws-cli/1.*) binary_format=() ;; esac
log "invoking $function_name with {\"taskId\": \"$task\"}"
function_error="$(aws lambda invoke --function-name "$function_name" "${binary_format[@]}" \
  --payload "{\"taskId\":\"$task\"}" --query FunctionError --output text "$result")"
if [ "$function_error" != "None" ]; then
  echo "smoke: the starter failed ($function_error): $(cat "$result")" >&2
  exit 1
fi
log "starter returned $(cat "$result")"
timestamp="$(sed -n 's/.*"timestamp":\([0-9][0-9.]*\).*/\1/p' "$result")"
[ -n "$timestamp" ] || { echo "smoke: no timestamp in the starter's answer" >&2; exit 1; }

key="{\"taskId\":{\"S\":\"$task\"},\"timestamp\":{\"N\":\"$timestamp\"}}"
deadline=$(( $(date +%s) + timeout ))
last=""
while :; do
  status="$(aws dynamodb get-item --table-name "$table" --key "$key" --consistent-read \
    --query 'Item.Status.S' --output text)"
  if [ "$status" != "$last" ] && [ "$status" != "None" ]; then
    log "$task @ $timestamp  Status = $status"
    last="$status"
  fi
  case "$status" in
    DONE) exit 0 ;;
    FAILED)
      aws dynamodb get-item --table-name "$table" --key "$key" --consistent-read \
        --query 'Item.[Error.S, Cause.S]' --output text >&2
      exit 1 ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "smoke: $task not DONE or FAILED after ${timeout}s (last status: ${last:-none})" >&2
    exit 1
  fi
  sleep 2
done
