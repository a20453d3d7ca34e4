# first_screen.sh — the first screen: filter bar, column header, the first
# calls of the sample in order, the detail and raw panes, the status line.
. "$(dirname "$0")/lib.sh"
tui_setup
total=$("$HS" grep "$SAMPLE" --count '') || fail "grep --count"
tui_start 120 40 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time +Source +Function +Result"
row 1 | grep -q "^Filter:" || fail "no filter bar on top"
row 1 | grep -q "$total events" || fail "the bar should say $total events"
row 3 | grep -Eq "^ +1 .*C_GetInterface +CKR_OK" || fail "row 1 is not the first call"
row 4 | grep -Eq "^ +2 .*C_Initialize +CKR_OK" || fail "row 2 is not C_Initialize"
row 5 | grep -Eq "^ +3 .*C_GetSlotList" || fail "row 3 is not C_GetSlotList"
screen | grep -q "Detail of event 1 C_GetInterface" || fail "no detail pane title"
screen | grep -q "Raw" || fail "no raw pane"
screen | grep -q "0: C_GetInterface" || fail "the raw pane should show the call's lines"
screen | tail -n 1 | grep -q "No. 1  1/$total" || fail "status line position"
screen | tail -n 1 | grep -q "softhsm-basic.log" || fail "status line file"
# moving: j, G (the end), g (the start)
keys j
wait_for "No\. 2  2/$total"
keys G
wait_for "No\. $total  $total/$total"
keys g
wait_for "No\. 1  1/$total"
keys q
wait_for "HS-EXIT:0"
echo "ok"
