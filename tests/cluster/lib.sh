# Shared helpers of the cluster tests. DISCO_BUILD is set by ctest.
BIN=${DISCO_BUILD:?DISCO_BUILD not set}/bin
fail() { echo "FAIL: $*" >&2; exit 1; }
# No flash-node started by this test may survive it.
no_leftovers() {
  local pids
  pids=$(pgrep -f "$BIN/flash-node" || true)
  [ -z "$pids" ] || fail "flash-node processes left behind: $pids"
}
