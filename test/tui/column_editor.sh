# column_editor.sh — the list's columns changed from inside the explorer
# (issue 17, item 1; Wireshark's column preferences), at 200x50 and 80x24:
# `c` lists every column; Space hides one, K moves one left, + widens one;
# the list shows each change at once, the configuration file gets
# `columns = ...` and the next start uses it; `d` goes back to the log
# format's defaults and removes the setting.
. "$(dirname "$0")/lib.sh"
tui_setup
CFG="$T/config/hsmscope/config"

header() { row 2; }
# the editor's row of a column, by its title
ed_row() { screen | grep -n "^ \[.\] $1 " | cut -d: -f1; }
# move the editor's cursor to the column titled $1 (from the top)
go() {
	keys g
	n=$(ed_row "$1")
	[ -n "$n" ] || fail "the editor has no row $1"
	i=5 # the first column's screen row
	while [ "$i" -lt "$n" ]; do keys j; i=$((i + 1)); done
}

for size in "200 50" "80 24"; do
	set -- $size
	rm -f "$CFG"
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	default=$(header)
	echo "$default" | grep -Eq "No\. +Time +Source +Function +Result" || fail "$1x$2: default header: $default"
	keys c
	wait_for "Columns of the event list"
	# every column is listed, shown or not
	for t in No. Time Source Function Result Dur Sess Summary Mechanism Object Seq User; do
		ed_row "$t" | grep -q . || fail "$1x$2: the editor lacks $t"
	done
	screen | grep -q "^ \[ \] User " || fail "$1x$2: User should be hidden in a call trace"
	# hide Time
	go Time
	keys Space
	wait_for "columns saved to"
	screen | grep -q "^ \[ \] Time " || fail "$1x$2: Time not hidden"
	# Function to the left of Source
	go Function
	keys K
	wait_for "^ \[x\] Function .*$" 
	# Result 4 wider than its content (CKR_OK and its title: 6)
	go Result
	keys + + + +
	wait_for "Result +rv +width 10 \(fixed\)"
	keys Escape
	wait_for "No\. +Function"
	header | grep -Eq "^ +No\. Function +Source +Result {5}Dur " ||
		fail "$1x$2: the list does not show the change: $(header)"
	header | grep -q "Time" && fail "$1x$2: Time still shown"
	grep -qx "columns = n,func,pidtid,rv:10,dur,session,mech,object,summary" "$CFG" ||
		fail "$1x$2: config: $(cat "$CFG")"
	keys q
	wait_for "HS-EXIT:0"

	# the next start uses it
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Function"
	header | grep -Eq "^ +No\. Function +Source +Result {5}Dur " || fail "$1x$2: not kept: $(header)"
	# d: the defaults, and the setting removed
	keys c
	wait_for "saved in the configuration file"
	keys d
	wait_for "the log's defaults"
	keys Escape
	wait_for "No\. +Time"
	[ "$(header)" = "$default" ] || fail "$1x$2: d did not bring the defaults back: $(header)"
	grep -q "^columns" "$CFG" && fail "$1x$2: the setting is still in the file"
	keys q
	wait_for "HS-EXIT:0"
done
# an audit log without a saved choice keeps its own defaults
tui_start 200 50 "\"$HS\" \"$ROOT/share/samples/hsm-abcde123456.log\""
wait_for "No\. +Time"
header | grep -Eq "No\. +Time +HSM +Seq +User +Opcode +Response +Sess +Summary" || fail "audit defaults: $(header)"
keys q
wait_for "HS-EXIT:0"
echo "ok: column editor"
