#!/bin/sh
# bench.sh — `make bench`: index a >= 300 MB PKCS#11 trace built from real
# captures and time it beside lnav loading the same file, wc -l and grep -c,
# in the same run. The mix: pkcs11-spy traces recorded here and now through
# SoftHSM (old header: several processes at once, a wrong PIN, a process
# killed mid-call, pkcs11-tool --test), and the bundled OpenSC 0.26 captures
# (new header, one with several threads).
#
# Prints: hsmscope index --rebuild (s, MB/s, calls/s, peak RSS, index size
# and its ratio to the log) and lnav's load (`lnav -n -c ';SELECT count(*)
# FROM all_logs'`: lnav reads and indexes every line, then answers one
# query; `lnav -n FILE` would time printing the file), each the median of 3
# runs taken in pairs back to back (the machine may be shared); wc -l, grep
# -c and the ratios; the reopen time; the explorer's first screen on the
# log with no index yet (tmux); the refresh after appending one call; the
# filter timings.
#
# BENCH_MB (default 300) sets the size; BENCH_DIR where the data goes;
# BENCH_RUNS (default 3) the runs of the main pair. BENCH_BASELINE=PATH
# (another hsmscope binary, e.g. the last release) joins the main runs, for
# before/after figures on the same file in the same run.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
HS=$ROOT/hsmscope
BASE=${BENCH_BASELINE:-}
MB=${BENCH_MB:-300}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-bench-data}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
LOG="$DIR/bench-mix.log"
IDX="$DIR/bench.db"
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench: needs GNU time (Debian package 'time')" >&2; exit 1; }

# capture OUT: record old-header spy traces of a few workloads into OUT
capture() {
	(
		. "$ROOT/test/capture/lib.sh"
		cap_setup
		L="$CAP/cap.log"
		softhsm2-util --init-token --free --label bench --so-pin "$SO_PIN" --pin "$USER_PIN" >/dev/null
		spytool "$L" --list-slots
		spytool "$L" --list-mechanisms
		spytool "$L" --token-label bench --login --pin "$USER_PIN" --keypairgen --key-type rsa:2048 --id 01 --label rsa
		spytool "$L" --token-label bench --login --pin "$USER_PIN" --keypairgen --key-type EC:prime256v1 --id 02 --label ec
		spytool "$L" --token-label bench --login --pin "$WRONG_PIN" --list-objects
		# several processes writing the one file at once
		for w in a b c; do
			(
				i=0
				while [ $i -lt 3 ]; do
					spytool "$L" --token-label bench --login --pin "$USER_PIN" --sign --mechanism SHA256-RSA-PKCS \
						--id 01 --input-file "$CAP/data.txt" --output-file "$CAP/sig.$w.$i"
					spytool "$L" --token-label bench --login --pin "$USER_PIN" --list-objects
					i=$((i + 1))
				done
			) &
		done
		wait
		spytool "$L" --token-label bench --login --pin "$USER_PIN" --so-pin "$SO_PIN" --test
		# a process killed in the middle of a call (no Returned:)
		PKCS11SPY_OUTPUT="$L" pkcs11-tool --module "$SPY" --token-label bench --login --pin "$USER_PIN" \
			--keypairgen --key-type rsa:4096 --id 09 >/dev/null 2>&1 &
		pid=$!
		sleep 0.3
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		spytool "$L" --token-label bench --login --pin "$USER_PIN" --list-objects
		cp "$L" "$1"
	)
}

