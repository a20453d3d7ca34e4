# pane_search.sh — `/` search inside the detail and raw panes (issue 17,
# item 5), like less and lnav, at 200x50 and 80x24: separate from the
# filter (the list keeps every event), case ignored for a lower-case
# pattern, matches highlighted, n and N go to the next and previous match
# and wrap with a message; "not found" says so; `/` in the list still edits
# the filter, and n there says where searching is.
. "$(dirname "$0")/lib.sh"
tui_setup
total=$("$HS" grep "$SAMPLE" --count '') || fail "grep --count"
"$HS" grep "$SAMPLE" 'n == 27' | grep -q 'C_Login .*CKR_OK' || fail "sample: 27 is not a C_Login -> CKR_OK"

status() { screen | tail -n 1; }
# the pane's text with its attributes: a highlighted match is underlined
# (SGR 4, with reverse video)
lit() { tmux -L "$SOCK" capture-pane -e -p | grep -Ec "\[[0-9;]*4[;0-9]*m$1"; }

for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	keys : 27 Enter
	wait_for "No\. 27 "
	[ "$(lit CKR_OK)" = 0 ] || fail "$1x$2: highlighted before any search"
	# the detail of event 27 names CKR_OK three times: the event, the
	# result and its partner C_Logout
	keys Tab / ckr_ok Enter
	wait_for "/ckr_ok: 1 of 3 \(n/N\)"
	[ "$(lit CKR_OK)" -ge 1 ] || fail "$1x$2: the match is not highlighted"
	# the filter is untouched
	row 1 | grep -q "(none: all events)" || fail "$1x$2: the search changed the filter"
	status | grep -q "27/$total " || fail "$1x$2: the list lost events"
	keys n
	wait_for "/ckr_ok: 2 of 3"
	keys n
	wait_for "/ckr_ok: 3 of 3"
	keys n
	wait_for "wrapped to the top: 1 of 3"
	keys N
	wait_for "wrapped to the bottom: 3 of 3"
	keys N
	wait_for "/ckr_ok: 2 of 3"
	# a capital letter: the case counts
	keys / Ckr_ok Enter
	wait_for "not found: Ckr_ok"
	# the raw pane: its own lines (the PIN's line, its value masked)
	keys Tab / ulPinLen Enter
	wait_for "/ulPinLen: 1 of 1"
	[ "$(lit ulPinLen)" -ge 1 ] || fail "$1x$2: the raw pane's match is not highlighted"
	# back in the list, / is the filter and n says where to search
	keys Tab
	keys n
	wait_for "n/N search a pane: Tab to it"
	keys /
	wait_for "typing a filter"
	keys Escape q
	wait_for "HS-EXIT:0"
done
echo "ok: pane search"
