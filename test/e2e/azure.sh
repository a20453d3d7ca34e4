# azure.sh — Azure Cloud HSM audit logs (CHSMManagementAuditLogs exported as
# JSON by az and as CSV by the portal) are detected from their columns and
# give the same events and analysis as the CloudHSM log of the same records
# (MemberId is the HSM); a damaged row is a skipped line.
. "$(dirname "$0")/lib.sh"
set -e
fields='{n,ts,func,rv,rv_name,ok,hsm,seq_no,seq_gap,reboot_counter,session,user,user_type,attributed_user,login_id,anomalies,opcode,command_type,response_code,log_type,key_handles}'
events() { "$HS" analyze "$1" --format events | jq -c "$fields"; }
json() { "$HS" analyze "$1" --format json | jq -S 'del(.files) | del(.skips[]?.file)'; }
# (gap-reboot: one HSM. doc-examples would not do: the text parser splits
# its unrelated examples into several HSMs, one MemberId cannot say that)
for log in gap-reboot; do
	python3 "$ROOT/test/e2e/azure_rows.py" "$FIX/cloudhsm/$log.log" "$log" "$T/$log"
	for ext in json csv; do
		"$HS" analyze "$T/$log.$ext" --format json | jq -e '.files[0].format == "azurehsm"' >/dev/null ||
			fail "$log.$ext: not read as azurehsm"
		[ "$(json "$FIX/cloudhsm/$log.log")" = "$(json "$T/$log.$ext")" ] || fail "$log.$ext: analysis differs"
		[ "$(events "$FIX/cloudhsm/$log.log")" = "$(events "$T/$log.$ext")" ] || fail "$log.$ext: events differ"
	done
done
echo "ok: az JSON and portal CSV exports = the CloudHSM log of the same records"

# the committed fixtures: MemberId as HSM, one row per line of NDJSON too
f="$FIX/azure/chsm-audit.json"
[ "$("$HS" analyze "$f" --format events | jq -r .hsm | sort -u)" = 8f0c1d2e-5b3a-4c1e-9d2f-6a7b8c9d0e1f ] ||
	fail "MemberId is the HSM id"
[ "$("$HS" analyze "$f" --format events | jq -r .format | sort -u)" = azurehsm ] || fail "events say format azurehsm"
[ "$("$HS" grep 'format == "azurehsm"' "$f" --count)" = 8 ] || fail "the format filter finds the rows"
jq -c '.[]' "$f" >"$T/rows.ndjson"
[ "$(json "$f")" = "$(json "$T/rows.ndjson")" ] || fail "one row per line differs from the array"
[ "$(json "$f")" = "$(json "$FIX/azure/chsm-audit.csv")" ] || fail "the committed CSV and JSON differ"

# damage: a row that is not JSON, a CSV record whose quote never closes
{ echo '['; jq -c '.[0]' "$f"; echo ',{"MemberId": oops},'; jq -c '.[1]' "$f"; echo ']'; } >"$T/bad.json"
"$HS" analyze "$T/bad.json" --format json >"$T/b.json" || fail "bad.json"
[ "$(jq .total_calls "$T/b.json")" = 2 ] || fail "bad.json: $(jq .total_calls "$T/b.json") of 2 rows"
[ "$(jq '.files[0].skipped_lines' "$T/b.json")" -ge 1 ] || fail "bad.json: the bad row is not a skipped line"
{ head -n 3 "$FIX/azure/chsm-audit.csv"; printf '"x","y","never closed\r\n'; } >"$T/bad.csv"
"$HS" analyze "$T/bad.csv" --format json >"$T/c.json" || fail "bad.csv"
[ "$(jq .total_calls "$T/c.json")" = 2 ] || fail "bad.csv: $(jq .total_calls "$T/c.json") of 2 rows"
[ "$(jq '.files[0].skipped_lines' "$T/c.json")" = 1 ] || fail "bad.csv: the open quote is one skipped record"
echo "ok: Azure rows: MemberId, NDJSON, damaged rows"

