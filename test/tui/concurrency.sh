# concurrency.sh — the explorer on a real threaded capture (OpenSC 0.26's
# spy, 4 threads; test/fixtures/spy/softhsm-threads-opensc026.log): `w` finds
# no anomaly on the clean workload, the filter `uncertain` shows the calls
# interleaving left undecided, the detail pane says so, and the raw pane
# shows the file's lines with the call's marked and says some may be another's.
. "$(dirname "$0")/lib.sh"
tui_setup
L="$ROOT/test/fixtures/spy/softhsm-threads-opensc026.log"
want=$("$HS" grep "$L" --count 'uncertain && incomplete') || fail "grep --count"
[ "$want" = 1 ] || fail "expected one undecided call that never returned, got $want"
n=$("$HS" analyze "$L" --format events | jq -r 'select(.uncertain and .incomplete) | .n') || fail "events"
tui_start 140 50 "\"$HS\" \"$L\""
wait_for "No\. +Time"
keys w
wait_for "no anomaly after this one"
keys / 'uncertain && incomplete' Enter
wait_for "1 of 420 match"
wait_for "Detail of event $n C_Sign"
wait_for "Attribution: uncertain"
wait_for "file lines 305-459: this call.s 18 marked >"
wait_for "some marked lines may be another call"
keys q
wait_for "HS-EXIT:0"
echo "ok"
