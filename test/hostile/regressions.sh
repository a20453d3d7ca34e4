# regressions.sh — every input a fuzzer crashed on (test/hostile/cases/)
# goes through analyze, export and the explorer: it must end with the exit
# status recorded in its name (…-ok.*: 0, …-bad.*: 2, else either) and no
# crash or sanitizer report.
. "$(dirname "$0")/lib.sh"
set -e
count=0
for f in "$ROOT"/test/hostile/cases/*; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	cp "$f" "$T/$(basename "$f").log"
	rm -f "$T/ix.db"
	run_capped "$T/a.out" "$T/a.err" "$HS" analyze "$T/$(basename "$f").log" --format json --index "$T/ix.db"
	case $st in
	0) hostile "$T/$(basename "$f").log" 0 ;;
	2) hostile "$T/$(basename "$f").log" 2 ;;
	*) cat "$T/a.err" >&2; fail "$(basename "$f"): exit $st" ;;
	esac
done
[ "$count" -gt 0 ] || fail "no regression case found"
echo "ok: $count cases"
