#!/usr/bin/env bash
# Every API method through discoctl (libdiscoclient) and through curl,
# against a real disco-coord with two local node servers over mutual TLS:
# images, jobs with verdicts, JUnit, time and cycle limits, cancel, VMs
# (Disco VMs on the node servers) with console input and streams,
# placement, statistics, Linux programs through the program runner, and
# ownership between users and the admin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki
start_coord --max-running 2
echo "coordinator on $URL"

# --- cluster: status, nodes, stats (the real node servers) ---
expect 0 as alice status
grep -q "running, 2/2 server(s), 2 FLASH node(s)" <<<"$OUT" || fail "status: $OUT"
grep -q "you       alice$" <<<"$OUT" || fail "whoami: $OUT"
grep -q "runner    disco-vm$" <<<"$OUT" || fail "the VM runner: $OUT"
expect 0 as root status
grep -q "root (admin)" <<<"$OUT" || fail "admin role from OU: $OUT"
expect 0 as alice nodes
[ "$(grep -c ' yes ' <<<"$OUT")" = 2 ] || fail "two live nodes: $OUT"
expect 0 as alice --json stats --node 1
grep -q '"scope": "node 1"' <<<"$OUT" || fail "node stats: $OUT"
expect 7 as alice stats --node 9

# --- images: push (twice: the second finds it complete), list; kernels are recognized ---
expect 0 as alice image push "$GUEST/demo-workload-be"
WORKLOAD=$OUT
[ ${#WORKLOAD} = 64 ] || fail "push printed $WORKLOAD"
[ "$WORKLOAD" = "$(sha256sum "$GUEST/demo-workload-be" | cut -c1-64)" ] || fail "sha256 differs"
expect 0 as alice image push "$GUEST/demo-workload-be"
[ "$OUT" = "$WORKLOAD" ] || fail "second push: $OUT"
expect 0 as alice image push --name echo "$GUEST/api_vm_echo"
ECHO=$OUT
expect 0 as alice image push "$GUEST/hostile_spin_r10000"
SPIN=$OUT
expect 0 as alice image list
[ "$(grep -c PROGRAM <<<"$OUT")" = 1 ] && [ "$(grep -c KERNEL <<<"$OUT")" = 2 ] || fail "alice's images: $OUT"
expect 0 as bob image list
[ "$(grep -c 'PROGRAM\|KERNEL' <<<"$OUT")" = 0 ] || fail "bob sees alice's images: $OUT"

# --- jobs on VMs: pass, fail, JUnit, statistics, time and cycle limits, cancel ---
T0=$(date +%s%N)
expect 0 as alice job submit "$GUEST/boot_hello" --name hello --wait --junit "$WORK/pass.xml"
echo "boot_hello job: push, submit, run as a VM, result in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
grep -q "hello from bare metal" <<<"$OUT" || fail "console of the kernel job: $OUT"
grep -q "KT RESULT: PASS" <<<"$OUT" || fail "verdict line: $OUT"
grep -q 'failures="0" errors="0"' "$WORK/pass.xml" || fail "junit pass: $(cat "$WORK/pass.xml")"
grep -q 'name="hello"' "$WORK/pass.xml" || fail "junit name"
grep -q '<property name="instructions" value="[1-9]' "$WORK/pass.xml" || fail "junit stats"
grep -q '<property name="monitor_cycles" value="[1-9]' "$WORK/pass.xml" || fail "junit monitor cycles"
expect 1 as alice job submit "$GUEST/api_vm_fail" --wait --junit "$WORK/fail.xml"
grep -q "failing on purpose" <<<"$OUT" || fail "console of the failing kernel: $OUT"
grep -q '<failure type="FAIL" message="guest exited with status 1"' "$WORK/fail.xml" || fail "junit failure: $(cat "$WORK/fail.xml")"
expect 0 as alice --json job results 1
grep -q '"verdict": "VERDICT_PASS"' <<<"$OUT" || fail "results json: $OUT"
for s in kernel_cycles monitor_cycles idle_cycles tlb_misses l2tlb_hit_ratio host_monitor \
  monitor_cycles.privileged privileged_instructions mips; do
  grep -q "\"name\": \"$s\"" <<<"$OUT" || fail "final statistic $s: $OUT"
done
expect 3 as alice job submit "$SPIN" --time-limit 1 --wait --quiet
expect 3 as alice job submit "$SPIN" --max-cycles 3000000 --wait --quiet
expect 0 as alice job show 4
grep -q "TIMED_OUT, verdict TIMEOUT: cycle limit reached" <<<"$OUT" || fail "cycle limit: $OUT"
expect 0 as alice job submit "$SPIN"
LONG=$OUT
wait_job_state alice "$LONG" JOB_RUNNING
expect 0 as alice job cancel "$LONG"
wait_job_state alice "$LONG" JOB_CANCELED
expect 0 as alice job show "$LONG"
grep -q "verdict CANCELED" <<<"$OUT" || fail "cancel verdict: $OUT"

# --- Linux programs run through the program runner (flash-run) ---
expect 0 as alice job submit "$WORKLOAD" --name workload --wait
grep -q "FNV-1a of the paper's title" <<<"$OUT" || fail "console of the workload: $OUT"
expect 1 as alice job submit "$GUEST/rt_hello" --args "x y" --wait
grep -q "argv\[2\]=y" <<<"$OUT" || fail "arguments reach the guest: $OUT"
expect 0 as alice job list
[ "$(grep -c alice <<<"$OUT")" = 7 ] || fail "alice's jobs: $OUT"
grep -q "TIMED_OUT  TIMEOUT" <<<"$OUT" || fail "timed-out job listed: $OUT"

# --- VMs: console input and output, stream, interactive, stats, stop, destroy ---
expect 0 as alice vm submit "$ECHO" --name console-vm --memory 32
VM=$OUT
for _ in $(seq 50); do grep -q "echo ready" <<<"$(as alice vm console "$VM" 2>/dev/null || true)" && break; sleep 0.1; done
expect 0 as alice vm console "$VM" --send $'hello disco\n'
for _ in $(seq 50); do grep -q "echo: hello disco" <<<"$(as alice vm console "$VM" 2>/dev/null || true)" && break; sleep 0.1; done
expect 0 as alice vm console "$VM"
grep -q "echo: hello disco" <<<"$OUT" || fail "console echo: $OUT"
# Statistics of a running VM come from the node server while it runs.
for _ in $(seq 50); do
  as alice --json stats --vm "$VM" 2>/dev/null | grep -q '"name": "instructions"' && break; sleep 0.1
done
expect 0 as alice --json stats --vm "$VM"
grep -q '"name": "console"' <<<"$OUT" && grep -q '"name": "kernel_cycles"' <<<"$OUT" || fail "vm stats: $OUT"
# A following stream ends by itself when the guest halts.
as alice vm console "$VM" --follow >"$WORK/follow.txt" 2>&1 &
FOLLOW=$!
sleep 0.5
expect 0 as alice vm console "$VM" --send $'quit\n'
wait $FOLLOW || fail "console --follow failed: $(cat "$WORK/follow.txt")"
grep -q "^bye$" "$WORK/follow.txt" || fail "follow saw the end: $(cat "$WORK/follow.txt")"
expect 0 as alice vm show "$VM"
grep -q "state     HALTED" <<<"$OUT" && grep -q "exit      status 7" <<<"$OUT" || fail "halted VM: $OUT"
# Interactive console from a pipe: stdin to the VM, output until it ends.
expect 0 as alice vm submit "$ECHO" --node 1
PIPEVM=$OUT
OUT=$(printf 'first\nsecond\nquit\n' | as alice vm console "$PIPEVM" --input 2>&1) || fail "console --input: $OUT"
grep -q "echo: first" <<<"$OUT" && grep -q "echo: second" <<<"$OUT" && grep -q "^bye$" <<<"$OUT" || fail "piped console: $OUT"
# Four at once with two VM slots: input to a VM still waiting is kept until it starts.
PIDS=()
for c in 1 2 3 4; do
  # (output captured first: grep -q closing the pipe early would fail it under pipefail)
  ( V=$(as alice vm submit "$ECHO") && O=$(printf "c$c\nquit\n" | as alice vm console "$V" --input) &&
      grep -q "echo: c$c" <<<"$O" ) &
  PIDS+=($!)
done
for p in "${PIDS[@]}"; do wait "$p" || fail "a concurrent piped console session failed"; done
expect 0 as alice --json stats --node 1
grep -q '"name": "instructions"' <<<"$OUT" || fail "node stats of the node the VM ran on: $OUT"
expect 0 as alice --json stats
grep -q '"name": "machine_vms_started"' <<<"$OUT" || fail "cluster stats: $OUT"
expect 0 as alice vm submit "$SPIN"
SPINVM=$OUT
expect 0 as alice vm stop "$SPINVM"
for _ in $(seq 50); do grep -q "STOPPED" <<<"$(as alice vm show "$SPINVM" 2>/dev/null || true)" && break; sleep 0.1; done
expect 0 as alice vm show "$SPINVM"
grep -q "state     STOPPED" <<<"$OUT" || fail "stopped VM: $OUT"
expect 2 as alice vm submit "$SPIN" --memory lots
expect 1 as alice vm submit "$SPIN" --memory 4096
grep -q "invalid_argument" <<<"$OUT" || fail "memory over the machine's: $OUT"
expect 1 as alice vm submit "$SPIN" --node 5
grep -q "placement on node 5" <<<"$OUT" || fail "placement outside the machine: $OUT"
expect 1 as alice vm submit "$SPIN" --vcpus 2
grep -q "CPUs of one server" <<<"$OUT" || fail "vCPUs over a server's CPUs: $OUT"
expect 1 as alice vm submit "$GUEST/hostile_spin_r2el"
grep -q "built for mips64r2 little-endian" <<<"$OUT" || fail "a kernel for other CPUs: $OUT"
expect 0 as alice vm destroy "$SPINVM"
expect 7 as alice vm show "$SPINVM"

# --- the program runner's sandbox: no reading the server's secrets, no signals out ---
if grep -q "Landlock is not available" "$WORK/coord.err"; then
  echo "no Landlock on this host: sandbox checks skipped"
else
  expect 0 as alice job submit "$GUEST/api_peek" --args "$PKI/localhost.key" --wait
  grep -q "read $PKI/localhost.key: Permission denied" <<<"$OUT" || fail "a guest read the server key: $OUT"
  grep -q "write scratch: allowed" <<<"$OUT" || fail "scratch directory: $OUT"
  grep -q "signal parent: Operation not permitted" <<<"$OUT" || fail "a guest signalled out: $OUT"
fi

# --- ownership: bob cannot reach alice's things; the admin can ---
expect 7 as bob job show 1
expect 7 as bob job results 1
expect 7 as bob job cancel "$LONG"
expect 7 as bob vm show "$VM"
expect 7 as bob vm stop "$VM"
expect 7 as bob vm destroy "$VM"
expect 7 as bob vm console "$VM"
expect 7 as bob job submit "$WORKLOAD"
grep -q "no image" <<<"$OUT" || fail "bob used alice's image: $OUT"
expect 6 as bob job list --all
expect 0 as bob job list
grep -q alice <<<"$OUT" && fail "bob lists alice's jobs: $OUT"
expect 0 as root job list --all
grep -q alice <<<"$OUT" || fail "the admin sees alice's jobs: $OUT"
expect 0 as root job show 1
expect 0 as alice vm show "$VM"

# --- every method through curl ---
curl_call alice Cluster/WhoAmI; [ "$HTTP" = 200 ] && decoded Cluster/WhoAmI | grep -q '"user":"alice"' || fail "curl WhoAmI $HTTP"
curl_call alice Cluster/GetStatus; [ "$HTTP" = 200 ] && decoded Cluster/GetStatus | grep -q '"nodes":2' || fail "curl GetStatus $HTTP"
curl_call alice Cluster/ListNodes; [ "$HTTP" = 200 ] && decoded Cluster/ListNodes | grep -q '"alive":true' || fail "curl ListNodes"
curl_call alice Cluster/GetStats scope=2 id="$VM"; [ "$HTTP" = 200 ] && decoded Cluster/GetStats | grep -q "\"scope\":\"vm $VM\"" || fail "curl GetStats"
printf 'disk contents' >"$WORK/disk.img"
DSHA=$(sha256sum "$WORK/disk.img" | cut -c1-64)
curl_call alice Images/UploadChunk sha256="$DSHA" size=13 offset=0 data="disk " kind=2 name=d
[ "$HTTP" = 200 ] && decoded Images/UploadChunk | grep -q '"received":5,"complete":false' || fail "curl UploadChunk 1: $(decoded Images/UploadChunk)"
curl_call alice Images/GetUpload sha256="$DSHA"; [ "$HTTP" = 200 ] && decoded Images/GetUpload | grep -q '"received":5' || fail "curl GetUpload"
curl_call alice Images/UploadChunk sha256="$DSHA" size=13 offset=0 data="disk " kind=2
[ "$HTTP" = 412 ] && grep -q '"code":"failed_precondition"' "$WORK/body" || fail "curl chunk at a wrong offset: $HTTP $(cat "$WORK/body")"
curl_call alice Images/UploadChunk sha256="$DSHA" size=13 offset=5 data="contents" kind=2
[ "$HTTP" = 200 ] && decoded Images/UploadChunk | grep -q '"complete":true' || fail "curl UploadChunk 2"
curl_call alice Images/ListImages; [ "$HTTP" = 200 ] && decoded Images/ListImages | grep -q "\"KIND_DISK\"" || fail "curl ListImages"
curl_call alice Vms/SubmitVm spec.kernel="$ECHO" spec.name=curlvm; [ "$HTTP" = 200 ] || fail "curl SubmitVm $HTTP $(cat "$WORK/body")"
CVM=$(decoded Vms/SubmitVm | sed -E 's/^\{"id":([0-9]+).*/\1/')
curl_call alice Vms/ListVms; [ "$HTTP" = 200 ] && decoded Vms/ListVms | grep -q '"name":"curlvm"' || fail "curl ListVms"
for _ in $(seq 50); do curl_call alice Vms/GetVm id="$CVM"; decoded Vms/GetVm | grep -q VM_RUNNING && break; sleep 0.1; done
curl_call alice Vms/WriteConsole id="$CVM" data=$'via curl\n'; [ "$HTTP" = 200 ] && decoded Vms/WriteConsole | grep -q '"written":9' || fail "curl WriteConsole"
for _ in $(seq 50); do grep -q "echo: via curl" <<<"$(as alice vm console "$CVM" 2>/dev/null || true)" && break; sleep 0.1; done
curl_call alice Vms/StreamConsole id="$CVM"
[ "$HTTP" = 200 ] && grep -q "echo: via curl" "$WORK/body" || fail "curl StreamConsole: $(od -c "$WORK/body" | head)"
[ "$(tail -c +1 "$WORK/body" | head -c 1 | od -An -tx1 | tr -d ' ')" = 00 ] || fail "stream starts with a data frame"
curl_call alice Vms/StopVm id="$CVM"; [ "$HTTP" = 200 ] || fail "curl StopVm"
sleep 0.3
curl_call alice Vms/DestroyVm id="$CVM"; [ "$HTTP" = 200 ] || fail "curl DestroyVm"
curl_call alice Vms/GetVm id="$CVM"; [ "$HTTP" = 404 ] && grep -q '"code":"not_found"' "$WORK/body" || fail "curl GetVm after destroy"
curl_call alice Jobs/SubmitJob spec.vm.kernel="$WORKLOAD" spec.time_limit_s=30; [ "$HTTP" = 200 ] || fail "curl SubmitJob"
CJOB=$(decoded Jobs/SubmitJob | sed -E 's/^\{"id":([0-9]+).*/\1/')
curl_call alice Jobs/ListJobs limit=2; [ "$HTTP" = 200 ] && [ "$(decoded Jobs/ListJobs | grep -o '"id":' | wc -l)" -ge 2 ] || fail "curl ListJobs"
wait_job_state alice "$CJOB" JOB_DONE
curl_call alice Jobs/GetJob id="$CJOB"; [ "$HTTP" = 200 ] && decoded Jobs/GetJob | grep -q VERDICT_PASS || fail "curl GetJob"
curl_call alice Jobs/GetResults id="$CJOB"; [ "$HTTP" = 200 ] && grep -q "sorted words" "$WORK/body" || fail "curl GetResults"
curl_call alice Jobs/CancelJob id="$CJOB"; [ "$HTTP" = 200 ] || fail "curl CancelJob of a finished job"
curl_call bob Jobs/GetResults id="$CJOB"; [ "$HTTP" = 404 ] || fail "curl: bob reads alice's results ($HTTP)"
curl_call alice Images/DeleteImage sha256="$DSHA"; [ "$HTTP" = 200 ] || fail "curl DeleteImage"
curl_call alice Images/GetUpload sha256="$DSHA"; [ "$HTTP" = 404 ] || fail "deleted image still there"

# --- Twirp's JSON encoding through curl ---
J=(--cacert "$PKI/ca.crt" --cert "$PKI/alice.crt" --key "$PKI/alice.key" -H 'Content-Type: application/json')
OUT=$(curl -sS "${J[@]}" -d '{}' "$URL/twirp/disco.api.Cluster/WhoAmI")
[ "$OUT" = '{"user":"alice","admin":false}' ] || fail "JSON WhoAmI: $OUT"
OUT=$(curl -sS "${J[@]}" -d "{\"spec\":{\"vm\":{\"kernel\":\"$WORKLOAD\"},\"timeLimitS\":30,\"name\":\"json\"}}" \
  "$URL/twirp/disco.api.Jobs/SubmitJob")
JJOB=$(sed -E 's/^\{"id":([0-9]+).*/\1/' <<<"$OUT")
grep -q '"name":"json"' <<<"$OUT" || fail "JSON SubmitJob: $OUT"
wait_job_state alice "$JJOB" JOB_DONE
OUT=$(curl -sS "${J[@]}" -d "{\"id\":\"$JJOB\"}" "$URL/twirp/disco.api.Jobs/GetJob")
grep -q '"verdict":"VERDICT_PASS"' <<<"$OUT" || fail "JSON GetJob: $OUT"
OUT=$(curl -sS "${J[@]}" -d '{"id":' -w ' %{http_code}' "$URL/twirp/disco.api.Jobs/GetJob")
grep -q '"code":"malformed"' <<<"$OUT" && grep -q ' 400$' <<<"$OUT" || fail "bad JSON: $OUT"

# --- exit codes and help ---
expect 0 "$BIN/discoctl" job --help
grep -q -- "--junit FILE" <<<"$OUT" || fail "job --help"
for v in status nodes stats image vm job help version; do expect 0 "$BIN/discoctl" help $v; done
expect 2 as alice job submit
expect 2 as alice frobnicate
expect 5 "$BIN/discoctl" --url https://127.0.0.1:1 --ca "$PKI/ca.crt" --cert "$PKI/alice.crt" --key "$PKI/alice.key" status

# The server kept serving through all of it, and shuts down leaving nothing behind.
expect 0 as alice status
KIDS=$(children)
stop_coord
no_leftovers $KIDS
echo "PASS"
