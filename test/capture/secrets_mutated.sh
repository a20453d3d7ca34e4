# secrets_mutated.sh — the secrets property, adversarially: every fixture of
# every format (test/fixtures/*/*, share/samples/*) and a real capture made
# now are rewritten the ways editors, tickets and pastes rewrite whitespace
# (tabs, squeezed spaces, no indentation, CRLF, trailing blanks, "name=",
# "name =", "name:", a TAB after an attribute name), and no PIN and no key
# byte may show in any output (analyze text/json/events/pretty-events/
# openmetrics, export json/ndjson/es-bulk/csv, grep, sessions text/json, the
# explorer's Raw pane: the file's lines around every call),
# in any table of the index (sql) or in the index file's bytes: as text, as
# spaced hex ("4B 45 59") or as packed hex ("4b4559").
#
# Each mutation indexes all inputs at once (one index, outputs in a loop),
# so the run stays short. Outputs are searched twice: as they are, and with
# every blank and JSON whitespace escape removed, which joins hex however
# the mutation spaced it. Secrets are searched by pieces (a head and a
# tail), so a PIN masked only in part ("so-pin-8***") is still found.
. "$(dirname "$0")/lib.sh"
cap_setup
command -v openssl >/dev/null || skip "no openssl"

# the real capture: PINs, an AES key with a known value, an RSA private key
# whose exponent and primes are known, a digest of known data
L="$CAP/secrets.log"
printf 'KEY-MATERIAL-0123' >"$CAP/key.bin"
printf 'PLAINTEXT-DATA-7f3a' >"$CAP/data.bin"
openssl genrsa -out "$CAP/rsa.pem" 1024 2>/dev/null || fail "openssl genrsa"
openssl rsa -in "$CAP/rsa.pem" -outform DER -out "$CAP/rsa.der" 2>/dev/null || fail "openssl rsa"
spytool "$L" --init-token --slot-index 0 --label sec --so-pin "$SO_PIN"
spytool "$L" --init-pin --token-label sec --so-pin "$SO_PIN" --pin "$USER_PIN"
spytool "$L" --token-label sec --login --pin "$USER_PIN" --write-object "$CAP/key.bin" --type secrkey \
	--key-type AES:16 --label known --id 0a
spytool "$L" --token-label sec --login --pin "$USER_PIN" --write-object "$CAP/rsa.der" --type privkey \
	--label rsapriv --id 0b
spytool "$L" --token-label sec --login --pin "$WRONG_PIN" --list-objects
spytool "$L" --token-label sec --login --login-type user --pin "$USER_PIN" --change-pin --new-pin new-user-pin-2468
spytool "$L" --token-label sec --hash --mechanism SHA256 --input-file "$CAP/data.bin" --output-file "$CAP/h.out"
grep -q "4B 45 59 2D 4D 41 54" "$L" || fail "the spy did not log the AES key value (nothing to prove)"
grep -q "CKA_PRIVATE_EXPONENT" "$L" || fail "the spy did not log the RSA private key (nothing to prove)"
grep -q "PLAINTEXT-DATA" "$L" || fail "the spy did not log the digest input (nothing to prove)"

