#!/bin/sh
# redact_diff.sh [REV] — the build's redaction against src/redact.c of REV
# (default: the parent of the commit that made redaction a policy over
# detail.h's items, its last string-matching version), on every fixture
# log and test/expected file, for SEEDS (default "1 2 3 4 5"). Run from the
# repository after `make build/libhscore.a`. Exit 1 when any byte is less
# strict.
set -e
REV=${1:-$(git log -1 --format=%H --grep="^redact.c: a policy over the detail reader's items")~1}
SEEDS=${SEEDS:-1 2 3 4 5}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
git show "$REV:src/redact.c" |
	sed 's/hs_redact_event/old_redact_event/; s/hs_redact_foreign/old_redact_foreign/' >"$T/old_redact.c"
${CC:-cc} -std=c11 -O1 -D_DEFAULT_SOURCE -Iinclude -o "$T/redact_diff" test/tools/redact_diff.c \
	"$T/old_redact.c" build/libhscore.a -lpcre2-8 -lcjson -lsqlite3 -lz -llzma -lzstd -lbz2 -lm -pthread
rc=0
for s in $SEEDS; do
	SEED=$s "$T/redact_diff" test/fixtures/*/*.log test/fixtures/*/*.spy \
		$(find test/hostile/cases test/expected -type f -size -2M) || rc=1
done
exit $rc
