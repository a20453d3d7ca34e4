# follow_refresh.sh — follow mode refreshes the index off the explorer's
# loop (issue 15, item 3): while a big append is being read, the status line
# says so and keys are answered (a jump to the first event, which reads the
# index); when the refresh is done the new events are there. At 200x50 and
# 80x24. No timing beyond generous bounds.
. "$(dirname "$0")/lib.sh"
tui_setup
one=$("$HS" grep "$SAMPLE" --count '') || fail "grep total"
REFRESHING='refreshing: [0-9]+%'

# run W H: a log of 20 samples followed, 300 more (~34 MB) appended at once
run() {
	L="$T/grow-$1.log"
	rm -rf "$T/cache"
	i=0
	while [ $i -lt 20 ]; do cat "$SAMPLE"; i=$((i + 1)); done >"$L"
	i=0
	while [ $i -lt 300 ]; do cat "$SAMPLE"; i=$((i + 1)); done >"$T/more.log"
	tui_start "$1" "$2" "\"$HS\" --follow \"$L\""
	wait_for "FOLLOW" 60
	# loaded (slow builds, under sanitizers, show rows while loading first)
	wait_for "$((one * 20)) events" 60
	i=0
	while screen | tail -n 1 | grep -q "Indexing:"; do
		i=$((i + 1))
		[ $i -lt 1200 ] || fail "$1x$2: still loading"
		sleep 0.05
	done
	# follow off while the file grows, so that one refresh reads it all
	keys F
	wait_for "follow mode off"
	cat "$T/more.log" >>"$L"
	keys F
	wait_for "$REFRESHING" 60
	# keys are answered while the refresh runs: g reads the first rows
	keys g
	wait_for "No\. 1  1/$((one * 20)) .*$REFRESHING" 60
	keys j
	wait_for "No\. 2  2/$((one * 20)) .*$REFRESHING" 60
	# the end: every event, the status quiet again
	wait_for "$((one * 320)) events" 300
	screen | tail -n 1 | grep -q "refreshing:" && fail "$1x$2: still says reading when done"
	keys q
	wait_for "HS-EXIT:0"
}
run 200 50
run 80 24
echo "ok: keys answered while follow mode refreshed a big append"
