#!/usr/bin/env bash
# Fails when docs/ differs from what tfplugindocs generates from the schema,
# templates/ and examples/ (run make generate and commit the result).
# tfplugindocs takes the output directory relative to the provider directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v0.24.0 generate \
  --provider-name pim --rendered-website-dir "$(realpath --relative-to="$root" "$tmp/docs")" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
if ! diff -ru docs "$tmp/docs"; then
  echo "docs/ is stale: run make generate and commit docs/" >&2
  exit 1
fi
echo "docs: up to date"
