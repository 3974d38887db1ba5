#!/usr/bin/env bash
# The per-VM statistics of `flash-run --vm --stats` add up: a kernel test that
# refills the TLB shows hardware TLB misses, privileged instructions, monitor
# cycles by action and second-level TLB hits; --no-l2tlb has no l2tlb hits
# and costs more monitor cycles; kernel + user + monitor cycles = the
# machine time the VM ran.
set -u
build=${DISCO_BUILD:-build}
prog=$build/guest/smp_matmul_r10000
fail() { echo "vm_stats: $*" >&2; exit 1; }
field() { echo "$1" | grep "^vm0:" | grep -oE "(^| )$2=[0-9.]*" | head -1 | cut -d= -f2; }

with=$("$build/bin/flash-run" --vm --stats --vcpus 2 --pcpus 1 "$prog" 2>&1) || fail "run failed: $with"
without=$("$build/bin/flash-run" --vm --stats --vcpus 2 --pcpus 1 --no-l2tlb "$prog" 2>&1) ||
  fail "run without l2tlb failed: $without"
echo "$with" | grep '^vm0:'
echo "$without" | grep '^vm0:'
for key in instructions kernel_cycles monitor_cycles traps privops pages; do
  v=$(field "$with" "$key")
  [ -n "$v" ] && [ "$v" -gt 0 ] || fail "$key is '$v', want > 0"
done
echo "$with" | grep -q 'vcpu_switch=' || fail "two vCPUs on one CPU but no vcpu_switch cost"
[ "$(field "$without" l2tlb_hits)" -eq 0 ] || fail "l2tlb hits without an l2tlb"
# The SMP program maps nothing through the TLB; its misses are the monitor's own.
k=$(field "$with" kernel_cycles) u=$(field "$with" user_cycles) m=$(field "$with" monitor_cycles)
i=$(field "$with" idle_cycles) total=$(field "$with" cycles)
[ $((k + u + m)) -eq "$total" ] || fail "kernel+user+monitor $((k + u + m)) != cycles $total"

# A test that refills the TLB from its handler: misses the monitor serves from the l2tlb.
tlb=$("$build/bin/flash-run" --vm --stats "$build/guest/k_tlb_refill_r10000" 2>&1) ||
  fail "k_tlb_refill failed: $tlb"
echo "$tlb" | grep '^vm0:'
[ "$(field "$tlb" tlb_misses)" -gt 0 ] || fail "no TLB misses in a TLB refill test"
[ "$(field "$tlb" reflected)" -gt 0 ] || fail "no exception reflected to the guest's refill handler"
echo "$tlb" | grep -q 'tlb_miss_emulate=' || fail "no tlb_miss_emulate cost"
echo "vm_stats: ok (idle $i cycles)"
