# stdin.sh — `... | hsmscope -` opens the explorer on the piped log, with
# its keys read from the terminal: the same screens as the file.
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
# shot CMD OUT: the first and last screens, the file name neutral (the
# status line is cut after the position: a longer name shortens its hints)
shot() {
	tui_start 120 40 "$1"
	wait_for "No\. 1  1/"
	settled >"$2.raw"
	sed -E 's@(standard input|[^ ]*s[.]log)@LOG@g; s@  marks .*@@' "$2.raw" >"$2"
	keys G
	wait_for "No\. ([0-9]+)  \1/"
	settled | sed -E 's@(standard input|[^ ]*s[.]log)@LOG@g; s@  marks .*@@' >>"$2"
	keys q
	wait_for "HS-EXIT:0"
}
shot "\"$HS\" \"$T/s.log\"" "$T/file.txt"
shot "cat \"$T/s.log\" | \"$HS\" -" "$T/pipe.txt"
# the status line names the input as the user gave it, not the spooled copy
tail -n 1 "$T/pipe.txt.raw" | grep -q '^ standard input ' || fail "status line: $(tail -n 1 "$T/pipe.txt.raw")"
! grep -q 'stdin-[0-9a-f]*[.]log' "$T/pipe.txt.raw" || fail "the spooled copy's name is shown"
cmp -s "$T/file.txt" "$T/pipe.txt" || { diff "$T/file.txt" "$T/pipe.txt" | head >&2; fail "the explorer on a pipe differs"; }
shot "gzip -c \"$T/s.log\" | \"$HS\" -" "$T/gz.txt"
cmp -s "$T/file.txt" "$T/gz.txt" || { diff "$T/file.txt" "$T/gz.txt" | head >&2; fail "the explorer on a gzip pipe differs"; }
echo "ok: the explorer on a pipe reads its keys from the terminal and shows the file's events"
