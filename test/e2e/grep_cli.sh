# grep_cli.sh — grep behaves like grep(1): EXPR and files in either order,
# exit 1 when nothing matched (kept apart from usage, 4, and input, 2,
# errors), -c -v -m --json -e, process and anomaly flags, no trailing
# space; a first argument that names no command is a file.
. "$(dirname "$0")/lib.sh"
set -e
L="$SAMPLE"
N="$SAMPLE_NEW"

# either order gives the same lines
"$HS" grep 'rv != CKR_OK' "$L" >"$T/a"
"$HS" grep "$L" 'rv != CKR_OK' >"$T/b"
cmp -s "$T/a" "$T/b" || fail "EXPR FILE and FILE EXPR differ"
[ "$(wc -l <"$T/a")" = 11 ] || fail "expected the 11 failed calls, got $(wc -l <"$T/a")"
grep -q ' $' "$T/a" && fail "a line ends with a space"
# number, date, time, process, function, result: the failed login is in process 5
grep -q '^166 [0-9-]* [0-9:.]* p5 C_Login CKR_PIN_INCORRECT 0x1 ' "$T/a" || fail "line layout: $(grep C_Login "$T/a")"
# anomaly flags in brackets
"$HS" grep "$FIX/correlate/anomalies.log" 'anomaly' >"$T/an"
[ -s "$T/an" ] || fail "no anomalies in the anomalies fixture"
[ "$(grep -c ' \[[a-z_,]*\]$' "$T/an")" = "$(wc -l <"$T/an")" ] || fail "anomaly flags missing: $(head -3 "$T/an")"

# nothing matched: exit 1, with and without -c (which prints 0)
expect_exit 1 "$HS" grep 'func == C_Finalize && rv != CKR_OK' "$L"
[ ! -s "$T/out" ] || fail "no match printed something"
expect_exit 1 "$HS" grep -c 'func == C_Finalize && rv != CKR_OK' "$L"
[ "$(cat "$T/out")" = 0 ] || fail "-c on no match: $(cat "$T/out")"
expect_exit 0 "$HS" grep -c 'rv != CKR_OK' "$L"
[ "$(cat "$T/out")" = 11 ] || fail "-c: $(cat "$T/out")"

# two existing files and no expression: a usage error (4), not a silent regex
expect_exit 4 "$HS" grep "$L" "$N"
grep -q 'every argument is an existing file' "$T/err" || fail "both files: $(cat "$T/err")"
expect_exit 4 "$HS" grep "$L"
# -e names the expression even when it is also a file name
cp "$L" "$T/C_Login"
expect_exit 0 "$HS" grep -c -e C_Login "$T/C_Login"
[ "$(cat "$T/out")" -gt 0 ] || fail "-e"
# a missing file next to a field expression: the file is missing (2)
expect_exit 2 "$HS" grep "$T/nope.log" 'rv != CKR_OK'
grep -q 'nope.log: no such file' "$T/err" || fail "missing file: $(cat "$T/err")"
# two non-files, neither an expression: the first is taken, and grep says so
expect_exit 2 "$HS" grep 'C_Log.n' "$T/nope.log"
grep -q "taking 'C_Log.n' as the expression" "$T/err" || fail "guess not said: $(cat "$T/err")"
# a filter error is still a filter error (3) in either order
expect_exit 3 "$HS" grep 'rv ==' "$L"
expect_exit 3 "$HS" grep "$L" 'func == C_Logn'
grep -q "did you mean 'C_Login'" "$T/err" || fail "unknown function: $(cat "$T/err")"

# -v: the complement; -m: at most N
all=$("$HS" grep -c 'n > 0' "$L")
bad=$("$HS" grep -c 'rv != CKR_OK' "$L")
inv=$("$HS" grep -c -v 'rv != CKR_OK' "$L")
[ $((bad + inv)) = "$all" ] || fail "-v: $bad + $inv != $all"
"$HS" grep -v 'rv != CKR_OK' "$L" | grep -q CKR_PIN_INCORRECT && fail "-v kept a failed call"
[ "$("$HS" grep -m 3 'n > 0' "$L" | wc -l)" = 3 ] || fail "-m 3"
[ "$("$HS" grep -c -m 3 'n > 0' "$L")" = 3 ] || fail "-c -m 3"
expect_exit 1 "$HS" grep -m 0 'n > 0' "$L"

# --json: NDJSON in export's schema, the same events as the text lines
"$HS" grep --json 'rv != CKR_OK' "$L" >"$T/j"
[ "$(wc -l <"$T/j")" = 11 ] || fail "--json lines"
jq -r .n "$T/j" >"$T/jn"
awk '{print $1}' "$T/a" | cmp -s - "$T/jn" || fail "--json events differ from the text lines"
jq -s -e 'map(select(.rv_name == "CKR_PIN_INCORRECT")) | .[0].func == "C_Login"' "$T/j" >/dev/null || fail "--json fields"

# grep's options belong to grep
expect_exit 1 "$HS" analyze -v "$L"

# a first argument that is no command is a file
expect_exit 2 "$HS" ./nope.log
grep -q 'nope.log: no such file' "$T/err" || fail "./nope.log: $(cat "$T/err")"
"$HS" "$L" </dev/null >"$T/sum" || fail "FILE as first argument"
grep -q '^calls ' "$T/sum" || fail "hsmscope FILE does not summarise when not on a terminal"
echo ok
