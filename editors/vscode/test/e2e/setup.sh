#!/usr/bin/env bash
# Installs what the end-to-end test drives: Debian's Chromium and ripgrep, and
# code-server (VS Code in the browser) from npm under editors/vscode/.e2e/.
#
# Idempotent: a finished install leaves a stamp and is reused. Needs only the
# package registries (Debian, npm); nothing is downloaded from anywhere else.
#
#   setup.sh                 Debian packages and code-server
#   setup.sh --system-only   Debian packages only
#   setup.sh --print-bin     print the code-server executable (after setup)
#
# code-server's own postinstall would download ripgrep from GitHub, so its
# steps are done here by hand: dependencies installed without scripts,
# Debian's rg linked where VS Code looks for @vscode/ripgrep/bin/rg (the
# package's postinstall then sees bin/ and skips the download), and the
# native modules rebuilt from source.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
here="$(cd "$(dirname "$0")" && pwd)"
ext="$(cd "$here/../.." && pwd)"
cache="${DIMAP_E2E_CACHE:-$ext/.e2e}"
install="$cache/code-server-$CODE_SERVER_VERSION"
stamp="$install/.ready"

log() { echo "[e2e setup] $*"; }

bin="$install/node_modules/.bin/code-server"
if [ "${1:-}" = --print-bin ]; then
  [ -f "$stamp" ] && [ -x "$bin" ] || { echo "code-server is not set up: run $0" >&2; exit 1; }
  echo "$bin"
  exit 0
fi

# ---- Debian packages ------------------------------------------------------

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need+=(build-essential)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo -n); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
fi

if [ "${1:-}" = --system-only ]; then
  log "Debian packages present"
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  log "warning: code-server $CODE_SERVER_VERSION supports Node 20; this is Node $node_major"
fi

# ---- code-server ----------------------------------------------------------

if [ -f "$stamp" ] && [ -x "$bin" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $install"
  exit 0
fi

log "installing code-server $CODE_SERVER_VERSION into $install"
rm -rf "$install"
mkdir -p "$install"
cd "$install"
printf '{ "private": true }\n' > package.json

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION"

# argon2 is code-server's only native dependency: build it (node-pre-gyp
# falls back to a source build when it cannot download a prebuilt one).
npm_config_unsafe_perm=true npm_config_yes=true npm rebuild argon2

vscode="$install/node_modules/code-server/lib/vscode"
cd "$vscode"
npm install --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_unsafe_perm=true npm_config_yes=true npm rebuild

# The rest of code-server's postinstall.sh.
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --ignore-scripts && node postinstall.mjs >/dev/null)

for module in node-pty @vscode/spdlog native-watchdog kerberos; do
  if ! find "node_modules/$module" -name '*.node' -path '*Release*' | grep -q .; then
    echo "[e2e setup] native module $module was not built" >&2
    exit 1
  fi
done

XDG_CONFIG_HOME="$install/.config" "$install/node_modules/.bin/code-server" --version
touch "$stamp"
log "code-server ready"
