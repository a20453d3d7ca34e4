# raw_secrets.sh — the Raw pane reads the file again, so it must redact it
# again: test/fixtures/spy/secrets.log (PINs, an AES key, RSA private key
# parts, another thread's C_Login written inside a C_CreateObject's
# template) with its whitespace rewritten as pastes do (TABs, squeezed
# blanks, no indentation, CRLF). For the C_Logins (No. 3, 11), the
# C_CreateObject whose template holds the other thread's PIN (No. 10) and
# the C_GetAttributeValue that reads the AES key (No. 12), the pane shows
# the file's lines (marked) and no PIN and no key byte, as text or hex, at
# 200x50 and 80x24 (scrolled through to its end).
. "$(dirname "$0")/lib.sh"
tui_setup
SRC="$ROOT/test/fixtures/spy/secrets.log"
# the secrets' pieces, as text and as the spy's spaced hex
printf '%s\n' so-pin-8 user-pin wrong-pi secret-a 00112233 rsa-priv private- prime-on prime-tw \
	exponent coeffici "73 6F 2D 70 69 6E" "75 73 65 72 2D 70" "77 72 6F 6E 67" \
	"73 65 63 72 65 74" "70 72 69 6D 65" >"$T/pat"
for how in tabs squeezed noindent crlf; do
	L="$T/$how.log"
	case $how in
	tabs) unexpand -a <"$SRC" >"$L" ;;
	squeezed) sed 's/  */ /g' <"$SRC" >"$L" ;;
	noindent) sed 's/^[ 	]*//' <"$SRC" >"$L" ;;
	crlf) sed 's/$/\r/' <"$SRC" >"$L" ;;
	esac
	for size in "200 50" "80 24"; do
		set -- $size
		tui_start "$1" "$2" "\"$HS\" \"$L\""
		wait_for "No\. +Time"
		for n in 3 10 11 12; do
			keys : "$n" Enter
			wait_for "Detail of event $n "
			wait_for "file lines [0-9]+-[0-9]+: this call's [0-9]+ marked"
			keys Tab Tab
			: >"$T/pane"
			i=0
			while [ $i -lt 40 ]; do # scroll through the pane, gathering it
				screen | sed -n '/^ Raw: /,$p' >>"$T/pane"
				keys Down
				i=$((i + 1))
			done
			screen | sed -n '/^ Raw: /,$p' >>"$T/pane"
			grep -q '^>' "$T/pane" || fail "$how $1x$2 No. $n: no marked line"
			hit=$(tr '\t' ' ' <"$T/pane" | tr -s ' ' | grep -o -F -f "$T/pat" | head -1)
			[ -z "$hit" ] || fail "$how $1x$2 No. $n: '$hit' in the raw pane"
			keys Tab # back to the list
		done
		keys q
		wait_for "HS-EXIT:0"
	done
done
echo "ok"
