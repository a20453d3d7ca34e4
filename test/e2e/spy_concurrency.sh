# spy_concurrency.sh — real captures of threads and processes writing one
# spy log (a spy of OpenSC 0.26.1, or Debian's of 0.23, in front of
# SoftHSM, recorded with test/capture/p11conc.c; see
# test/fixtures/spy/README.md): every call counted once with its own
# return, each thread on the session its own C_OpenSession returned, one
# session per thread, and no anomaly.
. "$(dirname "$0")/lib.sh"
. "$ROOT/test/capture/_conc.sh"
S="$FIX/spy"
conc_check "$S/conc-threads-0261.log" 1 4 50
conc_check "$S/conc-procs-0261.log" 3 1 20
conc_check "$S/conc-procs-threads-0261.log" 3 2 10
conc_check "$S/conc-procs-threads-0261-b.log" 3 2 10
conc_check "$S/conc-procs-threads-0261-c.log" 3 2 10
# recordings the parser of hsmscope 0.3.0 got wrong (the README says how
# each failed): 0.26's header, 4 threads; 0.23's, 3 processes x 2 threads
for f in conc-threads-0261-b conc-threads-0261-c conc-threads-0261-d conc-threads-0261-e conc-threads-0261-f conc-threads-0261-g \
	conc-threads-0261-h conc-threads-0261-i conc-threads-0261-j conc-threads-0261-k conc-threads-0261-l \
	conc-threads-0261-m conc-threads-0261-n conc-threads-0261-o conc-threads-0261-p conc-threads-0261-q \
	conc-threads-0261-r conc-threads-0261-s conc-threads-0261-t conc-threads-0261-u \
	conc-threads-0261-v conc-threads-0261-w conc-threads-0261-x conc-threads-0261-y \
	conc-threads-0261-z; do
	conc_check "$S/$f.log" 1 4 50
