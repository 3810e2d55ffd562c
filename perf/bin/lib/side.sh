# The side-by-side benchmark protocol (docs/benchmarks.md), shared by the perf/bin scripts that
# speak it. A script sources this file, defines side_sides (one side_line per side) and calls
#   side_main "$@"
# which answers --sides and exits, hands a run without --side to perf/bin/pairs (the sides
# interleaved A B A B ...), or sets SIDE, QUICK (0/1) and ARGS (the script's own arguments) for one
# measurement of one side. The script then prints its figures with `figure` and starts every peer
# with side_start/side_run, so that the EXIT trap set here kills exactly those, on every exit path.

side_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
side_name=$(basename "$0")
SIDE=
QUICK=0
ARGS=()
SIDE_PIDS=()
SIDE_LAST_PID=
SIDE_EXIT_HOOKS=()

side_line() { # name subject|anchor description
  printf '%s\t%s\t%s\n' "$1" "$2" "$3"
}

side_main() {
  side_parse "$@"
  trap side_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  side_warn_pollers
  echo "$side_name --side $SIDE: load average before $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

# side_main without starting the side (for a script that hands its side to another script)
side_parse() {
  local arg sides=0 want=0
  for arg in "$@"; do
    case $arg in
      --sides) sides=1 ;;
      --side|--side=*) want=1 ;;
    esac
  done
  if [ "$sides" = 1 ]; then
    side_sides
    exit 0
  fi
  if [ "$want" = 0 ]; then
    exec "$side_top/perf/bin/pairs" "$side_name" "$@"
  fi
  while [ $# -gt 0 ]; do
    case $1 in
      --side) SIDE=${2:-}; shift 2 || shift ;;
      --side=*) SIDE=${1#--side=}; shift ;;
      --quick) QUICK=1; shift ;;
      *) ARGS+=("$1"); shift ;;
    esac
  done
  if ! side_sides | cut -f1 | grep -qxF -- "$SIDE"; then
    echo "$side_name: unknown side '$SIDE'; the sides are: $(side_sides | cut -f1 | tr '\n' ' ')" >&2
    exit 2
  fi
}

# One figure: CASE METRIC VALUE UNIT higher|lower
figure() {
  printf 'figure\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
}

# The value of an argument by position (1-based) with a default, and one for --quick.
side_arg() { # position default quickDefault
  local v=${ARGS[$(($1 - 1))]:-}
  if [ -n "$v" ]; then echo "$v"; elif [ "$QUICK" = 1 ]; then echo "$3"; else echo "$2"; fi
}

# Starts a peer in the background, in a process group of its own (so its children go with it),
# output to LOG; records its pid in SIDE_PIDS and SIDE_LAST_PID.
side_start() { # log command...
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 </dev/null &
  SIDE_LAST_PID=$!
  SIDE_PIDS+=("$SIDE_LAST_PID")
}

# Runs a command to its end as a recorded peer (a signal to this script still reaches the trap at
# once, where a foreground child would delay it); returns its exit status.
side_run() { # log command...
  side_start "$@"
  local pid=$SIDE_LAST_PID rc=0
  wait "$pid" || rc=$?
  side_forget "$pid"
  return $rc
}

side_forget() { # pid
  local kept=() p
  for p in "${SIDE_PIDS[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  SIDE_PIDS=("${kept[@]}")
}

# The pid and every process below it (some peers, such as timeout(1) under a script, leave the
# process group they were started in).
side_tree() { # pid
  local child
  echo "$1"
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do side_tree "$child"; done
}

# SIGNAL to the peer's process group and to every process below it.
side_signal() { # signal pid [tree]
  local p
  kill -"$1" -- -"$2" 2>/dev/null || true
  for p in ${3:-$2}; do kill -"$1" "$p" 2>/dev/null || true; done
}

# SIGTERM (or SIGNAL) to the peer, SIGKILL after graceSeconds; forgets it.
side_stop() { # pid [graceSeconds=5] [signal=TERM]
  local pid=$1 grace=${2:-5} sig=${3:-TERM} tree i
  tree=$(side_tree "$pid")
  side_signal "$sig" "$pid" "$tree"
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  side_signal KILL "$pid" "$tree"
  wait "$pid" 2>/dev/null || true
  side_forget "$pid"
}

# A sleep that a signal to this script interrupts at once (a foreground sleep would hold the trap).
side_sleep() { # seconds
  sleep "$1" &
  wait $! || true
}

