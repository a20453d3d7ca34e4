# filter.sh — `/rv != CKR_OK` Enter leaves only failed calls, and the count
# shown is grep --count's; while typing, a bad filter is shown bad with a
# caret and is never applied; Esc cancels; history is saved (0600) and
# comes back with Up.
. "$(dirname "$0")/lib.sh"
tui_setup
want=$("$HS" grep "$SAMPLE" --count 'rv != CKR_OK') || fail "grep --count"
total=$("$HS" grep "$SAMPLE" --count '') || fail "grep --count all"
[ "$want" -gt 0 ] || fail "the sample should have failed calls"
tui_start 120 50 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"

# a filter that does not compile: marked bad, caret, Enter does nothing
keys / 'rv ==' Enter
wait_for "Filter: rv ==.* bad"
wait_for "\^ "
screen | grep -q "$total events" || fail "a bad filter must not be applied"
keys Escape
wait_for "Filter: \(none"

keys / 'rv != CKR_OK'
wait_for "Filter: rv != CKR_OK .* ok"
keys Enter
wait_for "$want of $total match"
screen | tail -n 1 | grep -q "1/$want" || fail "status should count $want"
# every row of the list is a failure (the list pane has room for all of them)
screen | sed -n '3,30p' | sed '/Detail of event/,$d' >"$T/rows"
[ "$(grep -c . "$T/rows")" = "$want" ] || fail "expected $want rows, got $(grep -c . "$T/rows")"
if grep -E -q ' CKR_OK ' "$T/rows"; then fail "a CKR_OK row is shown"; fi
# the same numbers as grep, in the same order
"$HS" grep "$SAMPLE" 'rv != CKR_OK' | awk '{print $1}' >"$T/want.n"
awk 'NF {print $1}' "$T/rows" >"$T/got.n"
cmp -s "$T/want.n" "$T/got.n" || fail "rows differ from grep"

# empty filter = everything; history brings the last one back
keys / C-u Enter
wait_for "Filter: \(none"
wait_for "$total events"
hist="$T/state/hsmscope/history"
[ -f "$hist" ] || fail "no history file"
grep -qx 'rv != CKR_OK' "$hist" || fail "filter not in history"
[ "$(stat -c %a "$hist")" = 600 ] || fail "history mode $(stat -c %a "$hist"), want 600"
keys / Up
wait_for "Filter: rv != CKR_OK"
keys Escape q
wait_for "HS-EXIT:0"
echo "ok: $want failed calls"
