# limits.sh — every query is bounded and can be stopped (issue 14):
# SIGINT and SIGTERM stop a runaway `sql` statement and a slow filter at
# once; `sql` has a time and a memory limit with a one-line error (exit 3);
# fts3_tokenizer() and pragmas that set things are refused; a wide result is
# printed whole; the filter's nesting limit is an error with a caret, never
# a regex; a regex that hits PCRE2's match limit is a filter error (exit 3),
# and one that is merely slow, even on a single long event, stops on a signal.
. "$(dirname "$0")/lib.sh"
set -e
IDX="$T/s.db"
S="$SAMPLE"
"$HS" index "$S" --index "$IDX" >/dev/null
RUNAWAY="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"

# stopped SIG CMD...: run CMD, send SIG once it is under way, and expect it
# to end within 3 s, non-zero, saying "interrupted" (else it is killed).
stopped() {
	sig=$1
	shift
	"$@" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 0.5 # the statement is running by now (the index exists)
	kill -"$sig" "$pid" 2>/dev/null || true
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 30 ]; do n=$((n + 1)); sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null || true
		fail "SIG$sig did not stop it within 3 s: $*"
	fi
	set +e
	wait "$pid"
	rc=$?
	set -e
	[ "$rc" != 0 ] || fail "SIG$sig: exit 0 for: $*"
	grep -q 'interrupted' "$T/err" || fail "SIG$sig: no 'interrupted': $(cat "$T/err")"
}

# a runaway recursive CTE stops on SIGINT and on SIGTERM
stopped INT "$HS" sql "$S" --index "$IDX" "$RUNAWAY"
[ "$rc" = 2 ] || fail "interrupted sql: exit $rc, expected 2"
stopped TERM "$HS" sql "$S" --index "$IDX" "$RUNAWAY"

# ... and on its time limit, with the option that sets it
start=$(date +%s)
expect_exit 3 "$HS" sql "$S" --index "$IDX" --timeout 1 "$RUNAWAY"
[ $(($(date +%s) - start)) -le 4 ] || fail "--timeout 1 took $(($(date +%s) - start)) s"
grep -q 'time limit of 1 s' "$T/err" && [ "$(wc -l <"$T/err")" = 1 ] || fail "timeout message: $(cat "$T/err")"
expect_exit 1 "$HS" sql "$S" --index "$IDX" --timeout soon "SELECT 1"

# the memory limit: zeroblob(500000000) fails at once with a clear error,
# under an address-space cap that the old 1.5 GB peak could not live with
(
	set +e
	# (not under AddressSanitizer, which reserves terabytes of address space)
	if sh -c 'ulimit -v 1000000 && "$0" --version' "$HS" >/dev/null 2>&1; then
		ulimit -v 1000000
	fi
	# (the old code spent minutes writing 1 GB of hex: bounded here too)
	timeout -s KILL 20 "$HS" sql "$S" --index "$IDX" "SELECT zeroblob(500000000)" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
)
[ "$(cat "$T/rc")" = 3 ] || fail "zeroblob: exit $(cat "$T/rc"): $(head -c 300 "$T/err")"
grep -q 'memory limit of 512 MB' "$T/err" || fail "zeroblob message: $(head -c 300 "$T/err")"
[ ! -s "$T/out" ] || fail "zeroblob printed $(wc -c <"$T/out") bytes"
expect_exit 3 "$HS" sql "$S" --index "$IDX" --max-memory 16 "SELECT length(zeroblob(5000000))"
grep -q 'memory limit of 16 MB' "$T/err" || fail "--max-memory 16: $(cat "$T/err")"
expect_exit 0 "$HS" sql "$S" --index "$IDX" --max-memory 16 --format csv "SELECT count(*) FROM events"

# no pointer-returning or dangerous function, no pragma that sets a value
for stmt in "SELECT fts3_tokenizer('simple')" "SELECT hex(fts3_tokenizer('simple'))" \
	"SELECT fts3_tokenizer('x', zeroblob(8))" "SELECT load_extension('/nonexistent')" \
	"PRAGMA query_only = 0" "PRAGMA hard_heap_limit = 0" "PRAGMA trusted_schema = 1"; do
	expect_exit 3 "$HS" sql "$S" --index "$IDX" "$stmt"
	[ ! -s "$T/out" ] || fail "$stmt printed: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "no one-line error for: $stmt"
done
expect_exit 3 "$HS" sql "$S" --index "$IDX" "SELECT fts3_tokenizer('simple')"
grep -q 'fts3_tokenizer() is not allowed' "$T/err" || fail "fts3_tokenizer message: $(cat "$T/err")"
# what reads stays: table-valued and plain pragmas that only answer
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format csv "SELECT count(*) FROM pragma_table_info('events')"
expect_exit 0 "$HS" sql "$S" --index "$IDX" "PRAGMA table_info(files)"
grep -q 'head_hash' "$T/out" || fail "PRAGMA table_info"

