#!/usr/bin/env bash
# The full suite (exactly `npm test`) several times in a row while busy loops keep every core saturated: the lab,
# the test API server and the TUI tests must stay green on a loaded machine, not only on an idle one.
#   npm run test:stress        STRESS_RUNS (3), STRESS_HOGS (one per core), STRESS_MAX_S (hog lifetime cap, 5400),
#                              STRESS_CMD (what one run is; default `npm test`; e.g. a few lab-heavy files while hunting)
# The hogs run at nice 0, die with this script (trap) and, whatever happens to it, after STRESS_MAX_S.
# Prints one line per run and a final `stress: ...` line; exits non-zero if any run failed. Logs stay in $LOGS.
set -u
cd "$(dirname "$0")/.."

RUNS=${STRESS_RUNS:-3}
HOGS=${STRESS_HOGS:-$(nproc)}
MAX_S=${STRESS_MAX_S:-5400}
CMD=${STRESS_CMD:-npm test}
LOGS=$(mktemp -d /tmp/podreach-stress.XXXXXX)

hogs=()
run=''
stop() {
  # The run is a session of its own (setsid): its whole process group goes with us.
  [ -n "$run" ] && kill -TERM -- "-$run" 2>/dev/null
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  hogs=()
  run=''
  # A run cut short leaves its labs to their owners' exit handlers; whatever a killed worker left, clean removes.
  [ -x node_modules/.bin/node ] && node_modules/.bin/node test/lab/cli.ts clean >/dev/null 2>&1
  return 0
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq "$HOGS"); do
  # `timeout` bounds the hog even if this script is SIGKILLed; SIGTERM to it reaches the loop.
  nice -n 0 timeout "$MAX_S" bash -c 'while :; do :; done' &
  hogs+=($!)
done
echo "stress: $RUNS runs of \`$CMD\` under $HOGS CPU hogs (nice 0, at most ${MAX_S} s); logs in $LOGS"

failed=0
for i in $(seq "$RUNS"); do
  log="$LOGS/run$i.log"
  t0=$(date +%s)
  # In the background and waited for, so a signal to this script is handled at once, not after the run.
  setsid bash -c "$CMD" >"$log" 2>&1 &
  run=$!
  wait "$run"
  code=$?
  run=''
  secs=$(($(date +%s) - t0))
  # The summary reporter's closing line; absent if the run died before vitest ended.
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ "$code" -eq 0 ]; then
    echo "run $i/$RUNS: ok in ${secs} s: ${summary:-no summary line}"
  else
    failed=$((failed + 1))
    echo "run $i/$RUNS: FAILED (exit $code) in ${secs} s: ${summary:-no summary line}; see $log"
    # Which files and tests failed, as vitest names them (colour codes stripped).
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *(FAIL|×) ' | sort -u | head -20 | sed 's/^ */    /'
  fi
done
stop

echo "stress: $((RUNS - failed)) of $RUNS runs green, $failed failed, under $HOGS CPU hogs"
[ "$failed" -eq 0 ]
