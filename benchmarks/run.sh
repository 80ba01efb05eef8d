#!/usr/bin/env bash
# Benchmarks of the starter and the build, each against a baseline measured in the same run:
#   benchmarks/run.sh [--runs N] [--skip-install]
# Builds what it needs (a clean clone of this repository with 'mvn install', the naive baseline
# starter, the example's synthesis), prints each figure, and as its last line:
#   cold_start_ratio=<x> jar_mb=<y> batch_ratio=<z> synth_s=<s>
# --skip-install uses this working tree's build instead of timing a clean clone's 'mvn install'.
set -euo pipefail

runs=11
skip_install=false
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --skip-install) skip_install=true; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "benchmarks: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in java javac mvn npm git; do
  command -v "$tool" >/dev/null || { echo "benchmarks: '$tool' is required" >&2; exit 1; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/task-status-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(java -version 2>&1 | head -1)"

# 1. The build: a clean clone of HEAD with a warm local Maven repository.
if [ "$skip_install" = true ]; then
  tree="$root"
  if [ ! -f "$tree/lambda-handler/target/task-status-starter-lambda.jar" ]; then
    # The handler uses the client's ExecutionNames: the client is installed first.
    (cd "$tree/task-status-client" && mvn -B -q install -DskipTests)
    (cd "$tree/lambda-handler" && mvn -B -q package -DskipTests)
  fi
  echo "mvn install of a clean clone: skipped (--skip-install)"
else
  git clone -q "$root" "$work/clone"
  tree="$work/clone"
  start=$(date +%s.%N)
  (cd "$tree" && mvn -B -q install >"$work/install.log" 2>&1) \
    || { tail -50 "$work/install.log" >&2; echo "benchmarks: mvn install failed" >&2; exit 1; }
  echo "mvn install of a clean clone (warm Maven repository, all tests): $(seconds_since "$start") s"
fi
ours="$tree/lambda-handler/target/task-status-starter-lambda.jar"

# 2. The baseline: a naive starter with SDK defaults and Jackson databind.
(cd "$root/benchmarks/baseline" && mvn -B -q package \
  >"$work/baseline.log" 2>&1) || { cat "$work/baseline.log" >&2; exit 1; }
baseline="$root/benchmarks/baseline/target/naive-starter-lambda.jar"

# 3. Synthesis of the example with the CDK CLI (aws-cdk@2, pinned in local/).
local_dir="$root/local"
if [ ! -x "$local_dir/node_modules/.bin/cdk" ]; then
  (cd "$local_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
node="$local_dir/node_modules/node/bin/node"
synth() {
  (cd "$root/examples" && CDK_DISABLE_CLI_TELEMETRY=1 JSII_NODE="$node" \
    "$node" "$local_dir/node_modules/.bin/cdk" synth --quiet --no-notices --output "$1" \
    >"$work/synth.log" 2>&1) || { cat "$work/synth.log" >&2; exit 1; }
}
synth "$work/warm.out"   # compiles the example and warms the caches; not timed
start=$(date +%s.%N)
synth "$work/cdk.out"
synth_s="$(seconds_since "$start")"
echo "cdk synth of the example: $synth_s s"
jvm_options="$("$node" -e '
  const t = require(process.argv[1]);
  const fn = Object.values(t.Resources).find((r) => r.Type === "AWS::Lambda::Function");
  process.stdout.write(fn.Properties.Environment.Variables.JAVA_TOOL_OPTIONS ?? "");
' "$work/cdk.out/TaskStatusExample.template.json")"

# 4. Cold start and batch throughput.
javac -d "$work/classes" -cp "$ours" "$root/benchmarks/LambdaRunner.java" \
  "$root/benchmarks/BatchRunner.java"
java "$root/benchmarks/Bench.java" "$ours" "$baseline" "$work/classes" "$runs" "$jvm_options" \
  | tee "$work/bench.out"
figures="$(tail -1 "$work/bench.out")"
value() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<<"$figures"; }

jar_bytes=$(stat -c %s "$ours")
echo "starter jar: $jar_bytes bytes; baseline jar: $(stat -c %s "$baseline") bytes"
awk -v ours="$(value cold_ms)" -v base="$(value baseline_ms)" -v bytes="$jar_bytes" \
    -v single="$(value single_ms)" -v batch="$(value batch_ms)" -v synth="$synth_s" \
  'BEGIN { printf "cold_start_ratio=%.2f jar_mb=%.2f batch_ratio=%.2f synth_s=%.1f\n",
           ours / base, bytes / 1000000, batch / single, synth }'
