#!/usr/bin/env bash
# Runs the dimap benchmarks end to end (see BENCHMARKS.md): builds dimap, the
# workload generator and the LSP driver in release; generates the workspace
# at each scale; times `dimap check` with /usr/bin/time -v; drives `dimap
# lsp`; and runs the yaml-language-server reference. Results go to
# bench/results/*.json. Nothing here is part of the test suite.
#
# Environment: SCALES (default "0.1 1 3"), YAML_SCALES (default "1"; empty
# for no reference run),
# KEYSTROKES (default 200 per file), REPEATS (default 100 per position),
# CHECK_RUNS (default 3), BENCH_OUT (default bench/out), CARGO_TARGET_DIR.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
out="${BENCH_OUT:-$here/out}"
results="$here/results"
target="${CARGO_TARGET_DIR:-$repo/target}"
scales="${SCALES:-0.1 1 3}"
yaml_scales="${YAML_SCALES-1}"
keystrokes="${KEYSTROKES:-200}"
repeats="${REPEATS:-100}"
check_runs="${CHECK_RUNS:-3}"
mkdir -p "$out" "$results"

# GNU time reports peak memory; install it when the machine lacks it.
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi

echo "== building (release)"
(cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --release --quiet)
CARGO_TARGET_DIR="$target" cargo build --release --quiet --manifest-path "$here/gen/Cargo.toml"
CARGO_TARGET_DIR="$target" cargo build --release --quiet --manifest-path "$here/lsp-driver/Cargo.toml"
dimap="$target/release/dimap"
gen="$target/release/dimap-bench-gen"
driver="$target/release/dimap-lsp-driver"

cat > "$results/machine.json" <<JSON
{
  "nproc": $(nproc),
  "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')",
  "memory": "$(free -h | awk '/^Mem:/ {print $2}')",
  "kernel": "$(uname -r)",
  "rustc": "$(rustc --version)",
  "dimap_commit": "$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "load_average_at_start": "$(cut -d' ' -f1-3 /proc/loadavg)"
}
JSON

# One `/usr/bin/time -v` run of a command as a JSON object.
timed() {
  local log
  log="$(mktemp)"
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || true
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident set size/ { rss = $2 }
    /Exit status/ { status = $2 }
    END { printf "{\"wall_s\": %.3f, \"user_s\": %s, \"sys_s\": %s, \"cpu_s\": %.2f, \"peak_rss_kib\": %s, \"exit_status\": %s}", wall, user, sys, user + sys, rss, status }
  ' "$log"
  rm -f "$log"
}

for scale in $scales; do
  ws="$out/scale-$scale"
  echo "== scale $scale: generating $ws"
  "$gen" --out "$ws" --scale "$scale" >/dev/null

  # The first check parses both caches whole and writes their indexes
  # (.dimap/schemas/.index); the later runs, and the server after them, read
  # the indexes. Both are reported.
  rm -rf "$ws/.dimap/schemas/.index"
  echo "== scale $scale: dimap check x$check_runs (the first builds the cache indexes)"
  {
    echo "{\"scale\": $scale, \"workload\": $(cat "$ws/workload.json"), \"first_run_builds_index\": true, \"runs\": ["
    for i in $(seq 1 "$check_runs"); do
      [ "$i" -gt 1 ] && echo ","
      timed "$dimap" check "$ws"
    done
    echo "], \"summary\": \"$("$dimap" check "$ws" 2>&1 | tail -1)\"}"
  } > "$results/check-scale-$scale.json"
  cat "$results/check-scale-$scale.json"

  # The first check wrote the indexes (hundreds of MB at 1x and 3x); their
  # write-back to disk would otherwise run during the timed edits below.
  sync
  echo "== scale $scale: dimap lsp"
  "$driver" --server "$dimap lsp" --scenario "$ws/scenario-dimap.json" \
    --keystrokes "$keystrokes" --repeats "$repeats" --stderr "$out/lsp-stderr-$scale.txt" \
    > "$results/lsp-dimap-scale-$scale.json"
done

# The reference: yaml-language-server on a YAML document of the same maps and
# size, with a JSON Schema of the same entities. Installed here only.
if [ -n "$yaml_scales" ]; then
  if [ ! -f "$here/node/node_modules/yaml-language-server/bin/yaml-language-server" ]; then
    echo "== installing yaml-language-server into bench/node"
    npm install --silent --no-audit --no-fund --prefix "$here/node" yaml-language-server
  fi
  yls="node $here/node/node_modules/yaml-language-server/bin/yaml-language-server --stdio"
  version="$(node -p "require('$here/node/node_modules/yaml-language-server/package.json').version")"
  for scale in $yaml_scales; do
    ws="$out/scale-$scale"
    [ -f "$ws/scenario-yaml.json" ] || "$gen" --out "$ws" --scale "$scale" >/dev/null
    echo "== scale $scale: yaml-language-server $version (reference)"
    "$driver" --server "$yls" --scenario "$ws/scenario-yaml.json" \
      --keystrokes "$keystrokes" --repeats "$repeats" --stderr "$out/yaml-stderr-$scale.txt" \
      > "$results/lsp-yaml-language-server-scale-$scale.json"
  done
fi
echo "== results in $results"
