# tracer_table.sh — a tracer's own per-function table (the NSS module
# logger's, at shutdown) is kept in the index and shown beside hsmscope's
# figures: in analyze text and JSON, for a filter only beside the functions
# it matched, and on its own when the log holds the table but not the calls.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }
M="$FIX/nss/mixed-l1-ts.log"
"$HS" analyze "$M" --format json >"$T/m.json"
[ "$(jq -c '.by_function.C_Login | [.calls, .tracer.calls, .tracer.total_ms]' "$T/m.json")" = '[1,1,1]' ] ||
	fail "C_Login: ours and the tracer's: $(jq -c '.by_function.C_Login' "$T/m.json")"
[ "$(jq '[.by_function[] | select(.tracer.calls != .calls)] | length' "$T/m.json")" = 0 ] ||
	fail "the tracer counted other calls than the log shows"
[ "$("$HS" sql "$M" --format csv 'SELECT count(*) FROM tracer_stats' | tr -d '\r' | tail -n 1)" = 18 ] || fail "tracer_stats rows"
"$HS" analyze "$M" | grep -Eq 'tracer calls +tracer ms' || fail "analyze text: no tracer columns"
"$HS" analyze "$M" | grep -Eq '^  C_Login +1 +0 .* 1 +1\.000$' || fail "analyze text: the C_Login row"
# a filter: the table beside the functions it matched, nothing else
"$HS" analyze "$M" --format json --filter 'func == C_Login' >"$T/f.json"
[ "$(jq -c '.by_function | keys' "$T/f.json")" = '["C_Login"]' ] || fail "filter: $(jq -c '.by_function | keys' "$T/f.json")"
# the table alone (NSS_OUTPUT_FILE): its rows, with none of ours
"$HS" analyze "$FIX/nss/table.log" --format json >"$T/t.json"
[ "$(jq -c '.by_function.C_UnwrapKey | [.calls, .tracer.calls, .tracer.total_ms]' "$T/t.json")" = '[0,2,45000]' ] ||
	fail "table alone: $(jq -c '.by_function.C_UnwrapKey' "$T/t.json")"
# no table: no tracer columns
"$HS" analyze "$SAMPLE" | grep -q 'tracer calls' && fail "a spy log has no tracer table"
echo "ok: the NSS logger's table beside ours"