# a result of 300 columns is printed whole, in every format
cols=$(awk 'BEGIN { for (i = 1; i <= 300; i++) printf "%s%d AS c%d", (i > 1 ? ", " : ""), i, i }')
expect_exit 0 "$HS" sql "$S" --index "$IDX" --format csv "SELECT $cols"
[ "$(head -n 1 "$T/out" | tr -d '\r' | tr ',' '\n' | wc -l)" = 300 ] || fail "csv header: not 300 columns"
[ "$(tail -n 1 "$T/out" | tr -d '\r' | awk -F, '{ print NF, $300 }')" = "300 300" ] || fail "csv row"
expect_exit 0 "$HS" sql "$S" --index "$IDX" "SELECT $cols"
head -n 1 "$T/out" | grep -q ' c300$' || fail "table header lacks c300"
if command -v jq >/dev/null; then
	expect_exit 0 "$HS" sql "$S" --index "$IDX" --format json "SELECT $cols"
	[ "$(jq '.[0] | length' "$T/out")" = 300 ] || fail "json: not 300 keys"
fi

# the filter's nesting limit: an error at the 25th '!' with a caret, exit 3
bangs=$(printf '%025d' 0 | tr 0 '!')
for cmd in grep analyze; do
	if [ $cmd = grep ]; then
		expect_exit 3 "$HS" grep "$S" --index "$IDX" "${bangs}ok"
	else
		expect_exit 3 "$HS" analyze "$S" --index "$IDX" --filter "${bangs}ok"
	fi
	grep -q 'filter:1:25: too deeply nested' "$T/err" || fail "$cmd nesting: $(cat "$T/err")"
	grep -qx "  ${bangs}ok" "$T/err" || fail "$cmd nesting: no expression line"
	grep -qx '                          ^' "$T/err" || fail "$cmd nesting: no caret under column 25"
	[ ! -s "$T/out" ] || fail "$cmd nesting ran: $(head -n 3 "$T/out")"
done
expect_exit 3 "$HS" grep "$S" --index "$IDX" "$(printf '%030d' 0 | tr 0 '(')ok"
grep -q 'too deeply nested' "$T/err" || fail "( nesting: $(cat "$T/err")"

# a regex that hits PCRE2's match limit on a longish line is a filter error
{
	cat "$S"
	printf '\n900: C_GetTokenInfo\n2026-11-22 12:03:10.515\n[in] slotID = 0x0\n[out] pInfo: \n'
	printf "      label:                  '%s-Z'\n" "$(printf '12 %.0s' $(seq 40))"
	printf 'Returned:  0 CKR_OK\n'
} >"$T/long.log"
"$HS" index "$T/long.log" --index "$T/long.db" >/dev/null
expect_exit 3 "$HS" grep "$T/long.log" --index "$T/long.db" '(\d+\s?)+Z'
grep -q 'match limit' "$T/err" && [ "$(wc -l <"$T/err")" = 1 ] || fail "regex limit message: $(cat "$T/err")"
expect_exit 3 "$HS" grep "$T/long.log" --index "$T/long.db" --count '(\d+\s?)+Z'
expect_exit 3 "$HS" analyze "$T/long.log" --index "$T/long.db" --filter '(\d+\s?)+Z'
expect_exit 3 "$HS" export "$T/long.log" --index "$T/long.db" --filter 'text ~ "(\\d+\\s?)+Z"'
# an index that cannot be read is still an input error, not a filter one
expect_exit 0 "$HS" grep "$T/long.log" --index "$T/long.db" --count 'func == "C_Login"'

# a slow filter (each event a few ms of backtracking, under the limit)
# stops on SIGINT too: every query on the index polls the signal flag
awk 'BEGIN {
	print "*************** OpenSC PKCS#11 spy *****************"
	lab = ""; for (j = 0; j < 14; j++) lab = lab "12 "
	for (i = 0; i < 3000; i++)
		printf "%d: C_GetTokenInfo\n2026-11-22 12:%02d:%02d.%03d\n[in] slotID = 0x0\n[out] pInfo: \n      label:                  \047%s-Z\047\nReturned:  0 CKR_OK\n\n", i, i / 60000, (i / 1000) % 60, i % 1000, lab
}' >"$T/slow.log"
"$HS" index "$T/slow.log" --index "$T/slow.db" >/dev/null
stopped INT "$HS" grep "$T/slow.log" --index "$T/slow.db" --count '(\d+\s?)+Z'
stopped TERM "$HS" analyze "$T/slow.log" --index "$T/slow.db" --filter '(\d+\s?)+Z'

# ... and so does one long event on which one PCRE2 call would take many
# seconds within its match limit ((\w+)+; on 150 KB of words)
{
	echo "*************** OpenSC PKCS#11 spy *****************"
	printf "0: C_GetTokenInfo\n2026-11-22 12:00:00.000\n[in] slotID = 0x0\n[out] pInfo: \n      label:  '"
	awk 'BEGIN { for (i = 0; i < 150000; i++) printf "%s", substr("0123456789abcdef ", i % 17 + 1, 1) }'
	printf ";'\nReturned:  0 CKR_OK\n"
} >"$T/one.log"
"$HS" index "$T/one.log" --index "$T/one.db" >/dev/null
stopped INT "$HS" grep "$T/one.log" --index "$T/one.db" --count '(\w+)+;'
echo "ok"
