#!/usr/bin/env bash
# Launches a pipeline from its template: validates every parameter first, prints the resolved
# command with secrets masked, then runs it.
#   scripts/launch.sh --template=templates/<pipeline>.json [--environment=NAME] [--param name=value ...] [--dry-run | --help]
# PARAMS may also hold "name=value" lines (as CI passes them).
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
while IFS= read -r line; do
  [[ -n "${line// }" ]] && args+=(--param "$line")
done <<< "${PARAMS:-}"
exec java -Xmx4g -jar "$BUNDLE" launch "${args[@]}"
