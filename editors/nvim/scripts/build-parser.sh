#!/bin/sh
# Compiles the tree-sitter grammar of the repository (grammar/src) into
# editors/nvim/parser/dimap.so, where Neovim finds it on the runtimepath.
# Needs only a C compiler: parser.c is generated and committed.
#
#   editors/nvim/scripts/build-parser.sh        # from anywhere in the repo
#   CC=clang editors/nvim/scripts/build-parser.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
repo=$(cd "$plugin/../.." && pwd)
src="$repo/grammar/src"
out="$plugin/parser/dimap.so"

if [ ! -f "$src/parser.c" ]; then
  echo "build-parser: $src/parser.c is missing" >&2
  exit 1
fi

set -- "$src/parser.c"
if [ -f "$src/scanner.c" ]; then
  set -- "$@" "$src/scanner.c"
fi

mkdir -p "$plugin/parser"
# Neovim loads parser/NAME.so on every platform, macOS included.
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT INT TERM
${CC:-cc} -shared -fPIC -O2 -I "$src" "$@" -o "$tmp"
mv -f "$tmp" "$out"
echo "build-parser: wrote $out"
