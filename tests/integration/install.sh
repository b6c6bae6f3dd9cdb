#!/usr/bin/env bash
# make install / uninstall into a staging directory (DESTDIR) under two
# prefixes: the binary (755, runs), the man page (renders, with the KEYS
# remapping, MOUSE and THEMES sections), bash and zsh completion and the
# example config (644), nothing else; the example config is accepted by
# 'opsdeck config' as shipped and with its [keys] examples uncommented; the
# bash completion completes commands, options, themes, formats and the
# config's environments; uninstall removes exactly what install put there.
# The binary under test is installed as it is (make -o: nothing rebuilt).
# shellcheck disable=SC2317  # functions called through check and trap
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
command -v make >/dev/null || { echo "make is not installed"; exit 77; }
BIN=$(cd "$(dirname "$OPSDECK_BIN")" && pwd)/$(basename "$OPSDECK_BIN")
T=$(mktemp -d /tmp/opsdeck-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/config LANG=C.UTF-8
unset OPSDECK_PROMETHEUS_URL OPSDECK_CONFIG OPSDECK_REFRESH OPSDECK_THEME OPSDECK_ENV NO_COLOR
mkdir -p "$HOME"

inst() { make -s -C "$ROOT" -o "$BIN" BIN="$BIN" "$@" >"$T/make.log" 2>&1; }
files() { (cd "$1" && find . \( -type f -o -type l \) | sort); }

D=$T/stage
inst install DESTDIR="$D" PREFIX=/usr/local
check "make install DESTDIR=... PREFIX=/usr/local succeeds" [ $? -eq 0 ]
P=$D/usr/local
cat >"$T/want" <<'EOF'
./usr/local/bin/opsdeck
./usr/local/share/bash-completion/completions/opsdeck
./usr/local/share/doc/opsdeck/examples/config.ini
./usr/local/share/man/man1/opsdeck.1
./usr/local/share/zsh/site-functions/_opsdeck
EOF
files "$D" >"$T/got"
check "it installs the binary, the man page, bash and zsh completion and the example config, nothing else" \
	diff -u "$T/want" "$T/got"
check "the binary is 755, the rest 644" bash -c "
	[ \"\$(stat -c %a '$P/bin/opsdeck')\" = 755 ] &&
	for f in share/man/man1/opsdeck.1 share/bash-completion/completions/opsdeck \
		share/zsh/site-functions/_opsdeck share/doc/opsdeck/examples/config.ini; do
		[ \"\$(stat -c %a '$P/'\$f)\" = 644 ] || exit 1; done"
check "the installed binary runs" bash -c "'$P/bin/opsdeck' --version | grep -Eq '^opsdeck [0-9]+\.[0-9]+\.[0-9]+$'"
check "the installed files are the source's" bash -c "
	cmp -s '$ROOT/man/opsdeck.1' '$P/share/man/man1/opsdeck.1' &&
	cmp -s '$ROOT/man/opsdeck.bash' '$P/share/bash-completion/completions/opsdeck' &&
	cmp -s '$ROOT/man/_opsdeck' '$P/share/zsh/site-functions/_opsdeck' &&
	cmp -s '$ROOT/man/opsdeck.example.ini' '$P/share/doc/opsdeck/examples/config.ini'"

if command -v man >/dev/null; then
	MANWIDTH=120 man -l "$P/share/man/man1/opsdeck.1" >"$T/man" 2>/dev/null
	check "the installed man page renders with MOUSE and THEMES" \
		bash -c "grep -q '^MOUSE' '$T/man' && grep -q '^THEMES' '$T/man' && grep -q 'Remapping' '$T/man'"
	check "its FILES name the completion files and the example config" \
		bash -c "grep -q 'bash-completion/completions/opsdeck' '$T/man' &&
		grep -q 'site-functions/_opsdeck' '$T/man' && grep -q 'examples/config.ini' '$T/man'"
fi

# The example config as shipped, and with its [keys] examples in force.
EX=$P/share/doc/opsdeck/examples/config.ini
"$P/bin/opsdeck" -c "$EX" config >"$T/config.out" 2>&1
check "opsdeck config accepts the example config" [ $? -eq 0 ]
check "and reads its values from it (theme, wall screens)" bash -c "
	grep -Eq '^theme = default +; .*config.ini:[0-9]+' '$T/config.out' &&
	grep -Eq '^screens = overview, alerts, topology +; .*config.ini:[0-9]+' '$T/config.out'"
awk '/^\[keys\]/ { k = 1 } /^$/ { k = 0 } k && /^; [a-z_.]+ = / { sub(/^; /, "") } { print }' "$EX" >"$T/keys.ini"
check "the example's [keys] lines, uncommented, are real lines" \
	bash -c "[ \$(sed -n '/^\[keys\]/,/^\$/p' '$T/keys.ini' | grep -cE '^[a-z_.]+ = ') = 3 ]"
"$P/bin/opsdeck" -c "$T/keys.ini" config >"$T/keys.out" 2>&1
check "and opsdeck config accepts them" [ $? -eq 0 ]

# bash completion, as bash-completion would load it.
cat >"$T/envs.ini" <<'EOF'
[env "staging"]
general.refresh = 5s
[env "prod-eu"]
protected = true
EOF
complete_words() { # the completions of the words given (the last one is being typed)
	PATH=$P/bin:$PATH bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		_opsdeck opsdeck "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' \
		_ "$P/share/bash-completion/completions/opsdeck" "$@"
}
check "bash: the completion is registered for opsdeck" \
	bash -c ". '$P/share/bash-completion/completions/opsdeck'; complete -p opsdeck | grep -q -- '-F _opsdeck'"
check "bash: the command words" bash -c "[ \"\$($(declare -f complete_words); P='$P' complete_words opsdeck '' | tr '\n' ' ')\" = 'config snapshot ' ]"
check "bash: options (--th -> --theme)" bash -c "[ \"\$($(declare -f complete_words); P='$P' complete_words opsdeck --th | tr '\n' ' ')\" = '--theme ' ]"
check "bash: every option of --help is offered" bash -c "
	got=\$($(declare -f complete_words); P='$P' complete_words opsdeck -)
	for o in \$('$P/bin/opsdeck' --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qx -- \"\$o\" <<<\"\$got\" || { echo \"missing \$o\"; exit 1; }; done"
check "bash: themes after --theme" bash -c "[ \"\$($(declare -f complete_words); P='$P' complete_words opsdeck --theme '' | tr '\n' ' ')\" = 'default high-contrast light mono ' ]"
check "bash: formats after snapshot --format" bash -c "[ \"\$($(declare -f complete_words); P='$P' complete_words opsdeck snapshot --format m | tr '\n' ' ')\" = 'markdown ' ]"
check "bash: the config's environments after --env" bash -c "[ \"\$($(declare -f complete_words); P='$P' complete_words opsdeck -c '$T/envs.ini' --env '' | tr '\n' ' ')\" = 'prod-eu staging ' ]"
check "zsh: the completion function is a #compdef for opsdeck" \
	bash -c "head -1 '$P/share/zsh/site-functions/_opsdeck' | grep -qx '#compdef opsdeck'"
if command -v zsh >/dev/null; then
	check "zsh: the completion parses" zsh -n "$P/share/zsh/site-functions/_opsdeck"
fi

# uninstall: exactly what install put there; a file of someone else's stays.
touch "$P/share/bash-completion/completions/other-tool"
inst uninstall DESTDIR="$D" PREFIX=/usr/local
check "make uninstall succeeds" [ $? -eq 0 ]
check "uninstall removes every installed file, and only those" \
	bash -c "[ \"\$(cd '$D' && find . -type f)\" = './usr/local/share/bash-completion/completions/other-tool' ]"

# Another prefix.
inst install DESTDIR="$T/opt" PREFIX=/opt/opsdeck
check "PREFIX=/opt/opsdeck puts everything under it" \
	bash -c "[ \"\$(cd '$T/opt' && find . -type f | grep -vc '^./opt/opsdeck/')\" = 0 ] &&
	[ -x '$T/opt/opt/opsdeck/bin/opsdeck' ] && [ -f '$T/opt/opt/opsdeck/share/man/man1/opsdeck.1' ]"

finish
