#!/usr/bin/env python3
"""run_linux.py - the Linux guest tests of issue 7 (docs/linux.md).

  run_linux.py vm-qemu   Debian's kernel + initramfs as a Disco VM
                         (flash-run --vm) and under qemu-system-mips64el
                         (malta): both run the scripted workload and reboot;
                         the workload outputs must be identical.
  run_linux.py bare-vm   the same kernel bare on the simulated node
                         (flash-run --system) and as a VM: both reach init and
                         give the same workload output.
  run_linux.py figures   all three, printing the figures of docs/linux.md.
  run_linux.py net       two Linux VMs on one virtual subnet in one
                         flash-run --vm --net process: VM 1 (10.0.0.1) runs
                         workload=netserver, VM 2 workload=netclient
                         peer=10.0.0.1; the 256 KB file must arrive intact and
                         both VMs must power off.

The VMs and the bare node end by powering off (init's default); QEMU gets
end=reboot, since it would hang on the power-off (it runs with -no-reboot).

Needs DISCO_BUILD and DISCO_SOURCE (set by ctest). Exit 77 (skipped) when the
guest cannot be built: no cached packages and Debian's archive unreachable.
"""
import hashlib, os, re, resource, subprocess, sys, tempfile, time

BUILD = os.environ.get("DISCO_BUILD", "build")
SOURCE = os.environ.get("DISCO_SOURCE", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
GUEST = os.path.join(BUILD, "guest", "linux")
FLASH_RUN = os.path.join(BUILD, "bin", "flash-run")
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_CYCLES = "8000000000"  # 40 simulated seconds at 200 MHz: a hung guest ends
TIMEOUT = 240              # host seconds per run (about 4 s of CPU each on an idle host)
INIT_MARK = "DISCO-LINUX: init reached"
SHELL_MARK = "DISCO-LINUX: shell"
LAST_CPU = 0.0
# Typed at the guest's interactive shell: the answer proves the console's input path.
SHELL_INPUT = "echo SHELL-ANSWER $((6 * 7)); reboot -f\n"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def build_guest():
    r = subprocess.run([os.path.join(SOURCE, "guest", "linux", "build.sh"), GUEST],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 2:
        print("SKIP: the Linux guest cannot be built (no cached packages, Debian unreachable):")
        print(r.stdout)
        sys.exit(77)
    if r.returncode != 0:
        fail("guest/linux/build.sh failed:\n" + r.stdout)


def timed_run(name, cmd, typed=None):
    """Runs cmd; returns (output, seconds to INIT_MARK, total seconds, stderr).
    typed: console input, sent once the guest's shell has started. The host
    CPU seconds of the run go to LAST_CPU (wall time suffers on a busy host)."""
    global LAST_CPU
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    init_at = None
    out = []
    with tempfile.TemporaryFile(mode="w+") as err:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err,
                             stdin=subprocess.PIPE if typed else subprocess.DEVNULL,
                             text=True, errors="replace", bufsize=1)
        try:
            for line in p.stdout:
                out.append(line)
                if init_at is None and INIT_MARK in line:
                    init_at = time.monotonic() - t0
                if typed and SHELL_MARK in line:
                    p.stdin.write(typed)
                    p.stdin.flush()
                if time.monotonic() - t0 > TIMEOUT:
                    p.kill()
                    fail("%s: no end after %d s" % (name, TIMEOUT))
            rc = p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            fail("%s: no end after %d s" % (name, TIMEOUT))
        total = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        LAST_CPU = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        err.seek(0)
        errtext = err.read()
    text = "".join(out).replace("\r", "")
    if init_at is None:
        fail("%s never reached init (rc %d):\n%s\n%s" % (name, rc, text[-3000:], errtext[-2000:]))
    if rc != 0:
        fail("%s ended with status %d:\n%s\n%s" % (name, rc, text[-2000:], errtext[-2000:]))
    return text, init_at, total, errtext


def workload(name, text):
    m = re.search(r"DISCO-WORKLOAD-BEGIN\n(.*?)DISCO-WORKLOAD-END\n", text, re.S)
    if not m:
        fail("%s: no complete workload output:\n%s" % (name, text[-2000:]))
    return m.group(1)


def flash_run(name, how, shell=False):
    disk = os.path.join(GUEST, "disk.img")
    cmd = ["stdbuf", "-oL", FLASH_RUN, how, "--stats", "--max-cycles", MAX_CYCLES,
           "--initrd", os.path.join(GUEST, "initramfs.cpio.gz"), "--disk", disk]
    if shell:
        cmd += ["--append", "console=ttyS0 earlycon nokaslr lpj=400000 workload=shell"]
    cmd.append(os.path.join(GUEST, "vmlinux.elf"))
    text, init_at, total, err = timed_run(name, cmd, SHELL_INPUT if shell else None)
    if not shell and "DISCO-LINUX: poweroff" not in text:
        fail("%s: the guest did not power off:\n%s" % (name, text[-2000:]))
    if shell and "SHELL-ANSWER 42" not in text:
        fail("%s: the shell did not answer the typed command:\n%s" % (name, text[-2000:]))
    # The virtio disk: size and contents as the image holds them, a write read back.
    want = "DISCO-DISK: DISCO-DISK-OK %d bytes md5 %s" % (
        os.path.getsize(disk), hashlib.md5(open(disk, "rb").read()).hexdigest())
    if want not in text or "DISCO-DISK: readback disco-write-test" not in text:
        fail("%s: the virtio disk was not read or written as expected (want '%s'):\n%s" %
             (name, want, text[-2000:]))
    return text, init_at, total, err


def run_vm(shell=False):
    return flash_run("Disco VM", "--vm", shell)


def run_bare(shell=False):
    return flash_run("bare node", "--system", shell)


def sim_seconds(text):
    """Simulated seconds the workload took, from the guest's /proc/uptime marks."""
    b = re.search(r"DISCO-TIME: begin ([0-9.]+)", text)
    e = re.search(r"DISCO-TIME: end ([0-9.]+)", text)
    return float(e.group(1)) - float(b.group(1)) if b and e else float("nan")


def run_qemu():
    qdir = os.path.join(GUEST, "qemu")
    os.makedirs(qdir, exist_ok=True)
    initrd = os.path.join(GUEST, "initramfs.cpio.gz")
    shim, dtb, raw = (os.path.join(qdir, n) for n in ("shim.elf", "malta.dtb", "vmlinux.raw"))
    subprocess.run(["mips64el-linux-gnuabi64-gcc", "-mabi=64", "-march=mips64r2", "-nostdlib",
                    "-static", "-fno-pic", "-mno-abicalls", "-Wl,-Ttext=0xffffffff80080000",
                    "-Wl,-e,__start", "-o", shim, os.path.join(HERE, "qemu_shim.S")], check=True)
    dts = open(os.path.join(HERE, "qemu_malta.dts.in")).read()
    dts = dts.replace("@INITRD_END@", "0x%x" % (0x7000000 + os.path.getsize(initrd)))
    # QEMU's malta console is polled: let it empty the tty buffer before the reboot;
    # a reboot, not init's power-off, which would leave QEMU waiting forever.
    dts = dts.replace("@APPEND@", "drain=1 end=reboot")
    # Padded to one whole 4 KB page: with some tree sizes (1314 and 2048 bytes were
    # seen; 1302-1310 and 4096 boot) the kernel under QEMU malta takes an early
    # exception and spins in the boot ROM's vector before printing anything after
    # "Initmem setup". Not understood; the page-sized tree always booted.
    subprocess.run(["dtc", "-q", "-S", "4096", "-I", "dts", "-O", "dtb", "-o", dtb, "-"],
                   input=dts, text=True, check=True)
    with open(os.path.join(GUEST, "vmlinux.elf"), "rb") as f:
        f.seek(0x1000)  # mkimage.py: the raw image follows the ELF headers at 4 KB
        open(raw, "wb").write(f.read())
    cmd = ["qemu-system-mips64el", "-M", "malta", "-cpu", "5KEc", "-m", "128", "-nographic",
           "-vga", "none", "-nic", "none", "-no-reboot", "-kernel", shim,
           "-device", "loader,file=%s,addr=0x100000,force-raw=on" % raw,
           "-device", "loader,file=%s,addr=0x7000000,force-raw=on" % initrd,
           "-device", "loader,file=%s,addr=0x7f00000,force-raw=on" % dtb]
    return timed_run("QEMU", cmd)


BASE_CMDLINE = "console=ttyS0 earlycon nokaslr lpj=400000"
NET_FILE_BYTES = 262144


def line_of(text, vm, pattern, what):
    """The first match of pattern on a console line of vm ("vm0: ..."), or fail."""
    m = re.search(r"^%s: .*?%s" % (vm, pattern), text, re.M)
    if not m:
        fail("%s: %s:\n%s" % (vm, what, text[-4000:]))
    return m


def run_net():
    """Two Linux VMs talking over the virtual subnet (vnet.h, docs/linux.md)."""
    cmd = ["stdbuf", "-oL", FLASH_RUN, "--vm", "--net", "--stats", "--max-cycles", MAX_CYCLES,
           "--initrd", os.path.join(GUEST, "initramfs.cpio.gz"),
           "--append", BASE_CMDLINE + " workload=netserver",
           "--append", BASE_CMDLINE + " workload=netclient peer=10.0.0.1",
           os.path.join(GUEST, "vmlinux.elf"), os.path.join(GUEST, "vmlinux.elf")]
    text, init_at, total, err = timed_run("two VMs on a subnet", cmd)
    # VM ids are 1 and 2 (console prefixes vm0 and vm1): MACs and addresses follow.
    line_of(text, "vm0", r"DISCO-NET: eth0 02:44:00:00:00:01 10\.0\.0\.1$", "no eth0 line")
    line_of(text, "vm1", r"DISCO-NET: eth0 02:44:00:00:00:02 10\.0\.0\.2$", "no eth0 line")
    line_of(text, "vm1", r"DISCO-NET: ping \d+ bytes from 10\.0\.0\.1: seq=\d+ ttl=64",
            "no ping answer from 10.0.0.1")
    sent = line_of(text, "vm1", r"DISCO-NET: sending (\d+) bytes md5 ([0-9a-f]{32})$",
                   "the client did not send")
    got = line_of(text, "vm0", r"DISCO-NET: received (\d+) bytes md5 ([0-9a-f]{32})$",
                  "the server received nothing")
    if int(sent.group(1)) != NET_FILE_BYTES or sent.groups() != got.groups():
        fail("sent %s bytes md5 %s, received %s bytes md5 %s" %
             (sent.group(1), sent.group(2), got.group(1), got.group(2)))
    took = line_of(text, "vm1", r"DISCO-NET: sent to 10\.0\.0\.1:5000 in ([0-9.]+) s$",
                   "the client did not finish")
    for vm in ("vm0", "vm1"):
        line_of(text, vm, r"DISCO-LINUX: poweroff$", "did not power off")
    if "did not exit" in err:
        fail("a VM did not exit:\n" + err)
    # Each frame one VM sent, the other received: nothing lost on the subnet.
    net = {}
    for vm in ("vm0", "vm1"):
        m = re.search(r"^%s: net_tx_frames=(\d+) net_tx_bytes=(\d+) net_rx_frames=(\d+) "
                      r"net_rx_bytes=(\d+) net_dropped=(\d+)$" % vm, err, re.M)
        if not m:
            fail("%s: no net statistics:\n%s" % (vm, err))
        net[vm] = [int(x) for x in m.groups()]
    if net["vm0"][0:2] != net["vm1"][2:4] or net["vm1"][0:2] != net["vm0"][2:4]:
        fail("frames sent and received do not match: %s" % net)
    if net["vm1"][1] < NET_FILE_BYTES:
        fail("the client sent only %d bytes of frames" % net["vm1"][1])
    secs = float(took.group(1))
    print("two VMs on a subnet: %.2f s wall (%.2f s host CPU), first init after %.2f s" %
          (total, LAST_CPU, init_at))
    print("256 KB transfer (connect to close, client's clock): %.6f simulated s = %.1f M cycles"
          " at 200 MHz, %.2f MB/s simulated" %
          (secs, secs * 200, NET_FILE_BYTES / secs / 1e6 if secs > 0 else float("nan")))
    print("".join(l + "\n" for l in text.splitlines() if "DISCO-NET" in l), end="")
    print("statistics (flash-run --stats):\n" + err)
    print("PASS")


def stat(errtext, key):
    m = re.search(r"\b%s=([0-9.]+)" % key, errtext)
    return m.group(1) if m else "?"


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "vm-qemu"
    build_guest()
    if mode == "net":
        run_net()
        return
    vm_text, vm_init, vm_total, vm_err = run_vm()
    vm_work = workload("Disco VM", vm_text)
    vm_cpu = LAST_CPU
    print("Disco VM: init after %.2f s, ended after %.2f s wall, %.2f s host CPU; %s" %
          (vm_init, vm_total, vm_cpu, vm_err.strip().splitlines()[0] if vm_err.strip() else ""))
    if mode in ("vm-qemu", "figures"):
        q_text, q_init, q_total, _ = run_qemu()
        q_work = workload("QEMU", q_text)
        print("QEMU malta: init after %.2f s, ended after %.2f s wall, %.2f s host CPU" %
              (q_init, q_total, LAST_CPU))
        if q_work != vm_work:
            fail("workload output differs:\n--- Disco VM\n%s--- QEMU\n%s" % (vm_work, q_work))
    if mode in ("bare-vm", "figures"):
        b_text, b_init, b_total, b_err = run_bare()
        b_work = workload("bare node", b_text)
        print("bare node: init after %.2f s, ended after %.2f s wall, %.2f s host CPU; %s" %
              (b_init, b_total, LAST_CPU, b_err.strip()))
        if b_work != vm_work:
            fail("workload output differs:\n--- Disco VM\n%s--- bare\n%s" % (vm_work, b_work))
        print("workload simulated seconds: VM %.2f, bare %.2f" %
              (sim_seconds(vm_text), sim_seconds(b_text)))
        # Both reach an interactive shell that answers what is typed at it.
        for name, run in (("bare node", run_bare), ("Disco VM", run_vm)):
            _, init_at, total, _ = run(shell=True)
            print("%s: interactive shell answered; init after %.2f s, done after %.2f s wall" %
                  (name, init_at, total))
    if mode == "figures":
        print("vm stats:\n" + vm_err)
    print("workload output (identical):\n" + vm_work)
    print("PASS")


if __name__ == "__main__":
    main()
