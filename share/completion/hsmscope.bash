# bash completion for hsmscope — commands, options per command, --format
# values per command, files. Installed to
# $(PREFIX)/share/bash-completion/completions/hsmscope.
_hsmscope()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="analyze export grep index sessions sql"
	local common="--index --rebuild --keep-going --hsm --redact --color --help"

	cmd=""
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		analyze|export|grep|index|sessions|sql) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	case $prev in
	--format)
		case $cmd in
		analyze) COMPREPLY=($(compgen -W "text json events pretty-events openmetrics" -- "$cur")) ;;
		export) COMPREPLY=($(compgen -W "json ndjson es-bulk csv" -- "$cur")) ;;
		sessions) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		sql) COMPREPLY=($(compgen -W "table csv json" -- "$cur")) ;;
		esac
		return 0 ;;
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return 0 ;;
	--redact) COMPREPLY=($(compgen -W "data" -- "$cur")); return 0 ;;
	--index|-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	--filter|--hsm|--es-index|--max-count|-m|--regexp|-e|--timeout|--max-memory|--tz) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		local opts
		case $cmd in
		analyze) opts="--format --filter $common" ;;
		export) opts="--format --filter -o --output --force --es-index $common" ;;
		grep) opts="--count --invert-match --max-count --json --regexp -c -v -m -e $common" ;;
		sessions) opts="--format $common" ;;
		sql) opts="--format --timeout --max-memory $common" ;;
		index) opts="$common" ;;
		*) opts="--follow --timeout --max-memory --version $common" ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi
	if [ -z "$cmd" ] && [ "$COMP_CWORD" = 1 ]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur") $(compgen -f -- "$cur"))
		return 0
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _hsmscope hsmscope
