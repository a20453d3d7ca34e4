# timeline.sh — issue 17 item 6, the timeline view (`t`), at 200x50 and
# 80x24: one row per process, thread (when a process has several) and
# session, or per HSM and login span of an audit log, each a bar over the
# time axis: `=` calls, `x` a failed call, `!` an anomaly, `>` the end of a
# span that never ended. +/- zoom, Left/Right pan, 0 the whole trace; it
# opens on the row of the selected event; Enter filters the list to the
# row and Backspace comes back; the help lists the keys.
. "$(dirname "$0")/lib.sh"
tui_setup
AUDIT="$ROOT/share/samples/hsm-abcde123456.log $ROOT/share/samples/hsm-zyxwv987654.log"
THREADS="$ROOT/test/fixtures/spy/conc-procs-threads-0261.log"
NOTIME="$ROOT/test/fixtures/tpm2/pkcs11-tool.log"
# a log without times: 20 events, process #2 (17-20) never finalized
"$HS" grep "$NOTIME" 'n == 1' | grep -q "^1 - " || fail "fixture: $NOTIME has times"
# the sample: 7 processes, sessions in 2..7; 166 is p5's failed C_Login
[ "$("$HS" grep -c "$SAMPLE" 'proc == 5 && session == 1')" -ge 2 ] || fail "sample: p5's session"
"$HS" grep "$SAMPLE" 'n == 166' | grep -q "p5 C_Login CKR_PIN_INCORRECT" || fail "sample: 166"
n5=$("$HS" grep -c "$SAMPLE" 'proc == 5 && session == 1')

# bar ROWLABEL: the bar part of the timeline row whose label starts with it
bar() { screen | grep -E -- "^$1 " | head -n 1 | sed "s/^$1 *//"; }

for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	keys : 166 Enter
	wait_for "No\. 166 "
	keys t
	wait_for "Timeline: 2026-11-22 12:03:09\.513 \.\. 12:03:09\.889 \(376 ms"
	if [ "$1" = 200 ]; then
		screen | grep -q "/col), 13 rows" || fail "$1x$2: not 13 rows"
	fi
	for p in 1 2 3 4 5 6 7; do
		screen | grep -q "^process #$p " || fail "$1x$2: no row for process #$p"
	done
	[ "$(screen | grep -c '^  session 0x1 ')" = 6 ] || fail "$1x$2: not 6 session rows"
	# p1's calls at the start, p3's failed calls marked
	bar "process #1" | grep -q "^=" || fail "$1x$2: process #1 does not start at the left"
	bar "process #3" | grep -q "x" || fail "$1x$2: process #3's errors are not marked"
	bar "process #2" | grep -q "x" && fail "$1x$2: process #2 has no error but shows one"
	# the selected event's time (166, p5's) runs down the empty cells
	bar "process #1" | grep -q "|" || fail "$1x$2: no line at the selected event's time"
	bar "process #5" | grep -q "|" && fail "$1x$2: the time line crosses p5's own bar"
	# zoom in twice (the middle quarter), pan, back out, the whole trace
	keys +
	wait_for "\(188 ms"
	keys +
	wait_for "\(94 ms"
	before=$(screen | sed -n 4p)
	keys l
	k=0
	while [ "$(screen | sed -n 4p)" = "$before" ]; do
		[ "$k" -lt 40 ] || fail "$1x$2: Right did not pan"
		sleep 0.05
		k=$((k + 1))
	done
	keys -
	wait_for "\(188 ms"
	keys 0
	wait_for "\(376 ms"
	# it opened on the row of event 166 (p5's session): Enter filters to it
	keys Enter
	wait_for "$n5 of 343 match"
	wait_for "No\. 166 "
	keys BSpace
	wait_for "343 events"
	# another row: the first (process #1), by its number range
	keys t
	wait_for "Timeline: 2026"
	keys g Enter
	wait_for "7 of 343 match"
	keys BSpace
	wait_for "343 events"
	# the help lists the timeline's keys
	keys '?'
	wait_for "hsmscope: keys"
	k=0
	while ! screen | grep -q "zoom in"; do
		[ "$k" -lt 30 ] || fail "$1x$2: the help lacks the timeline's keys"
		keys PageDown
		sleep 0.1
		k=$((k + 1))
	done
	while ! screen | grep -q "Timeline (t): a row per process"; do
		[ "$k" -lt 30 ] || fail "$1x$2: the help lacks the timeline's section"
		keys PageDown
		sleep 0.1
		k=$((k + 1))
	done
	keys q
	wait_for "HS-EXIT:0"

	# an audit log: HSM and login rows, anomalies (!) and open ends (>)
	tui_start "$1" "$2" "\"$HS\" $AUDIT"
	wait_for "No\. +Time"
	keys t
	wait_for "Timeline: 2018"
	screen | grep -q "^HSM hsm-abcde123456" || fail "$1x$2: no HSM row"
	[ "$(screen | grep -c '^  login testuser')" = 3 ] || fail "$1x$2: not 3 login rows"
	screen | grep -E "^  login testuser" | grep -q "!" || fail "$1x$2: no anomaly marked"
	screen | grep -E "^  login testuser" | grep -q ">" || fail "$1x$2: no open end marked"
	keys q
	wait_for "HS-EXIT:0"

	# threads: a row for each thread of a process with several
	tui_start "$1" "$2" "\"$HS\" \"$THREADS\""
	wait_for "No\. +Time"
	keys t
	wait_for "Timeline: 2026"
	[ "$(screen | grep -c '^  thread ')" -ge 6 ] || fail "$1x$2: thread rows missing"
	keys g j Enter
	wait_for "12 of 168 match"
	screen | head -n 1 | grep -q "tid == 140538251396928" || fail "$1x$2: the thread's filter"
	# under a filter the timeline still shows the whole trace, and says so
	keys t
	wait_for "Timeline of the whole trace \(not filtered\)"
	[ "$(screen | grep -c '^  thread ')" -ge 6 ] || fail "$1x$2: the filter hid rows"
	keys q
	wait_for "HS-EXIT:0"

	# no times: the axis is the events' order
	tui_start "$1" "$2" "\"$HS\" \"$NOTIME\""
	wait_for "No\. +Time"
	keys t
	wait_for "Timeline by event number \(the log records no times\): No\. 1 \.\. 20"
	bar "process #1" | grep -q "^=" || fail "$1x$2: process #1 does not start at the left"
	bar "process #1" | grep -q "x" || fail "$1x$2: process #1's failed C_Login is not marked"
	bar "process #2" | grep -q "!" || fail "$1x$2: process #2's anomalies are not marked"
	screen | grep -E "^  session" | tail -n 1 | grep -q ">" || fail "$1x$2: the open session's end"
	keys G Enter
	wait_for "[0-9]+ of 20 match"
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
