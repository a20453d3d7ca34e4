# peer.sh — `%` on a C_Login lands on its partner (the end of its login:
# C_Logout, or the implicit end correlation records) and `%` again comes
# back. Runs on a real SoftHSM capture made now through the real spy.
. "$(dirname "$0")/../capture/lib.sh"
. "$(dirname "$0")/lib.sh"
cap_setup
tui_setup
trap 'for s in $SOCKS; do tmux -L "$s" kill-server 2>/dev/null; done; rm -rf "$T" "$CAP"' EXIT INT TERM
command -v jq >/dev/null || skip "no jq"
L="$CAP/peer.log"
spytool "$L" --init-token --slot-index 0 --label peer --so-pin "$SO_PIN"
spytool "$L" --init-pin --token-label peer --so-pin "$SO_PIN" --pin "$USER_PIN"
spytool "$L" --token-label peer --login --pin "$USER_PIN" --keygen --key-type AES:16 --id 01 --label k1
spytool "$L" --token-label peer --login --pin "$USER_PIN" --list-objects
[ -s "$L" ] || fail "the spy wrote no log"
"$HS" analyze "$L" --format events >"$T/events.ndjson" || fail "analyze"
jq -e -s '[.[] | select(.peer != null)] | length > 0' "$T/events.ndjson" >/dev/null ||
	skip "correlation has not landed: no event has a peer yet"
pair=$(jq -r -s '[.[] | select(.func == "C_Login" and .ok and .peer != null)][0] | "\(.n) \(.peer_n)"' \
	"$T/events.ndjson")
login=${pair% *}
peer=${pair#* }
[ "$login" != null ] || fail "no successful C_Login with a partner"
pfunc=$(jq -r -s --argjson p "$peer" '.[] | select(.n == $p) | .func' "$T/events.ndjson")
tui_start 120 40 "\"$HS\" \"$L\""
wait_for "No\. +Time"
keys : "$login" Enter
wait_for "No\. $login "
wait_for "Detail of event $login C_Login"
keys %
wait_for "No\. $peer "
wait_for "Detail of event $peer $pfunc"
keys %
wait_for "No\. $login "
keys q
wait_for "HS-EXIT:0"
echo "ok: C_Login $login <-> $pfunc $peer"