if [ ! -f "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt $((MB * 1000000)) ]; then
	echo "bench: recording spy traces through SoftHSM ..."
	rm -f "$DIR/cap.log"
	capture "$DIR/cap.log" || echo "bench: no capture tools here (opensc, softhsm2): bundled captures only"
	echo "bench: building a ${MB} MB log ..."
	cat share/samples/softhsm-basic.log share/samples/softhsm-basic-opensc026.log \
		test/fixtures/spy/softhsm-threads-opensc026.log >"$DIR/unit.log"
	[ -s "$DIR/cap.log" ] && cat "$DIR/cap.log" "$DIR/cap.log" >>"$DIR/unit.log"
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

# t CMD...: run CMD (output discarded); sets $secs (wall), $cpu (user +
# system s: steadier than wall time when others share the machine) and
# $rss (peak KB)
t() {
	/usr/bin/time -f "%e %M %U %S" -o "$DIR/time.out" "$@" >"$DIR/cmd.out" 2>&1 || true
	secs=$(awk '{print $1}' "$DIR/time.out")
	rss=$(awk '{print $2}' "$DIR/time.out")
	cpu=$(awk '{printf "%.2f", $3 + $4}' "$DIR/time.out")
}
# ms CMD...: wall time of CMD in ms (finer than time(1)'s 10 ms), in $msecs
ms() {
	a=$(date +%s%N)
	"$@" >"$DIR/cmd.out" 2>&1 || true
	b=$(date +%s%N)
	msecs=$(((b - a) / 1000000))
}
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1/$2; else print \"-\" }"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# lnav keeps its config and caches under HOME: a private one, warmed once
LNAV_HOME="$DIR/lnav-home"
mkdir -p "$LNAV_HOME"
cat >"$DIR/lnav-load.sh" <<EOF
HOME='$LNAV_HOME' exec lnav -n -c ';SELECT count(*) FROM all_logs' "\$@"
EOF
have_lnav=0
if command -v lnav >/dev/null 2>&1; then
	have_lnav=1
	head -c 100000 "$LOG" >"$DIR/warm.log"
	sh "$DIR/lnav-load.sh" "$DIR/warm.log" >/dev/null 2>&1 || true
	rm -f "$DIR/warm.log"
fi

cat "$LOG" >/dev/null # warm the page cache so every tool reads from memory
t wc -l "$LOG"; t_wc=$secs
lines=$(wc -l <"$LOG")
t grep -c 'Returned:' "$LOG"; t_grep=$secs

# the main pair, back to back, RUNS times
idx_s="" idx_rss="" lnav_s="" lnav_rss="" base_s="" base_rss="" idx_cpu="" lnav_cpu="" base_cpu=""
r=0
while [ $r -lt "$RUNS" ]; do
	t "$HS" index "$LOG" --index "$IDX" --rebuild
	idx_s="$idx_s $secs" idx_rss="$idx_rss $rss" idx_cpu="$idx_cpu $cpu"
	if [ -n "$BASE" ]; then
		t "$BASE" index "$LOG" --index "$DIR/baseline.db" --rebuild
		base_s="$base_s $secs" base_rss="$base_rss $rss" base_cpu="$base_cpu $cpu"
	fi
	if [ $have_lnav = 1 ]; then
		t sh "$DIR/lnav-load.sh" "$LOG"
		lnav_s="$lnav_s $secs" lnav_rss="$lnav_rss $rss" lnav_cpu="$lnav_cpu $cpu"
	fi
	r=$((r + 1))
done
# shellcheck disable=SC2086
{ t_idx=$(median $idx_s); rss_idx=$(median $idx_rss); c_idx=$(median $idx_cpu); }
calls=$("$HS" index "$LOG" --index "$IDX" | sed -n 's/^events *//p')
isize=$(stat -c %s "$IDX")
ms "$HS" index "$LOG" --index "$IDX"; m1=$msecs
ms "$HS" index "$LOG" --index "$IDX"; m2=$msecs
ms "$HS" index "$LOG" --index "$IDX"; m3=$msecs
t_reopen=$(median $m1 $m2 $m3)

# first screen: the explorer on the log with no index yet, in a private
# tmux server, from its launch until the first event's row is on the
# screen (the rest loads meanwhile); q then cancels the load. In ms, in
# $fs_ms ("" when it did not show within 30 s).
first_screen() {
	sock="hsbench$$"
	rm -rf "$DIR/ui-cache"
	a=$(date +%s%N)
	tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 50 \
		"XDG_CACHE_HOME='$DIR/ui-cache' TERM=xterm-256color '$HS' '$LOG'; echo HS-EXIT; sleep 60"
	fs_ms="" i=0
	while [ $i -lt 1500 ]; do
		if tmux -L "$sock" capture-pane -p 2>/dev/null | grep -Eq '^ +1 [^ ]'; then
			b=$(date +%s%N)
			fs_ms=$(((b - a) / 1000000))
			break
		fi
		i=$((i + 1))
		sleep 0.02
	done
	tmux -L "$sock" send-keys q 2>/dev/null || true
	i=0
	while [ $i -lt 500 ] && ! tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q HS-EXIT; do
		i=$((i + 1))
		sleep 0.02
	done
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -rf "$DIR/ui-cache"
}
t_first=""
if command -v tmux >/dev/null 2>&1; then
	first_screen; f1=$fs_ms
	first_screen; f2=$fs_ms
	first_screen; f3=$fs_ms
	[ -n "$f1" ] && [ -n "$f2" ] && [ -n "$f3" ] &&
		t_first=$(awk "BEGIN{printf \"%.2f\", $(median $f1 $f2 $f3)/1000}")
fi

echo
echo "file            $LOG, $mb MB, $lines lines, $calls calls  ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores)"
echo "hsmscope index  ${t_idx} s, $(awk "BEGIN{printf \"%.1f\", $mb/$t_idx}") MB/s, $(awk "BEGIN{printf \"%.0f\", $calls/$t_idx}") calls/s, peak RSS $((rss_idx / 1024)) MB, CPU ${c_idx} s   (runs:$idx_s)"
if [ -n "$BASE" ]; then
	# shellcheck disable=SC2086
	{ t_base=$(median $base_s); rss_base=$(median $base_rss); c_base=$(median $base_cpu); }
	bsize=$(stat -c %s "$DIR/baseline.db")
	echo "baseline index  ${t_base} s, peak RSS $((rss_base / 1024)) MB, CPU ${c_base} s, index $(awk "BEGIN{printf \"%.1f\", $bsize/1000000}") MB   (runs:$base_s; $BASE)"
	echo "                baseline / hsmscope index = $(ratio "$t_base" "$t_idx") x wall, $(ratio "$c_base" "$c_idx") x CPU"
fi
echo "index size      $(awk "BEGIN{printf \"%.1f\", $isize/1000000}") MB = $(ratio "$isize" "$size") x the log   (target <= 0.5)"
if [ $have_lnav = 1 ]; then
	# shellcheck disable=SC2086
	{ t_lnav=$(median $lnav_s); rss_lnav=$(median $lnav_rss); c_lnav=$(median $lnav_cpu); }
	nl=$(HOME=$LNAV_HOME lnav -n -c ';SELECT lines FROM lnav_file' "$LOG" 2>/dev/null | awk 'NR == 2 { print $1 }')
	echo "lnav load       ${t_lnav} s, peak RSS $((rss_lnav / 1024)) MB, CPU ${c_lnav} s   (runs:$lnav_s; it indexed ${nl:-?} lines)"
	echo "                lnav / hsmscope index = $(ratio "$t_lnav" "$t_idx") x wall, $(ratio "$c_lnav" "$c_idx") x CPU   (target >= 3)"
else
	echo "lnav            not installed (Debian package lnav): ratio skipped"
fi
echo "wc -l           ${t_wc} s   (hsmscope index / wc -l = $(ratio "$t_idx" "$t_wc"))"
echo "grep -c         ${t_grep} s   (hsmscope index / grep -c = $(ratio "$t_idx" "$t_grep"); target <= 20)"
# the floor of a list-only first pass (docs/ENGINE.md, "The floor of a
# list-only first pass"): what the design ENGINE.md proposes could cost at
# best on this file. A measurement, not hsmscope's parser.
if ${CC:-cc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -o "$DIR/bench_floor" test/tools/bench_floor.c \
	$(pkg-config --cflags --libs sqlite3) 2>"$DIR/cmd.out"; then
	t "$DIR/bench_floor" "$LOG" scan; f_scan=$secs
	t "$DIR/bench_floor" "$LOG" rows "$DIR/floor.db"; f_rows=$secs
	t "$DIR/bench_floor" "$LOG" blocks "$DIR/floor.db"; f_blocks=$secs
	rm -f "$DIR/floor.db"
	echo "floor           list facts only (test/tools/bench_floor.c): scan ${f_scan} s, + a SQLite row per call ${f_rows} s, + 1,024 calls a row ${f_blocks} s"
	[ $have_lnav = 0 ] || echo "                lnav / floor = $(ratio "$t_lnav" "$f_rows") x (rows), $(ratio "$t_lnav" "$f_blocks") x (blocks)"
fi
echo "reopen (reuse)  ${t_reopen} ms   (runs: $m1 $m2 $m3; target <= 50)"
if [ -n "$t_first" ]; then
	echo "first screen    ${t_first} s   (the explorer on the log with no index, tmux, launch to first row; runs ms: $f1 $f2 $f3; target <= 1)"
elif command -v tmux >/dev/null 2>&1; then
	echo "first screen    not shown within 30 s   (target <= 1)"
else
	echo "first screen    tmux not installed: skipped"
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

# refresh: one whole call appended (then the log is cut back, so the next
# bench finds it as it was; its index is then rebuilt)
printf '%s\n' '0: C_GetSlotList' '2026-11-22 12:03:10.000' '[in] tokenPresent = 0x0' \
	'[out] pSlotList: ' 'Count is 1' '[out] *pulCount = 0x1' 'Returned:  0 CKR_OK' '' >"$DIR/one-call.log"
cat "$DIR/one-call.log" >>"$LOG"
ms "$HS" index "$LOG" --index "$IDX"; t_ref=$msecs
st=$(sed -n 's/^state *//p' "$DIR/cmd.out")
ev=$(sed -n 's/^events *//p' "$DIR/cmd.out")
truncate -s "$size" "$LOG"
echo
echo "refresh         ${t_ref} ms after appending one call of $(stat -c %s "$DIR/one-call.log") bytes ($st; $ev events; target <= 50)"
