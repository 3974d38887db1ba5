#!/usr/bin/env bash
# stats_column.sh WORD - reads disco-coord's output on stdin and prints the
# machine total of the statistics-table column whose header contains WORD
# (e.g. "remote", "local", "instructions", "avg"; the header row starts with
# "node", as bare_run_finish() prints it): the value in the row
# labelled total when there is one, else the sum of the per-node rows.
# Prints nothing when no such table is found.
word=${1:?usage: stats_column.sh WORD}
awk -v word="$word" '
  function isnum(s) { return s ~ /^[0-9]+(\.[0-9]+)?$/ }
  col == 0 && $1 == "node" {
    for (i = 1; i <= NF; i++)
      if (tolower($i) ~ tolower(word)) { col = i; ncols = NF; next }
  }
  col == 0 { next }
  NF == 0 { if (rows > 0) done = 1; next }
  done { next }
  tolower($1) ~ /^total/ {
    # The total row may omit the node label column(s): align from the right.
    v = $(NF - (ncols - col))
    if (isnum(v)) { total = v; have_total = 1 }
    done = 1
    next
  }
  NF == ncols && isnum($col) { sum += $col; rows++ }
  END {
    if (have_total) print total
    else if (rows > 0) print sum
  }'