# Runs COMMAND on exit, after the peers are gone (e.g. delete a namespace, stop a cluster).
side_on_exit() { # command
  SIDE_EXIT_HOOKS+=("$1")
}

side_cleanup() {
  local rc=$? pid hook
  trap - EXIT INT TERM
  set +e
  local trees=()
  for pid in "${SIDE_PIDS[@]}"; do
    trees+=("$(side_tree "$pid" | tr '\n' ' ')")
    side_signal TERM "$pid" "${trees[-1]}"
  done
  local k=0
  for pid in "${SIDE_PIDS[@]}"; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    side_signal KILL "$pid" "${trees[$k]}"
    wait "$pid" 2>/dev/null
    k=$((k + 1))
  done
  SIDE_PIDS=()
  for hook in "${SIDE_EXIT_HOOKS[@]}"; do eval "$hook" || true; done
  echo "$side_name --side $SIDE: load average after $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  exit $rc
}

# A busy poller left from another run makes every figure wrong: say so loudly.
side_warn_pollers() {
  local found
  found=$(pgrep -a -f 'dpdk-testpmd|ovs-vswitchd|VplaneCli run' 2>/dev/null || true)
  if [ -n "$found" ]; then
    echo "WARNING: busy pollers from elsewhere are running; this side's figures will be off:" >&2
    echo "$found" >&2
  fi
}

side_need_tools() { # hint tool...
  local hint=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$side_name: $tool is missing ($hint)" >&2; exit 1; }
  done
}

side_java_home() {
  JAVA_HOME=$("$side_top/bin/java-home") || exit 1
  export JAVA_HOME
}

# bin/vplane's jars (bin/build when missing)
side_need_build() {
  ls "$side_top"/dist/target/lib/vplane-nic-*.jar >/dev/null 2>&1 || (cd "$side_top" && bin/build) || exit 1
}

# the JMH benchmarks jar (built when missing); sets SIDE_JAR
side_need_jar() {
  side_java_home
  SIDE_JAR="$side_top/perf/target/benchmarks.jar"
  [ -f "$SIDE_JAR" ] || (cd "$side_top" && ./mvnw -B -q -DskipTests -pl perf -am package) || exit 1
}

# A JMH side: runs cases of benchmark methods through io.vplane.perf.jmh.SideFigures, which
# prints the figure lines. One fork per case: 3 warm-up and 5 measured iterations of 1 s (or the
# script's SIDE_JMH_TIMING), 3 + 3 of 300 ms with --quick; the script's arguments
# [iterations] [timePerIteration] override the measured ones.
side_jmh() { # SideFigures arguments...
  side_need_jar
  local timing=(${SIDE_JMH_TIMING:---warmups 3 --iterations 5 --time 1s})
  [ "$QUICK" = 1 ] && timing=(--warmups 3 --iterations 3 --time 300ms)
  [ -n "${ARGS[0]:-}" ] && timing+=(--iterations "${ARGS[0]}")
  [ -n "${ARGS[1]:-}" ] && timing+=(--time "${ARGS[1]}")
  # JMH itself (not the measured code) still reads fields through sun.misc.Unsafe
  side_run "$side_work/jmh.log" "$JAVA_HOME/bin/java" @"$side_top/bin/jvm.options" --sun-misc-unsafe-memory-access=allow \
    -cp "$SIDE_JAR" io.vplane.perf.jmh.SideFigures "${timing[@]}" "$@" || { cat "$side_work/jmh.log" >&2; exit 1; }
  grep -v '^figure' "$side_work/jmh.log" >&2 || true
  grep '^figure' "$side_work/jmh.log"
}

# A work directory of this run, removed on exit unless KEEP=1; sets side_work.
side_workdir() {
  side_work=$(mktemp -d "/tmp/$side_name.XXXXXX")
  side_on_exit 'if [ -n "${KEEP:-}" ]; then echo "logs kept in $side_work" >&2; else rm -rf "$side_work"; fi'
}

side_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

side_await_port() { # port
  local _
  for _ in $(seq 1 150); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$side_name: nothing listens on port $1" >&2
  return 1
}

side_wait_for() { # shell condition, tried for 60 s (a daemon's JVM took over 15 s to listen at a load average of 20)
  local _
  for _ in $(seq 600); do eval "$1" && return 0; sleep 0.1; done
  echo "$side_name: timed out: $1" >&2
  return 1
}
