# lib.sh — shared by the real-capture tests: a private SoftHSM token store
# and pkcs11-tool run through OpenSC's pkcs11-spy, so each test records a
# real trace of a workload it knows. Sourced, not run.
#
# After cap_setup: $CAP (scratch dir, removed on exit), $SPY (spy module),
# $SOFTHSM (real module), $SO_PIN $USER_PIN $WRONG_PIN, and spytool().

SO_PIN=so-pin-8642
USER_PIN=user-pin-1357
WRONG_PIN=wrong-pin-0000
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }

cap_setup() {
	SPY=$(ls /usr/lib/*/pkcs11-spy.so 2>/dev/null | head -n 1)
	[ -n "$SPY" ] || skip "no pkcs11-spy.so (Debian opensc-pkcs11)"
	[ -e "$SOFTHSM" ] || skip "no SoftHSM (Debian softhsm2)"
	command -v pkcs11-tool >/dev/null || skip "no pkcs11-tool (Debian opensc)"
	CAP=$(mktemp -d "${TMPDIR:-/tmp}/hscap.XXXXXX")
	trap 'rm -rf "$CAP"' EXIT
	mkdir -p "$CAP/tokens"
	cat >"$CAP/softhsm2.conf" <<CONF
directories.tokendir = $CAP/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
	export SOFTHSM2_CONF="$CAP/softhsm2.conf"
	export PKCS11SPY="$SOFTHSM"
	export XDG_CACHE_HOME="$CAP/cache"
	head -c 3000 /dev/urandom | base64 >"$CAP/data.txt"
}

# spytool LOG ARGS...: pkcs11-tool through the spy, appending to LOG.
# Its own exit status is ignored: failing calls are part of the workloads.
spytool() {
	log=$1
	shift
	PKCS11SPY_OUTPUT="$log" pkcs11-tool --module "$SPY" "$@" >>"$CAP/tool.out" 2>&1 || true
}

# The PIN in every form the spy can print it: ASCII, and its bytes as the
# hex dump writes them (upper case, space separated; first 16 bytes, since
# the dump wraps lines there).
pin_forms() {
	printf '%s\n' "$1"
	printf '%s' "$1" | head -c 16 | od -An -tx1 | tr 'a-f' 'A-F' | sed 's/^ *//; s/ *$//; s/  */ /g'
	printf '%s' "$1" | head -c 16 | od -An -tx1 | sed 's/^ *//; s/ *$//; s/ //g'
}

# assert_no_pins FILE...: none of the PINs in any form in any FILE.
assert_no_pins() {
	for pin in "$SO_PIN" "$USER_PIN" "$WRONG_PIN" ${EXTRA_PINS:-}; do
		pin_forms "$pin" >"$CAP/forms"
		while IFS= read -r form; do
			[ -n "$form" ] || continue
			for f in "$@"; do
				if grep -a -i -F -q -- "$form" "$f"; then
					fail "PIN form '$form' found in $f"
				fi
			done
		done <"$CAP/forms"
	done
}

# raw_count LOG F: call headers of function F in the raw spy log ("N: F")
raw_count() { grep -c -E "^[0-9]+: $2\$" "$1" || true; }
