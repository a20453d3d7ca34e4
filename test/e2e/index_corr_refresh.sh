# index_corr_refresh.sh — a refresh gives the correlation tables a rebuild
# gives. Each capture (several processes and threads of pkcs11-spy, the
# anomaly fixture, CloudHSM audit logs with gaps and reboots) is indexed
# cut at some byte offsets and refreshed as the rest is appended (once, and
# in several steps); then sessions, logins, spans, objects, processes,
# streams, links, anomalies, seq_gaps and attributions must equal those of
# an index built at once. A refresh goes on from the correlator's state
# saved in the index (corr_state), which every run must leave there; a
# long log cut mid-call has it rebuilt from a snapshot of the run.
. "$(dirname "$0")/lib.sh"
set -e
LOG="$T/live.log"

# every correlation table, in an order that does not depend on rowids
dump() {
	for q in \
		"SELECT * FROM sessions ORDER BY id" \
		"SELECT * FROM logins ORDER BY id" \
		"SELECT * FROM spans ORDER BY id" \
		"SELECT * FROM objects ORDER BY id" \
		"SELECT * FROM processes ORDER BY id" \
		"SELECT * FROM streams ORDER BY id" \
		"SELECT * FROM links ORDER BY n, peer, kind" \
		"SELECT * FROM anomalies ORDER BY n, kind, ref, at_end, detail" \
		"SELECT * FROM seq_gaps ORDER BY n, hsm, after" \
		"SELECT * FROM attributions ORDER BY n, users" \
		"SELECT n, session_id, login_id, span_id FROM events ORDER BY n"; do
		echo "== $q"
		"$HS" sql "$LOG" --index "$1" --format csv "$q"
	done
}

# refreshed SRC CUT...: index SRC cut at each offset in turn, then whole
refreshed() {
	src=$1
	shift
	size=$(stat -c %s "$src")
	rm -f "$T/cut.db"
	: >"$LOG"
	prev=0
	for cut in "$@" "$size"; do
		tail -c +$((prev + 1)) "$src" | head -c $((cut - prev)) >>"$LOG"
		prev=$cut
		"$HS" index "$LOG" --index "$T/cut.db" >"$T/state" 2>/dev/null || continue
		[ "$("$HS" sql "$LOG" --index "$T/cut.db" --format csv \
			"SELECT count(*) FROM corr_state WHERE state IS NOT NULL" | tr -d '\r' | tail -1)" = 1 ] ||
			fail "$src cut at $cut: no correlator state kept"
	done
	grep -q '^state      refreshed' "$T/state" || fail "$src cut at $*: not refreshed ($(cat "$T/state"))"
	dump "$T/cut.db" >"$T/cut.txt"
	cmp -s "$T/full.txt" "$T/cut.txt" || {
		diff "$T/full.txt" "$T/cut.txt" | head -6 | cut -c1-300 >&2
		fail "$src cut at $*: the refreshed correlation differs from a rebuild"
	}
}

check() {
	src=$1
	size=$(stat -c %s "$src")
	cp "$src" "$LOG"
	rm -f "$T/full.db"
	"$HS" index "$LOG" --index "$T/full.db" >/dev/null
	dump "$T/full.db" >"$T/full.txt"
	[ "$(wc -l <"$T/full.txt")" -gt 30 ] || fail "$src: the reference has too few rows"
	k=0
	while [ $k -lt "$2" ]; do
		refreshed "$src" $((size / 4 + k * (size / 2) / $2 + k * 13 % 97))
		k=$((k + 1))
	done
	# several refreshes in a row
	refreshed "$src" $((size / 5)) $((size / 5 + 1)) $((size / 3)) $((size / 2 + 7)) $((size * 3 / 4))
}

check "$FIX/spy/conc-procs-threads-0261.log" 10
check "$FIX/spy/softhsm-threads-opensc026.log" 6
check "$FIX/spy/conc-procs-0261.log" 4
check "$FIX/correlate/anomalies.log" 6
check "$FIX/correlate/killed.log" 4
check "$FIX/cloudhsm/gap-reboot.log" 6
check "$FIX/cloudhsm/doc-examples.log" 6
check "$FIX/cloudhsm/pasted-two-hsms.log" 4

# a log long enough (> 16384 events) that the state before a call left
# open at the cut is rebuilt from a snapshot taken during the run
i=0
while [ $i -lt 50 ]; do cat "$SAMPLE"; i=$((i + 1)); done >"$T/long.log"
size=$(stat -c %s "$T/long.log")
cp "$T/long.log" "$LOG"
rm -f "$T/full.db"
"$HS" index "$LOG" --index "$T/full.db" >/dev/null
dump "$T/full.db" >"$T/full.txt"
refreshed "$T/long.log" $((size * 97 / 100))
echo ok
