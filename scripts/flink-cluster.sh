#!/usr/bin/env bash
# A Flink 1.19 session cluster on loopback, started from Maven artifacts (no Flink distribution):
# one JobManager (with the web UI / REST API) and one TaskManager, as separate JVMs.
#
#   scripts/flink-cluster.sh start [--rest-port 8081] [--slots 2]
#   scripts/flink-cluster.sh status
#   scripts/flink-cluster.sh stop
#
# State (config, logs, pids) lives in $FLINK_CLUSTER_HOME (default: target/flink-cluster).
# Submit a pipeline with the bundled jar:
#   java -jar pipelines/target/analytics-etl-bundled.jar <pipeline> --runner=FlinkRunner \
#     --flinkMaster=127.0.0.1:8081 --filesToStage=pipelines/target/analytics-etl-bundled.jar ...
set -euo pipefail
cd "$(dirname "$0")/.."

HOME_DIR="${FLINK_CLUSTER_HOME:-target/flink-cluster}"
CLASSPATH_FILE=flink-cluster/target/flink-cluster.classpath
REST_PORT=8081
SLOTS=2

command="${1:-}"
shift || true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rest-port) REST_PORT="$2"; shift 2 ;;
    --slots) SLOTS="$2"; shift 2 ;;
    *) echo "flink-cluster.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

rest_port() { cat "$HOME_DIR/rest.port" 2>/dev/null || echo "$REST_PORT"; }
# The REST overview's body, through bash's /dev/tcp (no curl needed); fails when nothing answers.
overview() {
  local body
  { exec 3<>"/dev/tcp/127.0.0.1/$(rest_port)"; } 2>/dev/null || return 1
  printf 'GET /overview HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  body=$(cat <&3)
  exec 3<&-
  [[ "$body" == "HTTP/1."?" 200"* ]] || return 1
  printf '%s\n' "${body#*$'\r\n\r\n'}"
}
alive() { [[ -f "$HOME_DIR/$1.pid" ]] && kill -0 "$(cat "$HOME_DIR/$1.pid")" 2>/dev/null; }

# Sets the variable named $1 to a port nothing listens on (connecting is refused), below Linux's
# ephemeral range so no outgoing connection holds it, and not one given before.
TAKEN=" $REST_PORT "
pick_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 12000))
    if [[ "$TAKEN" != *" $port "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      TAKEN+="$port "
      printf -v "$1" '%s' "$port"
      return
    fi
  done
}

start() {
  if alive jobmanager || alive taskmanager; then
    echo "flink-cluster.sh: already running (REST on $(rest_port)); stop it first" >&2
    exit 1
  fi
  if [[ ! -f "$CLASSPATH_FILE" ]]; then
    echo "Resolving the Flink runtime from Maven ..." >&2
    mvn -B -q -pl flink-cluster package >&2
  fi
  mkdir -p "$HOME_DIR/conf" "$HOME_DIR/log" "$HOME_DIR/tmp"
  local rpc_port blob_port tm_rpc_port tm_data_port
  pick_port rpc_port; pick_port blob_port; pick_port tm_rpc_port; pick_port tm_data_port
  echo "$REST_PORT" > "$HOME_DIR/rest.port"
  cat > "$HOME_DIR/conf/flink-conf.yaml" <<CONF
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
blob.server.port: $blob_port
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $REST_PORT
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.rpc.port: $tm_rpc_port
taskmanager.data.port: $tm_data_port
taskmanager.numberOfTaskSlots: $SLOTS
parallelism.default: $SLOTS
io.tmp.dirs: $(cd "$HOME_DIR" && pwd)/tmp
CONF
  cat > "$HOME_DIR/conf/log4j.properties" <<'CONF'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
CONF
  local conf cp
  conf="$(cd "$HOME_DIR/conf" && pwd)"
  cp="$(cat "$CLASSPATH_FILE")"
  local log4j="-Dlog4j.configurationFile=file:$conf/log4j.properties"

  nohup java -Xms768m -Xmx768m "$log4j" -Dlog.file="$HOME_DIR/log/jobmanager.log" -cp "$cp" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$conf" \
    > "$HOME_DIR/log/jobmanager.out" 2>&1 &
  echo $! > "$HOME_DIR/jobmanager.pid"

  # The memory settings Flink's own scripts would compute (BashJavaUtils), written out: heap =
  # framework + task heap, direct memory = framework + task off-heap + network.
  nohup java -Xms896m -Xmx896m -XX:MaxDirectMemorySize=384m -XX:MaxMetaspaceSize=256m \
    "$log4j" -Dlog.file="$HOME_DIR/log/taskmanager.log" -cp "$cp" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$conf" \
    -D taskmanager.cpu.cores=2.0 \
    -D taskmanager.memory.framework.heap.size=128m \
    -D taskmanager.memory.task.heap.size=768m \
    -D taskmanager.memory.framework.off-heap.size=128m \
    -D taskmanager.memory.task.off-heap.size=0m \
    -D taskmanager.memory.network.min=256m -D taskmanager.memory.network.max=256m \
    -D taskmanager.memory.managed.size=256m \
    -D taskmanager.memory.jvm-metaspace.size=256m \
    -D taskmanager.memory.jvm-overhead.min=192m -D taskmanager.memory.jvm-overhead.max=192m \
    > "$HOME_DIR/log/taskmanager.out" 2>&1 &
  echo $! > "$HOME_DIR/taskmanager.pid"

  for _ in $(seq 1 120); do
    if overview | grep -q '"taskmanagers":1'; then
      echo "Flink session cluster ready: REST and web UI on http://127.0.0.1:$REST_PORT ($SLOTS slots)"
      return 0
    fi
    if ! alive jobmanager || ! alive taskmanager; then
      echo "flink-cluster.sh: a Flink process exited; see $HOME_DIR/log" >&2
      tail -20 "$HOME_DIR"/log/*.out >&2 || true
      stop >/dev/null 2>&1 || true
      exit 1
    fi
    sleep 1
  done
  echo "flink-cluster.sh: the cluster did not become ready in 120 s; see $HOME_DIR/log" >&2
  stop >/dev/null 2>&1 || true
  exit 1
}

stop() {
  local process
  for process in taskmanager jobmanager; do
    if alive "$process"; then
      kill "$(cat "$HOME_DIR/$process.pid")" 2>/dev/null || true
      for _ in $(seq 1 30); do alive "$process" || break; sleep 1; done
      alive "$process" && kill -9 "$(cat "$HOME_DIR/$process.pid")" 2>/dev/null || true
    fi
    rm -f "$HOME_DIR/$process.pid"
  done
  echo "Flink session cluster stopped"
}

status() {
  if alive jobmanager && alive taskmanager && overview; then
    exit 0
  fi
  echo "Flink session cluster is not running" >&2
  exit 1
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/flink-cluster.sh start [--rest-port N] [--slots N] | status | stop" >&2; exit 2 ;;
esac
