# shim.sh — Mastercard libpkcs11shim logs end to end (real captures in
# test/fixtures/shim, see its README): analyze names the format and says the
# durations are the tracer's, the failed login is found, sessions and the
# login span show, export works, no PIN reaches the index or any output
# (also with PKCS11SHIM_REVEALPIN's clear PINs), the interleaved threads
# come out as three threads on six sessions. And the cross-tracer check: the
# pkcs11-tool workload recorded at once by pkcs11-spy (in front) and the
# shim (behind it) gives the same calls, return codes and sessions.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }
S="$FIX/shim"
L="$S/pkcs11-tool.log"
SPY="$S/pkcs11-tool.spy"

# the format, and durations recorded by the tracer
"$HS" analyze "$L" >"$T/analyze.txt"
grep -q '(shim: Mastercard libpkcs11shim, 343 events, 0 lines skipped)' "$T/analyze.txt" ||
	fail "analyze does not name the format: $(head -n 1 "$T/analyze.txt")"
grep -q '^durations    as recorded by the tracer' "$T/analyze.txt" || fail "durations not the tracer's"
"$HS" analyze "$L" --format json >"$T/a.json"
[ "$(jq -r '.files[0].format' "$T/a.json")" = shim ] || fail "json: format"
[ "$(jq -r '.duration_source' "$T/a.json")" = tracer ] || fail "json: duration_source"
[ "$(jq '.processes' "$T/a.json")" = 7 ] || fail "7 pkcs11-tool runs, 7 processes"
"$HS" analyze "$L" --format events >"$T/events.ndjson"
jq -e -s 'length == 343 and all(.dur_source == "tracer" and .dur_ms != null)' "$T/events.ndjson" \
	>/dev/null || fail "every event's duration is the tracer's"
# the [lap] of C_GenerateKeyPair, exactly
jq -e -s '[.[] | select(.func == "C_GenerateKeyPair")][0].dur_ms == 123.843' "$T/events.ndjson" \
	>/dev/null || fail "C_GenerateKeyPair lasted 0.123843 s by its [lap]"

# the failed login, the sessions and the login span
"$HS" grep "$L" 'rv != CKR_OK' >"$T/errors.txt"
grep -q 'C_Login CKR_PIN_INCORRECT' "$T/errors.txt" || fail "grep did not find the wrong PIN"
[ "$(wc -l <"$T/errors.txt")" = 11 ] || fail "11 failed calls expected, got $(wc -l <"$T/errors.txt")"
"$HS" sessions "$L" >"$T/sessions.txt"
grep -q '^process 9627 ' "$T/sessions.txt" || fail "processes are named by their pid"
grep -q '^    session 0x1 .* closed$' "$T/sessions.txt" || fail "no closed session 0x1"
grep -q '^      login CKU_USER ' "$T/sessions.txt" || fail "no login span"
grep -q 'Sign: C_SignInit .. C_SignFinal' "$T/sessions.txt" || fail "no Sign operation"
[ "$(jq -c '.sessions' "$T/a.json")" = '{"opened":6,"closed":6,"leaked":0}' ] || fail "sessions"
[ "$(jq -c '.logins' "$T/a.json")" = '{"ok":5,"failed":1,"spans":5}' ] || fail "logins"

# export
"$HS" export "$L" -o "$T/export.json"
[ "$(jq 'length' "$T/export.json")" = 343 ] || fail "export: 343 events"
"$HS" export "$L" --format csv -o "$T/export.csv"
[ "$(wc -l <"$T/export.csv")" -gt 343 ] || fail "export csv"

