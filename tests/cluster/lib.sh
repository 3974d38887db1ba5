# Shared helpers of the cluster tests. DISCO_BUILD is set by ctest.
BIN=${DISCO_BUILD:?DISCO_BUILD not set}/bin
fail() { echo "FAIL: $*" >&2; exit 1; }
# Every process this test starts inherits the tag, so leftovers are found
# without mistaking another test's servers (ctest runs tests in parallel).
export DISCO_TEST_TAG="$(basename "$0")-$$"
tagged_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if { tr "\0" "\n" <"$p/environ"; } 2>/dev/null | grep -qx "DISCO_TEST_TAG=$DISCO_TEST_TAG"; then
      grep -q flash-node "$p/cmdline" 2>/dev/null && echo "${p#/proc/}"
    fi
  done
  return 0
}
no_leftovers() {
  local pids
  pids=$(tagged_pids)
  [ -z "$pids" ] || fail "flash-node processes left behind: $pids"
}
