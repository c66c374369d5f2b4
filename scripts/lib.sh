# Sourced by the scripts: paths, the JDK choice and stage reporting. Not a command itself.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SESSIONS_VENV:-$ROOT/.venv}"
# MiniStack, for the deploy rehearsal (scripts/rehearse): its pins conflict with .venv's tools
REHEARSAL_VENV="${SESSIONS_REHEARSAL_VENV:-$ROOT/.venv-rehearsal}"
export SAM_CLI_TELEMETRY=0

die() {
  echo "error: $*" >&2
  exit 1
}

# Prints the major version of the JDK at $1, or nothing.
java_major() {
  local release="$1/release"
  [ -r "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

# Sets JAVA_HOME to a JDK that can build the project: the one already set when it is 21 or
# newer and has a compiler, else the newest such JDK under /usr/lib/jvm.
use_build_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    export JAVA_HOME
  else
    local best="" best_major=0 dir major
    for dir in /usr/lib/jvm/*/; do
      dir="${dir%/}"
      [ -x "$dir/bin/javac" ] || continue
      major="$(java_major "$dir")"
      [ -n "$major" ] || continue
      if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
        best="$dir" best_major="$major"
      fi
    done
    [ -n "$best" ] || die "no JDK 21 or newer found: set JAVA_HOME to one (Lambda runs java21; any newer JDK builds it)"
    export JAVA_HOME="$best"
  fi
  export PATH="$JAVA_HOME/bin:$PATH"
  # JDK 24+ warns about Maven 3.8's own use of sun.misc.Unsafe, which says nothing about this
  # project; the option that silences it exists only there.
  if [ "$(java_major "$JAVA_HOME")" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

STAGE_START=0
stage() {
  STAGE_START=$(date +%s)
  STAGE_NAME="$1"
  printf '==> %s\n' "$1"
}

stage_done() {
  printf '    ok: %s (%ss)\n' "$STAGE_NAME" "$(( $(date +%s) - STAGE_START ))"
}

# Runs a main class of a Java module (local: the local runtime; tools: the operators' tools),
# building the module first when its sources, or shared's, are newer than its jar.
run_module_main() {
  local module="$1" main="$2"
  shift 2
  local jar="$ROOT/$module/target/$module.jar"
  if [ ! -f "$jar" ] || [ -n "$(cd "$ROOT" && find pom.xml shared/pom.xml shared/src/main "$module/pom.xml" "$module/src/main" -newer "$jar" -print -quit)" ]; then
    (cd "$ROOT" && mvn -B -q -pl "$module" -am package -DskipTests >&2)
  fi
  exec java -Dsessions.venv="$VENV" -Dsessions.root="$ROOT" -cp "$jar:$ROOT/$module/target/lib/*" "$main" "$@"
}

# Starts, on free loopback ports, what a local run needs and is not given: the moto server unless
# AWS_ENDPOINT_URL is set, a redis-server unless REDIS_URL is set. Exports both variables, records
# each pid in STARTED_PIDS for stop_started, and writes the servers' logs to $1.
STARTED_PIDS=()
start_services() {
  local logs="$1"
  mkdir -p "$logs"
  if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
    local moto_port
    moto_port="$(free_port)"
    "$VENV/bin/python" "$ROOT/scripts/moto_server.py" -H 127.0.0.1 -p "$moto_port" >"$logs/moto.log" 2>&1 &
    STARTED_PIDS+=($!)
    await_port "$moto_port" "moto" "$logs/moto.log" "${STARTED_PIDS[-1]}"
    export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port"
    echo "moto server: $AWS_ENDPOINT_URL (fresh state)"
  fi
  if [ -z "${REDIS_URL:-}" ]; then
    start_redis "$logs"
  fi
  export AWS_REGION="${AWS_REGION:-us-east-1}"
}

# Starts a redis-server on a free loopback port with nothing saved, records its pid in
# STARTED_PIDS, exports REDIS_URL and writes its log to $1/redis.log.
start_redis() {
  local logs="$1" redis_port
  mkdir -p "$logs"
  command -v redis-server >/dev/null || die "redis-server not found: run scripts/setup, or set REDIS_URL"
  redis_port="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >"$logs/redis.log" 2>&1 &
  STARTED_PIDS+=($!)
  await_port "$redis_port" "redis-server" "$logs/redis.log" "${STARTED_PIDS[-1]}"
  export REDIS_URL="redis://127.0.0.1:$redis_port"
  echo "redis-server: $REDIS_URL (fresh state)"
}

# Stops every process start_services (or the caller) recorded in STARTED_PIDS, by pid.
stop_started() {
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# await_port PORT NAME LOG PID: until PORT accepts connections; fails early if PID has exited.
await_port() {
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || die "$2 exited before listening on 127.0.0.1:$1 (log: $3)"
    sleep 0.1
  done
  die "$2 did not listen on 127.0.0.1:$1 within 60 s (log: $3)"
}
