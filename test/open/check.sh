#!/bin/sh
# check.sh — conc_check (test/capture/_conc.sh) on each recording here:
# real concurrent spy captures that hsmscope still gets wrong (issue 16).
# Not part of `make check`: it prints BAD for each one still wrong; a fix
# moves the recording to test/fixtures/spy/ with a check in
# test/e2e/spy_concurrency.sh. Run from the repository after `make`.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HS=${HS:-$ROOT/hsmscope}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$ROOT/test/capture/_conc.sh"
for z in "$ROOT"/test/open/*.log.gz; do
	L="$T/$(basename "$z" .gz)"
	gzip -dc "$z" >"$L"
	case $L in *threads*) a="1 4 50" ;; *) a="3 2 10" ;; esac
	rm -rf "$T/cache"
	if (XDG_CACHE_HOME="$T/cache" conc_check "$L" $a "${z%.log.gz}.out") 2>"$T/err"; then
		echo "ok   $(basename "$z")"
	else
		echo "BAD  $(basename "$z"): $(head -c 200 "$T/err")"
	fi
done
