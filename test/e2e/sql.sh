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
	"$HS" sql "$S" --index "$IDX" --format csv "SELECT n, func, summary, detail FROM events" >"$T/all.csv"
	rows=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], newline=""))); print(len(r)-1, len({len(x) for x in r}))' "$T/all.csv")
	[ "$rows" = "$("$HS" grep "$S" --index "$IDX" --count 'n > 0') 1" ] || fail "csv does not parse back: $rows"
fi

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
