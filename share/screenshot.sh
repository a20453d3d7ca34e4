#!/bin/sh
# screenshot.sh — how the README's pictures are made: hsmscope runs on the
# bundled sample as `make demo` runs it, in a private tmux server at
# 120x36; for share/screenshot.png `e` is pressed four times (the failed
# C_Login, No. 166), for share/screenshot-timeline.png `t` (the timeline);
# the pane is captured with its colours (capture-pane -e), turned into
# ImageMagick drawing commands (MVG: a rectangle and a text per span) and
# rendered to PNG by ImageMagick. The detail shows the sample's full path:
# make it from the checkout the README belongs to.
# Needs: tmux, python3, imagemagick, fonts-dejavu-core (all Debian; no network).
#   sh share/screenshot.sh [OUT.png [timeline]]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-share/screenshot.png}
if [ "${2:-}" = timeline ]; then
	KEYS=t WAIT='Timeline: 2026'
else
	KEYS="e e e e" WAIT='Detail of event 166 C_Login'
fi
HS=${HS:-./hsmscope}
T=$(mktemp -d)
SOCK=hsshot$$
trap 'tmux -L $SOCK kill-server 2>/dev/null; rm -rf "$T"' EXIT
export XDG_CACHE_HOME="$T/cache" XDG_STATE_HOME="$T/state"
tmux -L $SOCK -f /dev/null new-session -d -x 120 -y 36 \
	"TERM=xterm-256color LANG=C.UTF-8 $HS share/samples/softhsm-basic.log; sleep 60"
i=0
until tmux -L $SOCK capture-pane -p | grep -q 'No\. *Time'; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "hsmscope did not start" >&2; exit 1; }; sleep 0.05
done
# shellcheck disable=SC2086 # KEYS is several keys
tmux -L $SOCK send-keys $KEYS
until tmux -L $SOCK capture-pane -p | grep -q "$WAIT"; do
	i=$((i + 1)); [ $i -lt 400 ] || { echo "never showed: $WAIT" >&2; exit 1; }; sleep 0.05
done
tmux -L $SOCK capture-pane -p -e -N >"$T/screen.ansi"
size=$(python3 - "$T/screen.ansi" "$T/screen.mvg" <<'PY'
import re, sys
PAL = ["#1d1f21", "#cc342b", "#198844", "#c79e1a", "#3971ed", "#a36ac7", "#2aa1b3", "#c5c8c6",
       "#707880", "#ff5f5f", "#5fd75f", "#ffd75f", "#5f87ff", "#d787ff", "#5fd7d7", "#ffffff"]
FG, BG, CW, CH = "#d0d0d0", "#1d1f21", 9, 18
def color(n):
    if n < 16: return PAL[n]
    if n < 232:
        n -= 16; v = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (v[n // 36], v[n // 6 % 6], v[n % 6])
    g = 8 + (n - 232) * 10; return "#%02x%02x%02x" % (g, g, g)
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().split("\n")[:36]
out = []
for y, line in enumerate(lines):
    fg, bg, bold, rev, x = None, None, False, False, 0
    for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
        if tok.startswith("\x1b["):
            ps = [int(p) if p else 0 for p in tok[2:-1].split(";")] or [0]
            i = 0
            while i < len(ps):
                p = ps[i]
                if p == 0: fg, bg, bold, rev = None, None, False, False
                elif p == 1: bold = True
                elif p == 7: rev = True
                elif p == 22: bold = False
                elif p == 27: rev = False
                elif 30 <= p <= 37: fg = PAL[p - 30]
                elif 40 <= p <= 47: bg = PAL[p - 40]
                elif 90 <= p <= 97: fg = PAL[p - 90 + 8]
                elif 100 <= p <= 107: bg = PAL[p - 100 + 8]
                elif p == 39: fg = None
                elif p == 49: bg = None
                elif p in (38, 48) and i + 2 < len(ps) and ps[i + 1] == 5:
                    if p == 38: fg = color(ps[i + 2])
                    else: bg = color(ps[i + 2])
                    i += 2
                i += 1
            continue
        if not tok: continue
        f, b = fg or FG, bg
        if rev: f, b = (bg or BG), (fg or FG)
        if b: out.append('fill "%s" rectangle %d,%d %d,%d' % (b, x * CW, y * CH, (x + len(tok)) * CW - 1, (y + 1) * CH - 1))
        if tok.strip():
            t = tok.replace("\\", "\\\\").replace('"', '\\"')
            out.append('font "%s" fill "%s" text %d,%d "%s"' % (
                "DejaVu-Sans-Mono-Bold" if bold else "DejaVu-Sans-Mono", f, x * CW, y * CH + 14, t))
        x += len(tok)
    # a row whose last span has a background was cleared with it (bce)
    if x < 120 and (bg or rev):
        out.append('fill "%s" rectangle %d,%d %d,%d' % ((fg or FG) if rev else bg, x * CW, y * CH, 120 * CW - 1, (y + 1) * CH - 1))
W, H = 120 * CW, 36 * CH
open(sys.argv[2], "w", encoding="utf-8").write("font-size 15\n" + "\n".join(out) + "\n")
print("%dx%d" % (W, H))
PY
)
convert -size "$size" xc:'#1d1f21' -draw "$(cat "$T/screen.mvg")" "$OUT"
echo "wrote $OUT"
