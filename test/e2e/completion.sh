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
# both completions are generated from the program's tables: the shipped
# files are exactly what it writes (regenerate: hsmscope --complete bash|zsh)
"$HS" --complete bash | cmp -s - "$ROOT/share/completion/hsmscope.bash" ||
	fail "share/completion/hsmscope.bash is not what 'hsmscope --complete bash' writes"
"$HS" --complete zsh | cmp -s - "$ROOT/share/completion/_hsmscope" ||
	fail "share/completion/_hsmscope is not what 'hsmscope --complete zsh' writes"
# every option of every command is offered for that command, and no other
for cmd in $("$HS" --list commands); do
	opts=$(bash -c '. "$1"; COMP_WORDS=(hsmscope "$2" -); COMP_CWORD=2; _hsmscope; echo "${COMPREPLY[*]}"' _ \
		"$ROOT/share/completion/hsmscope.bash" "$cmd")
	for o in $("$HS" --list options "$cmd"); do
		case " $opts " in *" $o "*) ;; *) fail "bash: $cmd does not offer $o" ;; esac
	done
	for o in $opts; do
		"$HS" --list options "$cmd" | grep -qx -- "$o" || fail "bash: $cmd offers $o, which it does not take"
	done
	grep -q "^	$cmd)" "$ROOT/share/completion/_hsmscope" || fail "zsh: no case for $cmd"
done
if command -v zsh >/dev/null; then
	zsh -n "$ROOT/share/completion/_hsmscope" || fail "zsh: the completion does not parse"
fi
echo "ok"
