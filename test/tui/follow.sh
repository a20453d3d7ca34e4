# follow.sh — --follow shows a growing capture like tail -f, keeping the
# filter: calls appended to the log appear at the end of the list.
. "$(dirname "$0")/lib.sh"
tui_setup
L="$T/grow.log"
# the first two processes of the sample, then the rest appended later
cut=$(grep -n 'OpenSC PKCS#11 spy' "$SAMPLE" | sed -n 3p | cut -d: -f1)
[ -n "$cut" ] || fail "sample has fewer than 3 processes"
head -n $((cut - 1)) "$SAMPLE" >"$L"
before=$("$HS" grep "$L" --count '') || fail "grep before"
total=$("$HS" grep "$SAMPLE" --count '') || fail "grep total"
logins=$("$HS" grep "$SAMPLE" --count 'func == "C_Login"') || fail "grep logins"
tui_start 120 40 "\"$HS\" --follow \"$L\""
wait_for "$before events"
wait_for "FOLLOW"
keys / 'func == "C_Login"' Enter
wait_for "of $before match"
tail -n +"$cut" "$SAMPLE" >>"$L"
wait_for "$logins of $total match" 15
# the selection followed the end
screen | tail -n 1 | grep -q "$logins/$logins" || fail "the selection did not follow the end"
keys q
wait_for "HS-EXIT:0"
echo "ok: $before -> $total events"
