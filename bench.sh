#!/usr/bin/env bash
# Benchmarks: ./bench.sh appstore [--rows=N] [--full] [--engines=duckdb,direct,flink]
# appstore: appstore-curate over generated Apple-shaped raw files on the DirectRunner and on
# FlinkRunner [local], against DuckDB doing the same curation; prints rows/s, ratios and peak memory.
set -euo pipefail
cd "$(dirname "$0")"
what="${1:-}"
shift || true
if [[ "$what" != appstore ]]; then
  echo "usage: ./bench.sh appstore [--rows=N] [--full] [--engines=duckdb,direct,flink]" >&2
  exit 2
fi
if [[ ! -f demo/target/demo.classpath || ! -f demo/target/classes/io/analyticsetl/demo/AppstoreBenchmark.class ]]; then
  echo "Building (mvn -DskipTests install) ..." >&2
  mvn -B -q -DskipTests install >&2
fi
exec java -Xmx2g -cp "demo/target/classes:$(cat demo/target/demo.classpath)" io.analyticsetl.demo.AppstoreBenchmark "$@"
