#!/usr/bin/env bash
# Everything the VS Code extension is tested with, on a fresh machine too:
#
#   1. Debian packages the end-to-end test needs (chromium, ripgrep, a C++
#      tool chain and libkrb5-dev for code-server's native modules), when missing
#   2. npm ci, type check, bundle
#   3. npm test: grammar in sync, TextMate grammar tests, unit tests
#   4. the dimap server: reused from $CARGO_TARGET_DIR/release/dimap or
#      <repo>/target/release/dimap when there is one that no source file is
#      newer than, else cargo build --release into $CARGO_TARGET_DIR (default
#      <repo>/target; DIMAP_REBUILD_SERVER=1 always builds)
#   5. the .vsix (scripts/package.sh)
#   6. code-server 4.100.3 (test/e2e/setup.sh, cached under .e2e/)
#   7. the end-to-end test in code-server driven by Chromium (test/e2e/e2e.mjs)
#
# Exits non-zero on any failure; the last line is `vscode: N passed, M failed`.
# Screenshots and logs of the end-to-end run go to test/e2e/artifacts/.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
ext="$(cd "$here/.." && pwd)"
repo="$(cd "$ext/../.." && pwd)"
cd "$ext"

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export DEBIAN_FRONTEND=noninteractive

passed=0
failed=0
t0=$(date +%s)

step() { echo; echo "== vscode: $* ($(( $(date +%s) - t0 ))s)"; }
finish() {
  echo
  echo "vscode: run.sh took $(( $(date +%s) - t0 ))s"
  echo "vscode: $passed passed, $failed failed"
  if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then exit 0; fi
  exit 1
}
# A step that cannot go on: count it and stop.
abort() {
  echo "vscode: FAILED: $*" >&2
  failed=$((failed + 1))
  finish
}

# ---- 1. Debian packages --------------------------------------------------
step "system packages"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  abort "node and npm are needed (Node 20)"
fi
bash "$here/e2e/setup.sh" --system-only || abort "installing the Debian packages"

# ---- 2. npm ci, type check, bundle ---------------------------------------
step "npm ci"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f node_modules/.dimap-lock-sum ] && [ "$(cat node_modules/.dimap-lock-sum)" = "$lock_sum" ]; then
  echo "node_modules matches package-lock.json"
else
  npm ci --no-audit --no-fund </dev/null || abort "npm ci"
  echo "$lock_sum" > node_modules/.dimap-lock-sum
fi

step "type check and bundle"
npm run --silent typecheck || abort "tsc --noEmit"
npm run --silent build || abort "esbuild"

# ---- 3. npm test -----------------------------------------------------------
step "npm test (grammar and unit tests)"
log="$(mktemp)"
npm test 2>&1 | tee "$log"
test_status=${PIPESTATUS[0]}
grammar_ok=$(grep -c '^✓' "$log" || true)
grammar_bad=$(grep -c '^✖' "$log" || true)
unit_ok=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
unit_bad=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
rm -f "$log"
passed=$((passed + grammar_ok + ${unit_ok:-0}))
failed=$((failed + grammar_bad + ${unit_bad:-0}))
if [ "$test_status" -ne 0 ] && [ $((grammar_bad + ${unit_bad:-0})) -eq 0 ]; then
  abort "npm test exited with $test_status"
fi
echo "vscode: npm test: $((grammar_ok + ${unit_ok:-0})) passed, $((grammar_bad + ${unit_bad:-0})) failed"

# ---- 4. the server ---------------------------------------------------------
step "dimap server"
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$repo/$target" ;; esac
# A binary is reused when no source of the server is newer than it, so a
# stale one is never tested; otherwise cargo builds (incrementally) in $target.
stale() {
  [ -n "$(find "$repo/src" "$repo/grammar/src" "$repo/grammar/queries" "$repo/Cargo.toml" "$repo/Cargo.lock" "$repo/build.rs" \
    -newer "$1" -type f -print -quit 2>/dev/null)" ]
}
server=""
if [ "${DIMAP_REBUILD_SERVER:-0}" != 1 ]; then
  for candidate in "$target/release/dimap" "$repo/target/release/dimap"; do
    if [ -x "$candidate" ]; then
      if stale "$candidate"; then
        echo "$candidate is older than the server's sources: not reused"
      else
        server="$candidate"
        break
      fi
    fi
  done
fi
if [ -n "$server" ]; then
  echo "reusing $server (DIMAP_REBUILD_SERVER=1 builds it again)"
else
  echo "cargo build --release (target dir $target)"
  (cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --release </dev/null) || abort "cargo build --release"
  server="$target/release/dimap"
fi

# ---- 5. the .vsix ------------------------------------------------------------
step "package the .vsix"
DIMAP_SERVER="$server" bash scripts/package.sh || abort "scripts/package.sh"
vsix="$ext/dimap-$(node -p 'require("./package.json").version').vsix"
[ -f "$vsix" ] || abort "no $vsix"

# ---- 6. code-server --------------------------------------------------------
step "code-server"
bash "$here/e2e/setup.sh" || abort "test/e2e/setup.sh"
code_server="$(bash "$here/e2e/setup.sh" --print-bin)" || abort "locating code-server"

# ---- 7. end to end ---------------------------------------------------------
step "end-to-end test in code-server"
log="$(mktemp)"
# e2e.mjs has its own overall limit; this one only catches a hang of Node itself.
timeout --kill-after=30 "${DIMAP_E2E_HARD_TIMEOUT:-900}" \
  node "$here/e2e/e2e.mjs" --code-server "$code_server" --vsix "$vsix" </dev/null 2>&1 | tee "$log"
e2e_status=${PIPESTATUS[0]}
e2e_line="$(grep -E '^vscode e2e: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
rm -f "$log"
if [ -z "$e2e_line" ]; then
  abort "the end-to-end test ended without a result (exit status $e2e_status)"
fi
e2e_ok=$(echo "$e2e_line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
e2e_bad=$(echo "$e2e_line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
passed=$((passed + e2e_ok))
failed=$((failed + e2e_bad))
if [ "$e2e_status" -ne 0 ] && [ "$e2e_bad" -eq 0 ]; then
  abort "the end-to-end test exited with $e2e_status"
fi

finish