# The RSA key's secret numbers, as hex (openssl prints them colon-separated,
# maybe with a leading 00 byte the spy does not print).
rsa_hex() {
	openssl rsa -in "$CAP/rsa.pem" -noout -text 2>/dev/null | awk -v f="$1:" '
		$1 == f { on = 1; next }
		on && /^ / { gsub(/[ :]/, ""); s = s $0; next }
		on { exit }
		END { sub(/^00/, "", s); print toupper(s) }'
}
HEXES=""
for f in privateExponent prime1 prime2 exponent1 exponent2 coefficient; do
	h=$(rsa_hex "$f")
	[ ${#h} -ge 24 ] || fail "could not read $f of the RSA key"
	HEXES="$HEXES $(printf '%s' "$h" | cut -c1-16) $(printf '%s' "$h" | cut -c17-32)"
done
# the fixtures' secrets that are written only as hex
# (shim/shapes.log's CKA_VALUE; none is only digits: see digits_only)
HEXES="$HEXES 476048981412D3 12D3FABEDB 210069964CB3"

# Secrets written as text (their hex is searched too): the capture's PINs
# and AES key, the fixtures' PINs and key values.
TEXTS="$SO_PIN $USER_PIN $WRONG_PIN new-user-pin-2468 user-pin-2468 KEY-MATERIAL-0123
secret-aes-key-m aterial-00112233 rsa-private-valu private-exponent SECRET-KEY-BYTES
PRIVATE-EXPONENT-BYTES PRIME1-BYTES"

# Pieces to look for: of each text its head and tail (8 and 7 characters),
# in ASCII and as packed upper-case hex; each hex as it is. Text is
# matched with its case ("-BYTES" is not "bytes"), hex in either case.
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F'; }
: >"$CAP/ascii"
: >"$CAP/hex"
# A piece made only of digits is no evidence: times, inodes and hashes
# printed in decimal (the files table's mtime_ns, a parser's resume state)
# hold any 7 digits by chance, which once failed CI on "0112233", the tail
# of "aterial-00112233". Such a piece grows until it holds a non-digit.
digits_only() { case $1 in *[!0-9]*) return 1 ;; esac; }
for t in $TEXTS; do
	k=8
	h=$(printf '%s' "$t" | cut -c1-$k)
	while digits_only "$h" && [ $k -lt ${#t} ]; do
		k=$((k + 1))
		h=$(printf '%s' "$t" | cut -c1-$k)
	done
	k=7
	tl=$(printf '%s' "$t" | tail -c $k)
	while digits_only "$tl" && [ $k -lt ${#t} ]; do
		k=$((k + 1))
		tl=$(printf '%s' "$t" | tail -c $k)
	done
	printf '%s\n%s\n' "$h" "$tl" >>"$CAP/ascii"
	printf '%s\n%s\n' "$(hex_of "$h")" "$(hex_of "$tl")" >>"$CAP/hex"
done
for h in $HEXES; do
	printf '%s\n' "$h" >>"$CAP/hex"
done
# the spaced form of each hex piece too ("4B 45 59"), searched in the
# outputs as they are; hex in upper and lower case, so that one
# case-sensitive search does
sed 's/../& /g; s/ $//' "$CAP/hex" >"$CAP/spaced"
cat "$CAP/ascii" "$CAP/spaced" >"$CAP/raw.pat"
tr 'A-F' 'a-f' <"$CAP/spaced" >>"$CAP/raw.pat"
cat "$CAP/hex" >"$CAP/packed.pat"
tr 'A-F' 'a-f' <"$CAP/hex" >>"$CAP/packed.pat"

# the inputs
mkdir -p "$CAP/in/src"
cp "$L" "$CAP/in/src/capture.log"
n=0
for f in "$ROOT"/test/fixtures/*/* "$ROOT"/share/samples/*; do
	# *.md: no log; conc-*-[b-z].log: more recordings of the workload of
	# conc-*.log (same calls, same PIN), kept for their interleavings
	# (spy_concurrency.sh): the first of each stands for them here
	case $f in *.md | */conc-*-[b-z].log) continue ;; esac
	n=$((n + 1))
	cp "$f" "$CAP/in/src/$n.$(basename "$f")"
done

mutate() { # $1 mutation, stdin -> stdout
	case $1 in
	orig) cat ;;
	tabs) unexpand -a ;;
	squeezed) sed 's/  */ /g' ;;
	noindent) sed 's/^[ 	]*//' ;;
	crlf) sed 's/$/\r/' ;;
	trailing) sed 's/$/  	 /' ;;
	eq-tight) sed 's/ = /=/g; s/ *\[\([a-zA-Z]*\)\] *\([0-9a-f]\{8,16\} \/\)/[\1]=\2/' ;;
	eq-left) sed 's/ = /= /g' ;;
	eq-right) sed 's/ = / =/g' ;;
	colon) sed 's/ = /: /g; s/\(CKA_[A-Z0-9_]*\) /\1: /' ;;
	attr-tab) sed 's/^\( *\)\(CKA_[A-Z0-9_]*\)  */\1\2		  /; s/^\(\[[a-z]*\]\) /\1	/' ;;
	tabs-crlf) unexpand -a | sed 's/$/\r/' ;;
	esac
}

