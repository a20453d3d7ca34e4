# sessions.sh — `s` shows the lifecycle tree of a real capture (process >
# slot > session > login span); Enter on the session filters the list to
# exactly its events (the count agrees with `grep --count` and with a jq
# count over the export, a second way); Esc comes back without filtering.
. "$(dirname "$0")/../capture/lib.sh"
. "$(dirname "$0")/lib.sh"
cap_setup
tui_setup
trap 'for s in $SOCKS; do tmux -L "$s" kill-server 2>/dev/null; done; rm -rf "$T" "$CAP"' EXIT INT TERM
command -v jq >/dev/null || skip "no jq"
L="$CAP/sessions.log"
spytool "$L" --init-token --slot-index 0 --label sess --so-pin "$SO_PIN"
spytool "$L" --init-pin --token-label sess --so-pin "$SO_PIN" --pin "$USER_PIN"
spytool "$L" --token-label sess --login --pin "$USER_PIN" --keygen --key-type AES:16 --id 01 --label k1
[ -s "$L" ] || fail "the spy wrote no log"
"$HS" export "$L" --format ndjson >"$T/events.ndjson" || fail "export"

tui_start 120 40 "\"$HS\" \"$L\""
wait_for "No\. +Time"
keys s
wait_for "Sessions and logins"
wait_for "process #1"
wait_for "session 0x[0-9a-f]+ +closed"
wait_for "login CKU_USER"
# the tree opens on the selected event (No. 1, under process #1): g
# selects the first node, on row 3 of the screen
keys g
wait_for "^ *- process #1"
# the last session in the tree is the key generation's: select its row
r=$(screen | grep -n "session 0x[0-9a-f]* *closed" | tail -n 1 | cut -d: -f1)
i=3
while [ "$i" -lt "$r" ]; do
	keys Down
	i=$((i + 1))
done
keys Enter
wait_for "Filter: session_id == [0-9]+"
f=$(row 1 | sed -n 's/^Filter: \(session_id == [0-9]*\).*/\1/p')
sid=${f#session_id == }
shown=$(row 1 | sed -n 's/.* \([0-9][0-9]*\) of [0-9]* match.*/\1/p')
want=$("$HS" grep "$L" --count "$f") || fail "grep --count"
second=$(jq -s --argjson s "$sid" '[.[] | select(.session_id == $s)] | length' "$T/events.ndjson")
[ -n "$shown" ] && [ "$shown" = "$want" ] && [ "$want" = "$second" ] ||
	fail "the session's events: bar says '$shown', grep '$want', jq '$second'"
jq -se --argjson s "$sid" '[.[] | select(.session_id == $s) | .func] | index("C_GenerateKey") != null' \
	"$T/events.ndjson" >/dev/null || fail "the chosen session is not the key generation's"
wait_for "C_GenerateKey"
# back in the tree, Esc returns without touching the filter
keys s
wait_for "Sessions and logins"
keys Escape
wait_for "Filter: $f"
keys q
wait_for "HS-EXIT:0"
echo "ok: session $sid has $shown events in the tree, grep and jq"
