# resize.sh — the layout survives SIGWINCH down to 80x24: filter bar,
# column header, rows, detail and raw titles and the status line are all
# there, and it grows back.
. "$(dirname "$0")/lib.sh"
tui_setup
tui_start 132 45 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
tmux -L "$SOCK" resize-window -x 80 -y 24
wait_for "^ +1 .*C_GetInterface"
[ "$(screen | wc -l)" -le 24 ] || fail "more than 24 rows"
row 1 | grep -q "^Filter:" || fail "no filter bar at 80x24"
row 2 | grep -Eq "No\. +Time +Source +Function +Result" || fail "no header at 80x24"
screen | grep -q "Detail of event" || fail "no detail pane at 80x24"
screen | grep -q "Raw" || fail "no raw pane at 80x24"
row 24 | grep -q "No\. 1  1/343" || fail "no status line at 80x24"
# (characters, not bytes: a cut ends in a 3-byte ellipsis)
screen | while IFS= read -r l; do
	[ "$(printf '%s' "$l" | LC_ALL=C.UTF-8 wc -m)" -le 80 ] || exit 1
done || fail "a line wider than 80 columns"
# still usable: keys work and the status follows
keys j j
wait_for "No\. 3  3/343"
tmux -L "$SOCK" resize-window -x 140 -y 50
# (80x24 lists events 1-12; 140x50 more)
wait_for "^ +15 "
row 50 | grep -q "No\. 3  3/343" || fail "no status line after growing"
keys q
wait_for "HS-EXIT:0"
echo "ok"
