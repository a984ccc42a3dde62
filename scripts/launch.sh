#!/usr/bin/env bash
# Launches a pipeline from its template: validates every parameter first, prints the resolved
# command with secrets masked, then runs it.
#   scripts/launch.sh --template=templates/<pipeline>.json [--environment=NAME] [--param name=value ...] [--dry-run | --help]
# PARAMS may also hold name=value pairs separated by spaces or newlines (as CI passes them; a
# GitHub dispatch input is one line).
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=pipelines/target/analytics-etl-bundled.jar
# The flink-cluster environment stages this jar on the cluster.
export BUNDLED_JAR="${BUNDLED_JAR:-$PWD/$BUNDLE}"
if [[ ! -f "$BUNDLE" ]]; then
  echo "Building the bundled jar (mvn -DskipTests package) ..." >&2
  mvn -B -q -DskipTests package >&2
fi
args=("$@")
set -f # a value such as [local] is not a glob
for param in ${PARAMS:-}; do
  args+=(--param "$param")
done
set +f
exec java -Xmx4g -jar "$BUNDLE" launch "${args[@]}"
