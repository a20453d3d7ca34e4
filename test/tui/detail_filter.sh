# detail_filter.sh — issue 17 items 3 and 4, at 200x50 and 80x24: the
# detail tree decodes values (CKA_MODULUS_BITS 2048, CKA_PUBLIC_EXPONENT
# 65537, CKA_TOKEN true, classes and key types by name, the label as text,
# the mechanism by name, CloudHSM codes by name with the number) with the
# raw hex one level down, folded; on a
# line, A prepares its filter in the filter bar without applying it, a
# applies it (Backspace brings the old view back).
. "$(dirname "$0")/lib.sh"
tui_setup
# event 100 of the sample is the C_GenerateKeyPair of "basic-rsa"
"$HS" grep "$SAMPLE" 'n == 100' | grep -q 'C_GenerateKeyPair .*label="basic-rsa"' ||
	fail "sample: 100 is not the key pair generation"
want_label=$("$HS" grep "$SAMPLE" --count 'label == "basic-rsa"')
want_mech=$("$HS" grep "$SAMPLE" --count 'mech == CKM_RSA_PKCS_KEY_PAIR_GEN')
[ "$want_label" -ge 2 ] && [ "$want_mech" -ge 2 ] || fail "sample: the label and mechanism counts"
AUDIT="$ROOT/share/samples/hsm-abcde123456.log" # event 1: testuser's CN_LOGIN
"$HS" grep "$AUDIT" 'n == 1' | grep -q 'CN_LOGIN .*user=testuser' || fail "audit sample: 1 is not testuser's login"
want_user=$("$HS" grep "$AUDIT" --count 'user == "testuser"')
[ "$want_user" -ge 2 ] || fail "audit sample: testuser's events"

# the filter bar's text (screen line 1 while it is open)
bar() { row 1 | sed -n 's/^Filter: //; s/  .*//p'; }

# pick FILTER: A on each line of the detail (j between) until the filter
# bar it opens holds FILTER; the bar is left open. At most 60 lines. A line
# without a filter only says so.
pick() {
	k=0
	while :; do
		[ "$k" -lt 60 ] || fail "no detail line gives the filter $1"
		press A
		if screen | tail -n 1 | grep -q "typing a filter"; then
			[ "$(bar)" = "$1" ] && return 0
			keys Escape
			wait_for "No\. [0-9]+ "
		fi
		press j
		k=$((k + 1))
	done
}

# the detail pane's rows (its title to the raw pane's)
detail_pane() { screen | sed -n '/Detail of event/,/^ Raw:/p'; }


# open W H: the explorer on the sample, event 100 selected, the detail
# pane focused (a fresh start each time: the focus is known)
open100() {
	tui_start "$1" "$2" "\"$HS\" \"$SAMPLE\""
	wait_for "No\. +Time"
	keys : 100 Enter
	wait_for "Detail of event 100 C_GenerateKeyPair"
	keys Tab
}
quit() {
	keys q
	wait_for "HS-EXIT:0"
}

for size in "200 50" "80 24"; do
	set -- $size
	open100 "$1" "$2"
	# decoded values, each at its place in the tree
	scroll_to "Mechanism: CKM_RSA_PKCS_KEY_PAIR_GEN"
	scroll_to "CKA_CLASS CKO_PUBLIC_KEY \(0x2\)"
	scroll_to "CKA_TOKEN true"
	scroll_to "\+ CKA_MODULUS_BITS 2048"
	scroll_to "\+ CKA_PUBLIC_EXPONENT 65537"
	scroll_to "CKA_KEY_TYPE CKK_RSA \(0x0\)"
	scroll_to "\+ CKA_LABEL \"basic-rsa\""
	# the raw rows are folded under their value: not on screen until opened
	detail_pane | grep -q "00 08 00 00 00 00 00 00" && fail "$1x$2: the raw hex is not folded"
	quit
	open100 "$1" "$2"
	pick "attr == CKA_MODULUS_BITS"
	keys Escape
	wait_for "No\. 100 "
	keys Enter
	wait_for "- CKA_MODULUS_BITS 2048"
	keys j
	wait_for "^ +00000000 +00 08 00 00 00 00 00 00"
	detail_pane | grep -Eq "00000000 +00 08 00 00 00 00 00 00" || fail "$1x$2: the raw row is not in the detail"
	quit

	# Prepare as filter: in the bar, not applied
	open100 "$1" "$2"
	pick "mech == CKM_RSA_PKCS_KEY_PAIR_GEN"
	screen | tail -n 1 | grep -q "No\. 100" && fail "$1x$2: the status shows the list while typing"
	keys Escape
	wait_for "No\. 100  100/343"
	# Apply as filter: the list is the calls of that mechanism
	keys a
	wait_for "No\. 100  [0-9]+/$want_mech "
	row 1 | grep -q "mech == CKM_RSA_PKCS_KEY_PAIR_GEN" || fail "$1x$2: the filter bar does not show the filter"
	# Backspace: the view before
	keys BSpace
	wait_for "No\. 100  100/343"
	quit

	# the label, as text; Enter in the prepared bar applies it
	open100 "$1" "$2"
	pick 'label == "basic-rsa"'
	keys Enter
	wait_for "No\. 100  [0-9]+/$want_label "
	quit
	# a header line has its filter too: the function
	open100 "$1" "$2"
	pick 'func == "C_GenerateKeyPair"'
	keys Escape
	wait_for "No\. 100 "
	keys a
	wait_for "No\. 100  1/1 "
	quit

	# CloudHSM: codes by name with the number; the user's filter
	tui_start "$1" "$2" "\"$HS\" \"$AUDIT\""
	wait_for "No\. +Time"
	keys Tab
	scroll_to "user type CN_CRYPTO_USER \(1\)"
	scroll_to "command type CN_MGMT_CMD \(0x0\)"
	scroll_to "opcode CN_LOGIN \(0xd\)"
	quit
	tui_start "$1" "$2" "\"$HS\" \"$AUDIT\""
	wait_for "No\. +Time"
	keys Tab
	pick 'user == "testuser"'
	keys Enter
	wait_for "No\. 1  1/$want_user "
	quit
done
echo ok
