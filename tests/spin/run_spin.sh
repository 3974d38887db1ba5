#!/bin/sh
# run_spin.sh MODEL [-DNAME=VALUE ...] - exhaustive safety check of a Promela
# model: spin -a, gcc, ./pan. Fails on any assertion violation, invalid end
# state (a stuck transaction), incomplete search or tool error.
set -eu
model=$1
shift
command -v spin >/dev/null || { echo "spin not installed (deploy/install-deps.sh)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$model" "$work/model.pml"
cd "$work"
spin "$@" -a model.pml >spin.log 2>&1 || { cat spin.log; exit 1; }
# SAFETY: no cycle checks; COLLAPSE: compressed state storage.
gcc -O1 -DSAFETY -DCOLLAPSE -DMEMLIM=2048 -o pan pan.c 2>gcc.log || { cat gcc.log; exit 1; }
# -m: depth limit well above what the bounded runs reach (~500).
./pan -m200000 >pan.log 2>&1 || true
cat pan.log
grep -q "errors: 0" pan.log || { echo "FAIL: spin found an error (pan.log above)"; exit 1; }
if grep -qE "Search not completed|max search depth too small|out of memory" pan.log; then
    echo "FAIL: search incomplete"
    exit 1
fi
echo "PASS: $(grep 'states, stored' pan.log | tr -s ' ')"
