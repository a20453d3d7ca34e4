#!/bin/sh
# _run.sh SECONDS [TARGET...] — run libFuzzer targets for SECONDS each.
# Corpora live in build-fuzz/corpus/<target>/, seeded at the first run from
# test/fixtures, share/samples (their first 64 KiB, in 32 KiB pieces) and
# test/fuzz/filters.txt; a crash is saved under build-fuzz/crash/ and the
# run fails. Prints one line per target: seconds, runs, corpus, result.
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${1:-60}
shift
targets=${*:-$(ls build-fuzz/fuzz_* 2>/dev/null | grep -v '\.' | xargs -n1 basename)}
mkdir -p build-fuzz/crash
seed() { # target dir
	case $1 in
	fuzz_filter)
		i=0
		while IFS= read -r l; do
			i=$((i + 1))
			printf '%s' "$l" >"$2/seed$i"
		done <test/fuzz/filters.txt ;;
	*)
		# the first 64 KiB of each: libFuzzer runs the whole seed corpus
		# before its time limit counts, and the concurrency fixtures
		# (17 MB, alike past their first calls) made that minutes
		for f in $(find test/fixtures share/samples -type f); do
			head -c 65536 "$f" | split -b 32768 -a 3 - "$2/$(echo "$f" | tr '/' '_')."
		done ;;
	esac
}
rc=0
for t in $targets; do
	c=build-fuzz/corpus/$t
	if [ ! -d "$c" ]; then
		mkdir -p "$c"
		seed "$t" "$c"
	fi
	log=build-fuzz/$t.log
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	"build-fuzz/$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=build-fuzz/crash/"$t"- -print_final_stats=1 "$c" >"$log" 2>&1
	st=$?
	runs=$(sed -n "s/^stat::number_of_executed_units: *//p" "$log" | tail -n 1)
	n=$(ls "$c" | wc -l)
	if [ "$st" = 0 ]; then
		echo "$t: ${secs}s, ${runs:-?} runs, corpus $n, no finding"
	else
		echo "$t: FINDING (exit $st) — see $log and build-fuzz/crash/"
		grep -m 5 -E 'ERROR|SUMMARY|runtime error' "$log"
		rc=1
	fi
done
exit $rc
