#!/usr/bin/env bash
# Layers depend downward only (see DESIGN.md).  The Makefile's include paths
# already refuse most violations at compile time; this check also catches
# system headers (curses) and relative includes.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
bad() { grep -nE "$2" $1 2>/dev/null; }
check "backends/ never includes curses" bash -c '! grep -nE "#include *[<\"](n?curses|ncursesw/)" backends/*.[ch]'
check "backends/ never includes a widget or tui header" bash -c '! grep -nE "#include *\"(\.\./)?(widgets|tui)/|#include *\"(canvas|text|table|sparkline|statusbar|help|app|term|config|keys)\.h\"" backends/*.[ch]'
check "widgets/ never includes a backend or curses" bash -c '! grep -nE "#include *[<\"](n?curses|curl/|jansson)|#include *\"(\.\./)?(backends|tui)/|#include *\"(http|prometheus|model)\.h\"" widgets/*.[ch]'
check "lib/ includes nothing of the project's but lib/" bash -c 'for f in lib/*.[ch]; do grep -hoE "#include *\"[^\"]+\"" "$f"; done | sed -E "s/.*\"(.*)\"/\1/" | while read -r h; do [ -f "lib/$h" ] || { echo "lib includes $h"; exit 1; }; done'
check "backends/ never prints or exits" bash -c '! grep -nE "\b(printf|puts|exit|abort)\s*\(" backends/*.c'
finish
