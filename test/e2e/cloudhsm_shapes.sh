# cloudhsm_shapes.sh — issue 5's "Done when": the same audit events as
# multi-line blocks, one event per line and `aws logs` JSON give identical
# `analyze --format json` (the files list aside), and the gap, attribution
# and key-sync results show up in the JSON, the filters and `sessions`.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }
C="$FIX/cloudhsm"
n=0
for f in doc-examples.log doc-examples.oneline.log doc-examples.json; do
	n=$((n + 1))
	# text files take the HSM id from --hsm; the JSON from logStreamName
	"$HS" analyze "$C/$f" --hsm hsm-docexample1 --format json --index "$T/$n.db" |
		jq -S 'del(.files)' >"$T/$n.json"
	[ "$(jq .total_calls "$T/$n.json")" -gt 20 ] || fail "$f: too few events"
done
cmp -s "$T/1.json" "$T/2.json" || { diff "$T/1.json" "$T/2.json" >&2; fail "blocks and one-line differ"; }
cmp -s "$T/1.json" "$T/3.json" || { diff "$T/1.json" "$T/3.json" >&2; fail "blocks and JSON differ"; }
# the events themselves too, field by field (paths, lines and ids aside;
# the JSON shape adds CloudWatch's eventId/ingestionTime as detail lines)
for n in 1 2 3; do
	f=$(echo doc-examples.log doc-examples.oneline.log doc-examples.json | cut -d' ' -f$n)
	"$HS" export "$C/$f" --hsm hsm-docexample1 --index "$T/$n.db" |
		jq -S '[.[] | del(.file, .line, .op_id, .peer, .format) |
			.template_summary.structured_info |= map(select(test("^(eventId|ingestionTime) :") | not))]' \
			>"$T/e$n.json"
done
cmp -s "$T/e1.json" "$T/e2.json" && cmp -s "$T/e1.json" "$T/e3.json" || fail "the events differ between shapes"
# failed logins are counted per user and code
jq -e '.hsms["hsm-docexample1"].logins | to_entries | map(.value.failed) | add > 0' "$T/1.json" >/dev/null ||
	fail "no failed login counted"

# gaps and reboots: JSON, filter, sessions
G="$C/gap-reboot.log"
"$HS" analyze "$G" --hsm hsm-g --format json --index "$T/g.db" >"$T/g.json"
jq -e '.hsms["hsm-g"].seq_gaps | length > 0' "$T/g.json" >/dev/null || fail "no seq_gaps in analyze"
jq -e '.hsms["hsm-g"].reboots > 0' "$T/g.json" >/dev/null || fail "no reboot in analyze"
gaps=$(jq '[.hsms["hsm-g"].seq_gaps[]] | length' "$T/g.json")
[ "$("$HS" grep "$G" --hsm hsm-g --index "$T/g.db" --count 'anomaly == "seq_gap"')" = "$gaps" ] ||
	fail "the seq_gap filter disagrees with analyze"

# two streams: attribution and the EXTRACT/INSERT pairing across HSMs
S2="$C/two-streams.json"
"$HS" export "$S2" --index "$T/s.db" >"$T/s.json"
[ "$(jq '[.[].hsm] | unique | length' "$T/s.json")" -ge 2 ] || fail "two streams expected"
jq -e '[.[] | select(.attributed_user != null)] | length > 0' "$T/s.json" >/dev/null || fail "no attribution"
ext=$(jq '[.[] | select(.func == "CN_EXTRACT_MASKED_OBJECT_USER")][0]' "$T/s.json")
if [ "$ext" != null ]; then
	ins=$(echo "$ext" | jq -r '.peer')
	[ "$ins" != null ] || fail "extract has no insert partner"
	[ "$(jq -r --arg p "$ins" '.[] | select(.op_id == $p) | .func' "$T/s.json")" = CN_INSERT_MASKED_OBJECT_USER ] ||
		fail "the extract's partner is not an insert"
	[ "$(jq -r --arg p "$ins" '.[] | select(.op_id == $p) | .hsm' "$T/s.json")" != "$(echo "$ext" | jq -r .hsm)" ] ||
		fail "the insert is on the same HSM"
fi
"$HS" sessions "$S2" --index "$T/s.db" >"$T/tree"
for h in $(jq -r '[.[].hsm] | unique | .[]' "$T/s.json"); do
	grep -q "$h" "$T/tree" || fail "sessions does not show HSM $h"
done
grep -qi "login" "$T/tree" || fail "sessions shows no login span"
echo "ok"
