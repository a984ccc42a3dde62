#!/usr/bin/env bash
# The demo, or one pipeline on the DirectRunner.
#   ./run-local.sh                          every pipeline against local stand-ins, Parquet under ./out
#   ./run-local.sh <pipeline> [--opt=v ...]  one pipeline against the endpoints you give
# Builds the project first when it has not been built (set REBUILD=1 to force it).
set -euo pipefail
cd "$(dirname "$0")"

BUNDLE=pipelines/target/analytics-etl-bundled.jar
DEMO_CLASSPATH=demo/target/demo.classpath

command -v java >/dev/null || { echo "run-local.sh: java (17 or newer) is required" >&2; exit 1; }
if [[ "${REBUILD:-0}" == 1 || ! -f "$BUNDLE" || ! -f "$DEMO_CLASSPATH" || ! -f demo/target/classes/io/analyticsetl/demo/LocalDemo.class ]]; then
  command -v mvn >/dev/null || { echo "run-local.sh: Maven is required to build the project" >&2; exit 1; }
  echo "Building (mvn -DskipTests install) ..." >&2
  mvn -B -q -DskipTests install >&2
fi

if [[ $# -eq 0 ]]; then
  # The demo's PII key; real runs set their own (see --piiKeyEnv).
  export ACMESHOP_PII_KEY="${ACMESHOP_PII_KEY:-demo-only-pii-key}"
  # The demo's App Store Connect key; the demo generates it and its fake server checks it.
  export ASC_ISSUER_ID=69a6de7e-0000-47e3-e053-5b8c7c11a4d1 ASC_KEY_ID=TESTKEY123
  export ASC_P8_PATH="$PWD/demo/target/asc-demo/AuthKey_TESTKEY123.p8"
  # The credentials the local fake ad platforms accept.
  export TIKTOK_ACCESS_TOKEN=tiktok-test-token GOOGLE_ADS_DEVELOPER_TOKEN=google-dev-token GOOGLE_ADS_CLIENT_ID=google-client
  export GOOGLE_ADS_CLIENT_SECRET=google-secret GOOGLE_ADS_REFRESH_TOKEN=google-refresh META_ACCESS_TOKEN=meta-test-token
  export AMAZON_ADS_CLIENT_ID=amzn1.application-oa2-client.test AMAZON_ADS_CLIENT_SECRET=amazon-secret
  export AMAZON_ADS_REFRESH_TOKEN='Atzr|amazon-refresh'
  exec java -Xmx4g -cp "demo/target/classes:$(cat "$DEMO_CLASSPATH")" io.analyticsetl.demo.LocalDemo out
fi
exec java -Xmx4g -jar "$BUNDLE" "$@" --runner=DirectRunner
