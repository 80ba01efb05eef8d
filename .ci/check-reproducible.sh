#!/usr/bin/env bash
# Checks that the build is reproducible: builds the sources again in a scratch copy and compares
# the handler jar and the library's jars byte for byte with the ones this build produced.
# Run by 'mvn verify' (skip with -Dreproducible.skip) after the jars exist in target/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
repo_local="${1:-$HOME/.m2/repository}"
version="$(sed -n 's#^  <version>\(.*\)</version>#\1#p' "$root/pom.xml" | head -1)"
jars=(
  "lambda-handler/target/task-status-starter-lambda.jar"
  "task-status-client/target/task-status-client-$version.jar"
  "task-status-client/target/task-status-client-$version-sources.jar"
  "task-status-client/target/task-status-client-$version-javadoc.jar"
  "target/task-status-workflow-$version.jar"
  "target/task-status-workflow-$version-sources.jar"
  "target/task-status-workflow-$version-javadoc.jar"
)
for jar in "${jars[@]}"; do
  [ -f "$root/$jar" ] || { echo "reproducible: $jar is missing; run 'mvn package' first" >&2; exit 1; }
done

scratch="$(mktemp -d "${TMPDIR:-/tmp}/task-status-repro.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && tar --exclude=./.git --exclude='target' --exclude='cdk.out' \
  --exclude='node_modules' -cf - .) \
  | tar -xf - -C "$scratch"
(cd "$scratch" && mvn -B -q -o -Dmaven.repo.local="$repo_local" -DskipTests -Dreproducible.skip \
  package >"$scratch/build.log" 2>&1) || { cat "$scratch/build.log" >&2; exit 1; }

status=0
for jar in "${jars[@]}"; do
  if cmp -s "$root/$jar" "$scratch/$jar"; then
    echo "reproducible: $jar identical ($(sha256sum "$root/$jar" | cut -c1-16))"
  else
    echo "reproducible: $jar DIFFERS between two builds of the same sources" >&2
    status=1
  fi
done
exit $status
