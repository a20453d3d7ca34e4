#!/bin/sh
# run.sh — the test runner of `make check`.
#
# Runs every unit test binary ($BUILD/test/test_*), then every script in
# test/e2e, test/capture, test/tui and test/fuzz. Prints PASS/FAIL per
# test, keeps a failing test's output in $BUILD/test-logs/, and ends with
# the summary line "N passed, N failed". Exit status 1 when anything failed.
# HS and BUILD may be given (the sanitized run uses build-san).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
B=${BUILD:-build}
LOGS="$ROOT/$B/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
HS=${HS:-$ROOT/hsmscope}
export HS ROOT
# sanitizer reports fail the test; ncurses' own allocations are not ours
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/test/lsan.supp:exitcode=86}"
pass=0
fail=0
skip=0

run() { # name command...
	name=$1
	shift
	log="$LOGS/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		status=0
	else
		status=$?
	fi
	secs=$(($(date +%s) - start))
	if [ "$status" = 77 ]; then
		skip=$((skip + 1))
		echo "SKIP $name ($(tail -n 1 "$log"))"
		rm -f "$log"
	elif [ "$status" = 0 ]; then
		pass=$((pass + 1))
		echo "PASS $name (${secs}s)"
		rm -f "$log"
	else
		fail=$((fail + 1))
		echo "FAIL $name (exit $status, log: $B/test-logs/$(basename "$log"))"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
}

for t in "$B"/test/test_*; do
	[ -x "$t" ] || continue
	run "unit/$(basename "$t")" "$t"
done
for dir in e2e capture tui hostile fuzz; do
	for t in test/$dir/*.sh; do
		[ -f "$t" ] || continue
		case "$t" in */lib.sh|*/_*) continue ;; esac
		run "$dir/$(basename "$t" .sh)" sh "$t"
	done
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
