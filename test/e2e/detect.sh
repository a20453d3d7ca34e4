# detect.sh — the format comes from content only: a trace of each format,
# renamed to say nothing and with a few lines of other output on top (a
# shell prompt, a tool's messages), is read as the same format with the
# same events; `analyze` names the format of each file of a mixed set.
. "$(dirname "$0")/lib.sh"
set -e
command -v jq >/dev/null || { echo "no jq"; exit 77; }
i=0
for pair in spy:share/samples/softhsm-basic.log cloudhsm:test/fixtures/cloudhsm/doc-examples.log \
	p11kit:test/fixtures/p11kit/basic.log nss:test/fixtures/nss/login-l4-ts.log \
	shim:test/fixtures/shim/pkcs11-tool.log logger:test/fixtures/logger/cross-logger.log; do
	fmt=${pair%%:*} f=$ROOT/${pair#*:}
	i=$((i + 1))
	"$HS" analyze "$f" --format json >"$T/plain.json"
	[ "$(jq -r '.files[0].format' "$T/plain.json")" = "$fmt" ] || fail "$f is not read as $fmt"
	{
		printf '$ ./run-the-app --verbose\n'
		printf 'warning: using the test token\n'
		printf 'Starting at %s\n\n' "2026-12-01 10:00:00"
		cat "$f"
	} >"$T/trace$i.txt"
	"$HS" analyze "$T/trace$i.txt" --format json >"$T/junk.json"
	[ "$(jq -r '.files[0].format' "$T/junk.json")" = "$fmt" ] || fail "$fmt: not detected under three lines of output"
	[ "$(jq '.total_calls' "$T/junk.json")" = "$(jq '.total_calls' "$T/plain.json")" ] ||
		fail "$fmt: other events under the lines on top"
	[ "$(jq -c '.by_rv' "$T/junk.json")" = "$(jq -c '.by_rv' "$T/plain.json")" ] || fail "$fmt: other return codes"
done
# all six as one set: each file keeps its own format
"$HS" analyze "$T"/trace*.txt --format json >"$T/all.json"
[ "$(jq -r '[.files[].format] | join(" ")' "$T/all.json")" = "spy cloudhsm p11kit nss shim logger" ] ||
	fail "mixed set: $(jq -c '[.files[].format]' "$T/all.json")"
"$HS" analyze "$T"/trace*.txt | grep -c '^file .*(\(spy\|cloudhsm\|p11kit\|nss\|shim\|logger\): ' >"$T/n"
[ "$(cat "$T/n")" = 6 ] || fail "analyze text does not name each file's format"
echo "ok: six formats detected from content, under other output, alone and together"
