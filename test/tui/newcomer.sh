# newcomer.sh — issue 6's "Done when", on the `make demo` sample and only
# with what the screen says: the welcome hint names `e`, so `e` (repeated)
# finds the failed login; the status line names `S`, which filters to that
# event's session; `x` exports what is shown. The exported file holds
# exactly the session's events, the failed login among them.
. "$(dirname "$0")/lib.sh"
tui_setup
command -v jq >/dev/null || skip "no jq"
mkdir -p "$T/out"
tui_start 120 40 "cd \"$T/out\" && \"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
wait_for "e jumps to the next failed call"
# e until the selected event is the failed login
i=0
until screen | grep -q "Detail of event [0-9]* C_Login"; do
	keys e
	i=$((i + 1))
	[ "$i" -lt 20 ] || fail "e never reached a failed C_Login"
	sleep 0.2
done
wait_for "Result: CKR_PIN_INCORRECT"
n=$(screen | sed -n 's/.*Detail of event \([0-9]*\) C_Login.*/\1/p' | head -n 1)
wait_for "S:its session .*x:export"
keys S
wait_for "Filter: session_id == [0-9]+"
f=$(row 1 | sed -n 's/^Filter: \(session_id == [0-9]*\).*/\1/p')
shown=$(row 1 | sed -n 's/.* \([0-9][0-9]*\) of [0-9]* match.*/\1/p')
# the selection stayed on the failed login
wait_for "Detail of event $n C_Login"
keys x
wait_for "Export $shown filtered events \(\.json \.ndjson \.csv \.bulk\) to: softhsm-basic-filtered.json"
keys Enter
wait_for "wrote $shown events"
out="$T/out/softhsm-basic-filtered.json"
sid=${f#session_id == }
[ "$(jq --argjson s "$sid" '[.[] | select(.session_id == $s)] | length' "$out")" = "$shown" ] &&
	[ "$(jq length "$out")" = "$shown" ] || fail "the export is not the session's $shown events"
[ "$(jq --argjson n "$n" '[.[] | select(.n == $n)][0].rv_name' "$out")" = '"CKR_PIN_INCORRECT"' ] ||
	fail "the failed login $n is not in the export"
[ "$("$HS" grep "$SAMPLE" --count "$f")" = "$shown" ] || fail "the count differs from grep"
keys q
wait_for "HS-EXIT:0"
echo "ok: failed login $n, its session ($f) of $shown events exported"
