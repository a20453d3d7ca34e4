# interrupt.sh — Ctrl-C (SIGINT), SIGTERM, a hang-up (SIGHUP) or a broken
# pipe (SIGPIPE) while a large log is being indexed stops it and leaves
# neither an index nor a temporary file; the temporary file of a build
# that was killed outright (SIGKILL) is removed by the next build.
. "$(dirname "$0")/lib.sh"
set -e
i=0
while [ $i -lt 400 ]; do cat "$SAMPLE"; i=$((i + 1)); done >"$T/big.log"
start_build() {
	"$HS" index "$T/big.log" --index "$T/idx/big.db" >"$T/out" 2>"$T/err" &
	pid=$!
	# wait until the build has started writing its temporary file
	n=0
	while [ -z "$(ls "$T/idx")" ] && [ $n -lt 500 ]; do n=$((n + 1)); sleep 0.01; done
	[ -n "$(ls "$T/idx")" ] || fail "the build never started"
}
for sig in INT TERM HUP PIPE; do
	rm -rf "$T/idx"
	mkdir "$T/idx"
	start_build
	kill -$sig $pid
	set +e
	wait $pid
	rc=$?
	set -e
	[ "$rc" != 0 ] || { [ -e "$T/idx/big.db" ] && continue; fail "killed before it finished but exit 0"; }
	grep -q 'interrupted' "$T/err" || fail "SIG$sig: no 'interrupted' message (exit $rc): $(cat "$T/err")"
	[ -z "$(ls "$T/idx")" ] || fail "SIG$sig left files: $(ls "$T/idx")"
done
# killed outright: nothing can clean up then, so the next build does
rm -rf "$T/idx"
mkdir "$T/idx"
start_build
kill -KILL $pid
wait $pid || true
[ -n "$(ls "$T/idx")" ] || fail "SIGKILL: no temporary file to clean up (finished too soon?)"
"$HS" index "$T/big.log" --index "$T/idx/big.db" >"$T/out" 2>"$T/err" || fail "after SIGKILL: $(cat "$T/err")"
[ "$(ls "$T/idx")" = big.db ] || fail "after SIGKILL, the next build left: $(ls "$T/idx")"
echo ok
