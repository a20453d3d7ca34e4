# bad_input.sh — unreadable inputs give one clear line naming the file, exit
# 2, and never cost the good files when --keep-going is given.
. "$(dirname "$0")/lib.sh"
set -e
mkdir "$T/dir"
: >"$T/empty.log"
printf 'ELF\000\001\002binary\n' >"$T/binary.log"
printf 'just some prose\nnothing like a trace\n' >"$T/prose.log"
printf '{"a": 1}\n' >"$T/other.json"

for bad in "$T/missing.log" "$T/dir" "$T/empty.log" "$T/binary.log" "$T/prose.log" "$T/other.json"; do
	expect_exit 2 "$HS" analyze "$bad"
	[ "$(wc -l <"$T/err")" -le 2 ] || fail "more than a line (and a hint) of error for $bad"
	grep -q -F "$bad" "$T/err" || fail "the error does not name $bad: $(cat "$T/err")"
done
expect_exit 2 "$HS" analyze "$T/missing.log"; grep -q 'no such file' "$T/err" || fail "missing: $(cat "$T/err")"
expect_exit 2 "$HS" analyze "$T/dir"; grep -q 'is a directory' "$T/err" || fail "dir: $(cat "$T/err")"
expect_exit 2 "$HS" analyze "$T/empty.log"; grep -q 'is empty' "$T/err" || fail "empty: $(cat "$T/err")"
expect_exit 2 "$HS" analyze "$T/binary.log"; grep -q 'binary' "$T/err" || fail "binary: $(cat "$T/err")"
expect_exit 2 "$HS" analyze "$T/prose.log"
grep -q 'unrecognised log format (looked like none of: OpenSC pkcs11-spy' "$T/err" || fail "prose: $(cat "$T/err")"
# one line, naming every format the registry has (as --help lists them)
[ "$(wc -l <"$T/err")" = 1 ] || fail "prose: the error is not one line"
"$HS" --help | sed -n '/^inputs, /,$p' | tail -n +2 | tr '\n' ' ' | tr ',' '\n' | sed 's/^ *//; s/ *$//' >"$T/titles"
[ "$(grep -c . "$T/titles")" -ge 6 ] || fail "--help lists too few formats"
while IFS= read -r t; do
	grep -qF "$t" "$T/err" || fail "prose: the error does not name $t"
done <"$T/titles"
# PKCS#11 words in prose are no trace of any tracer
printf 'Notes from the HSM upgrade\n\nWe called C_Login and then C_Sign; C_Login returned CKR_PIN_INCORRECT.\nrv = CKR_OK was expected.\n' >"$T/notes.txt"
expect_exit 2 "$HS" analyze "$T/notes.txt"
grep -q 'notes.txt: unrecognised log format' "$T/err" || fail "notes: $(cat "$T/err")"

# several files: one bad one stops everything unless --keep-going
expect_exit 2 "$HS" analyze "$SAMPLE" "$T/empty.log" --format json
[ ! -s "$T/out" ] || fail "nothing may be printed when an input is bad"
expect_exit 0 "$HS" analyze "$SAMPLE" "$T/empty.log" --keep-going --format json
grep -q 'is empty' "$T/err" || fail "--keep-going must still report the bad file"
[ "$(jq .total_calls "$T/out")" = 343 ] || fail "the good file's 343 calls must load"

# a first argument that names no command is a file (exit 2 when missing);
# usage errors are exit 1, bad formats too
expect_exit 2 "$HS" frobnicate "$SAMPLE"
grep -q "frobnicate: no such file (nor a command" "$T/err" || fail "a non-command first argument is a file: $(cat "$T/err")"
expect_exit 1 "$HS" analyze
expect_exit 1 "$HS" analyze "$SAMPLE" --format yaml

# no index or temporary file left behind by the failures
left=$(find "$T/cache" -name '*.tmp.*' 2>/dev/null | wc -l)
[ "$left" = 0 ] || fail "temporary index files left behind"
echo ok
