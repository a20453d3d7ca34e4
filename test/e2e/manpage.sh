# manpage.sh — share/man/hsmscope.1 says what the program does: it renders
# without warnings; every option of --help is in it and every option in it
# is in --help; every command, input format, filter field, key, anomaly
# kind and index table/column is documented; its EXAMPLES run.
. "$(dirname "$0")/lib.sh"
set -e
M="$ROOT/share/man/hsmscope.1"
[ -s "$M" ] || fail "no man page"
if command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z "$M" 2>"$T/warn"
	[ ! -s "$T/warn" ] || { cat "$T/warn" >&2; fail "groff warnings"; }
	MANWIDTH=100 groff -man -Tutf8 "$M" 2>/dev/null | col -bx >"$T/man.txt" ||
		groff -man -Tascii "$M" | sed 's/.\x08//g' >"$T/man.txt"
else
	echo "note: no groff: checking the source only"
	sed 's/\\-/-/g; s/\\f[BIRP]//g' "$M" >"$T/man.txt"
fi
# a section of the rendered page, by its heading
section() { awk -v s="$1" '/^[A-Z][A-Z ]+$/ { on = ($0 == s) } on' "$T/man.txt"; }

"$HS" --help >"$T/help"
for cmd in analyze export grep index sessions sql; do
	"$HS" "$cmd" --help | cmp -s - "$T/help" || fail "$cmd --help differs from --help"
	grep -q "^  $cmd " "$T/help" || fail "--help lacks the command $cmd"
	section COMMANDS | grep -qE "^ *$cmd( |\$)" || fail "man COMMANDS lacks $cmd"
done
grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u >"$T/help.opts"
section OPTIONS | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/man.opts"
cmp -s "$T/help.opts" "$T/man.opts" || { diff "$T/help.opts" "$T/man.opts" >&2; fail "options differ (< --help, > man)"; }

fields=$("$HS" --list fields)
[ "$(echo "$fields" | wc -l)" -gt 20 ] || fail "hsmscope --list fields: $fields"
for f in $fields; do
	section FILTERS | grep -qw -- "$f" || fail "man FILTERS lacks the field $f"
done
"$HS" --list keys >"$T/keys"
[ "$(wc -l <"$T/keys")" -gt 30 ] || fail "hsmscope --list keys"
for k in $(cut -f1 "$T/keys" | sort -u); do
	section KEYS | grep -qF -- "$k" || fail "man KEYS lacks the key $k"
done
for a in $(cut -f2 "$T/keys" | grep . | sort -u); do
	section CONFIGURATION | grep -qw "$a" || fail "man CONFIGURATION lacks the action $a"
done
for a in $(sed -n 's/.*\[AN_[A-Z_]*\] = { "\([a-z_]*\)".*/\1/p' "$ROOT/src/correlate.c"); do
	section FILTERS | grep -qw "$a" || fail "man FILTERS lacks the anomaly kind $a"
done
"$HS" sql "$SAMPLE" --format csv "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table'" |
	tr -d '\r' | tail -n +2 >"$T/cols"
[ "$(wc -l <"$T/cols")" -gt 50 ] || fail "schema query"
section "INDEX SCHEMA" | tr -s ' \n' ' ' >"$T/schema.txt"
while IFS=, read -r table column; do
	grep -qw "$table" "$T/schema.txt" || fail "man INDEX SCHEMA lacks the table $table"
	grep -qw "$column" "$T/schema.txt" || fail "man INDEX SCHEMA lacks $table.$column"
done <"$T/cols"
# every input format of the registry (as --help lists them) is described
section "INPUT FORMATS" | tr -s ' \n' ' ' >"$T/inputs.txt"
sed -n '/^inputs, /,$p' "$T/help" | tail -n +2 | tr '\n' ' ' | tr -s ' ' | sed 's/^ //; s/ $//' |
	tr ',' '\n' | sed 's/^ //' >"$T/titles"
[ "$(grep -c . "$T/titles")" -ge 6 ] || fail "--help lists too few input formats"
while IFS= read -r t || [ -n "$t" ]; do # the last title has no newline
	grep -qF -- "$t" "$T/inputs.txt" || fail "man INPUT FORMATS lacks $t"
done <"$T/titles"
for v in XDG_CACHE_HOME XDG_STATE_HOME XDG_CONFIG_HOME HSMSCOPE_CONFIG NO_COLOR; do
	section ENVIRONMENT | grep -q "$v" || fail "man ENVIRONMENT lacks $v"
done

# EXAMPLES run (on the sample and a CloudHSM fixture; the explorer line aside)
mkdir -p "$T/ex" && cd "$T/ex"
cp "$SAMPLE" capture.log
cp "$FIX/cloudhsm/two-streams.json" audit.json
section EXAMPLES | sed -n 's/^ *\(hsmscope .*\)$/\1/p' | while read -r line; do
	[ "$line" = "hsmscope capture.log" ] && continue
	sh -c "HS=\"$HS\"; hsmscope() { \"\$HS\" \"\$@\"; }; $line" >/dev/null 2>"$T/ex.err" ||
		{ cat "$T/ex.err" >&2; fail "example failed: $line"; }
	echo "ran: $line"
done
[ -s logins.json ] && [ -s bulk.ndjson ] && [ -s hsmscope.prom ] || fail "the examples wrote no files"
echo "ok"
