#!/usr/bin/env bash
# Replays what a TaskStatusWorkflow kept in a dead-letter queue (it deploys nothing):
#   examples/replay-dead-letters.sh starter    --stack TaskStatusExample
#   examples/replay-dead-letters.sh reconciler --stack TaskStatusExample
#   examples/replay-dead-letters.sh queue      --stack TaskStatusExample
# starter:    asynchronous starts Lambda gave up on: each is invoked again, with its original
#             RequestID as idempotencyKey (a start that did happen is not repeated), and deleted
#             once the starter accepted it.
# reconciler: status change events that could not be reconciled: each starts the reconciler
#             with the event and is deleted (a reconciliation that fails again puts it back).
# queue:      queue mode's dead letters: moved back to the queue of tasks (start-message-move-task).
# Names come from the stack's outputs, or from --queue-url, --function, --state-machine-arn and
# --queue-arn. Needs the AWS CLI (v2, or v1) with credentials for the stack's account and region.
set -euo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
kind="${1:-}"
case "$kind" in
  starter|reconciler|queue) shift ;;
  -h|--help) usage; exit 0 ;;
  *) echo "replay: say what to replay: starter, reconciler or queue (see --help)" >&2; exit 2 ;;
esac
stack="" queue_url="" function="" state_machine="" queue_arn=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "replay: $1 needs a value" >&2; exit 2; }
  case "$1" in
    --stack) stack="$2" ;;
    --queue-url) queue_url="$2" ;;
    --function) function="$2" ;;
    --state-machine-arn) state_machine="$2" ;;
    --queue-arn) queue_arn="$2" ;;
    *) echo "replay: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift 2
done
command -v aws >/dev/null || { echo "replay: the AWS CLI ('aws') is required" >&2; exit 1; }

output() {
  [ -n "$stack" ] || { echo "replay: give --stack, or the names as options (see --help)" >&2; exit 2; }
  local value
  value="$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text)"
  [ -n "$value" ] && [ "$value" != "None" ] || { echo "replay: stack $stack has no output $1" >&2; exit 1; }
  printf '%s' "$value"
}
log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# AWS CLI v1 replaces the SQS endpoint with its own for every region unless told one on the
# command line, so an endpoint from the environment (a local cloud, a VPC endpoint) is passed on.
sqs=(aws sqs)
sqs_endpoint="${AWS_ENDPOINT_URL_SQS:-${AWS_ENDPOINT_URL:-}}"
[ -z "$sqs_endpoint" ] || sqs+=(--endpoint-url "$sqs_endpoint")

if [ "$kind" = queue ]; then
  [ -n "$queue_arn" ] || queue_arn="$(output DeadLetterQueueArn)"
  log "moving the messages of $queue_arn back to their queue"
  "${sqs[@]}" start-message-move-task --source-arn "$queue_arn" --query TaskHandle --output text
  exit 0
fi

if [ "$kind" = starter ]; then
  [ -n "$queue_url" ] || queue_url="$(output StarterDeadLetterQueueUrl)"
  [ -n "$function" ] || function="$(output StarterFunctionName)"
else
  [ -n "$queue_url" ] || queue_url="$(output ReconcilerDeadLetterQueueUrl)"
  [ -n "$state_machine" ] || state_machine="$(output ReconcilerArn)"
fi
binary_format=(--cli-binary-format raw-in-base64-out)
case "$(aws --version 2>&1)" in aws-cli/1.*) binary_format=() ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

replayed=0 kept=0
while :; do
  # One receive: the receipt, the starter's RequestID attribute and the body (last, as it is).
  IFS=$'\t' read -r receipt request_id body < <("${sqs[@]}" receive-message --queue-url "$queue_url" \
    --max-number-of-messages 1 --visibility-timeout 60 --message-attribute-names All \
    --query 'Messages[0].[ReceiptHandle, MessageAttributes.RequestID.StringValue, Body]' \
    --output text) || true
  [ -n "${receipt:-}" ] && [ "$receipt" != "None" ] || break
  if [ "$kind" = starter ]; then
    payload="$body"
    case "$body" in
      \{*) [ "$request_id" != "None" ] && payload="{\"idempotencyKey\":\"$request_id\",${body#\{}" ;;
    esac
    error="$(aws lambda invoke --function-name "$function" "${binary_format[@]}" \
      --payload "$payload" --query FunctionError --output text "$work/answer.json")"
    if [ "$error" = "None" ]; then
      "${sqs[@]}" delete-message --queue-url "$queue_url" --receipt-handle "$receipt"
      log "replayed $body: $(cat "$work/answer.json")"; replayed=$((replayed + 1))
    else
      log "kept $body: the starter failed again ($(cat "$work/answer.json"))"; kept=$((kept + 1))
    fi
  else
    # A reconciliation that fails sends its event back to this queue itself: nothing is lost.
    arn="$(aws stepfunctions start-execution --state-machine-arn "$state_machine" \
      --input "$body" --query executionArn --output text)"
    "${sqs[@]}" delete-message --queue-url "$queue_url" --receipt-handle "$receipt"
    log "reconciling with $arn"; replayed=$((replayed + 1))
  fi
done
log "replayed=$replayed kept=$kept"
[ "$kept" -eq 0 ]
