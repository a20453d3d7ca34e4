# compressed.sh — the explorer shows a gzip, bzip2, xz or zstd log as it
# shows the plain log: the same first screen, the same last screen, the
# same detail pane (the file's name aside).
. "$(dirname "$0")/lib.sh"
tui_setup
# settled: the screen once two captures in a row agree (a pane may be
# drawn a refresh after the status line)
settled() {
	prev= i=0
	while [ "$i" -lt 100 ]; do
		cur=$(screen)
		[ "$cur" = "$prev" ] && break
		prev=$cur i=$((i + 1))
		sleep 0.05
	done
	printf '%s\n' "$cur"
}
cp "$SAMPLE" "$T/s.log"
gzip -c "$T/s.log" >"$T/s.log.gz"
bzip2 -c "$T/s.log" >"$T/s.log.bz2"
xz -c "$T/s.log" >"$T/s.log.xz"
zstd -q -c "$T/s.log" >"$T/s.log.zst"

# shot FILE OUT: the first and the last screen, the name made neutral
shot() {
	tui_start 120 40 "\"$HS\" \"$1\""
	wait_for "No\. 1  1/"
	settled | sed "s|$(basename "$1")|LOG|g" >"$2"
	keys G
	wait_for "No\. ([0-9]+)  \1/"
	settled | sed "s|$(basename "$1")|LOG|g" >>"$2"
	keys q
	wait_for "HS-EXIT:0"
}
shot "$T/s.log" "$T/plain.txt"
grep -q "C_GetInterface" "$T/plain.txt" || fail "the plain log's first screen"
for ext in gz bz2 xz zst; do
	shot "$T/s.log.$ext" "$T/$ext.txt"
	cmp -s "$T/plain.txt" "$T/$ext.txt" || { diff "$T/plain.txt" "$T/$ext.txt" | head >&2; fail "$ext: the explorer differs"; }
done
echo "ok: the explorer shows the same for the plain log and its gzip, bzip2, xz and zstd forms"
