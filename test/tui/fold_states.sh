# fold_states.sh — the sessions view (`s`) says how each call of a fold
# ended ("1 CKR_OK, 1 never returned"), not only the last one's state, and
# shows a CloudHSM response whole.
. "$(dirname "$0")/lib.sh"
tui_setup
L="$ROOT/test/fixtures/spy/pasted-slotlist-hang.log"
tui_start 160 30 "\"$HS\" \"$L\""
wait_for "No\. +Time"
keys s
wait_for "Sessions and logins"
wait_for "C_GetSlotList \(2 calls\) +1 CKR_OK, 1 never returned \(OPEN END\)"
keys q
wait_for "HS-EXIT:0"
tui_start 200 30 "\"$HS\" \"$ROOT/share/samples/hsm-abcde123456.log\""
wait_for "No\. +Time"
keys s
wait_for "Sessions and logins"
wait_for "login testuser"
keys Down Right
wait_for "HSM Error: user isn't initialized or user with this name doesn't exist"
keys q
wait_for "HS-EXIT:0"
echo "ok: fold states in the sessions view"
