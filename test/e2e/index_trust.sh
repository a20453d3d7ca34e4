# index_trust.sh — an index is never trusted blindly: a truncated copy,
# an older schema, another release's or another build's index or a damaged page at the index
# path is rebuilt; garbage or a foreign SQLite file there is not an index
# and is neither trusted nor overwritten (files.sh has more); two processes indexing the same log at once both succeed and
# leave a sound index; a full disk gives a clear error and no index; the
# cache is private under umask 000.
. "$(dirname "$0")/lib.sh"
set -e
S="$SAMPLE"
nev=$("$HS" grep "$S" --index "$T/ref.db" --count 'n > 0')
state() { "$HS" index "$S" --index "$1" | sed -n 's/^state *//p'; }
check() { # DB WHAT: rebuilt, and right
	st=$(state "$1")
	case $st in built*) ;; *) fail "$2: the index was not rebuilt ($st)" ;; esac
	[ "$("$HS" grep "$S" --index "$1" --count 'n > 0')" = "$nev" ] || fail "$2: wrong events after the rebuild"
	case $(state "$1") in reused*) ;; *) fail "$2: the rebuilt index is not reused next time" ;; esac
}
cp "$T/ref.db" "$T/trunc.db"
truncate -s $(($(stat -c %s "$T/ref.db") / 2)) "$T/trunc.db"
check "$T/trunc.db" "truncated"
echo "not a database at all" >"$T/garbage.db"
expect_exit 2 "$HS" index "$S" --index "$T/garbage.db"
grep -q 'not an hsmscope index' "$T/err" || fail "garbage: $(cat "$T/err")"
[ "$(cat "$T/garbage.db")" = "not a database at all" ] || fail "garbage: overwritten"
sqlite3 "$T/foreign.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
expect_exit 2 "$HS" index "$S" --index "$T/foreign.db"
grep -q 'not an hsmscope index' "$T/err" || fail "foreign SQLite file: $(cat "$T/err")"
[ "$(sqlite3 "$T/foreign.db" 'SELECT x FROM t')" = 1 ] || fail "foreign SQLite file: overwritten"
sqlite3 "$T/old.db" "CREATE TABLE meta(key TEXT, value TEXT); INSERT INTO meta VALUES ('schema_version', '1');"
check "$T/old.db" "older schema"
# the same schema written by another release (its parsers may read the log
# differently): rebuilt too
cp "$T/ref.db" "$T/release.db"
sqlite3 "$T/release.db" "UPDATE meta SET value = '0.0.1' WHERE key = 'hsmscope_version'"
check "$T/release.db" "another release"
# the same release built from other sources (a parser changed since, and
# HS_VERSION did not): the index records the core's checksum, and is rebuilt
cp "$T/ref.db" "$T/build.db"
[ -n "$(sqlite3 "$T/build.db" "SELECT value FROM meta WHERE key = 'core_id'")" ] ||
	fail "the index does not record the build's core checksum"
sqlite3 "$T/build.db" "UPDATE meta SET value = 'x' || value WHERE key = 'core_id'"
check "$T/build.db" "another build of the same release"
sqlite3 "$T/build.db" "DELETE FROM meta WHERE key = 'core_id'"
check "$T/build.db" "an index from before the core checksum"
# a damaged b-tree page: the header of page 2 overwritten
cp "$T/ref.db" "$T/bad.db"
ps=$(sqlite3 "$T/ref.db" "PRAGMA page_size")
printf '\377\377\377\377\377\377\377\377' | dd of="$T/bad.db" bs=1 seek="$ps" conv=notrunc 2>/dev/null
check "$T/bad.db" "damaged page"

# two processes at once on one log and one index
for i in 1 2 3; do
	"$HS" index "$S" --index "$T/race.db" --rebuild >"$T/race$i.out" 2>&1 &
done
wait
[ "$(sqlite3 "$T/race.db" "PRAGMA quick_check")" = ok ] || fail "concurrent builds: damaged index"
[ "$("$HS" grep "$S" --index "$T/race.db" --count 'n > 0')" = "$nev" ] || fail "concurrent builds: wrong events"
ls "$T"/race.db.tmp.* >/dev/null 2>&1 && fail "concurrent builds left temporary files"

# a full disk: a tiny tmpfs, when this user may mount one
mkdir "$T/full"
if mount -t tmpfs -o size=200k tmpfs "$T/full" 2>/dev/null; then
	set +e
	"$HS" index "$S" --index "$T/full/x.db" >"$T/full.out" 2>"$T/full.err"
	st=$?
	set -e
	umount "$T/full"
	[ "$st" = 2 ] || fail "full disk: exit $st"
	grep -q "disk is full" "$T/full.err" && [ "$(wc -l <"$T/full.err")" = 1 ] || fail "full disk: $(cat "$T/full.err")"
else
	echo "note: cannot mount a tmpfs here: full-disk case not run"
fi
mount | grep -q "$T/full" && umount "$T/full"
[ ! -e "$T/full/x.db" ] || fail "full disk: an index was left"

# private even under umask 000
( umask 000; XDG_CACHE_HOME="$T/c0" "$HS" index "$S" >/dev/null )
[ "$(stat -c %a "$T/c0/hsmscope")" = 700 ] || fail "cache dir mode $(stat -c %a "$T/c0/hsmscope")"
for f in "$T"/c0/hsmscope/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "index file mode $(stat -c %a "$f") for $f"
done
echo "ok"
