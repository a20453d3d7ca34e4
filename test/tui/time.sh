# time.sh — issue 17 item 6, time moves, at 200x50 and 80x24: `:` takes a
# time as well as a number (a full time, a time of day on the selected
# event's date, +N relative) and goes to the first event at or after it, or
# says there is none; Ctrl-T sets the time reference on the selected event:
# the time column reads *REF* on it and signed seconds from it elsewhere,
# the detail says "Since the time reference", the status line "T: since ref
# N"; Ctrl-T on it again unsets it. The key is in the help.
. "$(dirname "$0")/lib.sh"
tui_setup
# the sample: 15 C_Login at .537, 16 the first event at .539, 18 at .540, 20 at .557
"$HS" grep "$SAMPLE" 'n == 16' | grep -q "^16 2026-11-22 12:03:09.539 " || fail "sample: 16 is not at 12:03:09.539"
"$HS" grep "$SAMPLE" 'n == 15' | grep -q "^15 2026-11-22 12:03:09.537 .*C_Login" || fail "sample: 15"
"$HS" grep "$SAMPLE" 'n == 20' | grep -q "^20 2026-11-22 12:03:09.557 " || fail "sample: 20"

for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	# a full time between 15 and 16: the first event at or after it is 16
	keys : '2026-11-22 12:03:09.538' Enter
	wait_for "No\. 16 "
	wait_for "the first at or after 12:03:09.538"
	# a number is still a number
	keys : 15 Enter
	wait_for "No\. 15 "
	# a time of day on the selected event's date
	keys : '12:03:09.540' Enter
	wait_for "No\. 18 "
	# relative to the selected event (18 at .540): +17ms is .557 = 20
	keys : '+17ms' Enter
	wait_for "No\. 20 "
	# after the end: said, and the selection stays
	keys : '2030-01-01' Enter
	wait_for "no event at or after 2030-01-01"
	screen | tail -n 1 | grep -q "No\. 20 " || fail "$1x$2: moved on a time after the end"
	# junk: said
	keys : 'soon' Enter
	wait_for "not an event number or a time"

	# the time reference on 15
	keys : 15 Enter
	wait_for "No\. 15 "
	keys C-t
	wait_for "T: since ref 15"
	screen | grep -q "Since ref" || fail "$1x$2: the time column's title"
	screen | grep -Eq "^ +15 +\*REF\* " || fail "$1x$2: no *REF* on the reference"
	screen | grep -Eq "^ +16 +\+0\.002000 " || fail "$1x$2: 16 is not +0.002 s from the reference"
	screen | grep -Eq "^ +14 +[-+]?0\.000000 " || fail "$1x$2: 14 is not 0 s from the reference"
	# the detail of another event counts from it
	keys : 20 Enter
	wait_for "No\. 20 "
	keys Tab
	k=0
	while ! screen | grep -q "Since the time reference (No\. 15): +0\.020000 s"; do
		[ "$k" -lt 30 ] || fail "$1x$2: the detail does not count from the reference"
		keys j
		sleep 0.1
		k=$((k + 1))
	done
	keys Escape
	# +N now counts from the reference (what the column shows): +0.020s from 15 = 20
	keys : 3 Enter
	wait_for "No\. 3 "
	keys : '+20ms' Enter
	wait_for "No\. 20 "
	# Ctrl-T on the reference unsets it
	keys : 15 Enter
	wait_for "No\. 15 "
	keys C-t
	wait_for "time reference unset"
	screen | grep -q "Since ref\|\*REF\*" && fail "$1x$2: the reference is still shown"
	screen | grep -Eq "No\. +Time" || fail "$1x$2: the time column did not come back"
	# the help lists the key
	keys '?'
	wait_for "hsmscope: keys"
	k=0
	while ! screen | grep -q "Ctrl-T"; do
		[ "$k" -lt 30 ] || fail "$1x$2: the help lacks Ctrl-T"
		keys PageDown
		sleep 0.1
		k=$((k + 1))
	done
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
