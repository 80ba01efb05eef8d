#!/usr/bin/env bash
# The chaos run at full size (issue 19; the build's ChaosIT runs it with 40 tasks):
#   benchmarks/chaos.sh [--tasks N] [--seed S] [--no-baseline] [--skip-build]
# Starts N tasks (default 300) through the local cloud, direct and through the queue, on a Standard
# and an Express workflow, while the cloud drops 20% of the status change events, delivers 20% up
# to 2 s late, runs 10% of the Express executions twice, throttles 5% of StartExecution calls and
# of the state machines' DynamoDB calls and answers 500 after 5% of their writes; stops some
# executions, lets some time out, redrives the failed Standard ones, waits for the sweeper, then
# checks every acknowledged start against what its execution really did. The same run without the
# sweeper comes first, as the baseline (--no-baseline skips it). Its last line is exactly
#   tasks=N acknowledged=A items=I done=D failed=F stuck=S wrong=W lost=L seconds=T
# and it exits non-zero unless every task was acknowledged and stuck=0 wrong=0 lost=0.
# It builds the library and its tests first (skipping the tests) unless --skip-build.
set -euo pipefail

args=()
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --tasks|--seed)
      [ $# -ge 2 ] || { echo "chaos: $1 needs a value" >&2; exit 2; }
      [[ "$2" =~ ^[0-9]+$ ]] || { echo "chaos: $1 takes a whole number, not '$2'" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    --skip-build) build=false; shift ;;
    --no-baseline) args+=("$1"); shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in java mvn npm; do
  command -v "$tool" >/dev/null || { echo "chaos: '$tool' is required" >&2; exit 1; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d "${TMPDIR:-/tmp}/task-status-chaos.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)" >&2
if [ "$build" = true ] || [ ! -f target/test-classes/io/github/taskstatus/ChaosRun.class ]; then
  # The handler, the client and the library (with the handler jar inside), and the test classes.
  mvn -B -q -DskipTests package >"$work/build.log" 2>&1 \
    || { tail -50 "$work/build.log" >&2; echo "chaos: the build failed" >&2; exit 1; }
fi
if [ ! -x local/node_modules/node/bin/node ]; then
  (cd local && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath" \
  >"$work/classpath.log" 2>&1 \
  || { cat "$work/classpath.log" >&2; echo "chaos: no test classpath" >&2; exit 1; }

# The synth's jsii runs on the local cloud's Node (an LTS jsii supports: no end-of-life banner).
JSII_NODE="$root/local/node_modules/node/bin/node" java -Dtaskstatus.local.dir="$root/local" \
  -cp "$root/target/test-classes:$root/target/classes:$(cat "$work/classpath")" \
  io.github.taskstatus.ChaosRun "${args[@]}"
