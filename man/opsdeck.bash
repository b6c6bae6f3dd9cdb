# bash completion for opsdeck(1)                           -*- shell-script -*-
#
# Installed by 'make install' into share/bash-completion/completions/opsdeck.
# Completes the command words, every option, and the values that have a
# fixed list (--theme, --format, --screen); --env completes the [env "NAME"]
# sections of the configuration ('opsdeck config' lists them), --context
# the kubeconfig's contexts when kubectl is installed, and files for -c,
# --config and --debug-log.

_opsdeck_envs()
{
	local cfg=() i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --config) cfg=(-c "${COMP_WORDS[i + 1]}") ;;
		--config=*) cfg=(-c "${COMP_WORDS[i]#--config=}") ;;
		esac
	done
	"${COMP_WORDS[0]}" "${cfg[@]}" config 2>/dev/null |
		sed -n 's/^\[env "\([^"]*\)"\].*/\1/p'
}

_opsdeck()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	case $prev in
	-c | --config | --debug-log)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--theme)
		COMPREPLY=($(compgen -W 'default light high-contrast mono' -- "$cur"))
		return
		;;
	--format)
		COMPREPLY=($(compgen -W 'text ansi markdown json' -- "$cur"))
		return
		;;
	--screen)
		COMPREPLY=($(compgen -W 'overview service: logs traces trace: topology alerts all' -- "$cur"))
		[[ ${COMPREPLY[0]-} == *: ]] && compopt -o nospace 2>/dev/null
		return
		;;
	--env)
		COMPREPLY=($(compgen -W "$(_opsdeck_envs)" -- "$cur"))
		return
		;;
	--context)
		if command -v kubectl >/dev/null 2>&1; then
			COMPREPLY=($(compgen -W "$(kubectl config get-contexts -o name 2>/dev/null)" -- "$cur"))
		fi
		return
		;;
	--prometheus | --elasticsearch | --zipkin | --alertmanager | --docker | --refresh | \
		--namespace | --ecs-cluster | --width | --height | --timeout | --query | --since)
		return # a value of the user's own
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-c --config --prometheus --refresh --docker
			--elasticsearch --zipkin --context --namespace -A --all-namespaces
			--ecs-cluster --alertmanager --env --read-only --wall --theme --no-mouse
			--no-color --debug-log --screen --query --since --format --width --height
			--timeout --check -h --help -V --version' -- "$cur"))
		return
	fi
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		snapshot | config) return ;; # one command word at most
		esac
	done
	COMPREPLY=($(compgen -W 'snapshot config' -- "$cur"))
} &&
	complete -F _opsdeck opsdeck
