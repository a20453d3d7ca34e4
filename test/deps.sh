#!/bin/sh
# deps.sh — install the Debian packages hsmscope needs to build and test.
# Run by `make deps` (and so by `make check` and `make demo`). Installs only
# what is missing; uses sudo when not root; says what to do when it cannot.
set -u

# package: the command or file that shows it is there
need=""
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
want() { need="$need $1"; }

command -v cc >/dev/null 2>&1 || want gcc
command -v make >/dev/null 2>&1 || want make
command -v pkg-config >/dev/null 2>&1 || want pkg-config
have_pc ncursesw || want libncurses-dev
have_pc libpcre2-8 || want libpcre2-dev
have_pc libcjson || want libcjson-dev
have_pc sqlite3 || want libsqlite3-dev
# compressed logs: zlib, libbz2 (no .pc on Debian: its header), liblzma,
# libzstd; the tests compress fixtures with the matching commands
have_pc zlib || want zlib1g-dev
[ -e /usr/include/bzlib.h ] || want libbz2-dev
have_pc liblzma || want liblzma-dev
have_pc libzstd || want libzstd-dev
command -v gzip >/dev/null 2>&1 || want gzip
command -v bzip2 >/dev/null 2>&1 || want bzip2
command -v xz >/dev/null 2>&1 || want xz-utils
command -v zstd >/dev/null 2>&1 || want zstd
# tests: real captures through OpenSC's spy in front of SoftHSM, TUI under tmux
command -v pkcs11-tool >/dev/null 2>&1 || want opensc
[ -e /usr/lib/softhsm/libsofthsm2.so ] || want softhsm2
ls /usr/lib/*/pkcs11-spy.so >/dev/null 2>&1 || want opensc-pkcs11
# the other tracers recorded at test time: p11-kit's log-calls through its
# proxy (run as nobody: p11-kit ignores root's user config), NSS's module
# logger under its tools; correlate.sh builds a workload against p11-kit's
# PKCS#11 header
ls /usr/lib/*/p11-kit-proxy.so >/dev/null 2>&1 || want p11-kit-modules
command -v p11-kit >/dev/null 2>&1 || want p11-kit
command -v modutil >/dev/null 2>&1 || want libnss3-tools
command -v setpriv >/dev/null 2>&1 || want util-linux
have_pc p11-kit-1 || want libp11-kit-dev
command -v script >/dev/null 2>&1 || want bsdutils
# a real tpm2-pkcs11 trace recorded at test time: the module, a software
# TPM and the TSS's TCTI for it (test/capture/tpm2.sh)
ls /usr/lib/*/pkcs11/libtpm2_pkcs11.so >/dev/null 2>&1 || want libtpm2-pkcs11-1
command -v swtpm >/dev/null 2>&1 || want swtpm
ls /usr/lib/*/libtss2-tcti-swtpm.so.0 >/dev/null 2>&1 || want libtss2-tcti-swtpm0
# the fuzz targets' 10 s smoke run: clang's libFuzzer
command -v clang >/dev/null 2>&1 || want clang
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || want libclang-rt-dev
command -v tmux >/dev/null 2>&1 || want tmux
# the zsh completion's syntax check
command -v zsh >/dev/null 2>&1 || want zsh
command -v sqlite3 >/dev/null 2>&1 || want sqlite3
command -v jq >/dev/null 2>&1 || want jq
# tests that parse our outputs back: CSV (python3's csv), OpenMetrics (the
# reference parser in python3-prometheus-client), the man page (groff's man)
command -v python3 >/dev/null 2>&1 || want python3
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || want python3-prometheus-client
/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 || want python3-jsonschema
command -v groff >/dev/null 2>&1 || want groff-base
command -v col >/dev/null 2>&1 || want bsdextrautils
command -v man >/dev/null 2>&1 || want man-db
# `deps.sh bench`: what make bench compares against and measures with
if [ "${1:-}" = bench ]; then
	command -v /usr/bin/time >/dev/null 2>&1 || want time
	command -v lnav >/dev/null 2>&1 || want lnav
fi

[ -z "$need" ] && exit 0
echo "deps: installing:$need"
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing Debian packages:$need" >&2
	echo "deps: run as root: apt-get install$need" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: no apt-get here; install these (Debian names):$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1 ||
	{ $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends $need >/dev/null; } ||
	{ echo "deps: apt-get install$need failed" >&2; exit 1; }
echo "deps: done"
