# cancel.sh — Ctrl-C and Esc stop a runaway filter, a runaway SQL
# statement and slow statistics in the explorer (issue 14): within a second
# the explorer answers keys again, shows the filter, selection and view it
# showed before, and says "cancelled"; the program does not quit.
. "$(dirname "$0")/lib.sh"
tui_setup
# a log on which (\d+\s?)+Z backtracks a few ms per event (under PCRE2's
# match limit, so it runs, for many seconds, rather than failing)
awk 'BEGIN {
	print "*************** OpenSC PKCS#11 spy *****************"
	lab = ""; for (j = 0; j < 14; j++) lab = lab "12 "
	for (i = 0; i < 4000; i++)
		printf "%d: C_GetTokenInfo\n2026-11-22 12:%02d:%02d.%03d\n[in] slotID = 0x0\n[out] pInfo: \n      label:                  \047%s-Z\047\nReturned:  0 CKR_OK\n\n", i, i / 60000, (i / 1000) % 60, i % 1000, lab
}' >"$T/slow.log"
"$HS" index "$T/slow.log" --index "$T/ix.db" >/dev/null || fail "index"
SLOW='(\d+\s?)+Z'
RUNAWAY='WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c'
ms() { date +%s%3N; }

# cancelled KEY: press KEY while a query runs; "cancelled" within a second
cancelled() {
	# the status line says when a query is slow; wait for it, but press
	# KEY anyway after 10 s (a build without the note must fail on the
	# cancel, not here). Ctrl-C is a signal and overtakes the keys before
	# it: pressed before the explorer has read the filter's Enter, it
	# quits (no query runs), which a CI run saw once after 3 s of waiting
	i=0
	while [ $i -lt 200 ] && ! screen | grep -q 'working\.\.\. Ctrl-C or Esc stops it'; do
		i=$((i + 1))
		sleep 0.05
	done
	t0=$(ms)
	keys "$1"
	i=0
	while [ $i -lt 40 ] && ! screen | grep -q 'cancelled'; do
		i=$((i + 1))
		sleep 0.05
	done
	dt=$(($(ms) - t0))
	! screen | grep -q 'HS-EXIT' || fail "$1 quit the explorer"
	screen | grep -q 'cancelled' || fail "$1: no 'cancelled' within $dt ms"
	[ "$dt" -le 1000 ] || fail "$1 took $dt ms to cancel"
}

tui_start 120 40 "\"$HS\" \"$T/slow.log\" --index \"$T/ix.db\""
wait_for "No\. +Time"
keys / C-u 'n < 50' Enter
wait_for "49 of 4000 match"
keys j j j
wait_for "No\. 4 "

# a runaway regex filter: Ctrl-C, then Esc
for k in C-c Escape; do
	keys / C-u "$SLOW" Enter
	cancelled $k
	row 1 | grep -q "^Filter: n < 50 .* 49 of 4000 match" || fail "$k: the previous filter is gone: $(row 1)"
	screen | tail -n 1 | grep -q "No\. 4 .*4/49" || fail "$k: the selection moved"
	# responsive: a key is answered at once
	t0=$(ms)
	keys j
	wait_for "No\. 5 " 1
	keys k
	wait_for "No\. 4 " 1
	[ $(($(ms) - t0)) -le 2000 ] || fail "$k: slow to answer after the cancel"
done

# a runaway SQL statement from the main view: back to the main view
keys '\;'
wait_for "SQL \(read-only\): "
keys C-u "$RUNAWAY" Enter
cancelled C-c
row 1 | grep -q "^Filter: n < 50" || fail "sql: the main view is gone: $(row 1)"
screen | grep -qE "No\. +Time" || fail "sql: not the event list"

# from the SQL view: the previous result stays
keys '\;'
wait_for "SQL \(read-only\): "
keys C-u "SELECT 'previous' AS result" Enter
wait_for "^ previous"
keys '\;'
wait_for "SQL \(read-only\): "
keys C-u "$RUNAWAY" Enter
cancelled Escape
screen | grep -q "^ previous" || fail "sql: the previous result is gone"
screen | grep -q "SQL (1 row; ; edits, Esc back): SELECT 'previous'" || fail "sql: the previous statement is gone"

keys Escape
wait_for "No\. +Time"

# the statistics of a slow filter (each of their scans takes a while):
# Esc and Ctrl-C go back to the event list, and `i` computes them anew
keys / C-u 'n < 4 || text ~ "(\\d+\\s?){14}Z"' Enter
wait_for "3 of 4000 match" 20
keys i
cancelled Escape
screen | grep -qE "No\. +Time" || fail "stats: not back to the event list"
row 1 | grep -q '^Filter: n < 4 || text' || fail "stats: the filter is gone: $(row 1)"
keys i
cancelled C-c
screen | grep -qE "No\. +Time" || fail "stats: not back to the event list (Ctrl-C)"
keys q
wait_for "HS-EXIT:0"

# the configuration's time limit ends a statement nobody cancels; a wide
# result says how many columns it left out
mkdir -p "$XDG_CONFIG_HOME/hsmscope"
printf 'sql.timeout = 1\nsql.max_memory = 64\n' >"$XDG_CONFIG_HOME/hsmscope/config"
tui_start 120 40 "\"$HS\" \"$T/slow.log\" --index \"$T/ix.db\""
wait_for "No\. +Time"
keys '\;'
wait_for "SQL \(read-only\): "
keys C-u "$RUNAWAY" Enter
wait_for "time limit of 1 s" 5
keys '\;'
wait_for "SQL \(read-only\): "
keys C-u "SELECT length(zeroblob(50000000))" Enter
wait_for "memory limit of 64 MB" 5
cols=$(awk 'BEGIN { for (i = 1; i <= 40; i++) printf "%s%d", (i > 1 ? ", " : ""), i }')
keys '\;'
wait_for "SQL \(read-only\): "
keys C-u "SELECT $cols" Enter
wait_for "^ SQL \\(1 row, 40 columns, 32 shown"
screen | tail -n 1 | grep -q "40 columns, the first 32 shown" || fail "status: $(screen | tail -n 1)"
keys q
wait_for "HS-EXIT:0"
echo "ok"
