# compressed.sh — a log compressed with gzip, bzip2, xz or zstd (compressed
# here, with the real tools) opens from its content, whatever its name, and
# gives the same events, analysis and export as the plain log; multi-part
# files read as one log; a compressed log that grew is rebuilt, not
# refreshed from the middle.
. "$(dirname "$0")/lib.sh"
set -e
for tool in gzip bzip2 xz zstd; do
	command -v "$tool" >/dev/null || fail "$tool missing: run test/deps.sh"
done

# what may differ between two forms of one log: the file's name
norm_events() { jq -c 'del(.file)' "$1"; }
norm_json() { jq -S 'del(.files[].path) | del(.skips[]?.file)' "$1"; }

# squeeze NAME FILE: FILE in each form, named NAME.{gz,bz2,xz,zst}
squeeze() {
	gzip -c "$2" >"$T/$1.gz"
	bzip2 -c "$2" >"$T/$1.bz2"
	xz -c "$2" >"$T/$1.xz"
	zstd -q -c "$2" >"$T/$1.zst"
}

# same PLAIN OTHER: the three outputs agree
same() {
	for f in "$1" "$2"; do
		"$HS" analyze "$f" --format events >"$f.ev" 2>"$T/err" || { cat "$T/err" >&2; fail "analyze $f"; }
		"$HS" analyze "$f" --format json >"$f.json" 2>/dev/null
		"$HS" export "$f" --format ndjson >"$f.exp" 2>/dev/null
	done
	[ -s "$1.ev" ] || fail "$(basename "$1"): no events"
	[ "$(norm_events "$1.ev")" = "$(norm_events "$2.ev")" ] || fail "$(basename "$2"): events differ"
	[ "$(norm_json "$1.json")" = "$(norm_json "$2.json")" ] || fail "$(basename "$2"): analysis differs"
	[ "$(norm_events "$1.exp")" = "$(norm_events "$2.exp")" ] || fail "$(basename "$2"): export differs"
}

for src in "$SAMPLE" "$FIX/cloudhsm/gap-reboot.log" "$FIX/nss/login-l4-ts.log" \
           "$FIX/p11kit/basic.log" "$FIX/shim/pkcs11-tool.log" "$FIX/logger/cross-logger.log" \
           "$FIX/cloudhsm/doc-examples.json"; do
	b=$(basename "$src")
	cp "$src" "$T/$b"
	squeeze "$b" "$T/$b"
	for ext in gz bz2 xz zst; do
		same "$T/$b" "$T/$b.$ext"
	done
	# detected from the bytes, not the name: zstd data named like the log
	mkdir -p "$T/z"
	cp "$T/$b.zst" "$T/z/$b"
	same "$T/$b" "$T/z/$b"
done
echo "ok: 7 formats x gzip, bzip2, xz, zstd: same events, analysis and export"

# multi-part: concatenated gzip members, bzip2 and xz streams, zstd frames
head -n 200 "$SAMPLE" >"$T/a.log"
tail -n +201 "$SAMPLE" >"$T/b.log"
squeeze a "$T/a.log"
squeeze b "$T/b.log"
for ext in gz bz2 xz zst; do
	cat "$T/a.$ext" "$T/b.$ext" >"$T/cat.log.$ext"
	cp "$SAMPLE" "$T/whole.log"
	same "$T/whole.log" "$T/cat.log.$ext"
done
echo "ok: multi-member files read as one log"

# a compressed log that grew (a member appended) is rebuilt and matches
cp "$T/a.gz" "$T/live.gz"
"$HS" index "$T/live.gz" >"$T/o1"
grep -q '^state      built' "$T/o1" || fail "first open must build: $(cat "$T/o1")"
"$HS" index "$T/live.gz" >"$T/o2"
grep -q '^state      reused' "$T/o2" || fail "unchanged compressed log must reuse: $(cat "$T/o2")"
cat "$T/b.gz" >>"$T/live.gz"
"$HS" index "$T/live.gz" >"$T/o3"
grep -q '^state      built' "$T/o3" || fail "a grown compressed log must be rebuilt: $(cat "$T/o3")"
cp "$SAMPLE" "$T/whole2.log"
same "$T/whole2.log" "$T/live.gz"
echo "ok: a grown compressed log is rebuilt"

# the unknown-format error says what was inside the compression
printf 'hello\nworld\n' | gzip >"$T/text.gz"
expect_exit 2 "$HS" analyze "$T/text.gz"
grep -q "text.gz: unrecognised log format" "$T/err" || fail "unknown format: $(cat "$T/err")"
echo "ok: compressed: unknown content is the usual error"
