# outputs.sh — the scale-out formats: es-bulk (action/document pairs, a
# stable unique _id, idempotent across runs), csv (parses back with
# python3's csv module, one row per event) and openmetrics (parsed by the
# reference parser of python3-prometheus-client; the counts agree with
# analyze --format json). All respect --filter and redaction.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }
S="$SAMPLE"
total=$("$HS" analyze "$S" --format json | jq .total_calls)

# es-bulk: odd lines are actions, even lines the events, in order
"$HS" export "$S" --format es-bulk --es-index audit-x -o "$T/bulk.ndjson"
[ "$(wc -l <"$T/bulk.ndjson")" = $((2 * total)) ] || fail "bulk: $(wc -l <"$T/bulk.ndjson") lines for $total events"
awk 'NR % 2 == 1' "$T/bulk.ndjson" >"$T/actions"
awk 'NR % 2 == 0' "$T/bulk.ndjson" >"$T/docs"
jq -e -s 'all(.[]; (keys == ["index"]) and (.index | keys == ["_id", "_index"]) and .index._index == "audit-x")' \
	"$T/actions" >/dev/null || fail "bulk: an action line is not {index:{_index,_id}}"
jq -e -s 'all(.[]; has("n") and has("op_id") and has("func"))' "$T/docs" >/dev/null || fail "bulk: a document is not an event"
[ "$(jq -r .index._id "$T/actions" | sort -u | wc -l)" = "$total" ] || fail "bulk: _id not unique"
[ "$(jq -s -c '[.[].n]' "$T/docs")" = "$(jq -s -c '[range(1; '"$total"' + 1)]' /dev/null)" ] || fail "bulk: events out of order"
# the same _ids from a fresh index (idempotent re-sending)
"$HS" export "$S" --format es-bulk --rebuild --index "$T/other.db" | awk 'NR % 2 == 1' >"$T/actions2"
[ "$(jq -r .index._id "$T/actions" | md5sum)" = "$(jq -r .index._id "$T/actions2" | md5sum)" ] ||
	fail "bulk: _id changed between runs"
# --filter applies
[ "$("$HS" export "$S" --format es-bulk --filter 'rv != CKR_OK' | wc -l)" = \
	$((2 * $("$HS" grep "$S" --count 'rv != CKR_OK'))) ] || fail "bulk: --filter"

# csv: header + one row per event, constant width, and quoted detail lines
"$HS" export "$S" --format csv -o "$T/e.csv"
/usr/bin/python3 - "$T/e.csv" "$total" <<'PY' || fail "csv does not parse back"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
assert head[:3] == ["n", "op_id", "ts"], head
assert len(body) == int(sys.argv[2]), len(body)
assert all(len(r) == len(head) for r in rows)
assert [int(r[0]) for r in body] == list(range(1, len(body) + 1))
d = head.index("detail")
assert any("\n" in r[d] for r in body), "detail lines are joined by newlines"
PY

# openmetrics: parses, ends with # EOF, calls add up to analyze's figures
"$HS" analyze "$S" --format openmetrics >"$T/m.txt"
[ "$(tail -n 1 "$T/m.txt")" = "# EOF" ] || fail "openmetrics: no # EOF"
if /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	/usr/bin/python3 - "$T/m.txt" "$total" <<'PY' || fail "openmetrics does not parse"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
calls = sum(s.value for s in fams["hsmscope_calls"].samples)
assert calls == int(sys.argv[2]), calls
h = fams["hsmscope_call_duration_seconds"]
assert h.type == "histogram"
assert any(s.labels.get("le") == "+Inf" for s in h.samples)
PY
else
	echo "note: python3-prometheus-client missing: structure checked with grep only"
	grep -q '^hsmscope_calls_total{func="C_Login",rv="CKR_PIN_INCORRECT"} 1$' "$T/m.txt" || fail "openmetrics sample"
fi
err=$("$HS" analyze "$S" --format json | jq '.by_function.C_Login.errors')
grep -q "^hsmscope_errors_total{func=\"C_Login\"} $err\$" "$T/m.txt" || fail "openmetrics errors disagree with analyze"
# audit streams
"$HS" analyze "$FIX/cloudhsm/gap-reboot.log" --hsm hsm-g --format openmetrics >"$T/g.txt"
gaps=$("$HS" analyze "$FIX/cloudhsm/gap-reboot.log" --hsm hsm-g --format json | jq '.hsms["hsm-g"].seq_gaps | length')
grep -q "^hsmscope_hsm_seq_gaps_total{hsm=\"hsm-g\"} $gaps\$" "$T/g.txt" || fail "openmetrics seq gaps"
if /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	/usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
list(text_string_to_metric_families(open(sys.argv[1]).read()))' "$T/g.txt" || fail "audit openmetrics does not parse"
fi
echo "ok"
