# tracers.sh — issue 8's "the same way": a trace of each call tracer opens
# in the explorer, filters to the failed login, shows it decoded (detail
# and raw panes), follows its session with S, exports that session with x
# (the same events as grep's), and has the sessions view (s). Each log is
# a capture of the same pkcs11-tool workload with the wrong PIN in it.
. "$(dirname "$0")/lib.sh"
tui_setup
command -v jq >/dev/null || skip "no jq"
F="$ROOT/test/fixtures"
one() { # file format
	f=$1 fmt=$2
	mkdir -p "$T/out" && rm -f "$T/out"/*
	tui_start 140 45 "cd \"$T/out\" && \"$HS\" \"$f\""
	wait_for "No\. +Time"
	keys / 'func == C_Login && rv == CKR_PIN_INCORRECT' Enter
	wait_for " 1 of [0-9]+ match"
	wait_for "Detail of event [0-9]+ C_Login"
	wait_for "Result: CKR_PIN_INCORRECT"
	wait_for "session handle 0x|hSession = 0x" # the decoded session (the detail pane)
	# the raw pane: the file's own lines, the call's marked (its PIN masked;
	# outside the spy's format the lines after a PIN are masked as well)
	wait_for "Raw: the file's lines, this call's marked"
	wait_for "^>"
	[ "$fmt" != spy ] || wait_for "Returned: +[0-9]+ CKR_PIN_INCORRECT"
	screen | grep -q "user-pin\|wrong-pin" && fail "$fmt: a PIN on the screen"
	n=$(screen | sed -n 's/.*Detail of event \([0-9]*\) C_Login.*/\1/p' | head -n 1)
	keys S
	wait_for "Filter: session_id == [0-9]+"
	flt=$(row 1 | sed -n 's/^Filter: \(session_id == [0-9]*\).*/\1/p')
	shown=$(row 1 | sed -n 's/.* \([0-9][0-9]*\) of [0-9]* match.*/\1/p')
	wait_for "Detail of event $n C_Login"
	keys x
	wait_for "Export $shown filtered events \(\.json \.ndjson \.csv \.bulk\) to: "
	keys Enter
	wait_for "wrote $shown events"
	out=$(ls "$T/out"/*.json)
	[ "$(jq length "$out")" = "$shown" ] || fail "$fmt: the export is not the $shown events shown"
	[ "$(jq -r '[.[].format] | unique | join(",")' "$out")" = "$fmt" ] || fail "$fmt: export format"
	[ "$("$HS" grep "$f" --count "$flt")" = "$shown" ] || fail "$fmt: the count differs from grep"
	keys s
	wait_for "session 0x1 "
	keys q
	wait_for "HS-EXIT:0"
	echo "ok: $fmt: failed login $n, its session of $shown events"
}
one "$SAMPLE" spy
one "$F/p11kit/basic.log" p11kit
one "$F/nss/login-l4-ts.log" nss
one "$F/shim/pkcs11-tool.log" shim
one "$F/logger/cross-logger.log" logger
# the NSS logger's own table, beside our figures in the statistics view
tui_start 140 45 "\"$HS\" \"$F/nss/mixed-l1-ts.log\""
wait_for "No\. +Time"
keys i
wait_for "tracer: calls +total ms"
wait_for "C_Login +1 +0 .* 1 +1\.000"
keys q q
wait_for "HS-EXIT:0"
echo "ok: nss: the tracer's table in the statistics view"
