# audit_words.sh — issue 17, "Wrong on screen", CloudHSM: `%` on a CN_LOGIN
# lands on the same login on the cluster's other HSM and now says so on the
# status line (it looked like a wrong jump); a key's sync pair says so too;
# a call trace's partner says what links it; the detail's Duration of an
# audit event says the log records no durations instead of "(no next call
# of this thread)"; the list of an audit log has no Dur column of dashes.
# At 200x50 and 80x24.
. "$(dirname "$0")/lib.sh"
tui_setup
A="$ROOT/share/samples/hsm-abcde123456.log"
B="$ROOT/share/samples/hsm-zyxwv987654.log"
"$HS" grep "$A" "$B" 'n == 1' | grep -q "hsm-abcde123456 CN_LOGIN" || fail "samples: 1"
"$HS" grep "$A" "$B" 'n == 2' | grep -q "hsm-zyxwv987654 CN_LOGIN" || fail "samples: 2"
"$HS" grep "$A" "$B" 'n == 4' | grep -q "CN_EXTRACT_MASKED_OBJECT_USER" || fail "samples: 4"

for size in "200 50" "80 24"; do
	set -- $size
	tui_start "$1" "$2" "\"$HS\" \"$A\" \"$B\""
	wait_for "No\. +Time"
	screen | sed -n 2p | grep -q " Dur " && fail "$1x$2: an audit list with a Dur column"
	keys : 1 Enter
	wait_for "No\. 1 "
	keys %
	wait_for "No\. 2 "
	wait_for "%: the same login on another HSM"
	[ "$1" = 200 ] && ! screen | grep -q "another HSM: hsm-zyxwv987654 (a cluster client" &&
		fail "$1x$2: the HSM and the reason"
	# % again: back to 1
	keys %
	wait_for "No\. 1 "
	# the key extracted on one HSM and inserted on the other
	keys : 4 Enter
	wait_for "No\. 4 "
	keys %
	wait_for "%: the key's copy on another HSM"
	# the detail: no thread, the log records no durations
	keys : 1 Enter
	wait_for "No\. 1 "
	keys Tab
	k=0
	while ! screen | grep -q "Duration: - (an audit log records when a command ran"; do
		[ "$k" -lt 30 ] || fail "$1x$2: the audit Duration wording"
		keys j
		sleep 0.1
		k=$((k + 1))
	done
	screen | grep -q "no next call of this thread" && fail "$1x$2: 'thread' in an audit detail"
	keys q
	wait_for "HS-EXIT:0"

	# a call trace: the partner's link is said
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	keys : 13 Enter
	wait_for "No\. 13 "
	keys %
	wait_for "No\. 18 "
	wait_for "%: the other end of its session"
	keys q
	wait_for "HS-EXIT:0"
done
echo "ok"
