#!/usr/bin/env bash
# Runs the example app on this machine, no AWS account or Docker needed:
#   examples/run-local.sh [taskId...] [--wait SECONDS] [--worker [--cancel ID]] [-- taskId...]
# Synthesizes the example with the CDK CLI, deploys it to the local cloud on 127.0.0.1 (local/:
# DynamoDB, Step Functions, Lambda with AWS's runtime interface client, SQS, EventBridge), starts
# every task id at once through the starter, prints each item's status as it changes, and ends
# with a summary line: tasks=3 done=3 failed=0 cancelled=0 stuck=0. Default: one task, Breakfast,
# 5 s. --worker runs the worker example instead (TaskStatusWorkerExample and the RenderWorker
# program, which reports 25, 50, 75 and 100 %: each change prints 'progress <percent>%');
# --cancel ID cancels that one of the started ids once it is under way.
# Everything after -- is a task id, so an id may start with '-'.
set -euo pipefail

usage="usage: run-local.sh [taskId...] [--wait SECONDS] [--worker [--cancel ID]] [-- taskId...]"
tasks=()
wait_seconds=5
worker=false
cancel_id=""
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; tasks+=("$@"); break ;;
    --wait) [ $# -ge 2 ] || { echo "run-local: --wait needs a number of seconds ($usage)" >&2; exit 2; }
            wait_seconds="$2"; shift 2 ;;
    --wait=*) wait_seconds="${1#--wait=}"; shift ;;
    --worker) worker=true; shift ;;
    --cancel) [ $# -ge 2 ] || { echo "run-local: --cancel needs a task id ($usage)" >&2; exit 2; }
              cancel_id="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run-local: unknown option $1 (an id that starts with '-' goes after --; $usage)" >&2; exit 2 ;;
    *) tasks+=("$1"); shift ;;
  esac
done
[ ${#tasks[@]} -gt 0 ] || tasks=(Breakfast)
if [ -n "$cancel_id" ]; then
  [ "$worker" = true ] || { echo "run-local: --cancel needs --worker ($usage)" >&2; exit 2; }
  printf '%s\n' "${tasks[@]}" | grep -qxF -- "$cancel_id" \
    || { echo "run-local: --cancel '$cancel_id' is not one of the task ids to start ($usage)" >&2; exit 2; }
fi
case "$wait_seconds" in
  ''|*[!0-9]*|0) echo "run-local: --wait must be a whole number of seconds >= 1, got '$wait_seconds'" >&2; exit 2 ;;
esac
# Checked before anything slow: the starter refuses a blank id too, but only after the build,
# the synth and the start of the local cloud.
for task in "${tasks[@]}"; do
  if [ -z "${task//[[:space:]]/}" ]; then
    echo "run-local: a task id must not be empty or blank, got '$task' ($usage)" >&2; exit 2
  fi
done

examples="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$examples")"
local_dir="$root/local"
for tool in java mvn npm; do
  command -v "$tool" >/dev/null || { echo "run-local: '$tool' is required but not on PATH" >&2; exit 1; }
done

# Build what is missing: the library (with its embedded starter jar), the example, and the
# Lambda runtime interface client the local cloud runs the starter in.
if [ ! -f "$examples/target/classes/io/github/taskstatus/example/ExampleApp.class" ] \
    || ! ls "$local_dir"/target/lambda-runtime/aws-lambda-java-runtime-interface-client-*.jar >/dev/null 2>&1; then
  echo "run-local: building the library and the example (mvn install -DskipTests) ..."
  (cd "$root" && mvn -B -q install -DskipTests)
fi
# Node 22, the ASL interpreter, the local DynamoDB and the CDK CLI, as pinned in package-lock.json.
if [ ! -x "$local_dir/node_modules/node/bin/node" ] || [ ! -x "$local_dir/node_modules/.bin/cdk" ]; then
  echo "run-local: installing the local cloud (npm ci) ..."
  (cd "$local_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
node="$local_dir/node_modules/node/bin/node"

out="$(mktemp -d "${TMPDIR:-/tmp}/task-status-local.XXXXXX")"
trap 'rm -rf "$out"' EXIT
echo "run-local: synthesizing the example app (wait ${wait_seconds}s) ..."
if ! (cd "$examples" && CDK_DISABLE_CLI_TELEMETRY=1 JSII_NODE="$node" \
    "$node" "$local_dir/node_modules/.bin/cdk" synth --quiet --no-notices \
    --context "waitSeconds=$wait_seconds" --output "$out/cdk.out" >"$out/synth.log" 2>&1); then
  cat "$out/synth.log" >&2
  echo "run-local: synthesizing the example failed (output above)" >&2
  exit 1
fi

task_args=()
for task in "${tasks[@]}"; do task_args+=(--task "$task"); done
if [ "$worker" = true ]; then
  # The worker program's classpath: the example's classes and its dependencies (the client).
  if ! (cd "$examples" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$out/classpath" \
      >"$out/classpath.log" 2>&1); then
    cat "$out/classpath.log" >&2
    echo "run-local: the worker's classpath could not be built (output above)" >&2
    exit 1
  fi
  command="$("$node" -e 'process.stdout.write(JSON.stringify(process.argv.slice(1)))' \
    java -cp "$examples/target/classes:$(cat "$out/classpath")" io.github.taskstatus.example.RenderWorker)"
  cancel_args=()
  [ -z "$cancel_id" ] || cancel_args=(--cancel "$cancel_id")
  "$node" "$local_dir/run-local.mjs" --assembly "$out/cdk.out" --stack TaskStatusWorkerExample \
    "${task_args[@]}" "${cancel_args[@]}" --worker-command "$command" --timeout 180
else
  "$node" "$local_dir/run-local.mjs" --assembly "$out/cdk.out" --stack TaskStatusExample \
    "${task_args[@]}" --timeout $((wait_seconds + 120))
fi
