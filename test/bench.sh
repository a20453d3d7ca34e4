#!/bin/sh
# bench.sh — `make bench`: index a >= 300 MB pkcs11-spy log built by
# repeating the bundled real captures, and time it beside wc -l, grep and
# lnav on the same file in the same run. Prints seconds, MB/s, calls/s, peak
# RSS, and the reopen time; then the filter timings beside grep -cP.
#
# BENCH_MB (default 300) sets the size; BENCH_DIR where the data goes.
set -eu
cd "$(dirname "$0")/.."
HS=./hsmscope
MB=${BENCH_MB:-300}
DIR=${BENCH_DIR:-bench-data}
LOG="$DIR/bench-spy.log"
IDX="$DIR/bench.db"
mkdir -p "$DIR"
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench: needs GNU time (Debian package 'time')" >&2; exit 1; }

if [ ! -f "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt $((MB * 1000000)) ]; then
	echo "bench: building a ${MB} MB log from share/samples/softhsm-basic*.log ..."
	cat share/samples/softhsm-basic.log share/samples/softhsm-basic-opensc026.log >"$DIR/unit.log"
	: >"$LOG"
	# double a chunk until it is big, then append chunks: few processes, fast
	cp "$DIR/unit.log" "$DIR/chunk.log"
	while [ "$(stat -c %s "$DIR/chunk.log")" -lt 20000000 ]; do
		cat "$DIR/chunk.log" "$DIR/chunk.log" >"$DIR/chunk2.log" && mv "$DIR/chunk2.log" "$DIR/chunk.log"
	done
	while [ "$(stat -c %s "$LOG")" -lt $((MB * 1000000)) ]; do
		cat "$DIR/chunk.log" >>"$LOG"
	done
	rm -f "$DIR/unit.log" "$DIR/chunk.log"
fi
size=$(stat -c %s "$LOG")
mb=$(awk "BEGIN{printf \"%.1f\", $size/1000000}")

# t CMD...: run CMD (output discarded); sets $secs (wall) and $rss (peak KB)
t() {
	/usr/bin/time -f "%e %M" -o "$DIR/time.out" "$@" >"$DIR/cmd.out" 2>&1 || true
	secs=$(awk '{print $1}' "$DIR/time.out")
	rss=$(awk '{print $2}' "$DIR/time.out")
}
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1/$2; else print \"-\" }"; }

cat "$LOG" >/dev/null # warm the page cache so every tool reads from memory
rm -f "$IDX"
t wc -l "$LOG"; t_wc=$secs
t grep -c 'Returned:' "$LOG"; t_grep=$secs
t "$HS" index "$LOG" --index "$IDX" --rebuild; t_idx=$secs; rss_idx=$rss
calls=$("$HS" index "$LOG" --index "$IDX" | sed -n 's/^events *//p')
t "$HS" index "$LOG" --index "$IDX"; t_reopen=$secs; rss_reopen=$rss
if command -v lnav >/dev/null 2>&1; then
	t lnav -n "$LOG"; t_lnav=$secs
else
	t_lnav=""
fi

echo
echo "file            $LOG, $mb MB, $calls calls"
echo "hsmscope index  ${t_idx} s, $(awk "BEGIN{printf \"%.1f\", $mb/$t_idx}") MB/s, $(awk "BEGIN{printf \"%.0f\", $calls/$t_idx}") calls/s, peak RSS $((rss_idx / 1024)) MB"
echo "reopen (reuse)  ${t_reopen} s, peak RSS $((rss_reopen / 1024)) MB"
echo "wc -l           ${t_wc} s   (hsmscope index / wc -l = $(ratio "$t_idx" "$t_wc"))"
echo "grep -c         ${t_grep} s   (hsmscope index / grep = $(ratio "$t_idx" "$t_grep"))"
if [ -n "$t_lnav" ]; then
	echo "lnav -n         ${t_lnav} s   (lnav / hsmscope index = $(ratio "$t_lnav" "$t_idx")x; target >= 3)"
else
	echo "lnav            not installed (Debian package lnav): ratio skipped"
fi

echo
echo "filters on the index (hsmscope grep --count), beside grep -cP on the raw file:"
for f in 'rv != CKR_OK' 'func == C_Sign' 'func ~ "Sign|Verify"' 'CKM_SHA256'; do
	t "$HS" grep "$LOG" --index "$IDX" --count "$f"; tf=$secs
	n=$("$HS" grep "$LOG" --index "$IDX" --count "$f")
	printf '  %-24s %6s s  %9s events\n' "$f" "$tf" "$n"
done
t grep -cP 'CKM_SHA256' "$LOG"; t_gp=$secs
echo "  grep -cP CKM_SHA256      ${t_gp} s"
