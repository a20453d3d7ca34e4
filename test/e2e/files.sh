# files.sh — hsmscope never destroys a file by surprise:
#   --index writes only a regular file that is missing, empty or already an
#     hsmscope index, and never one of the inputs (by inode, not by name);
#   export's temporary file is created exclusively (a symlink planted at the
#     old predictable name is not followed);
#   --force replaces only a regular file and keeps its mode;  -o - is stdout;
#   every write error names the file (a full disk, a file-size limit, stdout);
#   the cache directory must be the user's own, not a symlink, and is never
#     made writable behind the user's back.
# Interrupted and killed builds are interrupt.sh's.
. "$(dirname "$0")/lib.sh"
set -e
root=0
[ "$(id -u)" = 0 ] && root=1
cp "$SAMPLE" "$T/x.log"
sum() { cksum <"$1"; }
one_line() { # WHAT NAME: stderr is one line that names NAME
	[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err" >&2; fail "$1: the error is not one line"; }
	grep -qF "$2" "$T/err" || fail "$1: the error does not name $2: $(cat "$T/err")"
}

# ---------------------------------------------------------------- --index
log_sum=$(sum "$T/x.log")
# the log being analysed, by name, through a hard link and through a symlink
expect_exit 2 "$HS" analyze --index "$T/x.log" "$T/x.log"
one_line "--index = the input" "$T/x.log"
[ "$(sum "$T/x.log")" = "$log_sum" ] || fail "--index overwrote the log being analysed"
ln "$T/x.log" "$T/hard.db"
expect_exit 2 "$HS" analyze "$T/x.log" --index "$T/hard.db"
one_line "--index = a hard link of the input" "$T/hard.db"
[ "$(sum "$T/x.log")" = "$log_sum" ] || fail "--index overwrote the log through a hard link"
ln -s "$T/x.log" "$T/sym.db"
expect_exit 2 "$HS" analyze "$T/x.log" --index "$T/sym.db"
one_line "--index = a symlink to the input" "$T/sym.db"
[ "$(sum "$T/x.log")" = "$log_sum" ] && [ -L "$T/sym.db" ] || fail "--index replaced a symlink to the log"
# somebody's notes
printf 'my notes\n' >"$T/notes.txt"
expect_exit 2 "$HS" analyze "$T/x.log" --index "$T/notes.txt"
one_line "--index = a notes file" "$T/notes.txt"
grep -q 'not an hsmscope index' "$T/err" || fail "--index on notes: say why: $(cat "$T/err")"
[ "$(cat "$T/notes.txt")" = "my notes" ] || fail "--index overwrote a notes file"
# a foreign SQLite database
sqlite3 "$T/app.db" "CREATE TABLE t(x); INSERT INTO t VALUES (42);"
expect_exit 2 "$HS" index "$T/x.log" --index "$T/app.db"
one_line "--index = a foreign database" "$T/app.db"
[ "$(sqlite3 "$T/app.db" 'SELECT x FROM t')" = 42 ] || fail "--index overwrote a foreign database"
# a directory
mkdir "$T/adir"
expect_exit 2 "$HS" index "$T/x.log" --index "$T/adir"
one_line "--index = a directory" "$T/adir"
# a device node (made here: never touch the real /dev)
if [ $root = 1 ] && mknod "$T/null" c 1 3 2>/dev/null; then
	expect_exit 2 "$HS" index "$T/x.log" --index "$T/null"
	one_line "--index = a device" "$T/null"
	[ -c "$T/null" ] || fail "--index replaced a device node with a regular file"
	ls "$T"/null.* >/dev/null 2>&1 && fail "--index on a device left a temporary file"
else
	echo "note: cannot make a device node here: --index on a device not run"
fi
# what --index may write: a missing file, an empty one (mktemp), its own index
"$HS" index "$T/x.log" --index "$T/new.db" >/dev/null || fail "--index on a missing file"
: >"$T/empty.db"
"$HS" index "$T/x.log" --index "$T/empty.db" >"$T/out" || fail "--index on an empty file"
grep -q '^state *built' "$T/out" || fail "--index on an empty file: $(cat "$T/out")"
"$HS" index "$T/x.log" --index "$T/new.db" >"$T/out"
grep -q '^state *reused' "$T/out" || fail "its own index is not reused: $(cat "$T/out")"
"$HS" index "$T/x.log" --index "$T/new.db" --rebuild >"$T/out"
grep -q '^state *built' "$T/out" || fail "its own index is not rebuilt: $(cat "$T/out")"
[ "$(stat -c %a "$T/new.db")" = 600 ] || fail "the index is not 0600"
ls "$T"/new.db.* >/dev/null 2>&1 && fail "a temporary file was left beside the index"

# ---------------------------------------------------------------- export
IDX="$T/new.db"
"$HS" export "$SAMPLE" --index "$IDX" >"$T/ref.json"
# a symlink planted at the name older releases used (OUT.tmp.<pid>): the
# process is stopped before exec so its pid is known
printf 'victim\n' >"$T/victim"
sh -c 'kill -STOP $$; exec "$@"' sh "$HS" export "$SAMPLE" --index "$IDX" -o "$T/out.json" 2>"$T/err" &
pid=$!
n=0
until [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" = T ]; do
	n=$((n + 1)); [ $n -lt 500 ] || fail "the export never stopped"; sleep 0.01
done
ln -s "$T/victim" "$T/out.json.tmp.$pid"
kill -CONT $pid
wait $pid || fail "export with a planted symlink: $(cat "$T/err")"
[ "$(cat "$T/victim")" = victim ] || fail "export followed a symlink planted at its temporary name"
[ ! -L "$T/out.json" ] && cmp -s "$T/out.json" "$T/ref.json" || fail "export did not write its own file"
rm -f "$T/out.json.tmp.$pid"
ls "$T"/out.json.* >/dev/null 2>&1 && fail "export left a temporary file: $(ls "$T"/out.json.*)"
# a new file gets the usual mode (umask); --force keeps the old file's mode
( umask 027; "$HS" export "$SAMPLE" --index "$IDX" -o "$T/new.json" 2>/dev/null )
[ "$(stat -c %a "$T/new.json")" = 640 ] || fail "a new export is $(stat -c %a "$T/new.json"), not 640 (umask 027)"
printf 'old\n' >"$T/private.json"
chmod 600 "$T/private.json"
"$HS" export "$SAMPLE" --index "$IDX" -o "$T/private.json" --force 2>/dev/null
cmp -s "$T/private.json" "$T/ref.json" || fail "--force did not replace the file"
[ "$(stat -c %a "$T/private.json")" = 600 ] || fail "--force made a 0600 file $(stat -c %a "$T/private.json")"
# --force replaces only a regular file: not a symlink, a directory or a device
printf 'target\n' >"$T/target"
ln -s "$T/target" "$T/link.json"
expect_exit 2 "$HS" export "$SAMPLE" --index "$IDX" -o "$T/link.json" --force
one_line "--force on a symlink" "$T/link.json"
[ -L "$T/link.json" ] && [ "$(cat "$T/target")" = target ] || fail "--force replaced a symlink"
mkdir "$T/dir.json"
expect_exit 2 "$HS" export "$SAMPLE" --index "$IDX" -o "$T/dir.json" --force
one_line "--force on a directory" "$T/dir.json"
if [ $root = 1 ] && mknod "$T/dev.json" c 1 3 2>/dev/null; then
	expect_exit 2 "$HS" export "$SAMPLE" --index "$IDX" -o "$T/dev.json" --force
	one_line "--force on a device" "$T/dev.json"
	[ -c "$T/dev.json" ] || fail "--force replaced a device node with a regular file"
fi
# nor the log being exported
expect_exit 2 "$HS" export "$T/x.log" --index "$IDX.x" -o "$T/x.log" --force
one_line "-o = the input" "$T/x.log"
[ "$(sum "$T/x.log")" = "$log_sum" ] || fail "export --force overwrote the log it read"
# -o - is standard output, not a file named "-"
( cd "$T" && "$HS" export "$SAMPLE" --index "$IDX" -o - >"$T/dash.json" 2>"$T/err" ) ||
	fail "-o -: $(cat "$T/err")"
[ ! -e "$T/-" ] || fail "-o - wrote a file named '-'"
cmp -s "$T/dash.json" "$T/ref.json" || fail "-o - did not write the events to standard output"

# ---------------------------------------------------------- write errors
# a file-size limit (EFBIG; SIGXFSZ ignored so the write fails instead)
set +e
( trap '' XFSZ; ulimit -f 16; exec "$HS" export "$SAMPLE" --index "$IDX" -o "$T/big.json" ) 2>"$T/err"
st=$?
set -e
[ "$st" = 2 ] || fail "file-size limit: exit $st"
one_line "file-size limit" "$T/big.json"
[ ! -e "$T/big.json" ] && ! ls "$T"/big.json.* >/dev/null 2>&1 || fail "file-size limit: a file was left"
# a full disk: a small tmpfs, when this user may mount one
mkdir "$T/full"
if mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	set +e
	"$HS" export "$SAMPLE" --index "$IDX" -o "$T/full/x.json" 2>"$T/err"
	st=$?
	left=$(ls -A "$T/full")
	umount "$T/full"
	set -e
	[ "$st" = 2 ] || fail "full disk: exit $st"
	one_line "full disk" "$T/full/x.json"
	grep -q 'No space left' "$T/err" || fail "full disk: say so: $(cat "$T/err")"
	[ -z "$left" ] || fail "full disk: left $left"
	# the index build: named as the user gave it, not its temporary file
	mount -t tmpfs -o size=200k tmpfs "$T/full"
	set +e
	"$HS" index "$SAMPLE" --index "$T/full/x.db" >/dev/null 2>"$T/err"
	st=$?
	left=$(ls -A "$T/full")
	umount "$T/full"
	set -e
	[ "$st" = 2 ] || fail "full disk, index: exit $st"
	one_line "full disk, index" "hsmscope: $T/full/x.db: "
	[ -z "$left" ] || fail "full disk, index: left $left"
else
	echo "note: cannot mount a tmpfs here: full-disk case not run"
fi
# standard output that cannot be written (/dev/full: ENOSPC on write)
if [ -w /dev/full ]; then
	for cmd in "analyze" "export" "analyze --format events"; do
		set +e
		# shellcheck disable=SC2086
		"$HS" $cmd "$SAMPLE" --index "$IDX" >/dev/full 2>"$T/err"
		st=$?
		set -e
		[ "$st" = 2 ] || fail "$cmd >/dev/full: exit $st"
		one_line "$cmd >/dev/full" "standard output"
	done
fi

# ------------------------------------------------------- cache directory
# a symlink where the cache directory should be: not followed
mkdir -p "$T/c1" "$T/elsewhere"
chmod 755 "$T/elsewhere"
ln -s "$T/elsewhere" "$T/c1/hsmscope"
expect_exit 2 env XDG_CACHE_HOME="$T/c1" "$HS" index "$T/x.log"
one_line "cache dir is a symlink" "$T/c1/hsmscope"
[ "$(stat -c %a "$T/elsewhere")" = 755 ] || fail "the symlink's target was chmod'ed"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "an index was written through the symlink"
# a regular file where the cache directory should be
mkdir -p "$T/c2" && : >"$T/c2/hsmscope"
expect_exit 2 env XDG_CACHE_HOME="$T/c2" "$HS" index "$T/x.log"
one_line "cache dir is a file" "$T/c2/hsmscope"
# somebody else's directory (root running with another user's HOME)
if [ $root = 1 ]; then
	mkdir -p "$T/c3/hsmscope" && chmod 755 "$T/c3/hsmscope" && chown 65534 "$T/c3/hsmscope"
	expect_exit 2 env XDG_CACHE_HOME="$T/c3" "$HS" index "$T/x.log"
	one_line "cache dir of another user" "$T/c3/hsmscope"
	[ "$(stat -c %a "$T/c3/hsmscope")" = 755 ] || fail "another user's cache dir was chmod'ed"
	[ -z "$(ls -A "$T/c3/hsmscope")" ] || fail "an index was written into another user's cache dir"
fi
# a read-only cache directory stays read-only
mkdir -p "$T/c4/hsmscope" && chmod 500 "$T/c4/hsmscope"
expect_exit 2 env XDG_CACHE_HOME="$T/c4" "$HS" index "$T/x.log"
one_line "read-only cache dir" "$T/c4/hsmscope"
[ "$(stat -c %a "$T/c4/hsmscope")" = 500 ] || fail "a 0500 cache dir was made $(stat -c %a "$T/c4/hsmscope")"
[ -z "$(ls -A "$T/c4/hsmscope")" ] || fail "an index was written into a read-only cache dir"
# the user's own, too open: closed to others, never opened further
mkdir -p "$T/c5/hsmscope" && chmod 755 "$T/c5/hsmscope"
XDG_CACHE_HOME="$T/c5" "$HS" index "$T/x.log" >/dev/null
[ "$(stat -c %a "$T/c5/hsmscope")" = 700 ] || fail "own cache dir left $(stat -c %a "$T/c5/hsmscope")"
echo ok
