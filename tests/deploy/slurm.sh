#!/usr/bin/env bash
# Slurm for real: a one-host cluster (munged, slurmctld, slurmd) started by
# this test from its own slurm.conf in a temporary directory, on private
# ports, with proctrack/linuxproc and task/none (no cgroups needed). The
# sbatch script deploy/slurm/disco.sbatch runs disco-srun: rank 0 the
# coordinator, ranks 1-3 node servers over tls; the job's output must show
# the assembled machine and the coordinator's clean exit (and, where
# disco-coord runs --bare on remote servers, the program's PASS line and
# statistics). Everything started is stopped; skipped (77) without root or
# the slurm-wlm/munge packages.
set -uo pipefail
. "$DISCO_SOURCE/tests/cluster/lib.sh"
for c in munged mungekey slurmctld slurmd sbatch sinfo scontrol; do
  command -v "$c" >/dev/null || { echo "SKIP: $c not installed (deploy/install-deps.sh installs slurm-wlm, munge)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: slurmd needs root"; exit 77; }

T=$(mktemp -d /tmp/disco-slurm-XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
  [ -n "${SLURM_CONF:-}" ] && scancel --quiet --name=disco-flash 2>/dev/null
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 30); do
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [ -f "$T/munged.pid" ] && kill -TERM "$(cat "$T/munged.pid")" 2>/dev/null
  local left; left=$(tagged_pids); [ -n "$left" ] && kill -KILL $left 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# 1. munge with its own key and socket.
mkdir -m 700 "$T/munge"
mungekey -c -k "$T/munge/munge.key" || fail "mungekey"
munged --force --socket="$T/munge/sock" --key-file="$T/munge/munge.key" \
  --pid-file="$T/munged.pid" --log-file="$T/munged.log" --seed-file="$T/munge/seed" ||
  fail "munged did not start: $(cat "$T/munged.log" 2>/dev/null)"

# 2. slurm.conf: this host as controller and the one compute node; ports
# from the test's pid so two runs do not meet.
host=$(hostname -s)
base=$((20000 + ($$ % 2000) * 3))
mkdir -p "$T/state" "$T/spool"
cat >"$T/slurm.conf" <<CONF
ClusterName=discotest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/sock
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=8 RealMemory=2000 State=UNKNOWN
PartitionName=disco Nodes=ALL Default=YES MaxTime=15 State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$T/slurm.conf

# 3. The daemons in the foreground of their own processes, so we hold their pids.
slurmctld -D -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$T/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 100); do
  sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && { up=1; break; }
  sleep 0.2
done
[ $up = 1 ] || { tail -5 "$T"/slurm*.log "$T"/*.out; fail "slurm did not come up within 20 s"; }
echo "slurm up: $(sinfo -h -o '%P %D %t %N')"

# 4. The machine as a batch job: 1 coordinator + 3 node servers x 2 nodes, tls.
export DISCO_STATE=$T/disco DISCO_BIN=$BIN DISCO_DEPLOY=$DISCO_SOURCE/deploy
bare=(--hold 1) expect_bare=0
probe=$("$BIN/disco-coord" --servers 1 --bare /nonexistent 2>&1)
if ! grep -q "needs --local" <<<"$probe"; then
  # A starved server on a loaded 2-core CI host must not look lost: losses are tested in deploy_netns_cluster.
  bare=(--bare "$DISCO_BUILD/guest/smp_counter_r10000" -- --timeout 60 --heartbeat-timeout 30000) expect_bare=1
fi
cd "$T" || fail "cd $T"
sbatch --ntasks=4 --output="$T/job-%j.out" \
  "$DISCO_SOURCE/deploy/slurm/disco.sbatch" "${bare[@]}" >"$T/sbatch.out" 2>&1
job=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$T/sbatch.out")
[ -n "$job" ] || { cat "$T/sbatch.out"; fail "sbatch did not submit"; }
# (sbatch --wait polls at growing intervals: ask every half second instead)
for _ in $(seq 180); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || fail "job $job still queued or running after 90 s"
out=$T/job-$job.out
cat "$out"
grep -q "^disco-srun: coordinator on $host:" "$out" || fail "no launcher line"
grep -q "disco-task: coordinator exit status 0" "$out" || fail "coordinator did not exit 0"
if [ $expect_bare = 1 ]; then
  grep -q "^SMP RESULT: PASS counter cpus=6" "$out" || fail "no PASS line from the bare run"
  grep -q "^total" "$out" || fail "no statistics"
else
  grep -q "^machine: 6 FLASH nodes x 1 CPU(s), 64 MiB per node, 3 server(s)" "$out" ||
    fail "machine not assembled"
  for s in 0 1 2; do grep -q "^  server $s .*host $host" "$out" || fail "server $s missing"; done
  grep -q "machine shut down cleanly" "$out" || fail "no clean shutdown"
  echo "(this disco-coord runs --bare only with --local: the job held the machine instead)"
fi
[ -s "$DISCO_STATE/tls/ca.crt" ] || fail "no CA made on first use"
sleep 0.5
no_leftovers
echo PASS
