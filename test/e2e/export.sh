# export.sh — export writes the events as JSON/NDJSON via a temporary file,
# never overwrites without --force and never leaves half a file.
. "$(dirname "$0")/lib.sh"
set -e
"$HS" export "$SAMPLE" -o "$T/a.json" 2>"$T/err"
[ "$(jq length "$T/a.json")" = 343 ] || fail "343 events expected in the JSON array"
"$HS" export "$SAMPLE" --format ndjson -o "$T/a.ndjson" 2>/dev/null
[ "$(wc -l <"$T/a.ndjson")" = 343 ] || fail "343 lines expected in NDJSON"
jq -e -s 'length == 343' "$T/a.ndjson" >/dev/null || fail "every NDJSON line must parse"
# same events both ways, and on stdout
"$HS" export "$SAMPLE" >"$T/stdout.json"
cmp -s "$T/stdout.json" "$T/a.json" || fail "stdout and -o differ"
jq -c '.[]' "$T/a.json" >"$T/a.lines"
jq -c '.' "$T/a.ndjson" >"$T/b.lines"
cmp -s "$T/a.lines" "$T/b.lines" || fail "json and ndjson hold different events"
# every event has the documented keys
for k in n op_id file line ts pid tid func rv rv_name dur_ms incomplete session slot hint template_summary; do
	jq -e "all(.[]; has(\"$k\"))" "$T/a.json" >/dev/null || fail "an event lacks '$k'"
done
jq -e '[.[].op_id] | length == (unique | length)' "$T/a.json" >/dev/null || fail "op_id not unique"
jq -e 'all(.[]; .template_summary.structured_info | type == "array")' "$T/a.json" >/dev/null ||
	fail "structured_info must be an array of lines"
# op_id is stable: a rebuilt index gives the same ids
"$HS" export "$SAMPLE" --rebuild -o "$T/again.json" 2>/dev/null
cmp -s "$T/a.json" "$T/again.json" || fail "a rebuild changed the export"

# an existing file is kept without --force
echo precious >"$T/keep.json"
expect_exit 2 "$HS" export "$SAMPLE" -o "$T/keep.json"
grep -q 'exists' "$T/err" || fail "no 'exists' message"
[ "$(cat "$T/keep.json")" = precious ] || fail "the existing file was touched"
"$HS" export "$SAMPLE" -o "$T/keep.json" --force 2>/dev/null
[ "$(jq length "$T/keep.json")" = 343 ] || fail "--force did not replace it"

# a failing export leaves nothing behind
expect_exit 2 "$HS" export "$SAMPLE" -o "$T/no/such/dir/x.json"
[ ! -e "$T/no" ] || fail "directories must not be created"
mkdir "$T/ro" && chmod 500 "$T/ro"
if [ "$(id -u)" != 0 ]; then
	expect_exit 2 "$HS" export "$SAMPLE" -o "$T/ro/x.json"
	[ -z "$(ls "$T/ro")" ] || fail "a temporary file was left in a read-only dir"
fi
echo ok
