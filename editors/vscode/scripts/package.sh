#!/usr/bin/env bash
# Packages the extension as dimap-VERSION.vsix with the dimap server inside
# (server/dimap), for the platform this runs on.
#
#   scripts/package.sh                  cargo build --release, then package
#   DIMAP_SERVER=PATH scripts/package.sh  package that binary instead of building
#
# The server is built into $CARGO_TARGET_DIR (default: <repo>/target). Needs
# no network once npm ci has run: vsce packages the esbuild bundle, not
# node_modules.
set -euo pipefail

ext="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$ext/../.." && pwd)"
cd "$ext"

target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$repo/$target" ;; esac

server="${DIMAP_SERVER:-}"
if [ -z "$server" ]; then
  echo "[package] cargo build --release (target dir $target)"
  (cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --release)
  server="$target/release/dimap"
fi
if [ ! -x "$server" ]; then
  echo "[package] no dimap binary at $server" >&2
  exit 1
fi

echo "[package] bundling $server into server/dimap"
rm -rf server
mkdir -p server
cp "$server" server/dimap
# The release profile keeps line tables for backtraces; the copy shipped in
# the extension does not need them.
if command -v strip >/dev/null 2>&1; then
  strip server/dimap 2>/dev/null || true
fi
chmod 755 server/dimap
server/dimap --version >/dev/null 2>&1 || server/dimap --help >/dev/null

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
  Darwin-x86_64) platform=darwin-x64 ;;
  Darwin-arm64) platform=darwin-arm64 ;;
  *) platform= ;;
esac

version="$(node -p 'require("./package.json").version')"
out="dimap-$version.vsix"
rm -f "$out"
# The README shows images/screenshot.png, shipped in the package: relative
# links stay relative (there is no public repository to point them at).
args=(package --no-dependencies --no-rewrite-relative-links --out "$out")
if [ -n "$platform" ]; then
  args+=(--target "$platform")
fi
echo "[package] vsce ${args[*]}"
npx --no-install vsce "${args[@]}" </dev/null
echo "[package] wrote $ext/$out"
