# smoke.sh — every fuzz target for a short bounded time (FUZZ_SMOKE
# seconds each, default 10) within make check; the long campaigns are
# `make fuzz FUZZ_SECONDS=N`. Skipped without clang/libFuzzer.
set -u
cd "$ROOT" || exit 1
[ -z "${HS_SANITIZED:-}" ] || { echo "the fuzz targets are sanitized already"; exit 77; }
command -v clang >/dev/null || { echo "no clang (Debian clang, libclang-rt-dev)"; exit 77; }
make --no-print-directory -s -j"$(nproc 2>/dev/null || echo 2)" fuzz-build >build-fuzz-smoke.log 2>&1 ||
	{ tail -n 20 build-fuzz-smoke.log; rm -f build-fuzz-smoke.log; echo "FAIL: the fuzz targets do not build"; exit 1; }
rm -f build-fuzz-smoke.log
sh test/fuzz/_run.sh "${FUZZ_SMOKE:-10}"
