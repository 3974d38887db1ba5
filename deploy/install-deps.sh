#!/usr/bin/env bash
# Installs every Debian package Disco/FLASH needs to build, test and run.
# Idempotent: packages already present are skipped, and when nothing is
# missing the script returns in well under a second without touching apt.
# Works as root or through sudo. Usage: deploy/install-deps.sh [--quiet]
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config clang-format
  # libraries
  protobuf-c-compiler libprotobuf-c-dev libnng-dev libevent-dev libssl-dev
  libcmocka-dev libsqlite3-dev libelf-dev libfdt-dev device-tree-compiler
  # cross compilers for guest software
  gcc-mips64-linux-gnuabi64 gcc-mips64el-linux-gnuabi64
  libc6-dev-mips64-cross libc6-dev-mips64el-cross
  # oracles and checkers
  qemu-user qemu-system-mips spin
  # sanitizers and fuzzing
  clang libclang-rt-14-dev
  # tools the tests and demo scripts use
  openssl curl iproute2 procps
  # the Linux guest (guest/linux/build.sh, tests/linux): image and initramfs
  # writer, stdbuf for line-buffered console timing
  python3 coreutils
  # deployment tests: a one-host Slurm cluster (tests/deploy/slurm.sh)
  slurm-wlm munge
)

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
say() { [ "$quiet" = 1 ] || echo "install-deps: $*"; }

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  say "all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the index only if it is missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
  $SUDO apt-get update -q
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  # A stale index is the usual cause: refresh once and retry.
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
say "done"
