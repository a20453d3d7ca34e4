# stats_skips.sh — the statistics view says where lines were skipped and
# why, as analyze does: each reason at its first line, with its count.
. "$(dirname "$0")/lib.sh"
tui_setup
J="$ROOT/test/fixtures/spy/junk.log"
tui_start 120 50 "\"$HS\" \"$J\""
wait_for "No\. +Time"
keys i
wait_for "Skipped lines of the whole trace"
wait_for "junk\.log:1: text outside any call \(3 lines like it\)"
wait_for "junk\.log:3: shell prompt \(2 lines like it\)"
keys Escape
wait_for "No\. +Time"
keys q
wait_for "HS-EXIT:0"
# a clean log has no such section
tui_start 120 50 "\"$HS\" \"$SAMPLE\""
wait_for "No\. +Time"
keys i
wait_for "Functions, by calls"
screen | grep -q "Skipped lines" && fail "a clean log shows a skipped-lines section"
keys q q
echo "ok"
