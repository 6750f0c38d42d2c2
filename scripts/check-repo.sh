#!/usr/bin/env bash
# Fails when the repository tracks a compiled binary (ELF, Mach-O or PE) or a
# file over 1 MB: build outputs and scratch copies belong in .gitignore.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  size=$(stat -c %s "$f")
  if [ "$size" -gt 1048576 ]; then
    echo "tracked file over 1 MB: $f ($size bytes)" >&2
    bad=1
  fi
  magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case "$magic" in
    7f454c46 | cffaedfe | cefaedfe | feedface | feedfacf | 4d5a*)
      echo "tracked binary: $f" >&2
      bad=1
      ;;
  esac
done < <(git ls-files -z)
[ "$bad" -eq 0 ] || { echo "remove these from git (git rm --cached) and ignore them in .gitignore" >&2; exit 1; }
echo "repository: no binaries, no file over 1 MB"

# One area, one package (DESIGN.md): no package under internal/emulator,
# internal/provider or internal/pimclient holds more than 2,500 non-test
# lines, and the packages that assemble the emulator and the provider hold
# under 800.
while IFS= read -r d; do
  files=$(find "$d" -maxdepth 1 -name '*.go' ! -name '*_test.go')
  [ -n "$files" ] || continue
  lines=$(cat $files | wc -l)
  limit=2500
  case "$d" in internal/emulator | internal/provider) limit=800 ;; esac
  if [ "$lines" -gt "$limit" ]; then
    echo "package $d holds $lines non-test lines (limit $limit): split it by area" >&2
    bad=1
  fi
done < <(find internal/emulator internal/provider internal/pimclient -type d)
[ "$bad" -eq 0 ] || exit 1
echo "packages: none over its size limit"
