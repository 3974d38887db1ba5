#!/usr/bin/env bash
# Every C file of the project follows the committed .clang-format
# (`make format` applies it). Lists the files that do not.
set -euo pipefail
cd "${DISCO_SOURCE:?DISCO_SOURCE not set}"
if [ -d .git ] && command -v git >/dev/null; then
  mapfile -t files < <(git ls-files '*.c' '*.h')
else
  mapfile -t files < <(find . -path ./build -prune -o -path './build-*' -prune -o \( -name '*.c' -o -name '*.h' \) -print)
fi
# One clang-format process for all files (one per file took a minute on a
# loaded host); it names each unformatted file in its diagnostics.
out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1) || true
mapfile -t bad < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: (error|warning)' <<<"$out" | cut -d: -f1 | sort -u)
if [ "${#bad[@]}" -gt 0 ]; then
  echo "not clang-formatted (run 'make format'):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "PASS: ${#files[@]} files formatted"
