# _conc.sh — what a trace of test/capture/p11conc.c must give, whichever
# spy header recorded it: sourced by test/capture/concurrency.sh (Debian's
# spy, at test time) and test/e2e/spy_concurrency.sh (the committed
# captures of a spy of OpenSC 0.26). Not run on its own (the leading '_').
#
# conc_check LOG PROCS THREADS ITER [SESSIONS]
#   LOG       a spy log of PROCS processes of `p11conc ... THREADS ITER`
#   SESSIONS  optional file: the handles each process printed ("sessions=1 3
#             4 ..." lines, one per process): the sessions the trace must open
# Needs $HS, jq, fail(), and $T (a scratch directory).

conc_check() {
	log=$1 procs=$2 threads=$3 iter=$4 printed=${5:-}
	calls_per_thread=$((2 * iter + 2))        # OpenSession, iter x (SignInit, Sign), CloseSession
	want_calls=$((procs * (12 + threads * calls_per_thread)))
	J="$T/conc.json" E="$T/conc.events"
	"$HS" analyze "$log" --format json >"$J" || fail "$log: analyze failed"
	"$HS" analyze "$log" --format events >"$E" || fail "$log: events failed"
	"$HS" sessions "$log" >"$T/conc.sessions" || fail "$log: sessions failed"

	# every call, once, with its real return code
	heads=$(grep -c -E '^[0-9]+: [A-Za-z_]+$' "$log")
	[ "$heads" = "$want_calls" ] || fail "$log: the trace has $heads calls, the workload made $want_calls"
	[ "$(jq .total_calls "$J")" = "$want_calls" ] || fail "$log: total_calls $(jq .total_calls "$J"), want $want_calls"
	[ "$(jq .processes "$J")" = "$procs" ] || fail "$log: processes $(jq .processes "$J"), want $procs"
	[ "$(jq .errors "$J")" = 0 ] || fail "$log: $(jq .errors "$J") errors in a clean workload"
	[ "$(jq .incomplete "$J")" = 0 ] || fail "$log: $(jq .incomplete "$J") calls never returned"
	rets=$(grep -c 'Returned:  0 CKR_OK' "$log")
	[ "$rets" = "$want_calls" ] || fail "$log: $rets returns in the trace, want $want_calls"
	[ "$(jq -s 'map(select(.rv_name == "CKR_OK")) | length' "$E")" = "$want_calls" ] ||
		fail "$log: not every call got its CKR_OK"

	# one session per thread (and the main thread's), each opened and closed
	want_sess=$((procs * (threads + 1)))
	[ "$(jq .sessions.opened "$J")" = "$want_sess" ] || fail "$log: sessions opened $(jq .sessions.opened "$J"), want $want_sess"
	[ "$(jq .sessions.closed "$J")" = "$want_sess" ] || fail "$log: sessions closed $(jq .sessions.closed "$J"), want $want_sess"
	[ "$(jq .sessions.leaked "$J")" = 0 ] || fail "$log: sessions leaked"
	# each C_OpenSession has its handle; each handle a process opened is the
	# session of exactly one C_OpenSession, iter C_SignInit, iter C_Sign and
	# one C_CloseSession (a worker's), or of the main thread's 7 calls
	jq -s -e 'map(select(.func == "C_OpenSession" and .session == null)) | length == 0' "$E" >/dev/null ||
		fail "$log: a C_OpenSession without its handle"
	bad=$(jq -s -r --argjson it "$iter" '
		group_by([.file, .pid, .session_id]) | map(select(.[0].session != null)) | .[] |
		{ s: .[0].session, o: map(select(.func == "C_OpenSession")) | length,
		  i: map(select(.func == "C_SignInit")) | length, g: map(select(.func == "C_Sign")) | length,
		  c: map(select(.func == "C_CloseSession")) | length, n: length } |
		select(.o != 1 or .c != 1 or (.n != 7 and (.i != $it or .g != $it or .n != 2 * $it + 2))) |
		"session \(.s): \(.o) open, \(.i) SignInit, \(.g) Sign, \(.c) close, \(.n) calls"' "$E")
	[ -z "$bad" ] || fail "$log: sessions do not match the workload: $bad"
	# the new header names threads: each thread's calls are all on the
	# session its own C_OpenSession returned
	bad=$(jq -s -r 'map(select(.tid != null)) | group_by([.pid, .tid]) | .[] |
		(map(select(.func == "C_OpenSession")) | map(.session)) as $o |
		(map(select(.session != null)) | map(.session) | unique) as $s |
		select(($o | length) != 1 or $s != $o) | "thread \(.[0].tid): opened \($o), used \($s)"' "$E")
	[ -z "$bad" ] || fail "$log: a thread's calls are not on its own session: $bad"
	if [ -n "$printed" ]; then
		want=$(sed -n 's/^sessions=//p' "$printed" | tr ' ' '\n' | sort -n | tr '\n' ' ')
		got=$(jq -s -r 'map(select(.func == "C_OpenSession")) | group_by(.instance) | .[] |
			map(.session) | .[]' "$E" | sort -n | tr '\n' ' ')
		[ "$got" = "$want" ] || fail "$log: sessions opened '$got', the workload's '$want'"
	fi
	# the sessions tree: per process, one slot with one session per thread
	n=$(grep -c -E "^  slot 0x[0-9a-f]+ \($((threads + 1)) sessions\)" "$T/conc.sessions")
	[ "$n" = "$procs" ] || { cat "$T/conc.sessions" >&2; fail "$log: $n processes show a slot with $((threads + 1)) sessions, want $procs"; }
	! grep -q -E 'slot \?|opened before the log' "$T/conc.sessions" || fail "$log: sessions tree has an unknown slot or session"

	# a clean workload: no anomaly anywhere
	[ "$(jq -c .anomalies "$J")" = '{}' ] || fail "$log: anomalies $(jq -c .anomalies "$J")"
	jq -s -e 'map(select((.anomalies // []) != [])) | length == 0' "$E" >/dev/null || fail "$log: an event has an anomaly"
	return 0
}
