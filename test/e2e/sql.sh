# sql.sh — `hsmscope sql`: one read-only statement over the documented
# schema, as a table, CSV or JSON; writes, ATTACH and a second statement are
# refused and leave the index byte-for-byte as it was; log text in a table
# is escaped.
. "$(dirname "$0")/lib.sh"
set -e
IDX="$T/s.db"
S="$SAMPLE"
"$HS" index "$S" --index "$IDX" >/dev/null
before=$(sha256sum "$IDX" | cut -d' ' -f1)

# table: header, rule, rows, count; the figures agree with analyze
expect_exit 0 "$HS" sql "$S" --index "$IDX" "SELECT func, count(*) AS calls FROM events WHERE func = 'C_Login' GROUP BY func"
head -n 1 "$T/out" | grep -q '^func  *calls$' || fail "table header: $(head -n 1 "$T/out")"
logins=$("$HS" analyze "$S" --index "$IDX" --format json | jq '.by_function.C_Login.calls')
grep -q "^C_Login  *$logins\$" "$T/out" || fail "table row: $(cat "$T/out")"
tail -n 1 "$T/out" | grep -q '^(1 row)$' || fail "row count line"

# CSV: RFC 4180 quoting of commas and quotes, CRLF, NULL empty
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format csv "SELECT 'a,b' AS x, 'say \"hi\"' AS y, NULL AS z, 7 AS n"
[ "$(cat "$T/out")" = "$(printf 'x,y,z,n\r\n"a,b","say ""hi""",,7\r')" ] || fail "csv: $(cat -A "$T/out")"
if command -v python3 >/dev/null; then
	"$HS" sql "$S" --index "$IDX" --format csv "SELECT e.n, e.func, e.summary, d.detail FROM events e JOIN event_details d USING (n)" >"$T/all.csv"
	rows=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], newline=""))); print(len(r)-1, len({len(x) for x in r}))' "$T/all.csv")
	[ "$rows" = "$("$HS" grep "$S" --index "$IDX" --count 'n > 0') 1" ] || fail "csv does not parse back: $rows"
fi

# the detail text is stored apart (compressed blocks) and read through the
# view event_details: every event has it, redacted, in the right order
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format csv "SELECT count(*) AS c FROM event_details WHERE detail IS NULL"
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = 0 ] || fail "events without a stored detail: $(cat "$T/out")"
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format json "SELECT d.detail FROM events e JOIN event_details d USING (n) WHERE e.func = 'C_Login' AND e.ok ORDER BY e.n LIMIT 1"
jq -r '.[0].detail' "$T/out" | grep -q '^\[in\] pPin\[ulPinLen\] .* / 11$' || fail "the first login's detail: $(cat "$T/out")"
jq -r '.[0].detail' "$T/out" | grep -q '^    00000000  \*\* \*\* ' || fail "the PIN bytes are not masked: $(cat "$T/out")"
! grep -q 'so-pin-8642\|73 6F 2D 70 69 6E' "$T/out" || fail "the SO PIN is in the detail"
# a text filter is no probe for a PIN that is in the log
grep -q 'so-pin-8642' "$S" || fail "setup: the sample has no SO PIN to look for"
for e in 'so-pin-8642' 'text ~ "so-pin"' '73 6F 2D 70 69 6E'; do
	expect_exit 1 "$HS" grep "$S" --index "$IDX" --count "$e"
done
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format csv "SELECT count(*) AS c FROM event_details WHERE text LIKE '%so-pin%' OR hs_regexp('so-pin', detail)"
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = 0 ] || fail "the SO PIN matched in event_details"

# JSON keeps numbers and null
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format json "SELECT n, func, session FROM events WHERE n <= 2"
[ "$(jq -c '.' "$T/out")" = '[{"n":1,"func":"C_GetInterface","session":null},{"n":2,"func":"C_Initialize","session":null}]' ] ||
	fail "json: $(cat "$T/out")"

# refused: writes, ATTACH, two statements; errors say where; exit 3
for stmt in "DELETE FROM events" "DROP TABLE events" "UPDATE events SET func = 'x'" \
	"INSERT INTO meta VALUES ('a', 'b')" "ATTACH '$T/other.db' AS o" "SELECT 1; DROP TABLE events" \
	"PRAGMA journal_mode = DELETE" "CREATE TABLE t(x)"; do
	expect_exit 3 "$HS" sql "$S" --index "$IDX" "$stmt"
	[ -s "$T/err" ] && [ "$(wc -l <"$T/err")" = 1 ] || fail "no one-line error for: $stmt"
done
expect_exit 3 "$HS" sql "$S" --index "$IDX" "SELECT nope FROM events"
grep -q 'sql:1:8: no such column: nope' "$T/err" || fail "error position: $(cat "$T/err")"
[ ! -e "$T/other.db" ] || fail "ATTACH created a file"
[ "$(sha256sum "$IDX" | cut -d' ' -f1)" = "$before" ] || fail "the index changed"

# log text is escaped in the table: no control byte reaches the output
expect_exit 0 "$HS" sql "$S" --index "$IDX" "SELECT 'a' || char(27) || '[31mred' || char(7) AS t"
! grep -q "$(printf '\033')" "$T/out" || fail "ESC reached the table output"
grep -q 'a\\e\[31mred\\x07' "$T/out" || fail "escaped form: $(cat "$T/out")"
# hs_regexp is there, as in filters
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format csv "SELECT count(*) AS c FROM events WHERE hs_regexp('^C_Sign', func)"
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = "$("$HS" grep "$S" --index "$IDX" --count 'func ~ "^C_Sign"')" ] ||
	fail "hs_regexp count"
echo "ok"
