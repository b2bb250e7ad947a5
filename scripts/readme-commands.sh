#!/usr/bin/env bash
# Runs the commands README.md shows, as written, so that none of them can break unnoticed (CI calls this after
# `mvn -B verify`). Every indented `mvn ...` line of README.md is taken from the file itself:
#   - the demo hub (`... exec:java`, which runs until Ctrl-C) is started, must print its URLs and answer
#     /health/ready on port 8080, and is then stopped with Ctrl-C (SIGINT);
#   - `mvn -B verify` is skipped (CI has just run it);
#   - the full benchmark (`exec:exec@bench` without --quick, about 10 minutes) is skipped; its --quick form runs
#     (without the Node.js peer when Node.js is not installed: bench/setup.sh needs it);
#   - every other command runs and must exit 0 within 10 minutes.
# Then `-Dexec.args="hub --help"` and `-Dbench.args=--help` check the two ways README passes arguments, and two
# `hub --seconds 1` runs on one --data-dir check that the second restores the first one's spreads.
# Usage: scripts/readme-commands.sh [maven options, e.g. -o]
set -euo pipefail
cd "$(dirname "$0")/.."
MVN_OPTS=("$@")
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT
failures=0

fail() {
  echo "readme-commands: FAILED: $*" >&2
  failures=$((failures + 1))
}

# Runs one README command line (a string, split as a shell would) with the extra Maven options.
run_mvn() {
  local line="$1" log="$2"
  eval "set -- $line"
  shift # mvn
  timeout 600 mvn "${MVN_OPTS[@]}" "$@" >"$log" 2>&1
}

# GET http://127.0.0.1:8080$1, the whole answer (status line, headers, body), without curl.
http_get() {
  timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080
    printf "GET %s HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n" "$1" >&3
    cat <&3' _ "$1" 2>/dev/null || true
}

demo_hub() {
  local line="$1" log="$LOG_DIR/hub.log"
  if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
    fail "port 8080 is taken; the demo hub command needs it"
    return
  fi
  eval "set -- $line"
  shift
  local before=$failures
  # Job control on: the hub runs in its own process group, with SIGINT not ignored (a script's background jobs
  # otherwise ignore it, and the JVM then never sees Ctrl-C).
  set -m
  mvn "${MVN_OPTS[@]}" "$@" >"$log" 2>&1 &
  local pid=$! deadline=$((SECONDS + 300))
  set +m
  until grep -q "rate board" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      cat "$log" >&2
      fail "the demo hub did not print its URLs: $line"
      kill -- -"$pid" 2>/dev/null || true
      return
    fi
    sleep 1
  done
  local ready
  ready="$(http_get /health/ready)"
  [[ "$ready" == *'"status":"READY"'* ]] || fail "the demo hub did not answer /health/ready: '$ready'"
  for what in "WebSocket  ws://" "API keys" "manager-airport" "JWT (HS256" "token "; do
    grep -q "$what" "$log" || fail "the demo hub's output lacks '$what'"
  done
  kill -INT -- -"$pid" 2>/dev/null || true
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "the demo hub did not stop within 60 s of Ctrl-C"
      kill -KILL -- -"$pid" 2>/dev/null || true
      break
    fi
    sleep 1
  done
  wait "$pid" 2>/dev/null || true
  if [ "$failures" -eq "$before" ]; then
    echo "readme-commands: ok (started, ready, stopped by Ctrl-C): $line"
  fi
}

mapfile -t commands < <(sed -n 's/^    \(mvn .*\)$/\1/p' README.md)
[ "${#commands[@]}" -gt 0 ] || { echo "readme-commands: no mvn commands found in README.md" >&2; exit 1; }
for line in "${commands[@]}"; do
  case "$line" in
    "mvn -B verify")
      echo "readme-commands: skipped (CI runs it): $line" ;;
    *"exec:java")
      demo_hub "$line" ;;
    *"exec:exec@bench")
      echo "readme-commands: skipped (the full benchmark, ~10 minutes): $line" ;;
    *)
      run="$line"
      if [[ "$line" == *"--quick"* ]] && ! command -v node >/dev/null 2>&1; then
        run="${line/--quick/--quick --target ratehub,tyrus-raw}"
        echo "readme-commands: no Node.js here: the quick bench runs without the node-ws peer"
      fi
      log="$LOG_DIR/cmd.log"
      start=$SECONDS
      if run_mvn "$run" "$log"; then
        echo "readme-commands: ok ($((SECONDS - start)) s): $line"
      else
        tail -40 "$log" >&2
        fail "$line"
      fi ;;
  esac
done

PACKAGE="mvn -q -pl examples -am -Dmaven.test.skip=true package"
if run_mvn "$PACKAGE exec:java -Dexec.args=\"hub --help\"" "$LOG_DIR/help.log" \
    && grep -q -- "--seconds" "$LOG_DIR/help.log"; then
  echo "readme-commands: ok: $PACKAGE exec:java -Dexec.args=\"hub --help\""
else
  cat "$LOG_DIR/help.log" >&2
  fail "hub --help"
fi
if run_mvn "$PACKAGE exec:exec@bench -Dbench.args=--help" "$LOG_DIR/bench-help.log" \
    && grep -q -- "--quick" "$LOG_DIR/bench-help.log"; then
  echo "readme-commands: ok: $PACKAGE exec:exec@bench -Dbench.args=--help"
else
  cat "$LOG_DIR/bench-help.log" >&2
  fail "bench --help"
fi

# The demo hub keeps its state in --data-dir: a second run restores the demo spreads of the first and sets none
# again (the same number of audit entries after both runs).
HUB_RUN="$PACKAGE exec:java -Dexec.args=\"hub --port 0 --seconds 1 --data-dir $LOG_DIR/hub-data\""
if run_mvn "$HUB_RUN" "$LOG_DIR/run1.log" && grep -q "demo spreads set; in force: spreads 15" "$LOG_DIR/run1.log" \
    && run_mvn "$HUB_RUN" "$LOG_DIR/run2.log" \
    && grep -q "demo spreads not set again; in force: spreads 15" "$LOG_DIR/run2.log" \
    && [ "$(grep -o 'audit entries [0-9]*' "$LOG_DIR/run1.log")" = "$(grep -o 'audit entries [0-9]*' "$LOG_DIR/run2.log")" ]; then
  echo "readme-commands: ok: the demo hub kept its spreads across two runs on one --data-dir"
else
  cat "$LOG_DIR/run1.log" "$LOG_DIR/run2.log" >&2 2>/dev/null || true
  fail "the demo hub did not keep its state across two runs"
fi

if [ "$failures" -gt 0 ]; then
  echo "readme-commands: $failures README command(s) failed" >&2
  exit 1
fi
echo "readme-commands: every README command checked ran as written"
