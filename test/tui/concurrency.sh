# concurrency.sh — the explorer on a real threaded capture (OpenSC 0.26's
# spy, 4 threads; test/fixtures/spy/softhsm-threads-opensc026.log): `w` finds
# no anomaly on the clean workload, every call returned (the filter
# `incomplete` matches nothing), the filter `uncertain` shows the calls
# whose lines interleaving left undecided, the detail pane says so, and the
# raw pane shows the file's lines with the call's marked and says some may
# be another's.
. "$(dirname "$0")/lib.sh"
tui_setup
L="$ROOT/test/fixtures/spy/softhsm-threads-opensc026.log"
[ "$("$HS" grep "$L" --count 'incomplete')" = 0 ] || fail "a call never returned"
want=$("$HS" grep "$L" --count 'uncertain') || fail "grep --count: no uncertain call"
first=$("$HS" analyze "$L" --format events | jq -r 'select(.uncertain) | "\(.n) \(.func)"' | head -n 1) ||
	fail "events"
n=${first%% *} func=${first#* }
tui_start 140 50 "\"$HS\" \"$L\""
wait_for "No\. +Time"
keys w
wait_for "no anomaly after this one"
keys / 'incomplete' Enter
wait_for "0 of 420 match"
keys / C-u 'uncertain' Enter
wait_for "$want of 420 match"
wait_for "Detail of event $n $func"
wait_for "Attribution: uncertain"
wait_for "file lines [0-9]+-[0-9]+: this call.s [0-9]+ marked >"
wait_for "some marked lines may be another call"
keys q
wait_for "HS-EXIT:0"
echo "ok"
