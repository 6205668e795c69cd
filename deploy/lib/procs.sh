# Long-running processes of the quickstart, tracked by PID file so that `down` stops exactly what
# was started (never by name). Sourced by deploy/quickstart.sh; needs PROC_DIR and LOG_DIR set.
#
#   proc_start NAME NETNS MARKER CMD...   runs CMD in the background inside network namespace NETNS
#                                         (empty: the host's), detached from the terminal, stdout and
#                                         stderr to LOG_DIR/NAME.log; records its PID
#   proc_alive NAME MARKER                true if NAME's recorded PID runs and its command line holds
#                                         MARKER (guards against a recycled PID)
#   proc_stop NAME [GRACE_S]              SIGTERM, then SIGKILL after GRACE_S (default 10) seconds

proc_pidfile() { echo "${PROC_DIR}/$1.pid"; }

proc_alive() {
  local f pid
  f=$(proc_pidfile "$1")
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -r "/proc/${pid}/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -qF -- "$2"
}

proc_start() {
  local name=$1 netns=$2 marker=$3
  shift 3
  mkdir -p "$PROC_DIR" "$LOG_DIR"
  local log="${LOG_DIR}/${name}.log"
  # setsid: a new session, so closing the terminal or ^C in it does not stop the cluster.
  # nsenter and setsid exec (no fork) here, so $! is the PID of CMD itself.
  if [ -n "$netns" ]; then
    setsid nsenter --net="/run/netns/${netns}" "$@" </dev/null >>"$log" 2>&1 &
  else
    setsid "$@" </dev/null >>"$log" 2>&1 &
  fi
  local pid=$!
  echo "$pid" >"$(proc_pidfile "$name")"
  sleep 0.5
  if ! proc_alive "$name" "$marker"; then
    echo "  ${name} exited at once; last lines of ${log}:" >&2
    tail -n 20 "$log" | sed 's/^/    /' >&2
    return 1
  fi
}

proc_stop() {
  local name=$1 grace=${2:-10} f pid i
  f=$(proc_pidfile "$name")
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}
