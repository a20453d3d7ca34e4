# view_keys.sh — the statistics and sessions views' own keys live in the
# key table: help lists them, they work, and the config can rebind them.
. "$(dirname "$0")/lib.sh"
tui_setup
mkdir -p "$T/cfg"
printf 'key.sort_errors = x\nkey.toggle = t\n' >"$T/cfg/config"
tui_start 120 50 "HSMSCOPE_CONFIG=\"$T/cfg/config\" \"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
keys '?'
wait_for "keys \(Esc or \? to go back"
# the help is longer than the screen: page down to its Statistics section
found=0
for i in 1 2 3 4 5 6 7 8; do
	screen | grep -q "sort the functions by calls" && { found=1; break; }
	keys NPage
	sleep 0.2
done
[ "$found" = 1 ] || fail "help does not list the statistics view's keys"
for i in 1 2 3; do
	screen | grep -q "expand or collapse the node" && break
	keys NPage
	sleep 0.2
done
wait_for "expand or collapse the node"
keys Escape i
wait_for "Functions, by calls"
keys e
wait_for "Functions, by errors"
keys p
wait_for "Functions, by p95"
keys c
wait_for "Functions, by calls"
keys x
wait_for "Functions, by errors"
keys Escape
wait_for "No\. +Time"
keys s
wait_for "process #1"
keys g Space
wait_for "process #1 .*"
keys t
wait_for "process #1"
keys q q
echo "ok"
