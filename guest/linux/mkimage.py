#!/usr/bin/env python3
# mkimage.py - host-side helpers of guest/linux/build.sh, standard library only:
#   kernel VMLINUZ OUT.elf  unpack the XZ payload of Debian's self-decompressing
#                           vmlinuz and wrap the raw image in a one-segment ELF64
#                           (little-endian MIPS) loading at physical 0x100000 and
#                           entered at its first word (it jumps to kernel_entry).
#   cpio ROOTDIR OUT.gz     a gzip'd "newc" cpio archive of ROOTDIR (the
#                           initramfs), owned by root, fixed mtime: reproducible.
import gzip, lzma, os, stat, struct, sys

LOAD_PHYS = 0x100000
LOAD_VIRT = 0xFFFFFFFF80100000  # KSEG0 view of LOAD_PHYS: CONFIG_PHYSICAL_START


def kernel(src, dst):
    data = open(src, "rb").read()
    # The decompressor's own code holds the magic too: take the first
    # occurrence that decodes. The payload is followed by the wrapper's own
    # data: decompress one stream.
    raw = None
    at = data.find(b"\xfd7zXZ\x00")
    while at >= 0 and raw is None:
        try:
            raw = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
        except lzma.LZMAError:
            at = data.find(b"\xfd7zXZ\x00", at + 1)
    if raw is None:
        sys.exit("mkimage: no XZ payload in " + src)
    ehdr_size, phdr_size = 64, 56
    off = 0x1000
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # ELFCLASS64, LSB, v1
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 8, 1, LOAD_VIRT, ehdr_size, 0,
                               0x80000006,  # EF_MIPS_ARCH_64R2 | CPIC | PIC as Linux
                               ehdr_size, phdr_size, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 7, off, LOAD_VIRT, LOAD_PHYS, len(raw), len(raw), 0x1000)
    out = bytearray(ehdr + phdr)
    out += bytes(off - len(out))
    out += raw
    open(dst, "wb").write(out)
    print("mkimage: kernel image %d bytes at 0x%x" % (len(raw), LOAD_PHYS))


def cpio(root, dst):
    entries = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs + files):
            entries.append(os.path.join(d, n))
    out = bytearray()
    ino = 1

    def add(name, mode, body, nlink=1, rdev=(0, 0)):
        nonlocal ino
        namez = name.encode() + b"\x00"
        hdr = "070701" + "".join("%08X" % v for v in (
            ino, mode, 0, 0, nlink, 0, len(body), 0, 0, rdev[0], rdev[1], len(namez), 0))
        ino += 1
        out.extend(hdr.encode() + namez)
        out.extend(bytes((-len(out)) % 4))
        out.extend(body)
        out.extend(bytes((-len(out)) % 4))

    for p in entries:
        st = os.lstat(p)
        name = os.path.relpath(p, root)
        if stat.S_ISLNK(st.st_mode):
            add(name, st.st_mode, os.readlink(p).encode())
        elif stat.S_ISDIR(st.st_mode):
            add(name, st.st_mode, b"", 2)
        else:
            add(name, st.st_mode, open(p, "rb").read())
    # /dev/console must exist before init runs (the kernel opens it for init).
    add("dev/console", stat.S_IFCHR | 0o600, b"", 1, (5, 1))
    add("TRAILER!!!", 0, b"")
    with open(dst, "wb") as f:
        f.write(gzip.compress(bytes(out), 9, mtime=0))
    print("mkimage: initramfs %d entries" % len(entries))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("kernel", "cpio"):
        sys.exit(__doc__ if False else "usage: mkimage.py kernel|cpio IN OUT")
    {"kernel": kernel, "cpio": cpio}[sys.argv[1]](sys.argv[2], sys.argv[3])