# no PIN anywhere: the shim's masked PINs, and REVEALPIN's clear ones
pins='so-pin-8642 user-pin-1357 wrong-pin-0000 user-pin-2468'
hexes='73 6F 2D 70 69 6E|75 73 65 72 2D 70 69 6E|77 72 6F 6E 67 2D|736F2D70|75736572'
R="$S/reveal.log"
grep -q 'user-pin-1357' "$R" || fail "the reveal capture should hold the PIN in clear"
"$HS" analyze "$R" >"$T/r.txt"
"$HS" analyze "$R" --format events >"$T/r.ndjson"
"$HS" analyze "$R" --format pretty-events >"$T/r.pretty"
"$HS" export "$R" -o "$T/r.export"
"$HS" grep "$R" 'C_Login|C_InitToken|C_InitPIN|C_SetPIN' >"$T/r.grep"
"$HS" sessions "$R" --format json >"$T/r.sessions"
grep -q 'C_SetPIN' "$T/r.grep" || fail "grep found no C_SetPIN"
grep -q 'pPin\[ulPinLen\] / 13' "$T/r.pretty" || fail "the PIN's length should show"
grep -q '\*\* \*\* \*\*' "$T/r.pretty" || fail "revealed PIN bytes should show as '**'"
"$HS" analyze "$L" --format pretty-events >"$T/pretty.json"
grep -q '"\[in\] pPin\[ulPinLen\] / 13"' "$T/pretty.json" || fail "a PIN the shim masked keeps its length"
ls "$XDG_CACHE_HOME"/hsmscope/*.db >/dev/null 2>&1 || fail "no index was written"
for f in "$T/r.txt" "$T/r.ndjson" "$T/r.pretty" "$T/r.export" "$T/r.grep" "$T/r.sessions" \
	"$T/analyze.txt" "$T/events.ndjson" "$T/pretty.json" "$T/export.json" "$T/export.csv" \
	"$XDG_CACHE_HOME"/hsmscope/*.db; do
	for p in $pins; do
		! grep -a -q -F -- "$p" "$f" || fail "PIN $p in $f"
	done
	! grep -a -q -i -E -- "$hexes" "$f" || fail "PIN bytes in $f"
done

# two threads interleaving (PKCS11SHIM_CONSISTENCY=0): calls, threads, sessions
"$HS" analyze "$S/threads.log" --format json >"$T/t.json"
[ "$(jq -c '[.total_calls, .threads, .sessions.opened, .sessions.closed, .errors]' "$T/t.json")" = \
	'[46,3,6,6,1]' ] || fail "threads: $(jq -c '[.total_calls, .threads, .sessions]' "$T/t.json")"
answers() { jq -S -c '[(.by_function | map_values({calls, errors})), .by_rv, .sessions, .logins]' "$1"; }
for mode in callblock deferred; do # the same program in the other modes: the same answers
	"$HS" analyze "$S/threads-$mode.log" --format json >"$T/t2.json"
	[ "$(answers "$T/t.json")" = "$(answers "$T/t2.json")" ] ||
		fail "threads-$mode.log gives other calls, returns or sessions than threads.log"
done

# the cross-tracer check: spy and shim recording one pkcs11-tool workload
"$HS" analyze "$SPY" --format json >"$T/spy.json"
[ "$(jq -r '.files[0].format' "$T/spy.json")" = spy ] || fail "the spy half is not read as spy"
[ "$(jq -r '.duration_source' "$T/spy.json")" != tracer ] || fail "the spy's durations are estimates"
calls() { # the function counts, C_GetInterface (spy) and C_GetFunctionList (shim) as one
	jq -S -c '.by_function | with_entries(.key |= (if . == "C_GetInterface" then "C_GetFunctionList" else . end))
		| map_values({calls, errors})' "$1"
}
[ "$(calls "$T/a.json")" = "$(calls "$T/spy.json")" ] || fail "spy and shim saw other calls"
for k in total_calls errors incomplete processes by_rv sessions logins objects; do
	[ "$(jq -S -c ".$k" "$T/a.json")" = "$(jq -S -c ".$k" "$T/spy.json")" ] ||
		fail "spy and shim differ in $k: $(jq -c ".$k" "$T/spy.json") / $(jq -c ".$k" "$T/a.json")"
done
tree() { # the sessions tree without times, processes by order, functions as above
	"$HS" sessions "$1" --format json | jq -S -c 'def w: {kind, state, calls, errors, first_n, last_n,
		label: (.label | sub("^process [0-9]+"; "process") | sub("^process #[0-9]+"; "process")
		        | gsub("C_GetInterface"; "C_GetFunctionList")),
		children: ((.children // []) | map(w))}; .roots | map(w)'
}
tree "$L" >"$T/tree.shim"
tree "$SPY" >"$T/tree.spy"
[ "$(jq '[.. | objects | select(.kind == "session")] | length' "$T/tree.shim")" = 6 ] ||
	fail "six sessions in the tree"
cmp -s "$T/tree.shim" "$T/tree.spy" || fail "spy and shim give other sessions"
echo "ok: shim format, tracer durations, PINs redacted, threads, spy and shim agree"
