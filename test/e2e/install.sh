# install.sh — `make install DESTDIR=... PREFIX=/usr` lays out a usable
# installation (binary, man page, completion, docs) that runs from there;
# `make uninstall` takes it away; `make dist` makes a tarball that builds
# on its own.
. "$(dirname "$0")/lib.sh"
set -e
D="$T/root"
make -C "$ROOT" --no-print-directory -s install DESTDIR="$D" PREFIX=/usr >"$T/log" 2>&1 ||
	{ cat "$T/log" >&2; fail "make install"; }
for f in usr/bin/hsmscope usr/share/man/man1/hsmscope.1 usr/share/bash-completion/completions/hsmscope \
	usr/share/doc/hsmscope/README.md usr/share/doc/hsmscope/LICENSE \
	usr/share/doc/hsmscope/samples/softhsm-basic.log; do
	[ -f "$D/$f" ] || fail "not installed: /$f"
done
[ -x "$D/usr/bin/hsmscope" ] || fail "binary not executable"
[ "$(stat -c %a "$D/usr/share/man/man1/hsmscope.1")" = 644 ] || fail "man page mode"
"$D/usr/bin/hsmscope" --version | grep -q '^hsmscope [0-9]' || fail "installed binary does not run"
"$D/usr/bin/hsmscope" analyze "$D/usr/share/doc/hsmscope/samples/softhsm-basic.log" --format json |
	jq -e '.total_calls > 0' >/dev/null || fail "installed binary cannot analyze the installed sample"
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$D/usr/share/man/man1/hsmscope.1" 2>/dev/null | grep -q 'hsmscope sql' ||
		fail "man -l of the installed page"
fi
bash -c ". '$D/usr/share/bash-completion/completions/hsmscope' && complete -p hsmscope" >/dev/null ||
	fail "the completion does not load"
make -C "$ROOT" --no-print-directory -s uninstall DESTDIR="$D" PREFIX=/usr >/dev/null
[ -z "$(find "$D" -type f)" ] || fail "uninstall left: $(find "$D" -type f)"

# dist: the committed tree builds alone
if git -C "$ROOT" rev-parse HEAD >/dev/null 2>&1; then
	make -C "$ROOT" --no-print-directory -s dist DISTDIR="$T" >/dev/null
	tarball=$(ls "$T"/hsmscope-*.tar.gz)
	mkdir "$T/src" && tar -xzf "$tarball" -C "$T/src"
	dir=$(ls -d "$T"/src/hsmscope-*)
	[ -f "$dir/Makefile" ] && [ ! -e "$dir/build" ] && [ ! -e "$dir/.git" ] || fail "dist: unexpected content"
	make -C "$dir" --no-print-directory -s -j2 >"$T/build.log" 2>&1 || { tail "$T/build.log" >&2; fail "dist does not build"; }
	"$dir/hsmscope" --version | grep -q "^hsmscope " || fail "dist binary"
else
	echo "note: not a git checkout: make dist not tried"
fi
echo "ok"
