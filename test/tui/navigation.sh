# navigation.sh — navigation you can trust (issue 17), at 200x50 and 80x24:
# `%` on an event without a partner says so and stays (it used to jump back
# to where the last jump started); `S`, a typed filter and Enter in the
# sessions tree push the view they replace (filter and selection), and
# Backspace or Esc pops it; the sessions tree opens on the selected event's
# node, and Enter on a call shows that event inside the full list, not a
# one-row `n == N` list.
. "$(dirname "$0")/lib.sh"
tui_setup
total=$("$HS" grep "$SAMPLE" --count '') || fail "grep --count"
# event 30 is a C_GetMechanismInfo (no partner); 27 the C_Login of session 0x1
"$HS" grep "$SAMPLE" 'n == 30' | grep -q C_GetMechanismInfo || fail "sample: 30 is not C_GetMechanismInfo"
"$HS" grep "$SAMPLE" 'n == 27' | grep -q 'C_Login .*0x1' || fail "sample: 27 is not the C_Login of session 0x1"
sid=$("$HS" analyze "$SAMPLE" --format events 2>/dev/null |
	sed -n 's/^{"n":27,.*"session_id":\([0-9]*\),.*/\1/p')
[ -n "$sid" ] || fail "sample: no session_id for event 27"
nmech=$("$HS" grep "$SAMPLE" --count 'func == "C_GetMechanismInfo"') || fail "grep --count"
nsess=$("$HS" grep "$SAMPLE" --count "session_id == $sid") || fail "grep --count"
[ "$nsess" -lt "$total" ] || fail "sample: session $sid has every event"

status() { screen | tail -n 1; }
at() { wait_for "No\. $1  $2/$3( |$)"; }

run() {
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	# a jump first, so that the old `%` had somewhere to go back to
	keys : 30 Enter
	at 30 30 "$total"
	keys %
	wait_for "C_GetMechanismInfo has no correlat"
	at 30 30 "$total"
	# Backspace still comes back from the `:` jump
	keys BSpace
	at 1 1 "$total"

	# S: the session only; Backspace: the whole list again, on the same event
	keys : 27 Enter
	at 27 27 "$total"
	keys S
	wait_for "Filter: session_id == "
	wait_for "No\. 27  [0-9]+/$nsess "
	keys BSpace
	wait_for "Filter: \(none"
	at 27 27 "$total"
	# the same with Esc, and a typed filter
	keys / 'func == "C_GetMechanismInfo"' Enter
	wait_for "$nmech of $total events match"
	keys Escape
	wait_for "Filter: \(none"
	at 27 27 "$total"
	keys BSpace
	at 1 1 "$total"
	keys BSpace
	wait_for "no jump or filter to"

	# the sessions tree opens on the selected event: Enter there shows it,
	# in the full list, even from a filter that hides it
	keys : 30 Enter
	at 30 30 "$total"
	keys s
	wait_for "Sessions and logins"
	wait_for "mech=CKM_AES_CBC  No\. 30"
	keys Enter
	wait_for "No\. +Time"
	at 30 30 "$total"
	screen | head -n 1 | grep -q "Filter: (none" || fail "Enter on a call must not filter"
	keys / 'func == "C_Login"' Enter
	wait_for "of $total events match"
	keys s
	wait_for "Sessions and logins"
	keys Enter
	wait_for "No\. +Time"
	wait_for "Filter: \(none"
	# (the filter moved the selection to the first C_Login after 30)
	at 146 146 "$total"
	keys BSpace
	wait_for "Filter: func == \"C_Login\""
	# a session node: its events, and Backspace comes back
	keys s
	wait_for "Sessions and logins"
	keys Left Enter
	wait_for "No\. +Time"
	screen | head -n 1 | grep -Eq "Filter: (session_id|login|span|op)[a-z_]* == [0-9]+ " ||
		fail "Enter on the call's parent should filter to the parent's events"
	keys BSpace
	wait_for "Filter: func == \"C_Login\""
	keys q
	wait_for "HS-EXIT:0"
}
run 200 50
run 80 24
echo "ok"