# a CSV export that grows is refreshed from its last row (the header's
# columns kept in the resume state) and matches a rebuild
{ cat "$FIX/azure/chsm-audit.csv"; i=0; while [ "$i" -lt 30 ]; do tail -n +2 "$FIX/azure/chsm-audit.csv"; i=$((i + 1)); done; } >"$T/big.csv"
head -n 150 "$T/big.csv" >"$T/live.csv"
"$HS" index "$T/live.csv" >/dev/null
tail -n +151 "$T/big.csv" >>"$T/live.csv"
"$HS" index "$T/live.csv" >"$T/o"
grep -q '^state      refreshed' "$T/o" || fail "a grown CSV must refresh: $(cat "$T/o")"
"$HS" export "$T/live.csv" >"$T/e1.json"
"$HS" export "$T/live.csv" --index "$T/full.db" >"$T/e2.json"
cmp -s "$T/e1.json" "$T/e2.json" || fail "refreshed Azure CSV differs from a rebuild"
echo "ok: a grown Azure CSV refreshes like a rebuild"

# the service-operation table (CloudHsmServiceOperationAuditLogs): HSM
# commands with a measured DurationMs, CallerIpAddress and ClientInfo
s="$FIX/azure/chsm-service.json"
"$HS" analyze "$s" --format json >"$T/s.json"
jq -e '.files[0].format == "azurehsm"' "$T/s.json" >/dev/null || fail "service table: not read as azurehsm"
[ "$(jq .total_calls "$T/s.json")" = 6 ] || fail "service table: $(jq .total_calls "$T/s.json") of 6 rows"
[ "$(jq .errors "$T/s.json")" = 1 ] || fail "service table: one Failure row"
[ "$(json "$s")" = "$(json "$FIX/azure/chsm-service.csv")" ] || fail "service table: the CSV and JSON differ"
"$HS" analyze "$s" --format events >"$T/s.ndjson"
[ "$(jq -r '[.dur_ms] | @csv' "$T/s.ndjson" | tr '\n' ' ')" = "12 843 7 5 21 3 " ] ||
	fail "DurationMs is dur: $(jq -c .dur_ms "$T/s.ndjson" | tr '\n' ' ')"
jq -e -s 'all(.dur_source == "tracer")' "$T/s.ndjson" >/dev/null || fail "DurationMs is measured, not estimated"
[ "$(jq -r 'select(.n == 2) | .func + " " + (.opcode | tostring) + " " + .hsm' "$T/s.ndjson")" = \
	"CN_GENERATE_KEY_PAIR 25 8f0c1d2e-5b3a-4c1e-9d2f-6a7b8c9d0e1f" ] || fail "OperationName, Opcode, MemberId"
jq -r 'select(.n == 4) | .template_summary.structured_info[]' "$T/s.ndjson" >"$T/s4"
grep -qx 'CallerIpAddress : 192.0.2.11' "$T/s4" && grep -qx 'ClientInfo : azcloudhsm_client/2.0.0.1 jce' "$T/s4" ||
	fail "CallerIpAddress and ClientInfo are the row's detail: $(cat "$T/s4")"
[ "$(jq -r 'select(.n == 4) | .rv_name + " " + .response_message' "$T/s.ndjson")" = \
	"Failure HSM Error: RET_USER_LOGIN_FAILURE" ] || fail "ResultType and ResultDescription"
[ "$("$HS" grep 'dur > 100ms' "$s" --count)" = 1 ] || fail "a filter on the measured duration"
# the newer schema names the HSM HsmInstance (and ClusterType for PoolType)
jq -c '.[] | .HsmInstance = .MemberId | del(.MemberId) | .ClusterType = .PoolType | del(.PoolType)' "$s" >"$T/s2.ndjson"
[ "$("$HS" analyze "$T/s2.ndjson" --format events | jq -r .hsm | sort -u | wc -l)" = 2 ] || fail "HsmInstance is the HSM"
[ "$(jq .total_calls "$T/s.json")" = "$("$HS" analyze "$T/s2.ndjson" --format json | jq .total_calls)" ] ||
	fail "the newer schema's rows"
echo "ok: Azure service-operation rows: DurationMs, OperationName, CallerIpAddress, ClientInfo, HsmInstance"
