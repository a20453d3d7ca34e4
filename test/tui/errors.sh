# errors.sh — `e` walks the failed calls in order and lands on the
# CKR_PIN_INCORRECT login; `E` walks back; the detail pane names it.
. "$(dirname "$0")/lib.sh"
tui_setup
"$HS" grep "$SAMPLE" 'rv != CKR_OK' >"$T/errors" || fail "grep"
pin=$(grep -n ' C_Login CKR_PIN_INCORRECT ' "$T/errors" | head -n 1)
[ -n "$pin" ] || fail "the sample has no CKR_PIN_INCORRECT login"
k=${pin%%:*}                      # its rank among the errors
pin_n=$(echo "${pin#*:}" | awk '{print $1}')
first_n=$(head -n 1 "$T/errors" | awk '{print $1}')
tui_start 120 40 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
keys e
wait_for "No\. $first_n "
i=1
while [ "$i" -lt "$k" ]; do
	keys e
	i=$((i + 1))
done
wait_for "No\. $pin_n "
wait_for "Detail of event $pin_n C_Login"
wait_for "Result: CKR_PIN_INCORRECT"
# past the last error there is none: a message, the selection stays
keys G
wait_for "No\. 343 "
keys e
wait_for "no error after this one"
keys E
last_n=$(tail -n 1 "$T/errors" | awk '{print $1}')
wait_for "No\. $last_n "
# Backspace comes back from the jump
keys BSpace
wait_for "No\. 343 "
keys q
wait_for "HS-EXIT:0"
echo "ok: e reached event $pin_n after $k errors"
