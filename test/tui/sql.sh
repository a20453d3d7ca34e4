# sql.sh — `;` runs one read-only statement over the index and shows the
# result as a table (the figures agree with `hsmscope sql`); a write is
# refused with its message on the status line and the index is unchanged;
# Esc returns to the list.
. "$(dirname "$0")/lib.sh"
tui_setup
tui_start 120 40 "\"$HS\" \"$SAMPLE\" --index \"$T/ix.db\""
wait_for "No\. +Time"
before=$(sha256sum "$T/ix.db" | cut -d' ' -f1)
keys '\;'
wait_for "SQL \(read-only\): SELECT"
keys C-u "SELECT func, count(*) AS calls FROM events WHERE ok = 0 GROUP BY func ORDER BY func" Enter
wait_for "func +calls"
want=$("$HS" sql "$SAMPLE" --index "$T/ix.db" --format csv \
	"SELECT func, count(*) AS calls FROM events WHERE ok = 0 GROUP BY func ORDER BY func" | tr -d '\r' | tail -n +2)
echo "$want" | while IFS=, read -r f c; do
	screen | grep -qE "^ $f +$c\$" || fail "the table lacks $f $c"
done
keys '\;'
keys C-u "DELETE FROM event_rows" Enter # a table (events is a view)
wait_for "read-only here: only queries run"
[ "$(sha256sum "$T/ix.db" | cut -d' ' -f1)" = "$before" ] || fail "the index changed"
keys Escape
wait_for "No\. +Time"
keys q
wait_for "HS-EXIT:0"
echo "ok"
