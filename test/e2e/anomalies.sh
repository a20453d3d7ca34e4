# anomalies.sh — the anomalies people ask about (issue 16, item 5) that
# committed real logs show: a jump in libpkcs11shim's call counter
# (call_no_gap, on a real capture with calls left out as users paste it),
# none on real captures whose calls are all there (threads writing out of
# order included), and a CloudHSM seq_gap that says from which number to
# which, in the exported events and in analyze's text and JSON.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }

# call_no_gap: [cnt] 5 then [cnt] 9 in one process
S="$FIX/shim/pasted-cut.log"
[ "$("$HS" analyze "$S" --format json | jq -c .anomalies)" = '{"call_no_gap":1}' ] ||
	fail "shim cut: $("$HS" analyze "$S" --format json | jq -c .anomalies)"
[ "$("$HS" grep "$S" 'anomaly == "call_no_gap"' | awk '{print $5}')" = C_InitPIN ] ||
	fail "the gap is not on the call after it"
[ "$("$HS" sql "$S" --format csv "SELECT detail FROM anomalies WHERE kind = 'call_no_gap'" | tail -n 1 | tr -d '\r')" = \
	"the tracer's call counter jumped from 5 to 9: 3 calls missing from the log" ] || fail "call_no_gap detail"
# a refresh of a grown log finds what a rebuild finds (the counter is replayed)
head -n 200 "$S" >"$T/grow.log"
"$HS" index "$T/grow.log" --index "$T/grow.db" >/dev/null
cat "$S" >"$T/grow.log"
[ "$("$HS" grep "$T/grow.log" --index "$T/grow.db" 'anomaly == "call_no_gap"' | awk '{print $1}')" = \
	"$("$HS" grep "$S" 'anomaly == "call_no_gap"' | awk '{print $1}')" ] || fail "refresh: call_no_gap differs"
for f in pkcs11-tool threads threads-deferred threads-callblock fork crypto; do
	[ "$("$HS" grep "$FIX/shim/$f.log" --count 'anomaly == "call_no_gap"')" = 0 ] || fail "$f: a call_no_gap on a whole log"
done

# the spy's N: counts calls per process. New header (P:pid): each
# process's numbers, interleaved: 0 1 4 in pid 200 is a gap, 0 1 2 in pid
# 100 is not. Old header: sound in a file of one process only (0 1 5 6);
# with several, the parser tells processes apart by those very numbers
S="$FIX/spy/gap-new.log"
[ "$("$HS" analyze "$S" --format json | jq -c .anomalies)" = '{"call_no_gap":1}' ] ||
	fail "spy new header: $("$HS" analyze "$S" --format json | jq -c .anomalies)"
[ "$("$HS" sql "$S" --format csv "SELECT e.pid || ' ' || a.detail FROM anomalies a JOIN events e ON e.n = a.n" | tail -n 1 | tr -d '\r')" = \
	"200 the tracer's call counter jumped from 1 to 4: 2 calls missing from the log" ] || fail "spy new header: call_no_gap detail"
S="$FIX/spy/gap-old.log"
[ "$("$HS" sql "$S" --format csv "SELECT detail FROM anomalies WHERE kind = 'call_no_gap'" | tail -n 1 | tr -d '\r')" = \
	"the tracer's call counter jumped from 1 to 5: 3 calls missing from the log" ] || fail "spy old header: call_no_gap"
for f in banners threads-new resume-old-1 resume-new-1 old-header new-header; do
	[ "$("$HS" grep "$FIX/spy/$f.log" --count 'anomaly == "call_no_gap"')" = 0 ] || fail "spy $f: a call_no_gap on a whole log"
done

# seq_gap: from which number to which
H="$ROOT/share/samples/hsm-abcde123456.log"
"$HS" export "$H" >"$T/h.json"
[ "$(jq -c '[.[] | select(.seq_gap != null) | [.seq_no, .seq_gap]]' "$T/h.json")" = \
	'[[4,{"from":2,"to":4,"missing":1}],[11,{"from":5,"to":11,"missing":5}]]' ] ||
	fail "seq_gap in the events: $(jq -c '[.[] | select(.seq_gap != null) | [.seq_no, .seq_gap]]' "$T/h.json")"
[ "$(jq '[.[] | has("seq_gap")] | all' "$T/h.json")" = true ] || fail "seq_gap is not in every audit event"
"$HS" export "$FIX/correlate/audit-a.log" | jq -c '[.[] | select(.seq_gap != null) | .seq_gap]' >"$T/a.gaps"
[ "$(cat "$T/a.gaps")" = '[{"from":8,"to":12,"missing":3},{"from":null,"to":6,"missing":6}]' ] ||
	fail "seq_gap after a reboot: $(cat "$T/a.gaps")"
"$HS" analyze "$H" >"$T/h.txt"
grep -q '^HSM hsm-abcde123456$' "$T/h.txt" && grep -q '^  events 6 .*  reboots 0$' "$T/h.txt" ||
	fail "analyze text: $(cat "$T/h.txt")"
grep -q '^    0x2 -> 0x4  *1  ' "$T/h.txt" && grep -q '^    0x5 -> 0xb  *5  ' "$T/h.txt" ||
	fail "analyze text: the gaps' numbers"
grep -q '^  seq_gap  *2  ' "$T/h.txt" || fail "analyze text: anomalies by kind"
"$HS" analyze "$FIX/correlate/audit-a.log" | grep -q '^    (reboot) -> 0x6  *6  ' || fail "analyze text: a gap after a reboot"

# every kind is documented where kinds are listed
for k in pin_retry_burst call_before_initialize call_no_gap; do
	grep -q "$k" "$ROOT/share/man/hsmscope.1" || fail "$k not in the man page"
done
echo "ok: call_no_gap (shim, spy), seq_gap numbers"
