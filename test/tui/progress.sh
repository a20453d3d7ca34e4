# progress.sh — indexing a new log shows a progress bar with the count of
# calls; Ctrl-C during it leaves no index behind and the terminal restored.
. "$(dirname "$0")/lib.sh"
tui_setup
L="$T/big.log"
# ~340,000 calls (the sample 1000 times), repeated until a load lasts
# about 4 s here: long enough to interrupt on any machine (big_log)
big_log "$L" 1000 4
tui_start 100 30 "\"$HS\" \"$L\""
wait_for "Indexing" 20
wait_for "[0-9]+ calls +[0-9]+%" 20
keys C-c
wait_for "HS-EXIT:2" 20
screen | grep -q "interrupted: no index written" || fail "no interruption message"
[ "$(tmux -L "$SOCK" display -p '#{alternate_on}')" = 0 ] || fail "still on the alternate screen"
if ls "$T/cache/hsmscope/" 2>/dev/null | grep -q '\.db'; then
	fail "an index was left behind: $(ls "$T/cache/hsmscope/")"
fi
echo "ok"
