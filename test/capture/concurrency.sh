# concurrency.sh — threads and processes writing one spy log, recorded now
# through Debian's pkcs11-spy (the old header: no pid, no thread per call)
# in front of SoftHSM: test/capture/p11conc.c with 4 threads x 50
# signatures in one process, then three processes at once, then three
# processes of two threads each (plain run only). Checks, through
# _conc.sh, every call and its return, one session per thread — the
# handles the workload itself printed — the sessions tree, and no anomaly
# on a workload where every call succeeds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/_conc.sh"
cap_setup
command -v jq >/dev/null || skip "no jq"
command -v cc >/dev/null || skip "no C compiler"
P11_CFLAGS=$(pkg-config --cflags p11-kit-1 2>/dev/null) || skip "no p11-kit-1 headers (libp11-kit-dev)"
cc -O2 -pthread $P11_CFLAGS -o "$CAP/p11conc" "$(dirname "$0")/p11conc.c" -ldl 2>"$CAP/cc.out" ||
	skip "cannot build the workload: $(head -n 1 "$CAP/cc.out")"
softhsm2-util --init-token --free --label conc --so-pin "$SO_PIN" --pin "$USER_PIN" >/dev/null ||
	fail "softhsm2-util could not make a token"
pkcs11-tool --module "$SOFTHSM" --token-label conc --login --pin "$USER_PIN" \
	--keypairgen --key-type rsa:2048 --id 01 --label conc-rsa >/dev/null 2>&1 || fail "keygen"
T="$CAP"

# one process, four threads. The old header names no thread: which of two
# interleaved calls a line belongs to is sometimes undecidable (26 of 26
# fresh recordings were exact in session 5; about one in four was not in
# session 4; in session 9, 331 of 332, 160 of them beside two busy loops,
# with 329 before that session's old-header thread rules). A wrong recording is said on stderr and recorded again; the
# test fails when eight in a row are wrong. Under the sanitizers every call
# is slower and the threads interleave far more: that run records the
# processes only (the committed 0.26 recordings, test/e2e/spy_concurrency.sh,
# keep the threads' attribution under the sanitizers too).
try=0
while [ "${HS_SANITIZED:-0}" != 1 ]; do
	try=$((try + 1))
	L="$CAP/threads.$try.log"
	PKCS11SPY_OUTPUT="$L" "$CAP/p11conc" "$SPY" conc "$USER_PIN" conc-rsa 4 50 >"$CAP/threads.out" 2>&1 ||
		fail "the threads workload failed: $(cat "$CAP/threads.out")"
	(conc_check "$L" 1 4 50 "$CAP/threads.out") && break
	[ "$try" -lt 8 ] || fail "eight recordings of the threads in a row were mis-attributed"
	echo "note: recording $try of the threads was mis-attributed (above); recording again" >&2
done

# run_procs LOG NAME THREADS ITER: three processes of p11conc on one log.
# SoftHSM now and then finds no token in a process that starts while
# another reads its token store, so each starts only once the one before
# holds its key (P11CONC_READY), and all three sign together once the
# third is ready (P11CONC_GO). Their outputs go to $CAP/NAME.out; fails
# (returns 1) when a process failed.
run_procs() {
	rlog=$1 name=$2 th=$3 it=$4
	rm -f "$CAP/$name.go" "$CAP/$name".ready.*
	pids=
	for k in 1 2 3; do
		PKCS11SPY_OUTPUT="$rlog" P11CONC_READY="$CAP/$name.ready.$k" P11CONC_GO="$CAP/$name.go" \
			"$CAP/p11conc" "$SPY" conc "$USER_PIN" conc-rsa "$th" "$it" >"$CAP/$name.$k.out" 2>&1 &
		pid=$!
		pids="$pids $pid"
		w=0
		while [ ! -e "$CAP/$name.ready.$k" ] && kill -0 "$pid" 2>/dev/null && [ "$w" -lt 600 ]; do
			sleep 0.1
			w=$((w + 1))
		done
	done
	: >"$CAP/$name.go"
	ok=0
	for pid in $pids; do wait "$pid" || ok=1; done
	cat "$CAP/$name".[123].out >"$CAP/$name.out"
	return $ok
}

# three processes at once
try=0
while :; do
	try=$((try + 1))
	L="$CAP/procs.$try.log"
	run_procs "$L" procs 1 20 && break
	[ "$try" -lt 5 ] || fail "the three processes never all ran: $(cat "$CAP/procs.out")"
done
conc_check "$L" 3 1 20 "$CAP/procs.out"

# three processes of two threads each: the old header names neither, and
# when two processes' call counts meet, whose a header is can only be
# told from the chunks the spy flushes at each return and from where each
# process's buffers lie. 15 of 20 fresh recordings were exact in session 5
# (2 of 20 before), 29 of 30 later (24 of 30 before); in session 6, with
# each process's sessions as evidence too, 113 of 115 (96 of 115 before;
# one process of 4 threads: 104 of 105, 103 before). In session 8, with
# the fixes that made conc-*-023-[c-f,j-m].log exact, 79 of 82 (72 of 82
# before); one process of 4 threads: 82 of 82 (79 before). In session 9,
# with mates of guesses followed and traded (conc-procs-threads-023-[n-v]),
# 260 of 260 (241 of 260 before). A wrong one is said and recorded again,
# as above, in the plain run only.
try=0
while [ "${HS_SANITIZED:-0}" != 1 ]; do
	try=$((try + 1))
	L="$CAP/pt.$try.log"
	ok=0
	run_procs "$L" pt 2 10 && ok=1
	if [ "$ok" = 1 ]; then
		(conc_check "$L" 3 2 10 "$CAP/pt.out") && break
		echo "note: recording $try of the processes' threads was mis-attributed (above); recording again" >&2
	fi
	[ "$try" -lt 8 ] || fail "eight recordings of three processes' threads in a row failed"
done
assert_no_pins "$(ls "$CAP"/cache/hsmscope/*.db | head -n 1)" "$CAP/conc.json" "$CAP/conc.events"
if [ "${HS_SANITIZED:-0}" = 1 ]; then
	echo "ok: 3 processes, old header (threads: in the plain run)"
else
	echo "ok: 4 threads, 3 processes, 3 processes x 2 threads, old header"
fi
