# lib.sh — helpers for the CLI end-to-end tests. Sourced, not run.
# Each test gets a scratch dir $T (removed on exit) and its own cache dir.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/hse2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME="$T/cache" XDG_STATE_HOME="$T/state"
FIX="$ROOT/test/fixtures"
SAMPLE="$ROOT/share/samples/softhsm-basic.log"
SAMPLE_NEW="$ROOT/share/samples/softhsm-basic-opensc026.log"

# expect_exit CODE CMD...: run CMD, keep stdout/stderr in $T/out $T/err
expect_exit() {
	want=$1
	shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" = "$want" ] || { cat "$T/err" >&2; fail "exit $got, expected $want: $*"; }
}
