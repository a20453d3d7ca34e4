# secrets.sh — the secrets property: every fixture (of every format) and a real capture, run
# through every output (analyze text/json/events/pretty-events/openmetrics,
# export json/ndjson/es-bulk/csv, grep, sessions text/json, sql over the
# events and their detail text) and the index file itself, holds no PIN and no key material in
# any form the spy prints. And --redact data hides data buffers, which are
# kept without it (so the search below can find what it looks for).
. "$(dirname "$0")/lib.sh"
cap_setup
command -v jq >/dev/null || skip "no jq"
KEY=4b45592d4d415445524941 # "KEY-MATERIA..." hex, the secret key written below
EXTRA_PINS="new-user-pin-2468 secret-aes-key-m aterial-00112233 rsa-private-valu private-exponent KEY-MATERIAL-0123"

# a real capture: PINs, a secret key object with a known value, a digest
# of known data
L="$CAP/secrets.log"
printf 'KEY-MATERIAL-0123' >"$CAP/key.bin"
printf 'PLAINTEXT-DATA-7f3a' >"$CAP/data.bin"
spytool "$L" --init-token --slot-index 0 --label sec --so-pin "$SO_PIN"
spytool "$L" --init-pin --token-label sec --so-pin "$SO_PIN" --pin "$USER_PIN"
spytool "$L" --token-label sec --login --pin "$USER_PIN" --write-object "$CAP/key.bin" --type secrkey \
	--key-type AES:16 --label known --id 0a
spytool "$L" --token-label sec --login --pin "$WRONG_PIN" --list-objects
spytool "$L" --token-label sec --hash --mechanism SHA256 --input-file "$CAP/data.bin" --output-file "$CAP/h.out"
grep -q "KEY-MATERIAL" "$L" || grep -q "4B 45 59 2D 4D 41 54" "$L" || fail "the spy did not log the key value (nothing to prove)"
grep -q "PLAINTEXT-DATA" "$L" || fail "the spy did not log the digest input (nothing to prove)"

# every output of one input into $CAP/out/<tag>.*; $1 input, $2 tag, $3.. extra options
outputs() {
	in=$1 tag=$2
	shift 2
	o="$CAP/out/$tag"
	mkdir -p "$CAP/out"
	"$HS" index "$in" --index "$o.db" "$@" >/dev/null 2>&1 || return 0 # a bad fixture is refused
	for fmt in text json events pretty-events openmetrics; do
		"$HS" analyze "$in" --index "$o.db" --format "$fmt" "$@" >"$o.analyze.$fmt" 2>&1
	done
	for fmt in json ndjson es-bulk csv; do
		"$HS" export "$in" --index "$o.db" --format "$fmt" "$@" >"$o.export.$fmt" 2>&1
	done
	"$HS" grep "$in" --index "$o.db" 'n > 0' "$@" >"$o.grep" 2>&1
	"$HS" sessions "$in" --index "$o.db" "$@" >"$o.sessions" 2>&1
	"$HS" sessions "$in" --index "$o.db" --format json "$@" >"$o.sessions.json" 2>&1
	"$HS" sql "$in" --index "$o.db" --format csv "SELECT * FROM events" "$@" >"$o.sql" 2>&1
	# the detail text, stored compressed apart from the rows: decompressed
	"$HS" sql "$in" --index "$o.db" --format csv "SELECT * FROM event_details" "$@" >"$o.sql.details" 2>&1
}

outputs "$L" capture
n=0
# Under the sanitizers (the second pass of make check) each of these
# ~2,000 runs pays ASan's start-up: the fixtures one by one took 117 s
# there. That pass looks for memory errors, and secrets_mutated.sh feeds
# it every fixture at once (its "orig" mutation) through the same outputs;
# the plain pass proves the property on each fixture alone.
for f in "$ROOT"/test/fixtures/*/* "$ROOT"/share/samples/*; do
	[ "${HS_SANITIZED:-0}" != 1 ] || break
	# *.md: no log; conc-*-[b-z].log: more recordings of the workload of
	# conc-*.log (same calls, same PIN), kept for their interleavings
	# (spy_concurrency.sh): the first of each stands for them here
	case $f in *.md | */conc-*-[b-z].log) continue ;; esac
	n=$((n + 1))
	outputs "$f" "fx$n" --hsm hsm-x
done
[ "${HS_SANITIZED:-0}" = 1 ] || [ "$(ls "$CAP"/out/*.db | wc -l)" -gt 20 ] || fail "too few inputs were indexed"
assert_no_pins "$CAP"/out/*
for f in "$CAP"/out/*; do
	if grep -a -i -q -e "$KEY" -e "4B 45 59 2D 4D 41 54 45 52 49 41 4C" "$f"; then
		fail "key material in $f"
	fi
done
# data is kept by default, hidden with --redact data
grep -a -q "PLAINTEXT-DATA\|50 4C 41 49 4E 54 45 58 54" "$CAP/out/capture.export.json" ||
	fail "the digest input is not in the default export (the next check would prove nothing)"
outputs "$L" data --redact data
for f in "$CAP"/out/data.*; do
	if grep -a -i -q -e "PLAINTEXT-DATA" -e "50 4C 41 49 4E 54 45 58 54" -e "504c41494e54" "$f"; then
		fail "--redact data: the data buffer is in $f"
	fi
done
echo "ok: $n fixtures and a real capture, $(ls "$CAP"/out | wc -l) outputs, no secret"
