# skips.sh — a real capture that skips lines: the spy writing to stderr
# (PKCS11SPY_OUTPUT unset) and pkcs11-tool's own output in one file.
# analyze names each skip reason at its first line, and that line of the
# file is the tool's message.
. "$(dirname "$0")/lib.sh"
cap_setup
L="$CAP/mixed.log"
spytool "$CAP/init.log" --init-token --slot-index 0 --label skips --so-pin "$SO_PIN"
spytool "$CAP/init.log" --init-pin --token-label skips --so-pin "$SO_PIN" --pin "$USER_PIN"
# the spy (on stderr) and the tool (on stdout) into one file, as a terminal
# shows them and as people paste them
unset PKCS11SPY_OUTPUT
pkcs11-tool --module "$SPY" --list-slots >"$L" 2>&1 || true
grep -q '^Available slots:' "$L" || fail "pkcs11-tool wrote no message into the capture (nothing to prove)"
"$HS" analyze "$L" >"$CAP/a.txt" || fail "analyze"
grep -q '^skipped lines  [1-9]' "$CAP/a.txt" || fail "no skips section: $(cat "$CAP/a.txt")"
# each listed place is a line of the file that no event took: the tool's message is one
want=$(grep -n '^Available slots:' "$L" | head -n 1 | cut -d: -f1)
grep -qF "$L:$want: " "$CAP/a.txt" || fail "the tool's message at line $want is not named: $(grep -A5 '^skipped' "$CAP/a.txt")"
"$HS" analyze "$L" --format json | jq -e --arg w "$want" '.skips | map(select(.line == ($w | tonumber))) | length == 1' >/dev/null ||
	fail "json skips: $("$HS" analyze "$L" --format json | jq -c .skips)"
echo "ok: the tool's message at line $want is named"
