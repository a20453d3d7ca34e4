# compressed.sh — hostile compressed logs: bombs, cut and corrupt data,
# bytes after the data, many members. Each ends with a clear one-line
# error or its good part, in bounded time and memory (hostile's caps, and
# the peak RSS of the bombs measured with /usr/bin/time).
. "$(dirname "$0")/lib.sh"
set -e

# peak RSS in KiB of `hsmscope analyze FILE`
peak_kb() {
	command -v /usr/bin/time >/dev/null || { echo 0; return; }
	/usr/bin/time -v "$HS" analyze "$1" --index "$T/rss.db" --rebuild >/dev/null 2>"$T/time.err" || true
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time.err"
}
RSS_MAX_KB=200000

# 1 GB of zeros in ~1 MB of gzip: the decompressed head is binary
head -c 1000000000 /dev/zero | gzip -9 >"$T/zeros.log.gz"
hostile "$T/zeros.log.gz" 2 "binary file"
[ "$(peak_kb "$T/zeros.log.gz")" -lt "$RSS_MAX_KB" ] || fail "zeros bomb: RSS over $RSS_MAX_KB KiB"

# a real log, then 1 GB of newlines, in zstd: refused as a bomb once it
# passes 1000:1, after the log's events; memory stays flat
{ cat "$SAMPLE"; head -c 1000000000 /dev/zero | tr '\0' '\n'; } | zstd -q -19 >"$T/newlines.zst"
hostile "$T/newlines.zst" 2 "decompression bomb"
kb=$(peak_kb "$T/newlines.zst")
[ "$kb" -lt "$RSS_MAX_KB" ] || fail "newline bomb: peak RSS $kb KiB"
echo "ok: bombs end in seconds with a peak RSS of $kb KiB"
"$HS" analyze "$T/newlines.zst" --keep-going --format json >"$T/k.json" 2>"$T/k.err" ||
	fail "newline bomb with --keep-going: $(cat "$T/k.err")"
[ "$(jq .total_calls "$T/k.json")" = 343 ] || fail "the bomb's good part: $(jq .total_calls "$T/k.json") calls"

# cut: every codec says where the data ends; --keep-going keeps what came
# before. The log's handles are random, so that it does not shrink into
# one zstd or bzip2 -1 block and the cut leaves whole blocks before it.
banner >"$T/big.log"
awk 'BEGIN { srand(19); for (i = 0; i < 4000; i++)
	printf "%d: C_GetSlotList\n2026-11-22 12:03:09.%03d\n[in] hSession = 0x%08x\nReturned:  0 CKR_OK\n\n",
	       i, i % 1000, int(rand() * 4294967295) }' >>"$T/big.log"
for z in "gzip -c" "bzip2 -1 -c" "xz -c" "zstd -q -c"; do
	ext=$(echo "$z" | cut -d' ' -f1)
	$z "$T/big.log" >"$T/full.$ext"
	sz=$(wc -c <"$T/full.$ext")
	head -c $((sz * 2 / 3)) "$T/full.$ext" >"$T/cut-$ext.log"
	hostile "$T/cut-$ext.log" 2 "$ext data truncated: the file ends at byte $((sz * 2 / 3))"
	"$HS" analyze "$T/cut-$ext.log" --keep-going --format json >"$T/k.json" 2>"$T/k.err" ||
		fail "cut $ext with --keep-going: $(cat "$T/k.err")"
	grep -q "truncated" "$T/k.err" || fail "cut $ext with --keep-going: the error must still be said"
	kept=$(jq .total_calls "$T/k.json")
	[ "$kept" -gt 0 ] && [ "$kept" -lt 4000 ] || fail "cut $ext: $kept of 4000 calls kept"
	# corrupt in the middle (after the head): an error or the good part, never a crash
	cp "$T/full.$ext" "$T/bad-$ext.log"
	printf 'hsmscope-was-here' | dd of="$T/bad-$ext.log" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
	hostile "$T/bad-$ext.log" 2 "$ext data (corrupt|truncated)"
	# bytes that are not the codec's after the data
	{ cat "$T/full.$ext"; printf 'trailing junk\n'; } >"$T/junk-$ext.log"
	hostile "$T/junk-$ext.log" 2 "followed by bytes that are not $ext|corrupt"
done
echo "ok: cut, corrupt and trailing bytes in gzip, bzip2, xz, zstd"

# nothing inside
printf '' | gzip >"$T/empty.log.gz"
hostile "$T/empty.log.gz" 2 "gzip data holds nothing"
printf 'not a log\n' | xz >"$T/prose.log.xz"
hostile "$T/prose.log.xz" 2 "unrecognised log format \(xz data;"

# many members: 2000 one-line gzip members are one log
i=0
while [ "$i" -lt 2000 ]; do
	printf 'hsmscope\n' | gzip -c
	i=$((i + 1))
done >"$T/members.gz"
hostile "$T/members.gz" 2 "unrecognised"
banner >"$T/spy.log"
i=0
while [ "$i" -lt 300 ]; do call "$i" C_GetSlotList; i=$((i + 1)); done >>"$T/spy.log"
split -l 7 "$T/spy.log" "$T/part."
for p in "$T"/part.*; do gzip -c "$p"; done >"$T/spy-members.gz"
hostile "$T/spy-members.gz" 0
[ "$(jq .total_calls "$T/a.out")" = 300 ] || fail "members: $(jq .total_calls "$T/a.out") of 300 calls"
