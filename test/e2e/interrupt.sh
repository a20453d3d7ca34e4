# interrupt.sh — Ctrl-C (SIGINT) or SIGTERM while a large log is being
# indexed stops it and leaves neither an index nor a temporary file.
. "$(dirname "$0")/lib.sh"
set -e
i=0
while [ $i -lt 400 ]; do cat "$SAMPLE"; i=$((i + 1)); done >"$T/big.log"
for sig in INT TERM; do
	rm -rf "$T/idx"
	mkdir "$T/idx"
	"$HS" index "$T/big.log" --index "$T/idx/big.db" >"$T/out" 2>"$T/err" &
	pid=$!
	# wait until the build has started writing its temporary file
	n=0
	while [ -z "$(ls "$T/idx")" ] && [ $n -lt 500 ]; do n=$((n + 1)); sleep 0.01; done
	[ -n "$(ls "$T/idx")" ] || fail "the build never started"
	kill -$sig $pid
	set +e
	wait $pid
	rc=$?
	set -e
	[ "$rc" != 0 ] || { [ -e "$T/idx/big.db" ] && continue; fail "killed before it finished but exit 0"; }
	grep -q 'interrupted' "$T/err" || fail "SIG$sig: no 'interrupted' message: $(cat "$T/err")"
	[ -z "$(ls "$T/idx")" ] || fail "SIG$sig left files: $(ls "$T/idx")"
done
echo ok