done
# each thread's buffers lie on its own stack (1 MiB blocks apart): a
# certain C_Sign whose signature lies off its data's stack shows another
# thread's output (conc-threads-0261-z's C_Sign 368, line 5939, took a
# C_Sign's of the thread at 00007fbd065fc..., by order alone). 0.23's
# header too, where no thread is named: conc-threads-023-d's C_Sign of
# lines 5943 and 5976 each took the output of the session whose data lay
# beside it, certain before the old header noted each session's buffers
for f in "$S"/conc-*.log; do
	n="$("$HS" analyze "$f" --format events | jq -s -r 'map(select(.func == "C_Sign" and (.uncertain | not)) |
		(.template_summary.structured_info // []) as $s |
		($s | map(select(startswith("[in] pData"))) | .[0] // "" | split(" ")[2] // "") as $d |
		($s | map(select(startswith("[out] pSignature"))) | .[0] // "" | split(" ")[2] // "") as $o |
		select($d != "" and $o != "" and $o[0:11] != $d[0:11])) | length')"
	[ "$n" = 0 ] || fail "$(basename "$f"): $n certain C_Sign with an output off their own stack"
done
# conc-threads-0261-u's call 173 (a C_SignInit, line 2734): its thread
# line and the next one's went by the sessions' state alone (uncertain),
# until the C_Sign that took the other showed its pData at
# 00007f8b3cffea70, where that thread's earlier C_Sign buffers lay and far
# from this one's: certain, on thread 0x140235992196800
"$HS" analyze "$S/conc-threads-0261-u.log" --format events >"$T/u.events" || fail "u: events"
jq -e -s 'map(select(.line == 2734)) | .[0] | .uncertain == false and .tid == 140235992196800 and .session == 5' \
	"$T/u.events" >/dev/null || fail "u: call 173 not certain on its thread"
# 0.23's header, one process of 4 threads
conc_check "$S/conc-threads-023.log" 1 4 50
conc_check "$S/conc-threads-023-b.log" 1 4 50
conc_check "$S/conc-threads-023-c.log" 1 4 50
# its line 4786 holds one thread's output name, another's input name, the
# first one's "addr / 256" and the second's own "NULL [size : 0x0 (0)]"
# glued after it: the C_SignInit there has just its four inputs, the
# address and the signature's rows went to the C_Sign whose stack they
# lie on (each C_Sign's signature buffer 64 bytes above its data)
"$HS" analyze "$S/conc-threads-023-c.log" --format events >"$T/c.events" || fail "023-c: events"
jq -e -s 'map(select(.line == 4786)) | .[0].template_summary.structured_info |
	length == 4 and .[2] == "[in] pMechanism->pParameter[ulParameterLen] NULL [size : 0x0 (0)]"' "$T/c.events" >/dev/null ||
	fail "023-c: the C_SignInit of line 4786 took another thread's output"
[ "$(jq -s -r 'map(select(.func == "C_Sign" and .line >= 4700 and .line <= 4900) | .template_summary.structured_info |
	(map(select(startswith("[in] pData"))) | .[0] | split(" ")[2]) as $d |
	(map(select(startswith("[out] pSignature"))) | .[0] // "" | split(" ")[2]) as $o |
	select($o == null or $o[0:13] != $d[0:13])) | length' "$T/c.events")" = 0 ] ||
	fail "023-c: a C_Sign near line 4786 has an output off its own stack"
conc_check "$S/conc-threads-023-d.log" 1 4 50
conc_check "$S/conc-threads-023-e.log" 1 4 50
conc_check "$S/conc-threads-023-f.log" 1 4 50
# alike calls waiting for a time line: a handle goes to the oldest headed
# after its session was free (-g: a C_SignInit headed when only 0x3 had
# come back; -h: three C_SignInit, two threads freed between them)
conc_check "$S/conc-threads-023-g.log" 1 4 50
conc_check "$S/conc-threads-023-h.log" 1 4 50
# a time line glued after an output's "addr / 256" (line 2099)
conc_check "$S/conc-threads-023-i.log" 1 4 50
# -j (test/open's old-threads-c): a C_SignInit on 0x6 headed at line 5702
# took a return 500 lines on (6231) while 0x6's thread made a dozen calls;
# that late return no longer makes 0x6 look busy when C_SignInit 385
# (6230, just after 0x6's C_Sign returned) waits for 0x6's inputs (6254)
conc_check "$S/conc-threads-023-j.log" 1 4 50
"$HS" analyze "$S/conc-threads-023-j.log" --format events >"$T/j.events" || fail "023-j: events"
jq -e -s '[.[] | select(.line == 6230 or .line == 6253 or .line == 6291) | .session] == [6, 3, 6]' \
	"$T/j.events" >/dev/null || fail "023-j: C_SignInit 385, 387, 389 not on 0x6, 0x3, 0x6"
# -f's headers 337 and 339 (C_SignInit, lines 5440 and 5463): 0x3's
# C_Sign printed its output (de5fbab0, on 0x3's stack) at 5444, after
# 337's header, so 0x3's next C_SignInit is 339 and 0x4's is 337
"$HS" analyze "$S/conc-threads-023-f.log" --format events >"$T/f.events" || fail "023-f: events"
jq -e -s '[.[] | select(.line == 5440 or .line == 5463) | .session] == [4, 3]' \
	"$T/f.events" >/dev/null || fail "023-f: C_SignInit 337 and 339 not on 0x4 and 0x3"
for f in conc-procs-threads-023 conc-procs-threads-023-b conc-procs-threads-023-c \
	conc-procs-threads-023-d conc-procs-threads-023-e conc-procs-threads-023-f conc-procs-threads-023-g \
	conc-procs-threads-023-h conc-procs-threads-023-i conc-procs-threads-023-j conc-procs-threads-023-k \
	conc-procs-threads-023-l conc-procs-threads-023-m conc-procs-threads-023-n conc-procs-threads-023-o \
	conc-procs-threads-023-p conc-procs-threads-023-q conc-procs-threads-023-r conc-procs-threads-023-s \
	conc-procs-threads-023-t conc-procs-threads-023-u conc-procs-threads-023-v; do
	conc_check "$S/$f.log" 3 2 10
done
# a refresh that resumes where a process's count has skipped a number
# (conc-procs-threads-023-u, line 350: the hole rule and sess_hole have
# moved it) reads on as a whole parse does: the resume state keeps holes
L="$T/grow.log"
head -n 350 "$S/conc-procs-threads-023-u.log" >"$L"
XDG_CACHE_HOME="$T/grow" "$HS" export "$L" --format json >/dev/null || fail "grow: first export"
tail -n +351 "$S/conc-procs-threads-023-u.log" >>"$L"
a=$(XDG_CACHE_HOME="$T/grow" "$HS" export "$L" --format json | jq -c 'map(del(.file, .op_id))')
b=$(XDG_CACHE_HOME="$T/whole" "$HS" export "$L" --format json | jq -c 'map(del(.file, .op_id))')
[ -n "$a" ] && [ "$a" = "$b" ] || fail "grow: a refresh after line 350 reads conc-procs-threads-023-u otherwise than a whole parse"
# grow LOG LINE TAG: LOG indexed up to LINE, then refreshed with the rest,
# reads as a whole parse of it does
grow() {
	L="$T/grow-$3.log"
	head -n "$2" "$1" >"$L"
	XDG_CACHE_HOME="$T/grow-$3" "$HS" index "$L" >/dev/null || fail "grow $3: first index"
	tail -n +"$(($2 + 1))" "$1" >>"$L"
	XDG_CACHE_HOME="$T/grow-$3" "$HS" index "$L" | grep -q refreshed || fail "grow $3: not refreshed"
	a=$(XDG_CACHE_HOME="$T/grow-$3" "$HS" export "$L" --format json | jq -c 'map(del(.file, .op_id))')
	b=$(XDG_CACHE_HOME="$T/whole-$3" "$HS" export "$L" --format json | jq -c 'map(del(.file, .op_id))')
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "grow $3: a refresh after line $2 reads $(basename "$1") otherwise than a whole parse"
}
# the old header's rings of returns and of session handles returned
# (spy_free.c) are in the resume state: cut there, 023-j's C_SignInit 388
# and 390 went to each other's sessions on the refresh
grow "$S/conc-threads-023-j.log" 2254 j1
grow "$S/conc-threads-023-j.log" 3381 j2

# The threaded capture issue 16 was measured on (OpenSC 0.26): 420 calls,
# four of whose returns the spy glued to the end of another thread's dump
# row ("...yy....;.Returned:  0 CKR_OK"). One C_Sign there is undecidable:
# the rows of its signature and of another thread's interleave from the
# same offsets, so neither call can be told its own; it says so
# (uncertain) instead of raising never_returned.
L="$S/softhsm-threads-opensc026.log"
J="$T/s.json" E="$T/s.events"
"$HS" analyze "$L" --format json >"$J" && "$HS" analyze "$L" --format events >"$E" || fail "analyze"
[ "$(jq .total_calls "$J")" = 420 ] || fail "sample: total_calls $(jq .total_calls "$J")"
[ "$(jq -c .anomalies "$J")" = '{}' ] || fail "sample: anomalies $(jq -c .anomalies "$J")"
[ "$(jq -c .sessions "$J")" = '{"opened":5,"closed":5,"leaked":0}' ] || fail "sample: sessions $(jq -c .sessions "$J")"
[ "$(jq -s 'map(select(.rv_name == "CKR_OK")) | length' "$E")" -ge 419 ] || fail "sample: calls without their CKR_OK"
jq -s -e 'map(select(.incomplete and (.uncertain | not))) | length == 0' "$E" >/dev/null ||
	fail "sample: a call reported never returned with certain attribution"
bad=$(jq -s -r 'map(select(.tid != null)) | group_by(.tid) | .[] |
	(map(select(.func == "C_OpenSession")) | map(.session)) as $o |
	(map(select(.session != null)) | map(.session) | unique) as $s |
	select(($o | length) != 1 or $s != $o) | "thread \(.[0].tid): opened \($o), used \($s)"' "$E")
[ -z "$bad" ] || fail "sample: $bad"
# every event says whether its attribution is certain; the index has it too
jq -s -e 'all(has("uncertain"))' "$E" >/dev/null || fail "events carry no uncertain field"
[ "$("$HS" sql "$L" "SELECT count(*) FROM events WHERE uncertain" --format csv | tail -n 1 | tr -d "\r")" = \
  "$(jq -s 'map(select(.uncertain)) | length' "$E")" ] || fail "index and JSON disagree on uncertain"
# The old header names no process: two processes whose counts are both at
# 1 when a "1:" comes, with no line of its chunk to say whose, make its
# process a guess, and the call says so (uncertain: no anomaly from it)
L="$T/guess.log"
cat >"$L" <<'LOG'

*************** OpenSC PKCS#11 spy *****************
Loaded: "/usr/lib/softhsm/libsofthsm2.so"
*************** OpenSC PKCS#11 spy *****************
Loaded: "/usr/lib/softhsm/libsofthsm2.so"

0: C_Initialize
2026-11-22 12:00:01.000
[in] pInitArgs = (nil)
Returned:  0 CKR_OK

0: C_Initialize
2026-11-22 12:00:01.001
[in] pInitArgs = (nil)
Returned:  0 CKR_OK

1: C_Finalize
2026-11-22 12:00:01.002
[in] pReserved = (nil)
Returned:  0 CKR_OK
LOG
[ "$("$HS" grep "$L" -c 'uncertain && func == C_Finalize')" = 1 ] ||
	fail "a call whose process is a guess is not said uncertain"
[ "$("$HS" grep "$L" -c 'uncertain')" = 1 ] || fail "calls whose process is certain are said uncertain"

echo "ok: threads and processes, both headers"
