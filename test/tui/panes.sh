# panes.sh — less's keys and panes you can resize, zoom and hide (issue 17,
# item 8), at 200x50 and 80x24: b, Space, Ctrl-F/B/D/U, < and > move the
# list by pages, half pages and to the ends; + and - move rows between the
# list and the panes below; z shows only the focused pane and again all; v
# hides the focused pane and V brings every pane back at its default size;
# the help screen and `hsmscope --list keys` name every one of these keys.
. "$(dirname "$0")/lib.sh"
tui_setup
total=$("$HS" grep "$SAMPLE" --count '') || fail "grep --count"

status() { screen | tail -n 1; }
at() { wait_for "No\. $1  $2/$total( |$)"; }
# the screen row (1-based) of a pane's title, empty when it is not shown
title_row() { screen | grep -n "^ $1" | head -n 1 | cut -d: -f1; }
# title_at NAME ROW WHAT: wait (at most 10 s) until NAME's title is on ROW;
# fails saying WHAT did not happen
title_at() {
	ti=0
	while [ "$(title_row "$1")" != "$2" ]; do
		[ "$ti" -lt 200 ] || fail "$WH: $3 (the title is on row $(title_row "$1"), want $2)"
		sleep 0.05
		ti=$((ti + 1))
	done
}

for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	d0=$(title_row "Detail of event")
	r0=$(title_row "Raw")
	[ -n "$d0" ] && [ -n "$r0" ] || fail "$1x$2: no detail or raw title"
	page=$((d0 - 3))     # the list's rows: the header is row 2
	[ "$page" -ge 12 ] || fail "$1x$2: the list shows $page rows"

	# the ends: > and <
	keys '>'
	at "$total" "$total"
	keys '<'
	at 1 1
	# a page: Space and Ctrl-F forward, b and Ctrl-B back (a page moves
	# by the list's height less one row, as PgDn does)
	keys Space
	at $page $page
	keys C-f
	p2=$((2 * page - 1))
	at $p2 $p2
	keys b
	at $page $page
	keys C-b
	at 1 1
	# half a page: Ctrl-D, Ctrl-U
	half=$((page / 2))
	keys C-d
	at $((1 + half)) $((1 + half))
	keys C-u
	at 1 1

	# + grows the list: the detail's title comes down by two rows
	WH="$1x$2"
	keys +
	title_at "Detail of event" $((d0 + 2)) "+ did not grow the list"
	keys - -
	title_at "Detail of event" $((d0 - 2)) "- did not shrink the list"
	# with the detail focused, + grows the detail (the list gives the rows)
	keys V
	wait_for "all panes, default sizes"
	title_at "Detail of event" "$d0" "V did not bring back the default sizes"
	keys Tab +
	title_at "Detail of event" $((d0 - 2)) "+ on the detail did not grow it"

	# z: only the detail, full screen; the list's header is gone
	keys z
	wait_for "\[ZOOM\]"
	row 2 | grep -q "^ Detail of event" || fail "$1x$2: the zoomed detail is not at the top"
	screen | grep -Eq "No\. +Time|^ Raw" && fail "$1x$2: other panes shown while zoomed"
	# Tab while zoomed: the next pane, still alone
	keys Tab
	wait_for "^ Raw"
	screen | grep -q "Detail of event" && fail "$1x$2: the detail still shows after Tab"
	keys z
	wait_for "No\. +Time"
	status | grep -q ZOOM && fail "$1x$2: still zoomed"
	title_row "Detail of event" | grep -q . || fail "$1x$2: the detail is not back"

	# v hides the raw pane (focused after the Tab): the detail takes its rows
	keys v
	wait_for "raw pane hidden"
	screen | grep -q "^ Raw" && fail "$1x$2: the raw pane still shows"
	keys V
	wait_for "^ Raw"
	# a hidden pane that something moves the focus to shows again: the
	# detail hidden, Enter on a list row opens it
	keys Tab v
	wait_for "detail pane hidden"
	screen | grep -q "Detail of event" && fail "$1x$2: the detail still shows"
	keys Tab Enter
	wait_for "^ Detail of event"
	keys V
	wait_for "all panes, default sizes"
	[ "$(title_row "Detail of event")" = "$d0" ] || fail "$1x$2: V did not bring back the default sizes"
	[ "$(title_row "Raw")" = "$r0" ] || fail "$1x$2: V did not bring back the raw pane"

	# the help names the keys
	keys '?'
	wait_for "Moving"
	: >"$T/help"
	for i in 1 2 3 4 5 6 7 8; do
		screen >>"$T/help"
		press Space
	done
	for k in Ctrl-D Ctrl-U Ctrl-F Ctrl-B b '<' '>' '\+' - z v V; do
		grep -Eq -- "^ +([^ ]+, )*$k(,| )" "$T/help" || fail "$1x$2: the help lacks '$k'"
	done
	grep -q "zoom" "$T/help" || fail "$1x$2: the help does not say what z does"
	keys Escape
	keys q
	wait_for "HS-EXIT:0"
done

"$HS" --list keys >"$T/keys"
for k in b Ctrl-F Ctrl-B Ctrl-D Ctrl-U '<' '>' + - z v V; do
	cut -f1 "$T/keys" | grep -qxF -- "$k" || fail "--list keys lacks $k"
done
echo "ok: panes"
