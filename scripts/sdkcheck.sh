#!/usr/bin/env bash
# make sdkcheck: drive a fresh emulator with Microsoft's Graph SDK for Go (and its ARM side with the Azure SDK for Go)
# (tools/sdkcheck, a module of its own: the SDK is large and stays out of the
# provider's build). The first run downloads and compiles the SDK (minutes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
cd "$root"
go build -o "$tmp/pimemulator" ./cmd/pimemulator
"$tmp/pimemulator" -addr 127.0.0.1:0 -data "$tmp/state.json" -ready-file "$tmp/ready.json" >"$tmp/emulator.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  [ -s "$tmp/ready.json" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$tmp/ready.json" ] || { echo "the emulator did not start" >&2; exit 1; }
cd tools/sdkcheck
PIM_SDKCHECK_READY="$tmp/ready.json" go test -count=1 -v ./ 2>&1 | grep -v '^=== RUN'