RAWDUMP="$ROOT/${BUILD:-build}/test/test_rawlines"
[ -x "$RAWDUMP" ] || fail "no $RAWDUMP: make unit first"
MUTATIONS="orig tabs squeezed noindent crlf trailing eq-tight eq-left eq-right colon attr-tab tabs-crlf"
# under the sanitizers (the second pass of make check) the same code runs
# for memory errors, not for new masking facts: four mutations that touch
# every rewrite (blanks, line ends, separators) keep that pass short; the
# plain pass proves all twelve
[ "${HS_SANITIZED:-0}" != 1 ] || MUTATIONS="orig squeezed colon tabs-crlf"
mkdir -p "$CAP/out"
found=""
for m in $MUTATIONS; do
	mkdir -p "$CAP/in/$m"
	for f in "$CAP"/in/src/*; do
		mutate "$m" <"$f" >"$CAP/in/$m/$(basename "$f")"
	done
	o="$CAP/out/$m"
	set -- "$CAP"/in/$m/*
	"$HS" index "$@" --index "$o.db" --hsm hsm-x --keep-going >"$o.index" 2>&1 ||
		fail "$m: the mutated inputs were not indexed: $(head -c 300 "$o.index")"
	for fmt in text json events pretty-events openmetrics; do
		"$HS" analyze "$@" --index "$o.db" --hsm hsm-x --keep-going --format "$fmt" >"$o.analyze.$fmt" 2>&1
	done
	for fmt in json ndjson es-bulk csv; do
		"$HS" export "$@" --index "$o.db" --hsm hsm-x --keep-going --format "$fmt" >"$o.export.$fmt" 2>&1
	done
	"$HS" grep "$@" --index "$o.db" --hsm hsm-x --keep-going 'n > 0' >"$o.grep" 2>&1
	"$HS" sessions "$@" --index "$o.db" --hsm hsm-x --keep-going >"$o.sessions" 2>&1
	"$HS" sessions "$@" --index "$o.db" --hsm hsm-x --keep-going --format json >"$o.sessions.json" 2>&1
	# the explorer's Raw pane: every call's lines of the file as it shows them
	# (src/rawlines.c, printed by the unit test's --dump)
	"$RAWDUMP" --dump "$o.db" hsm-x "$@" >"$o.raw" 2>"$o.raw.err" ||
		fail "$m: the raw windows could not be read: $(head -c 300 "$o.raw.err")"
	[ "$(grep -c '^#' "$o.raw")" -gt 3000 ] || fail "$m: only $(grep -c '^#' "$o.raw") raw windows"
	tables=$("$HS" sql "$@" --index "$o.db" --hsm hsm-x --keep-going --format csv \
		"SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')" 2>/dev/null | sed 1d | tr -d '\r')
	[ "$(printf '%s\n' "$tables" | wc -l)" -ge 10 ] || fail "$m: too few tables in the index: $tables"
	for t in $tables; do
		"$HS" sql "$@" --index "$o.db" --hsm hsm-x --keep-going --format csv "SELECT * FROM \"$t\"" \
			>"$o.sql.$t" 2>&1
	done
	# the events were there to search: a run that indexed nothing proves nothing
	[ "$(grep -c '' "$o.export.ndjson")" -gt 3000 ] || fail "$m: only $(grep -c '' "$o.export.ndjson") events"
	# search: text and spaced hex in every output as it is, packed hex in
	# every output with its blanks (and JSON's \t \r \n) removed; text is
	# not searched there: joined words make pieces that were never written
	for f in "$o".*; do
		hit=$(grep -a -o -F -f "$CAP/raw.pat" "$f" | head -n 1)
		[ -n "$hit" ] || hit=$(tr -d ' \t\r\n' <"$f" | sed 's/\\[trn]//g' |
			grep -a -o -F -f "$CAP/packed.pat" | head -n 1)
		[ -z "$hit" ] || found="$found
  '$hit' in $(basename "$f")"
	done
done
[ -z "$found" ] || fail "secrets in the outputs of mutated inputs:$(printf '%s\n' "$found" | sort -u | head -60)"

# data buffers are kept by default, so masking did not just hide everything
for m in orig tabs squeezed crlf; do
	[ -f "$CAP/out/$m.export.json" ] || continue # not in this pass's mutations
	grep -a -q "PLAINTEXT-DATA\|50 4C 41 49 4E 54 45 58 54" "$CAP/out/$m.export.json" ||
		fail "$m: the digest input is not in the default export (data buffers must stay)"
done
echo "ok: $(ls "$CAP"/in/src | wc -l) inputs x $(echo $MUTATIONS | wc -w) mutations," \
	"$(ls "$CAP"/out | wc -l) outputs, no secret"
