# Sourced by the scripts: paths, the JDK choice and stage reporting. Not a command itself.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SESSIONS_VENV:-$ROOT/.venv}"
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

# Runs a main class of the local module (the local runtime, the operations tools), building the
# module first when its sources are newer than its jar.
run_local_tool() {
  local main="$1"
  shift
  local jar="$ROOT/local/target/local.jar"
  if [ ! -f "$jar" ] || [ -n "$(cd "$ROOT" && find pom.xml shared/pom.xml shared/src/main local/pom.xml local/src/main -newer "$jar" -print -quit)" ]; then
    (cd "$ROOT" && mvn -B -q -pl local -am package -DskipTests >&2)
  fi
  exec java -Dsessions.venv="$VENV" -cp "$jar:$ROOT/local/target/lib/*" "$main" "$@"
}
