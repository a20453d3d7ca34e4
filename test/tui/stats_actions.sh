# stats_actions.sh — statistics you can act on (issue 17), at 200x50 and
# 80x24: the cursor starts on the function table (Enter right away filters
# to the busiest function); Enter on a return code, an anomaly kind or a
# histogram bucket filters to it, with grep's count; Backspace comes back;
# histogram buckets are round sizes, and one instant is one 1 ms bucket
# (it was "24 buckets of 0.000 s").
. "$(dirname "$0")/lib.sh"
tui_setup
HSM="$ROOT/share/samples/hsm-abcde123456.log"
count() { "$HS" grep "$1" --count "$2" || fail "grep --count $2"; }

for size in "200 50" "80 24"; do
	set -- $size
	total=$(count "$SAMPLE" '')
	busiest=$("$HS" grep "$SAMPLE" '' | awk '{print $5}' | sort | uniq -c | sort -k1,1nr -k2 | head -n 1 |
		awk '{print $2}')
	nb=$(count "$SAMPLE" "func == \"$busiest\"")
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	keys i
	wait_for "Functions, by calls"
	keys Enter
	wait_for "Filter: func == \"$busiest\" .* $nb of $total match"
	keys BSpace
	wait_for "Filter: \(none"
	keys i G
	wait_for "[0-9]+ buckets? of [0-9]+ (ms|s|min|h|d) "
	screen | grep -q "buckets of 0\.000" && fail "$1x$2: bucket size not round"
	keys Escape
	wait_for "No\. +Time"
	# one instant: one bucket of 1 ms
	keys / 'n == 5' Enter
	wait_for "1 of $total match"
	keys i
	wait_for "1 bucket of 1 ms "
	keys q
	wait_for "HS-EXIT:0"

	# CloudHSM: return code (a response sentence), anomaly and bucket rows
	total=$(count "$HSM" '')
	tui_start "$1" "$2" "\"$HS\" \"$HSM\""
	wait_for "No\. +Time"
	# from the table's first row up: header, title, blank, seq_gap
	keys i
	wait_for "Functions, by calls"
	keys Up Up Up Up Enter
	wait_for "Filter: anomaly == \"seq_gap\" .* $(count "$HSM" 'anomaly == "seq_gap"') of $total match"
	keys BSpace
	wait_for "Filter: \(none"
	# ... login_unended, the title, blank, RET_USER_LOGIN_FAILURE, the HSM
	# Error sentence
	keys i
	wait_for "Functions, by calls"
	keys Up Up Up Up Up Up Up Up Up Enter
	wait_for "Filter: rv_name == \"HSM Error: user isn't"
	f="rv_name == \"HSM Error: user isn't initialized or user with this name doesn't exist\""
	wait_for " $(count "$HSM" "$f") of $total match"
	keys BSpace
	wait_for "Filter: \(none"
	# the last bucket: 1 h from 19:00, as grep counts the same filter
	keys i
	wait_for "Functions, by calls"
	keys G Enter
	f='ts >= "2018-01-24 19:00:00.000000" && ts < "2018-01-24 20:00:00.000000"'
	# (80 columns cut the bar's text)
	wait_for "Filter: $(printf '%.40s' "$f")"
	n=$(count "$HSM" "$f")
	[ "$n" -gt 0 ] || fail "the last bucket should hold an event"
	wait_for " $n of $total match"
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
