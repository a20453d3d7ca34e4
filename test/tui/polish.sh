# polish.sh — the small items of issue 17, at 200x50 and 80x24: "Parameters
# (1 line)"; durations at the log's resolution (the spy's clock ticks in
# ms: "2ms", never "0.000ms"); "T: since start"; while a filter is typed
# the status line says what the keys do, not the list's stale position and
# hints; the help screen wraps its descriptions instead of cutting them.
. "$(dirname "$0")/lib.sh"
tui_setup
# event 18 is a C_CloseSession with one parameter line; 15 a C_Login of 2 ms
"$HS" grep "$SAMPLE" 'n == 18' | grep -q C_CloseSession || fail "sample: 18 is not C_CloseSession"


for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	keys : 18 Enter
	wait_for "Detail of event 18 C_CloseSession"
	# (80x24 shows 4 rows of the detail: move down in it until it shows)
	keys Tab
	scroll_to "Parameters \(1 line\)"
	keys Escape
	keys : 15 Enter
	wait_for "Detail of event 15 C_Login"
	keys Tab
	scroll_to "Duration: 2ms \(estimated"
	keys Escape
	screen | grep -q "[0-9]\.[0-9][0-9][0-9]ms" && fail "$1x$2: decimals on a ms clock"
	screen | grep -Eq "^ +15 .* 2ms " || fail "$1x$2: the list's Dur is not 2ms"
	keys T
	wait_for "T: since start"
	keys T T
	# typing a filter: the status line is about the filter bar
	keys / 'func == C_Lo'
	wait_for "typing a filter: Enter applies"
	screen | tail -n 1 | grep -q "No\. 15" && fail "$1x$2: stale position while typing"
	keys Escape
	wait_for "No\. 15  15/"
	# help: a long description continues on the next row, under itself
	keys '?'
	wait_for "hsmscope: keys"
	if [ "$1" = 80 ]; then
		screen | grep -Eq "^ {29}[a-z]" || fail "80x24: help descriptions are not wrapped"
	fi
	screen | grep -q "list: open the detail; tree: expand/collapse; *$" && [ "$1" = 200 ] &&
		fail "200x50: a description that fits is wrapped"
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
