# index_integrity.sh — what an index is trusted for (issue 15, item 7):
#  - a log replaced by another of the same size and mtime, in place or by
#    rename, is rebuilt, not answered from the old index;
#  - a log truncated and written again past its old size is rebuilt, not
#    "refreshed" over the old events;
#  - two processes opening the same new log build it once: the second
#    waits for the first and reuses its index; two refreshes at once read
#    the new part once and rebuild nothing;
#  - random bytes in a big index (too big to be checked page by page on
#    reuse) are met by the query that reads them: one line naming the index
#    and the fix, exit 2, never 0.
. "$(dirname "$0")/lib.sh"
set -e
state() { sed -n 's/^state *//p' "$1"; }
count() { "$HS" grep "$1" --index "$2" --count 'n > 0'; }
errors() { "$HS" grep "$1" --index "$2" --count 'rv != CKR_OK'; }

# --- a replaced log with the same size and mtime
# other.log: the sample with every C_GetAttributeValue failing, bytes past
# the first 64 KiB and before the last 4 KiB changed, size unchanged
cp "$SAMPLE" "$T/live.log"
head -c 70000 "$SAMPLE" >"$T/other.log"
tail -c +70001 "$SAMPLE" | head -c $(($(stat -c %s "$SAMPLE") - 70000 - 5000)) |
	sed 's/^Returned:  0 CKR_OK$/Returned:  5 CKR_OK/' >>"$T/other.log"
tail -c 5000 "$SAMPLE" >>"$T/other.log"
[ "$(stat -c %s "$T/other.log")" = "$(stat -c %s "$SAMPLE")" ] || fail "setup: sizes differ"
want=$(errors "$T/other.log" "$T/other.db")
[ "$want" != "$(errors "$SAMPLE" "$T/ref.db")" ] || fail "setup: the two logs do not differ"
"$HS" index "$T/live.log" --index "$T/x.db" >/dev/null
mtime=$(stat -c %y "$T/live.log")
cp "$T/other.log" "$T/live.log" # same inode, new bytes
touch -d "$mtime" "$T/live.log"
"$HS" index "$T/live.log" --index "$T/x.db" >"$T/o1"
[ "$(state "$T/o1")" = built ] || fail "replaced in place, same size and mtime: $(state "$T/o1")"
[ "$(errors "$T/live.log" "$T/x.db")" = "$want" ] || fail "replaced in place: wrong answers"
# by rename: another inode
cp "$SAMPLE" "$T/new.log"
touch -d "$(stat -c %y "$T/live.log")" "$T/new.log"
mv "$T/new.log" "$T/live.log"
"$HS" index "$T/live.log" --index "$T/x.db" >"$T/o2"
[ "$(state "$T/o2")" = built ] || fail "replaced by rename, same size and mtime: $(state "$T/o2")"
[ "$(count "$T/live.log" "$T/x.db")" = "$(count "$SAMPLE" "$T/ref.db")" ] || fail "replaced by rename: wrong answers"

# --- truncated, then written again past its old size with other content
cp "$SAMPLE" "$T/live.log"
"$HS" index "$T/live.log" --index "$T/y.db" >/dev/null
truncate -s 80000 "$T/live.log"
tail -c +70001 "$T/other.log" >>"$T/live.log"
[ "$(stat -c %s "$T/live.log")" -gt "$(stat -c %s "$SAMPLE")" ] || fail "setup: did not regrow"
"$HS" index "$T/live.log" --index "$T/y.db" >"$T/o3"
[ "$(state "$T/o3")" = built ] || fail "truncated and regrown: $(state "$T/o3")"
cp "$T/live.log" "$T/copy.log"
[ "$(errors "$T/live.log" "$T/y.db")" = "$(errors "$T/copy.log" "$T/copy.db")" ] ||
	fail "truncated and regrown: the old events were kept"

# --- two processes, one new log of a few MB: built once
i=0
while [ $i -lt 30 ]; do cat "$SAMPLE"; i=$((i + 1)); done >"$T/big.log"
"$HS" index "$T/big.log" --index "$T/z.db" >"$T/p1" &
"$HS" index "$T/big.log" --index "$T/z.db" >"$T/p2" &
wait
case "$(state "$T/p1")|$(state "$T/p2")" in
built"|reused"* | reused*"|built") ;; # (the second usually says it waited)
*) fail "two opens of a new log: $(state "$T/p1") / $(state "$T/p2")" ;;
esac
# the log grows; two refreshes at once: one reads the new part, the other
# waits and reuses it (nothing rebuilt, nothing read twice)
i=0
while [ $i -lt 10 ]; do cat "$SAMPLE"; i=$((i + 1)); done >>"$T/big.log"
"$HS" index "$T/big.log" --index "$T/z.db" >"$T/p1" &
"$HS" index "$T/big.log" --index "$T/z.db" >"$T/p2" &
wait
case "$(state "$T/p1")|$(state "$T/p2")" in
refreshed*"|reused"* | reused*"|refreshed"*) ;;
*) fail "two refreshes at once: $(state "$T/p1") / $(state "$T/p2")" ;;
esac
[ "$(count "$T/big.log" "$T/z.db")" = $((343 * 40)) ] || fail "after two refreshes: wrong events"

# --- random bytes in the middle of a big index
i=0
while [ $i -lt 200 ]; do cat "$SAMPLE"; i=$((i + 1)); done >"$T/huge.log" # > 8 MiB of index
"$HS" index "$T/huge.log" --index "$T/h.db" >/dev/null
sz=$(stat -c %s "$T/h.db")
[ "$sz" -gt $((8 << 20)) ] || fail "setup: the index is small enough to be checked on reuse"
LC_ALL=C awk 'BEGIN { srand(15); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' |
	dd of="$T/h.db" bs=4096 seek=$((sz / 2 / 4096)) conv=notrunc 2>/dev/null
for cmd in "analyze" "analyze --format events" "sessions"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$HS" $cmd "$T/huge.log" --index "$T/h.db"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "$cmd on a damaged index: $(cat "$T/err")"
	grep -q "h.db: the index is damaged.*--rebuild" "$T/err" || fail "$cmd on a damaged index: $(cat "$T/err")"
done
expect_exit 0 "$HS" analyze "$T/huge.log" --index "$T/h.db" --rebuild
expect_exit 0 "$HS" sessions "$T/huge.log" --index "$T/h.db"
echo ok
