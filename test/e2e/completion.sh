# completion.sh — the bash completion offers commands, per-command options
# and --format values, and files.
. "$(dirname "$0")/lib.sh"
set -e
command -v bash >/dev/null || { echo "no bash"; exit 77; }
cd "$T" && touch trace.log
cat >"$T/t.bash" <<'B'
. "$1"
c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _hsmscope; echo "${COMPREPLY[*]}"; }
[ "$(c hsmscope an)" = "analyze" ] || { echo "command: $(c hsmscope an)"; exit 1; }
[ "$(c hsmscope export --format '')" = "json ndjson es-bulk csv" ] || { echo "export formats: $(c hsmscope export --format '')"; exit 1; }
[ "$(c hsmscope analyze --format o)" = "openmetrics" ] || { echo "analyze formats"; exit 1; }
[ "$(c hsmscope sql --format '')" = "table csv json" ] || { echo "sql formats"; exit 1; }
case " $(c hsmscope export --) " in *" --es-index "*) ;; *) echo "export options: $(c hsmscope export --)"; exit 1 ;; esac
case " $(c hsmscope grep --) " in *" --count "*) ;; *) echo "grep options"; exit 1 ;; esac
case " $(c hsmscope grep --) " in *" --es-index "*) echo "grep offers export's option"; exit 1 ;; esac
[ "$(c hsmscope analyze tr)" = "trace.log" ] || { echo "files: $(c hsmscope analyze tr)"; exit 1; }
B
bash "$T/t.bash" "$ROOT/share/completion/hsmscope.bash" || fail "bash completion"
echo "ok"
