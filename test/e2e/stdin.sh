# stdin.sh — standard input as "-" (or as the input of a batch command
# given no FILE, when it is not a terminal): copied into the cache
# directory (0600) and read like the file, so the events, analysis and
# export are the file's; a compressed pipe works too; the same bytes piped
# again reuse their copy and its index.
. "$(dirname "$0")/lib.sh"
set -e
norm_events() { jq -c 'del(.file)' "$1"; }
norm_json() { jq -S 'del(.files[].path) | del(.skips[]?.file)' "$1"; }
cp "$SAMPLE" "$T/s.log"
"$HS" analyze "$T/s.log" --format events >"$T/file.ev"
"$HS" analyze "$T/s.log" --format json >"$T/file.json"
"$HS" export "$T/s.log" --format ndjson >"$T/file.exp"

# "-", and no FILE at all
"$HS" analyze - --format events <"$T/s.log" >"$T/dash.ev"
cat "$T/s.log" | "$HS" analyze --format events >"$T/pipe.ev"
cat "$T/s.log" | "$HS" analyze - --format json >"$T/pipe.json"
cat "$T/s.log" | "$HS" export - --format ndjson >"$T/pipe.exp"
for f in dash.ev pipe.ev; do
	[ "$(norm_events "$T/file.ev")" = "$(norm_events "$T/$f")" ] || fail "$f: events differ from the file's"
done
[ "$(norm_json "$T/file.json")" = "$(norm_json "$T/pipe.json")" ] || fail "stdin: analysis differs"
[ "$(norm_events "$T/file.exp")" = "$(norm_events "$T/pipe.exp")" ] || fail "stdin: export differs"
gzip -c "$T/s.log" | "$HS" analyze --format events >"$T/gz.ev"
[ "$(norm_events "$T/file.ev")" = "$(norm_events "$T/gz.ev")" ] || fail "gzip on stdin: events differ"
echo "ok: stdin (-, implicit, gzip'ed) gives the file's events, analysis and export"

# the copy: in the cache directory, 0600, reused with its index
spool=$(jq -r '.file' "$T/dash.ev" | head -n 1)
case "$spool" in "$T/cache/hsmscope/stdin-"*.log) ;; *) fail "the copy is not in the cache: $spool" ;; esac
[ "$(stat -c %a "$spool")" = 600 ] || fail "the copy must be 0600: $(stat -c %a "$spool")"
cmp -s "$spool" "$T/s.log" || fail "the copy is not the input"
"$HS" index - <"$T/s.log" >"$T/o"
grep -q '^state      reused' "$T/o" || fail "the same bytes again must reuse the index: $(cat "$T/o")"
[ "$(ls "$T/cache/hsmscope"/stdin-*.tmp.* 2>/dev/null | wc -l)" = 0 ] || fail "temporary copies left"
echo "ok: the copy is private, in the cache, and reused"

# grep: the one argument is the expression; "-" is a file, not an expression
cat "$T/s.log" | "$HS" grep 'func == "C_Login"' >"$T/g1"
"$HS" grep 'func == "C_Login"' "$T/s.log" >"$T/g2"
cmp -s "$T/g1" "$T/g2" || fail "grep on stdin differs"
"$HS" grep 'func == "C_Login"' - <"$T/s.log" >"$T/g3"
cmp -s "$T/g1" "$T/g3" || fail "grep EXPR - differs"

# errors: empty, a terminal-less empty stdin, - twice
expect_exit 2 "$HS" analyze - </dev/null
grep -q "^hsmscope: -: standard input is empty" "$T/err" || fail "empty stdin: $(cat "$T/err")"
expect_exit 1 "$HS" analyze </dev/null
grep -q "no FILE given" "$T/err" || fail "no FILE, empty stdin: $(cat "$T/err")"
expect_exit 1 "$HS" analyze - - <"$T/s.log"
grep -q "only once" "$T/err" || fail "- twice: $(cat "$T/err")"
echo "ok: stdin errors"
