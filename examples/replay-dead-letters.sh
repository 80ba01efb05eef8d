#!/usr/bin/env bash
# Replays what a TaskStatusWorkflow kept in a dead-letter queue (it deploys nothing):
#   examples/replay-dead-letters.sh starter    --stack TaskStatusExample
#   examples/replay-dead-letters.sh reconciler --stack TaskStatusExample
#   examples/replay-dead-letters.sh queue      --stack TaskStatusExample
# starter:    asynchronous starts Lambda gave up on: each is invoked again, with its original
#             RequestID as idempotencyKey (a start that did happen is not repeated), and deleted
#             once the starter accepted it.
# reconciler: status change events that could not be reconciled: each runs the reconciler (an
#             Express state machine) to its end with start-sync-execution, and is deleted only
#             if that SUCCEEDED. When it fails, the message stays for a later replay (when the
#             reconciler has put the event back in the queue itself, its TaskNotReconciled, the
#             queue keeps that copy instead, so an event is never there twice).
# queue:      queue mode's dead letters: moved back to the queue of tasks (start-message-move-task).
# Each message is tried once per run; messages kept are visible again when the run ends.
# Names come from the stack's outputs, or from --queue-url, --function, --state-machine-arn and
# --queue-arn. Needs the AWS CLI (v2, or v1) with credentials for the stack's account and region.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
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
# StartSyncExecution has the endpoint host prefix 'sync-': the CLI calls
# sync-states.<region>.amazonaws.com, and prepends the prefix to an endpoint it is given too
# (http://127.0.0.1:4566 would become http://sync-127.0.0.1:4566). An endpoint given for Step
# Functions is used as it is, as the AWS SDKs and tools' host prefix setting documents.
sync_env=()
if [ -n "${AWS_ENDPOINT_URL_SFN:-${AWS_ENDPOINT_URL:-}}" ] && [ -z "${AWS_DISABLE_HOST_PREFIX_INJECTION:-}" ]; then
  sync_env=(AWS_DISABLE_HOST_PREFIX_INJECTION=true)
fi
# A reconciliation runs at most 5 minutes (the reconciler's timeout): the CLI must wait that long,
# and the message must stay invisible that long.
visibility=60
[ "$kind" = reconciler ] && visibility=360
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

replayed=0 kept=0
seen=" "        # the messages (and for the reconciler, the events) tried in this run
receipts=()      # of the messages left in the queue, made visible again at the end
while :; do
  # One receive: the message id, the receipt, the starter's RequestID attribute and the body
  # (last, as it is).
  IFS=$'\t' read -r message_id receipt request_id body < <("${sqs[@]}" receive-message \
    --queue-url "$queue_url" --max-number-of-messages 1 --visibility-timeout "$visibility" \
    --message-attribute-names All \
    --query 'Messages[0].[MessageId, ReceiptHandle, MessageAttributes.RequestID.StringValue, Body]' \
    --output text) || true
  [ -n "${receipt:-}" ] && [ "$receipt" != "None" ] || break
  key="$message_id"
  if [ "$kind" = reconciler ]; then
    # The event's own id (the only "id" field of a status change event): a copy the reconciler
    # put back has a new message id but the same event. A body without one goes by its checksum.
    if [[ "$body" =~ ^\{.*\"id\"[[:space:]]*:[[:space:]]*\"([^\"]+)\" ]]; then
      key="${BASH_REMATCH[1]}"
    else
      key="body-$(printf '%s' "$body" | cksum | tr ' ' '-')"
    fi
  fi
  case "$seen" in
    *" $key "*) receipts+=("$receipt"); continue ;;  # tried in this run already
  esac
  seen="$seen$key "
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
      receipts+=("$receipt")
      log "kept $body: the starter failed again ($(cat "$work/answer.json"))"; kept=$((kept + 1))
    fi
  else
    # The event, as the rule would have given it, to the reconciler, which reports how it ended.
    if IFS=$'\t' read -r status arn error cause < <(env "${sync_env[@]}" aws stepfunctions \
        start-sync-execution --state-machine-arn "$state_machine" --input "$body" \
        --cli-read-timeout 330 --query '[status, executionArn, error, cause]' --output text); then
      :
    else
      status="" arn="" error="the call failed" cause="see the AWS CLI's message above"
    fi
    if [ "$status" = SUCCEEDED ]; then
      "${sqs[@]}" delete-message --queue-url "$queue_url" --receipt-handle "$receipt"
      log "reconciled event $key with $arn"; replayed=$((replayed + 1))
    elif [ "$status" = FAILED ] && [ "$error" = TaskNotReconciled ]; then
      # The reconciler sent the event back to this queue before it failed: that copy stays.
      "${sqs[@]}" delete-message --queue-url "$queue_url" --receipt-handle "$receipt"
      log "kept event $key: the reconciliation failed and the reconciler put the event back ($arn: $cause)"
      kept=$((kept + 1))
    else
      receipts+=("$receipt")
      log "kept event $key: the reconciliation ended ${status:-without a status}${arn:+ ($arn)}: $error: $cause"
      kept=$((kept + 1))
    fi
  fi
done
for receipt in "${receipts[@]}"; do
  "${sqs[@]}" change-message-visibility --queue-url "$queue_url" --receipt-handle "$receipt" \
    --visibility-timeout 0 || true
done
log "replayed=$replayed kept=$kept"
[ "$kept" -eq 0 ]
