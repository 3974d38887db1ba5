/*
 * linux_syscall.c - the MIPS n64 Linux system calls of flash-run, as a table
 * indexed by (number - 5000) in the xv6 style. File descriptors pass straight
 * through to the host (as in qemu-user); every structure crossing the
 * boundary is rebuilt in the guest's layout and byte order, and the host's
 * errno and flag numbers are translated to their MIPS values.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cpu_internal.h"
#include "disco_err.h"
#include "linux_user_internal.h"
#include "xalloc.h"

typedef int64_t (*syscall_fn)(struct linux_process *p, const uint64_t *a);

#define MIPS_AT_FDCWD  -100
#define IO_CHUNK_PAGES 256 /* pages per host readv/writev */

int linux_errno(int host_errno)
{
    static const int mips[] = {
        [ENOMSG] = 35,
        [EIDRM] = 36,
        [ECHRNG] = 37,
        [EL2NSYNC] = 38,
        [EL3HLT] = 39,
        [EL3RST] = 40,
        [ELNRNG] = 41,
        [EUNATCH] = 42,
        [ENOCSI] = 43,
        [EL2HLT] = 44,
        [EDEADLK] = 45,
        [ENOLCK] = 46,
        [EBADE] = 50,
        [EBADR] = 51,
        [EXFULL] = 52,
        [ENOANO] = 53,
        [EBADRQC] = 54,
        [EBADSLT] = 55,
        [EBFONT] = 59,
        [ENOSTR] = 60,
        [ENODATA] = 61,
        [ETIME] = 62,
        [ENOSR] = 63,
        [ENONET] = 64,
        [ENOPKG] = 65,
        [EREMOTE] = 66,
        [ENOLINK] = 67,
        [EADV] = 68,
        [ESRMNT] = 69,
        [ECOMM] = 70,
        [EPROTO] = 71,
        [EDOTDOT] = 73,
        [EMULTIHOP] = 74,
        [EBADMSG] = 77,
        [ENAMETOOLONG] = 78,
        [EOVERFLOW] = 79,
        [ENOTUNIQ] = 80,
        [EBADFD] = 81,
        [EREMCHG] = 82,
        [ELIBACC] = 83,
        [ELIBBAD] = 84,
        [ELIBSCN] = 85,
        [ELIBMAX] = 86,
        [ELIBEXEC] = 87,
        [EILSEQ] = 88,
        [ENOSYS] = 89,
        [ELOOP] = 90,
        [ERESTART] = 91,
        [ESTRPIPE] = 92,
        [ENOTEMPTY] = 93,
        [EUSERS] = 94,
        [ENOTSOCK] = 95,
        [EDESTADDRREQ] = 96,
        [EMSGSIZE] = 97,
        [EPROTOTYPE] = 98,
        [ENOPROTOOPT] = 99,
        [EPROTONOSUPPORT] = 120,
        [ESOCKTNOSUPPORT] = 121,
        [EOPNOTSUPP] = 122,
        [EPFNOSUPPORT] = 123,
        [EAFNOSUPPORT] = 124,
        [EADDRINUSE] = 125,
        [EADDRNOTAVAIL] = 126,
        [ENETDOWN] = 127,
        [ENETUNREACH] = 128,
        [ENETRESET] = 129,
        [ECONNABORTED] = 130,
        [ECONNRESET] = 131,
        [ENOBUFS] = 132,
        [EISCONN] = 133,
        [ENOTCONN] = 134,
        [EUCLEAN] = 135,
        [ENOTNAM] = 137,
        [ENAVAIL] = 138,
        [EISNAM] = 139,
        [EREMOTEIO] = 140,
        [ESHUTDOWN] = 143,
        [ETOOMANYREFS] = 144,
        [ETIMEDOUT] = 145,
        [ECONNREFUSED] = 146,
        [EHOSTDOWN] = 147,
        [EHOSTUNREACH] = 148,
        [EALREADY] = 149,
        [EINPROGRESS] = 150,
        [ESTALE] = 151,
        [ECANCELED] = 158,
        [ENOMEDIUM] = 159,
        [EMEDIUMTYPE] = 160,
        [ENOKEY] = 161,
        [EKEYEXPIRED] = 162,
        [EKEYREVOKED] = 163,
        [EKEYREJECTED] = 164,
        [EOWNERDEAD] = 165,
        [ENOTRECOVERABLE] = 166,
        [ERFKILL] = 167,
        [EHWPOISON] = 168,
        [EDQUOT] = 1133,
    };
    if (host_errno > 0 && host_errno < (int)(sizeof(mips) / sizeof(mips[0])) && mips[host_errno])
        return mips[host_errno];
    return host_errno; /* 1-34 are the same everywhere */
}

/* A host call's result as a syscall result: the value, or -errno (MIPS). */
static int64_t host_result(int64_t rv)
{
    return rv < 0 ? -(int64_t)linux_errno(errno) : rv;
}

static int copy_path(struct linux_process *p, uint64_t vaddr, char *path)
{
    int rv = uspace_copy_string(p->space, path, vaddr, PATH_MAX);
    if (rv == 0)
        return 0;
    return rv == DISCO_ETOOBIG ? -MIPS_ENAMETOOLONG : -MIPS_EFAULT;
}

static int host_dirfd(uint64_t dirfd)
{
    return (int)dirfd == MIPS_AT_FDCWD ? AT_FDCWD : (int)dirfd;
}

/* open() flags: MIPS numbering (asm/fcntl.h) to the host's. */
static int host_open_flags(uint64_t flags)
{
    static const struct {
        uint32_t mips;
        int host;
    } map[] = {
        {0x0008, O_APPEND},   {0x0010, O_DSYNC},      {0x0080, O_NONBLOCK},  {0x0100, O_CREAT},
        {0x0200, O_TRUNC},    {0x0400, O_EXCL},       {0x0800, O_NOCTTY},    {0x4000, O_SYNC},
        {0x8000, O_DIRECT},   {0x10000, O_DIRECTORY}, {0x20000, O_NOFOLLOW}, {0x40000, O_NOATIME},
        {0x80000, O_CLOEXEC}, {0x200000, O_PATH},
    };
    int host = (int)(flags & 3);
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (flags & map[i].mips)
            host |= map[i].host;
    if ((flags & 0x400000) == 0x400000)
        host |= O_TMPFILE;
    return host;
}

static uint64_t mips_open_flags(int host)
{
    static const struct {
        uint32_t mips;
        int host;
    } map[] = {
        {0x0008, O_APPEND}, {0x0010, O_DSYNC},    {0x0080, O_NONBLOCK},
        {0x8000, O_DIRECT}, {0x40000, O_NOATIME},
    };
    uint64_t mips = (uint64_t)(host & 3);
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (host & map[i].host)
            mips |= map[i].mips;
    if ((host & O_SYNC) == O_SYNC)
        mips |= 0x4010;
    return mips | 0x2000; /* O_LARGEFILE: a 64-bit kernel reports it */
}

/*
 * I/O straight between a host fd and guest pages: checks the whole buffer
 * first (EFAULT like the kernel), then readv/writev over the pages.
 */
static int64_t guest_io(struct linux_process *p, int fd, uint64_t vaddr, uint64_t len,
                        bool to_guest, int64_t offset)
{
    struct iovec iov[IO_CHUNK_PAGES];
    int access = to_guest ? ACCESS_STORE : ACCESS_LOAD;
    int64_t done = 0;
    if (len > INT32_MAX)
        len = INT32_MAX & ~USPACE_PAGE_MASK;
    while ((uint64_t)done < len) {
        int n = 0;
        uint64_t va = vaddr + (uint64_t)done, chunk_bytes = 0;
        while (n < IO_CHUNK_PAGES && (uint64_t)done + chunk_bytes < len) {
            uint8_t *host = uspace_translate(p->space, va, access, NULL);
            if (!host)
                return done + (int64_t)chunk_bytes > 0 && n > 0 ? done : -MIPS_EFAULT;
            uint64_t piece = USPACE_PAGE_SIZE - (va & USPACE_PAGE_MASK);
            if (piece > len - (uint64_t)done - chunk_bytes)
                piece = len - (uint64_t)done - chunk_bytes;
            iov[n].iov_base = host;
            iov[n++].iov_len = piece;
            va += piece;
            chunk_bytes += piece;
        }
        ssize_t got;
        if (offset >= 0)
            got = to_guest ? preadv(fd, iov, n, offset + done) : pwritev(fd, iov, n, offset + done);
        else
            got = to_guest ? readv(fd, iov, n) : writev(fd, iov, n);
        if (got < 0)
            return done > 0 ? done : host_result(-1);
        done += got;
        if ((uint64_t)got < chunk_bytes)
            break;
    }
    return done;
}

static int64_t sys_read(struct linux_process *p, const uint64_t *a)
{
    return guest_io(p, (int)a[0], a[1], a[2], true, -1);
}

static int64_t sys_write(struct linux_process *p, const uint64_t *a)
{
    return guest_io(p, (int)a[0], a[1], a[2], false, -1);
}

static int64_t sys_pread64(struct linux_process *p, const uint64_t *a)
{
    if ((int64_t)a[3] < 0)
        return -MIPS_EINVAL;
    return guest_io(p, (int)a[0], a[1], a[2], true, (int64_t)a[3]);
}

static int64_t sys_pwrite64(struct linux_process *p, const uint64_t *a)
{
    if ((int64_t)a[3] < 0)
        return -MIPS_EINVAL;
    return guest_io(p, (int)a[0], a[1], a[2], false, (int64_t)a[3]);
}

/* readv/writev: one guest_io per iovec, stopping at the first short transfer. */
static int64_t vector_io(struct linux_process *p, const uint64_t *a, bool to_guest)
{
    if (a[2] > 1024)
        return -MIPS_EINVAL;
    int64_t total = 0;
    for (uint64_t i = 0; i < a[2]; i++) {
        uint64_t base, len;
        if (guest_load(p, a[1] + 16 * i, 8, &base) || guest_load(p, a[1] + 16 * i + 8, 8, &len))
            return total ? total : -MIPS_EFAULT;
        if (len == 0)
            continue;
        int64_t got = guest_io(p, (int)a[0], base, len, to_guest, -1);
        if (got < 0)
            return total ? total : got;
        total += got;
        if ((uint64_t)got < len)
            break;
    }
    return total;
}

static int64_t sys_readv(struct linux_process *p, const uint64_t *a)
{
    return vector_io(p, a, true);
}

static int64_t sys_writev(struct linux_process *p, const uint64_t *a)
{
    return vector_io(p, a, false);
}

static int64_t sys_openat(struct linux_process *p, const uint64_t *a)
{
    char path[PATH_MAX];
    int rv = copy_path(p, a[1], path);
    if (rv)
        return rv;
    return host_result(openat(host_dirfd(a[0]), path, host_open_flags(a[2]), (mode_t)a[3]));
}

static int64_t sys_open(struct linux_process *p, const uint64_t *a)
{
    const uint64_t b[4] = {(uint64_t)(int64_t)MIPS_AT_FDCWD, a[0], a[1], a[2]};
    return sys_openat(p, b);
}

static int64_t sys_close(struct linux_process *p, const uint64_t *a)
{
    return host_result(close((int)a[0]));
}

static int64_t sys_lseek(struct linux_process *p, const uint64_t *a)
{
    return host_result(lseek((int)a[0], (off_t)a[1], (int)a[2]));
}

/* Linux's new_encode_dev(): the 32-bit dev_t of struct stat. */
static uint32_t encode_dev(dev_t dev)
{
    uint32_t maj = major(dev), min = minor(dev);
    return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

/* struct stat of the n64 ABI (asm/stat.h), 104 bytes. */
static int64_t put_stat(struct linux_process *p, uint64_t vaddr, const struct stat *st)
{
    uint8_t b[104];
    memset(b, 0, sizeof(b));
    guest_put(p, b + 0, 4, encode_dev(st->st_dev));
    guest_put(p, b + 16, 8, st->st_ino);
    guest_put(p, b + 24, 4, st->st_mode);
    guest_put(p, b + 28, 4, (uint32_t)st->st_nlink);
    guest_put(p, b + 32, 4, st->st_uid);
    guest_put(p, b + 36, 4, st->st_gid);
    guest_put(p, b + 40, 4, encode_dev(st->st_rdev));
    guest_put(p, b + 56, 8, (uint64_t)st->st_size);
    guest_put(p, b + 64, 4, (uint32_t)st->st_atim.tv_sec);
    guest_put(p, b + 68, 4, (uint32_t)st->st_atim.tv_nsec);
    guest_put(p, b + 72, 4, (uint32_t)st->st_mtim.tv_sec);
    guest_put(p, b + 76, 4, (uint32_t)st->st_mtim.tv_nsec);
    guest_put(p, b + 80, 4, (uint32_t)st->st_ctim.tv_sec);
    guest_put(p, b + 84, 4, (uint32_t)st->st_ctim.tv_nsec);
    guest_put(p, b + 88, 4, (uint32_t)st->st_blksize);
    guest_put(p, b + 96, 8, (uint64_t)st->st_blocks);
    return uspace_copy_out(p->space, vaddr, b, sizeof(b)) ? -MIPS_EFAULT : 0;
}

static int64_t sys_fstat(struct linux_process *p, const uint64_t *a)
{
    struct stat st;
    if (fstat((int)a[0], &st) != 0)
        return host_result(-1);
    return put_stat(p, a[1], &st);
}

static int64_t sys_newfstatat(struct linux_process *p, const uint64_t *a)
{
    char path[PATH_MAX];
    int rv = copy_path(p, a[1], path);
    if (rv)
        return rv;
    struct stat st;
    if (fstatat(host_dirfd(a[0]), path, &st, (int)a[3]) != 0)
        return host_result(-1);
    return put_stat(p, a[2], &st);
}

static int64_t sys_stat(struct linux_process *p, const uint64_t *a)
{
    const uint64_t b[4] = {(uint64_t)(int64_t)MIPS_AT_FDCWD, a[0], a[1], 0};
    return sys_newfstatat(p, b);
}

static int64_t sys_lstat(struct linux_process *p, const uint64_t *a)
{
    const uint64_t b[4] = {(uint64_t)(int64_t)MIPS_AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW};
    return sys_newfstatat(p, b);
}

static void put_statx_time(struct linux_process *p, uint8_t *b, const struct statx_timestamp *t)
{
    guest_put(p, b, 8, (uint64_t)t->tv_sec);
    guest_put(p, b + 8, 4, t->tv_nsec);
}

/* struct statx is the same on every architecture (256 bytes). */
static int64_t sys_statx(struct linux_process *p, const uint64_t *a)
{
    char path[PATH_MAX];
    int rv = copy_path(p, a[1], path);
    if (rv)
        return rv;
    struct statx sx;
    if (statx(host_dirfd(a[0]), path, (int)a[2], (unsigned)a[3], &sx) != 0)
        return host_result(-1);
    uint8_t b[256];
    memset(b, 0, sizeof(b));
    guest_put(p, b + 0, 4, sx.stx_mask);
    guest_put(p, b + 4, 4, sx.stx_blksize);
    guest_put(p, b + 8, 8, sx.stx_attributes);
    guest_put(p, b + 16, 4, sx.stx_nlink);
    guest_put(p, b + 20, 4, sx.stx_uid);
    guest_put(p, b + 24, 4, sx.stx_gid);
    guest_put(p, b + 28, 2, sx.stx_mode);
    guest_put(p, b + 32, 8, sx.stx_ino);
    guest_put(p, b + 40, 8, sx.stx_size);
    guest_put(p, b + 48, 8, sx.stx_blocks);
    guest_put(p, b + 56, 8, sx.stx_attributes_mask);
    put_statx_time(p, b + 64, &sx.stx_atime);
    put_statx_time(p, b + 80, &sx.stx_btime);
    put_statx_time(p, b + 96, &sx.stx_ctime);
    put_statx_time(p, b + 112, &sx.stx_mtime);
    guest_put(p, b + 128, 4, sx.stx_rdev_major);
    guest_put(p, b + 132, 4, sx.stx_rdev_minor);
    guest_put(p, b + 136, 4, sx.stx_dev_major);
    guest_put(p, b + 140, 4, sx.stx_dev_minor);
    return uspace_copy_out(p->space, a[4], b, sizeof(b)) ? -MIPS_EFAULT : 0;
}

static int64_t sys_brk(struct linux_process *p, const uint64_t *a)
{
    int64_t rv = (int64_t)uspace_brk(p->space, a[0]);
    cpu_ftlb_flush(p->cpu);
    return rv;
}

/* MIPS mmap flag bits (asm/mman.h). */
#define MIPS_MAP_SHARED          0x001
#define MIPS_MAP_PRIVATE         0x002
#define MIPS_MAP_FIXED           0x010
#define MIPS_MAP_ANONYMOUS       0x800
#define MIPS_MAP_FIXED_NOREPLACE 0x100000

/* Fills a fresh private file mapping with the file's bytes (zero past EOF). */
static int64_t fill_from_file(struct linux_process *p, uint64_t addr, uint64_t len, int fd,
                              int64_t offset)
{
    uint8_t *buf = xmalloc(1 << 16);
    int64_t rv = 0;
    for (uint64_t done = 0; done < len;) {
        size_t want = len - done < (1 << 16) ? (size_t)(len - done) : (1 << 16);
        ssize_t got = pread(fd, buf, want, offset + (int64_t)done);
        if (got < 0) {
            rv = host_result(-1);
            break;
        }
        if (got == 0 || uspace_write_force(p->space, addr + done, buf, (size_t)got))
            break;
        done += (uint64_t)got;
    }
    free(buf);
    return rv;
}

static int64_t sys_mmap(struct linux_process *p, const uint64_t *a)
{
    uint64_t addr = a[0], len = a[1], flags = a[3];
    unsigned prot = (unsigned)a[2] & 7;
    int64_t offset = (int64_t)a[5];
    if (len == 0 || (addr & USPACE_PAGE_MASK) || (offset & (int64_t)USPACE_PAGE_MASK) ||
        len > USPACE_LIMIT || !(flags & (MIPS_MAP_SHARED | MIPS_MAP_PRIVATE)))
        return -MIPS_EINVAL;
    len = (len + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK;
    if (!(flags & MIPS_MAP_ANONYMOUS) && fcntl((int)a[4], F_GETFD) < 0)
        return -MIPS_EBADF;
    bool fixed = flags & (MIPS_MAP_FIXED | MIPS_MAP_FIXED_NOREPLACE);
    if (fixed) {
        if (addr >= USPACE_LIMIT || len > USPACE_LIMIT - addr)
            return -MIPS_ENOMEM;
        if ((flags & MIPS_MAP_FIXED_NOREPLACE) && !(flags & MIPS_MAP_FIXED)) {
            for (uint64_t va = addr; va < addr + len; va += USPACE_PAGE_SIZE)
                if (uspace_page_prot(p->space, va) >= 0)
                    return -17; /* EEXIST */
        }
    } else {
        bool hint_free = addr && addr < USPACE_LIMIT && len <= USPACE_LIMIT - addr;
        for (uint64_t va = addr; hint_free && va < addr + len; va += USPACE_PAGE_SIZE)
            hint_free = uspace_page_prot(p->space, va) < 0;
        if (!hint_free && uspace_find_free(p->space, len, &addr) != 0)
            return -MIPS_ENOMEM;
    }
    if (uspace_map(p->space, addr, len, prot) != 0)
        return -MIPS_ENOMEM;
    cpu_ftlb_flush(p->cpu);
    if (!(flags & MIPS_MAP_ANONYMOUS)) {
        int64_t rv = fill_from_file(p, addr, len, (int)a[4], offset);
        if (rv < 0) {
            if (uspace_unmap(p->space, addr, len) != 0)
                return -MIPS_EINVAL;
            return rv;
        }
    }
    return (int64_t)addr;
}

static int64_t sys_munmap(struct linux_process *p, const uint64_t *a)
{
    if ((a[0] & USPACE_PAGE_MASK) || a[1] == 0 || uspace_unmap(p->space, a[0], a[1]) != 0)
        return -MIPS_EINVAL;
    cpu_ftlb_flush(p->cpu);
    return 0;
}

static int64_t sys_mprotect(struct linux_process *p, const uint64_t *a)
{
    if (a[0] & USPACE_PAGE_MASK)
        return -MIPS_EINVAL;
    if (a[1] == 0)
        return 0;
    int rv = uspace_protect(p->space, a[0], a[1], (unsigned)a[2] & 7);
    cpu_ftlb_flush(p->cpu);
    return rv == 0 ? 0 : -MIPS_ENOMEM;
}

static int64_t sys_mremap(struct linux_process *p, const uint64_t *a)
{
    uint64_t old = a[0], old_len = (a[1] + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK;
    uint64_t new_len = (a[2] + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK, flags = a[3];
    if ((old & USPACE_PAGE_MASK) || new_len == 0 || (flags & ~3ull) || (flags & 2))
        return -MIPS_EINVAL; /* MREMAP_FIXED is not emulated */
    if (!uspace_is_mapped(p->space, old, old_len))
        return -14; /* EFAULT */
    cpu_ftlb_flush(p->cpu);
    if (new_len <= old_len) {
        if (new_len < old_len && uspace_unmap(p->space, old + new_len, old_len - new_len))
            return -MIPS_EINVAL;
        return (int64_t)old;
    }
    int prot = uspace_page_prot(p->space, old + old_len - USPACE_PAGE_SIZE);
    bool grow_here = old + new_len <= USPACE_LIMIT;
    for (uint64_t va = old + old_len; grow_here && va < old + new_len; va += USPACE_PAGE_SIZE)
        grow_here = uspace_page_prot(p->space, va) < 0;
    if (grow_here) {
        if (uspace_map(p->space, old + old_len, new_len - old_len, (unsigned)prot))
            return -MIPS_ENOMEM;
        return (int64_t)old;
    }
    uint64_t to;
    if (!(flags & 1) || uspace_find_free(p->space, new_len, &to) != 0)
        return -MIPS_ENOMEM;
    if (uspace_move(p->space, old, old_len, to) ||
        uspace_map(p->space, to + old_len, new_len - old_len, (unsigned)prot))
        return -MIPS_ENOMEM;
    return (int64_t)to;
}

static int64_t sys_madvise(struct linux_process *p, const uint64_t *a)
{
    if (a[0] & USPACE_PAGE_MASK)
        return -MIPS_EINVAL;
    if (a[2] != 4) /* only MADV_DONTNEED changes what a private mapping holds */
        return 0;
    uint64_t end = a[0] + ((a[1] + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK);
    for (uint64_t va = a[0]; va < end; va += USPACE_PAGE_SIZE) {
        int prot = uspace_page_prot(p->space, va);
        if (prot >= 0 && uspace_map(p->space, va, USPACE_PAGE_SIZE, (unsigned)prot) != 0)
            return -MIPS_ENOMEM;
    }
    cpu_ftlb_flush(p->cpu);
    return 0;
}

static int64_t sys_exit_group(struct linux_process *p, const uint64_t *a)
{
    p->exited = true;
    p->result->exit_status = (int)(a[0] & 0xff);
    return LINUX_SYSCALL_NORETURN;
}

static int64_t sys_set_tid_address(struct linux_process *p, const uint64_t *a)
{
    p->clear_child_tid = a[0];
    return getpid();
}

static int64_t sys_zero(struct linux_process *p, const uint64_t *a)
{
    return 0;
}

static int64_t sys_enosys_quiet(struct linux_process *p, const uint64_t *a)
{
    return -MIPS_ENOSYS;
}

static int64_t sys_getpid(struct linux_process *p, const uint64_t *a)
{
    return getpid();
}

static int64_t sys_getppid(struct linux_process *p, const uint64_t *a)
{
    return getppid();
}

static int64_t sys_getuid(struct linux_process *p, const uint64_t *a)
{
    return getuid();
}

static int64_t sys_geteuid(struct linux_process *p, const uint64_t *a)
{
    return geteuid();
}

static int64_t sys_getgid(struct linux_process *p, const uint64_t *a)
{
    return getgid();
}

static int64_t sys_getegid(struct linux_process *p, const uint64_t *a)
{
    return getegid();
}

static int64_t sys_getpgrp(struct linux_process *p, const uint64_t *a)
{
    return getpgrp();
}

static int64_t put_timespec(struct linux_process *p, uint64_t vaddr, const struct timespec *ts)
{
    if (guest_store(p, vaddr, 8, (uint64_t)ts->tv_sec) ||
        guest_store(p, vaddr + 8, 8, (uint64_t)ts->tv_nsec))
        return -MIPS_EFAULT;
    return 0;
}

static int64_t get_timespec(struct linux_process *p, uint64_t vaddr, struct timespec *ts)
{
    uint64_t sec, nsec;
    if (guest_load(p, vaddr, 8, &sec) || guest_load(p, vaddr + 8, 8, &nsec))
        return -MIPS_EFAULT;
    ts->tv_sec = (time_t)sec;
    ts->tv_nsec = (long)nsec;
    return 0;
}

static int64_t sys_clock_gettime(struct linux_process *p, const uint64_t *a)
{
    struct timespec ts;
    if (clock_gettime((clockid_t)a[0], &ts) != 0)
        return host_result(-1);
    return put_timespec(p, a[1], &ts);
}

static int64_t sys_clock_getres(struct linux_process *p, const uint64_t *a)
{
    struct timespec ts;
    if (clock_getres((clockid_t)a[0], &ts) != 0)
        return host_result(-1);
    return a[1] ? put_timespec(p, a[1], &ts) : 0;
}

static int64_t sys_gettimeofday(struct linux_process *p, const uint64_t *a)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (a[0] && (guest_store(p, a[0], 8, (uint64_t)tv.tv_sec) ||
                 guest_store(p, a[0] + 8, 8, (uint64_t)tv.tv_usec)))
        return -MIPS_EFAULT;
    if (a[1] && (guest_store(p, a[1], 4, 0) || guest_store(p, a[1] + 4, 4, 0)))
        return -MIPS_EFAULT;
    return 0;
}

static int64_t sys_nanosleep(struct linux_process *p, const uint64_t *a)
{
    struct timespec req, rem = {0, 0};
    if (get_timespec(p, a[0], &req))
        return -MIPS_EFAULT;
    if (nanosleep(&req, &rem) != 0)
        return host_result(-1);
    return a[1] ? put_timespec(p, a[1], &rem) : 0;
}

static int64_t sys_clock_nanosleep(struct linux_process *p, const uint64_t *a)
{
    struct timespec req, rem = {0, 0};
    if (get_timespec(p, a[2], &req))
        return -MIPS_EFAULT;
    int rv = clock_nanosleep((clockid_t)a[0], (int)a[1], &req, &rem);
    if (rv != 0)
        return -(int64_t)linux_errno(rv);
    return a[3] ? put_timespec(p, a[3], &rem) : 0;
}

static int64_t sys_times(struct linux_process *p, const uint64_t *a)
{
    struct tms t;
    clock_t now = times(&t);
    if (a[0] && (guest_store(p, a[0], 8, (uint64_t)t.tms_utime) ||
                 guest_store(p, a[0] + 8, 8, (uint64_t)t.tms_stime) ||
                 guest_store(p, a[0] + 16, 8, (uint64_t)t.tms_cutime) ||
                 guest_store(p, a[0] + 24, 8, (uint64_t)t.tms_cstime)))
        return -MIPS_EFAULT;
    return (int64_t)now;
}

static int64_t sys_getrusage(struct linux_process *p, const uint64_t *a)
{
    struct rusage ru;
    if (getrusage((int)a[0], &ru) != 0)
        return host_result(-1);
    uint8_t b[144];
    memset(b, 0, sizeof(b));
    guest_put(p, b + 0, 8, (uint64_t)ru.ru_utime.tv_sec);
    guest_put(p, b + 8, 8, (uint64_t)ru.ru_utime.tv_usec);
    guest_put(p, b + 16, 8, (uint64_t)ru.ru_stime.tv_sec);
    guest_put(p, b + 24, 8, (uint64_t)ru.ru_stime.tv_usec);
    guest_put(p, b + 32, 8, (uint64_t)ru.ru_maxrss);
    return uspace_copy_out(p->space, a[1], b, sizeof(b)) ? -MIPS_EFAULT : 0;
}

static int64_t sys_uname(struct linux_process *p, const uint64_t *a)
{
    struct utsname host;
    uname(&host);
    char b[6][65];
    memset(b, 0, sizeof(b));
    snprintf(b[0], 65, "Linux");
    snprintf(b[1], 65, "%s", host.nodename);
    snprintf(b[2], 65, "%s", host.release);
    snprintf(b[3], 65, "%s", host.version);
    snprintf(b[4], 65, "mips64");
    snprintf(b[5], 65, "%s", host.domainname);
    return uspace_copy_out(p->space, a[0], b, sizeof(b)) ? -MIPS_EFAULT : 0;
}

static int64_t sys_ioctl(struct linux_process *p, const uint64_t *a)
{
    int fd = (int)a[0];
    switch ((uint32_t)a[1]) {
    case 0x540d: { /* TCGETS: struct termios of MIPS, 4 flag words + line + 23 cc */
        struct termios t;
        if (tcgetattr(fd, &t) != 0)
            return host_result(-1);
        uint8_t b[4 * 4 + 1 + 23];
        memset(b, 0, sizeof(b));
        guest_put(p, b + 0, 4, t.c_iflag);
        guest_put(p, b + 4, 4, t.c_oflag);
        guest_put(p, b + 8, 4, t.c_cflag);
        guest_put(p, b + 12, 4, t.c_lflag);
        return uspace_copy_out(p->space, a[2], b, sizeof(b)) ? -MIPS_EFAULT : 0;
    }
    case 0x40087468: { /* TIOCGWINSZ */
        struct winsize ws;
        if (ioctl(fd, TIOCGWINSZ, &ws) != 0)
            return host_result(-1);
        uint8_t b[8];
        guest_put(p, b + 0, 2, ws.ws_row);
        guest_put(p, b + 2, 2, ws.ws_col);
        guest_put(p, b + 4, 2, ws.ws_xpixel);
        guest_put(p, b + 6, 2, ws.ws_ypixel);
        return uspace_copy_out(p->space, a[2], b, sizeof(b)) ? -MIPS_EFAULT : 0;
    }
    default:
        if (fcntl(fd, F_GETFD) < 0)
            return -MIPS_EBADF;
        return -MIPS_ENOTTY;
    }
}

static int64_t sys_getrandom(struct linux_process *p, const uint64_t *a)
{
    uint64_t len = a[1] > 65536 ? 65536 : a[1];
    uint8_t *buf = xmalloc(len ? len : 1);
    ssize_t got = getrandom(buf, len, (unsigned)a[2] & 3);
    int64_t rv = got < 0 ? host_result(-1) : got;
    if (got > 0 && uspace_copy_out(p->space, a[0], buf, (size_t)got))
        rv = -MIPS_EFAULT;
    free(buf);
    return rv;
}

/* RLIMIT_* numbers of MIPS (asm/resource.h) to the host's. */
static int host_resource(uint64_t r)
{
    static const int map[] = {RLIMIT_CPU,      RLIMIT_FSIZE,   RLIMIT_DATA,   RLIMIT_STACK,
                              RLIMIT_CORE,     RLIMIT_NOFILE,  RLIMIT_AS,     RLIMIT_RSS,
                              RLIMIT_NPROC,    RLIMIT_MEMLOCK, RLIMIT_LOCKS,  RLIMIT_SIGPENDING,
                              RLIMIT_MSGQUEUE, RLIMIT_NICE,    RLIMIT_RTPRIO, RLIMIT_RTTIME};
    return r < sizeof(map) / sizeof(map[0]) ? map[r] : -1;
}

static int64_t sys_prlimit64(struct linux_process *p, const uint64_t *a)
{
    int res = host_resource(a[1]);
    if (res < 0)
        return -MIPS_EINVAL;
    if (a[0] != 0 && a[0] != (uint64_t)getpid())
        return -MIPS_ESRCH;
    if (a[3]) {
        struct rlimit rl;
        getrlimit(res, &rl);
        if (guest_store(p, a[3], 8, rl.rlim_cur) || guest_store(p, a[3] + 8, 8, rl.rlim_max))
            return -MIPS_EFAULT;
    }
    return 0; /* new limits are accepted and not enforced */
}

static int64_t sys_getrlimit(struct linux_process *p, const uint64_t *a)
{
    const uint64_t b[4] = {0, a[0], 0, a[1]};
    return sys_prlimit64(p, b);
}

static int64_t sys_readlinkat(struct linux_process *p, const uint64_t *a)
{
    char path[PATH_MAX], target[PATH_MAX];
    int rv = copy_path(p, a[1], path);
    if (rv)
        return rv;
    if ((int64_t)a[3] <= 0)
        return -MIPS_EINVAL;
    ssize_t len;
    if (strcmp(path, "/proc/self/exe") == 0) {
        len = (ssize_t)strlen(p->exe_path);
        memcpy(target, p->exe_path, (size_t)len);
    } else {
        len = readlinkat(host_dirfd(a[0]), path, target, sizeof(target));
        if (len < 0)
            return host_result(-1);
    }
    if ((uint64_t)len > a[3])
        len = (ssize_t)a[3];
    return uspace_copy_out(p->space, a[2], target, (size_t)len) ? -MIPS_EFAULT : len;
}

static int64_t sys_readlink(struct linux_process *p, const uint64_t *a)
{
    const uint64_t b[4] = {(uint64_t)(int64_t)MIPS_AT_FDCWD, a[0], a[1], a[2]};
    return sys_readlinkat(p, b);
}

static int64_t sys_faccessat(struct linux_process *p, const uint64_t *a)
{
    char path[PATH_MAX];
    int rv = copy_path(p, a[1], path);
    if (rv)
        return rv;
    return host_result(faccessat(host_dirfd(a[0]), path, (int)a[2], (int)a[3]));
}

static int64_t sys_access(struct linux_process *p, const uint64_t *a)
{
    const uint64_t b[4] = {(uint64_t)(int64_t)MIPS_AT_FDCWD, a[0], a[1], 0};
    return sys_faccessat(p, b);
}

static int64_t sys_getcwd(struct linux_process *p, const uint64_t *a)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return host_result(-1);
    size_t len = strlen(cwd) + 1;
    if (len > a[1])
        return -MIPS_ERANGE;
    return uspace_copy_out(p->space, a[0], cwd, len) ? -MIPS_EFAULT : (int64_t)len;
}

/* set_thread_area: the TLS pointer RDHWR $29 returns (Linux keeps it in UserLocal). */
static int64_t sys_set_thread_area(struct linux_process *p, const uint64_t *a)
{
    p->cpu->cp0.userlocal = a[0];
    return 0;
}

static int64_t sys_kill(struct linux_process *p, const uint64_t *a)
{
    int64_t pid = (int64_t)a[0];
    if (pid == 0 || pid == -1 || pid == getpid())
        return linux_sys_kill_self(p, (int)a[1]);
    int host = linux_host_signal((int)a[1]);
    if (a[1] && !host)
        return -MIPS_EINVAL;
    return host_result(kill((pid_t)pid, host));
}

static int64_t sys_tgkill(struct linux_process *p, const uint64_t *a)
{
    if (a[0] != (uint64_t)getpid() || a[1] != (uint64_t)getpid())
        return -MIPS_ESRCH;
    return linux_sys_kill_self(p, (int)a[2]);
}

static int64_t sys_tkill(struct linux_process *p, const uint64_t *a)
{
    if (a[0] != (uint64_t)getpid())
        return -MIPS_ESRCH;
    return linux_sys_kill_self(p, (int)a[1]);
}

/* One thread: a wait on a changed word fails, a wait on an unchanged one could never end. */
static int64_t sys_futex(struct linux_process *p, const uint64_t *a)
{
    unsigned op = (unsigned)a[1] & 0x7f; /* without FUTEX_PRIVATE_FLAG */
    uint64_t word;
    switch (op) {
    case 0: /* FUTEX_WAIT */
    case 9: /* FUTEX_WAIT_BITSET */
        if (guest_load(p, a[0], 4, &word))
            return -MIPS_EFAULT;
        return (uint32_t)word != (uint32_t)a[2] ? -MIPS_EAGAIN : -145; /* ETIMEDOUT */
    case 1:                                                            /* FUTEX_WAKE */
    case 10: /* FUTEX_WAKE_BITSET */ return 0;
    default: return -MIPS_ENOSYS;
    }
}

static int64_t sys_sched_getaffinity(struct linux_process *p, const uint64_t *a)
{
    if (a[1] < 8 || (a[1] & 7))
        return -MIPS_EINVAL;
    return guest_store(p, a[2], 8, 1) ? -MIPS_EFAULT : 8; /* one CPU: CPU 0 */
}

static int64_t sys_sysinfo(struct linux_process *p, const uint64_t *a)
{
    struct sysinfo si;
    sysinfo(&si);
    uint8_t b[112];
    memset(b, 0, sizeof(b));
    guest_put(p, b + 0, 8, (uint64_t)si.uptime);
    for (int i = 0; i < 3; i++)
        guest_put(p, b + 8 + 8 * i, 8, si.loads[i]);
    guest_put(p, b + 32, 8, si.totalram);
    guest_put(p, b + 40, 8, si.freeram);
    guest_put(p, b + 48, 8, si.sharedram);
    guest_put(p, b + 56, 8, si.bufferram);
    guest_put(p, b + 64, 8, si.totalswap);
    guest_put(p, b + 72, 8, si.freeswap);
    guest_put(p, b + 80, 2, si.procs);
    guest_put(p, b + 104, 4, si.mem_unit);
    return uspace_copy_out(p->space, a[0], b, sizeof(b)) ? -MIPS_EFAULT : 0;
}

static int64_t sys_fcntl(struct linux_process *p, const uint64_t *a)
{
    int fd = (int)a[0];
    switch (a[1]) {
    case 0: return host_result(fcntl(fd, F_DUPFD, (int)a[2]));
    case 1: return host_result(fcntl(fd, F_GETFD));
    case 2: return host_result(fcntl(fd, F_SETFD, (int)a[2]));
    case 3: {
        int fl = fcntl(fd, F_GETFL);
        return fl < 0 ? host_result(-1) : (int64_t)mips_open_flags(fl);
    }
    case 4: return host_result(fcntl(fd, F_SETFL, host_open_flags(a[2])));
    case 1030: return host_result(fcntl(fd, F_DUPFD_CLOEXEC, (int)a[2]));
    default: return -MIPS_EINVAL;
    }
}

static int64_t sys_dup(struct linux_process *p, const uint64_t *a)
{
    return host_result(dup((int)a[0]));
}

static int64_t sys_dup2(struct linux_process *p, const uint64_t *a)
{
    return host_result(dup2((int)a[0], (int)a[1]));
}

static int64_t sys_dup3(struct linux_process *p, const uint64_t *a)
{
    return host_result(dup3((int)a[0], (int)a[1], host_open_flags(a[2]) & O_CLOEXEC));
}

/* pipe() of the MIPS ABIs returns both descriptors in v0 and v1. */
static int64_t sys_pipe(struct linux_process *p, const uint64_t *a)
{
    int fds[2];
    if (pipe(fds) != 0)
        return host_result(-1);
    cpu_set_gpr(p->cpu, 3, (uint64_t)fds[1]);
    return fds[0];
}

static int64_t sys_pipe2(struct linux_process *p, const uint64_t *a)
{
    int fds[2];
    if (pipe2(fds, host_open_flags(a[1]) & (O_CLOEXEC | O_NONBLOCK)) != 0)
        return host_result(-1);
    if (guest_store(p, a[0], 4, (uint32_t)fds[0]) || guest_store(p, a[0] + 4, 4, (uint32_t)fds[1]))
        return -MIPS_EFAULT;
    return 0;
}

/* linux_dirent64 has the same layout everywhere; only the byte order changes. */
static int64_t sys_getdents64(struct linux_process *p, const uint64_t *a)
{
    uint64_t count = a[2] > 65536 ? 65536 : a[2];
    uint8_t *buf = xmalloc(count ? count : 1);
    long got = syscall(SYS_getdents64, (int)a[0], buf, (unsigned)count);
    int64_t rv = host_result(got);
    for (long off = 0; off + 19 <= got;) {
        uint64_t ino, doff;
        uint16_t reclen;
        memcpy(&ino, buf + off, 8);
        memcpy(&doff, buf + off + 8, 8);
        memcpy(&reclen, buf + off + 16, 2);
        guest_put(p, buf + off, 8, ino);
        guest_put(p, buf + off + 8, 8, doff);
        guest_put(p, buf + off + 16, 2, reclen);
        if (reclen == 0)
            break;
        off += reclen;
    }
    if (got > 0 && uspace_copy_out(p->space, a[1], buf, (size_t)got))
        rv = -MIPS_EFAULT;
    free(buf);
    return rv;
}

/* Calls taking one path (and an int): unlink, mkdir, rmdir, chdir, chmod, truncate. */
static int64_t path_call(struct linux_process *p, uint64_t vaddr, int (*fn)(const char *, long),
                         long arg)
{
    char path[PATH_MAX];
    int rv = copy_path(p, vaddr, path);
    if (rv)
        return rv;
    return host_result(fn(path, arg));
}

static int do_unlink(const char *path, long unused)
{
    return unlink(path);
}

static int do_rmdir(const char *path, long unused)
{
    return rmdir(path);
}

static int do_chdir(const char *path, long unused)
{
    return chdir(path);
}

static int do_mkdir(const char *path, long mode)
{
    return mkdir(path, (mode_t)mode);
}

static int do_chmod(const char *path, long mode)
{
    return chmod(path, (mode_t)mode);
}

static int do_truncate(const char *path, long len)
{
    return truncate(path, len);
}

static int64_t sys_unlink(struct linux_process *p, const uint64_t *a)
{
    return path_call(p, a[0], do_unlink, 0);
}

static int64_t sys_rmdir(struct linux_process *p, const uint64_t *a)
{
    return path_call(p, a[0], do_rmdir, 0);
}

static int64_t sys_chdir(struct linux_process *p, const uint64_t *a)
{
    return path_call(p, a[0], do_chdir, 0);
}

static int64_t sys_mkdir(struct linux_process *p, const uint64_t *a)
{
    return path_call(p, a[0], do_mkdir, (long)a[1]);
}

static int64_t sys_chmod(struct linux_process *p, const uint64_t *a)
{
    return path_call(p, a[0], do_chmod, (long)a[1]);
}

static int64_t sys_truncate(struct linux_process *p, const uint64_t *a)
{
    return path_call(p, a[0], do_truncate, (long)a[1]);
}

static int64_t sys_unlinkat(struct linux_process *p, const uint64_t *a)
{
    char path[PATH_MAX];
    int rv = copy_path(p, a[1], path);
    if (rv)
        return rv;
    return host_result(unlinkat(host_dirfd(a[0]), path, (int)a[2]));
}

static int64_t sys_mkdirat(struct linux_process *p, const uint64_t *a)
{
    char path[PATH_MAX];
    int rv = copy_path(p, a[1], path);
    if (rv)
        return rv;
    return host_result(mkdirat(host_dirfd(a[0]), path, (mode_t)a[2]));
}

static int64_t sys_renameat(struct linux_process *p, const uint64_t *a)
{
    char from[PATH_MAX], to[PATH_MAX];
    int rv = copy_path(p, a[1], from);
    if (rv == 0)
        rv = copy_path(p, a[3], to);
    if (rv)
        return rv;
    return host_result(renameat(host_dirfd(a[0]), from, host_dirfd(a[2]), to));
}

static int64_t sys_rename(struct linux_process *p, const uint64_t *a)
{
    const uint64_t b[4] = {(uint64_t)(int64_t)MIPS_AT_FDCWD, a[0], (uint64_t)(int64_t)MIPS_AT_FDCWD,
                           a[1]};
    return sys_renameat(p, b);
}

static int64_t sys_fchdir(struct linux_process *p, const uint64_t *a)
{
    return host_result(fchdir((int)a[0]));
}

static int64_t sys_ftruncate(struct linux_process *p, const uint64_t *a)
{
    return host_result(ftruncate((int)a[0], (off_t)a[1]));
}

static int64_t sys_fsync(struct linux_process *p, const uint64_t *a)
{
    return host_result(fsync((int)a[0]));
}

static int64_t sys_fchmod(struct linux_process *p, const uint64_t *a)
{
    return host_result(fchmod((int)a[0], (mode_t)a[1]));
}

static int64_t sys_umask(struct linux_process *p, const uint64_t *a)
{
    return umask((mode_t)a[0]);
}

static int64_t sys_sched_yield(struct linux_process *p, const uint64_t *a)
{
    return 0;
}

/* struct pollfd: int fd; short events, revents (same bits on MIPS for the basic events). */
static int64_t guest_poll(struct linux_process *p, uint64_t vaddr, uint64_t n,
                          const struct timespec *timeout)
{
    struct pollfd fds[256];
    if (n > sizeof(fds) / sizeof(fds[0]))
        return -MIPS_EINVAL;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t fd, ev;
        if (guest_load(p, vaddr + 8 * i, 4, &fd) || guest_load(p, vaddr + 8 * i + 4, 2, &ev))
            return -MIPS_EFAULT;
        fds[i] = (struct pollfd){.fd = (int)fd, .events = (short)ev};
    }
    int rv = ppoll(fds, n, timeout, NULL);
    if (rv < 0)
        return host_result(-1);
    for (uint64_t i = 0; i < n; i++)
        if (guest_store(p, vaddr + 8 * i + 6, 2, (uint16_t)fds[i].revents))
            return -MIPS_EFAULT;
    return rv;
}

static int64_t sys_ppoll(struct linux_process *p, const uint64_t *a)
{
    struct timespec ts;
    if (a[2] && get_timespec(p, a[2], &ts))
        return -MIPS_EFAULT;
    return guest_poll(p, a[0], a[1], a[2] ? &ts : NULL);
}

static int64_t sys_poll(struct linux_process *p, const uint64_t *a)
{
    int64_t ms = (int32_t)a[2];
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    return guest_poll(p, a[0], a[1], ms < 0 ? NULL : &ts);
}

static int64_t sys_getcpu(struct linux_process *p, const uint64_t *a)
{
    if ((a[0] && guest_store(p, a[0], 4, 0)) || (a[1] && guest_store(p, a[1], 4, 0)))
        return -MIPS_EFAULT;
    return 0;
}

static int64_t sys_rt_sigaction(struct linux_process *p, const uint64_t *a)
{
    return linux_sys_rt_sigaction(p, a);
}

static int64_t sys_rt_sigprocmask(struct linux_process *p, const uint64_t *a)
{
    return linux_sys_rt_sigprocmask(p, a);
}

static int64_t sys_sigaltstack(struct linux_process *p, const uint64_t *a)
{
    return linux_sys_sigaltstack(p, a);
}

static int64_t sys_rt_sigreturn(struct linux_process *p, const uint64_t *a)
{
    return linux_sys_rt_sigreturn(p, a);
}

static int64_t sys_rt_sigpending(struct linux_process *p, const uint64_t *a)
{
    return linux_sys_rt_sigpending(p, a);
}

static const syscall_fn syscall_table[LINUX_NR_COUNT] = {
    [NR_read] = sys_read,
    [NR_write] = sys_write,
    [NR_open] = sys_open,
    [NR_close] = sys_close,
    [NR_stat] = sys_stat,
    [NR_fstat] = sys_fstat,
    [NR_lstat] = sys_lstat,
    [NR_poll] = sys_poll,
    [NR_lseek] = sys_lseek,
    [NR_mmap] = sys_mmap,
    [NR_mprotect] = sys_mprotect,
    [NR_munmap] = sys_munmap,
    [NR_brk] = sys_brk,
    [NR_rt_sigaction] = sys_rt_sigaction,
    [NR_rt_sigprocmask] = sys_rt_sigprocmask,
    [NR_ioctl] = sys_ioctl,
    [NR_pread64] = sys_pread64,
    [NR_pwrite64] = sys_pwrite64,
    [NR_readv] = sys_readv,
    [NR_writev] = sys_writev,
    [NR_access] = sys_access,
    [NR_pipe] = sys_pipe,
    [NR_sched_yield] = sys_sched_yield,
    [NR_mremap] = sys_mremap,
    [NR_madvise] = sys_madvise,
    [NR_dup] = sys_dup,
    [NR_dup2] = sys_dup2,
    [NR_nanosleep] = sys_nanosleep,
    [NR_getpid] = sys_getpid,
    [NR_exit] = sys_exit_group,
    [NR_uname] = sys_uname,
    [NR_fcntl] = sys_fcntl,
    [NR_fsync] = sys_fsync,
    [NR_fdatasync] = sys_fsync,
    [NR_truncate] = sys_truncate,
    [NR_ftruncate] = sys_ftruncate,
    [NR_getcwd] = sys_getcwd,
    [NR_chdir] = sys_chdir,
    [NR_fchdir] = sys_fchdir,
    [NR_rename] = sys_rename,
    [NR_mkdir] = sys_mkdir,
    [NR_rmdir] = sys_rmdir,
    [NR_unlink] = sys_unlink,
    [NR_readlink] = sys_readlink,
    [NR_chmod] = sys_chmod,
    [NR_fchmod] = sys_fchmod,
    [NR_umask] = sys_umask,
    [NR_gettimeofday] = sys_gettimeofday,
    [NR_getrlimit] = sys_getrlimit,
    [NR_setrlimit] = sys_zero,
    [NR_getrusage] = sys_getrusage,
    [NR_sysinfo] = sys_sysinfo,
    [NR_times] = sys_times,
    [NR_getuid] = sys_getuid,
    [NR_getgid] = sys_getgid,
    [NR_geteuid] = sys_geteuid,
    [NR_getegid] = sys_getegid,
    [NR_getppid] = sys_getppid,
    [NR_getpgrp] = sys_getpgrp,
    [NR_sigaltstack] = sys_sigaltstack,
    [NR_rt_sigreturn] = sys_rt_sigreturn,
    [NR_rt_sigpending] = sys_rt_sigpending,
    [NR_sched_getaffinity] = sys_sched_getaffinity,
    [NR_sched_setaffinity] = sys_zero,
    [NR_gettid] = sys_getpid,
    [NR_tkill] = sys_tkill,
    [NR_futex] = sys_futex,
    [NR_set_tid_address] = sys_set_tid_address,
    [NR_getdents64] = sys_getdents64,
    [NR_clock_gettime] = sys_clock_gettime,
    [NR_clock_getres] = sys_clock_getres,
    [NR_clock_nanosleep] = sys_clock_nanosleep,
    [NR_exit_group] = sys_exit_group,
    [NR_tgkill] = sys_tgkill,
    [NR_kill] = sys_kill,
    [NR_set_thread_area] = sys_set_thread_area,
    [NR_openat] = sys_openat,
    [NR_mkdirat] = sys_mkdirat,
    [NR_unlinkat] = sys_unlinkat,
    [NR_renameat] = sys_renameat,
    [NR_readlinkat] = sys_readlinkat,
    [NR_faccessat] = sys_faccessat,
    [NR_faccessat2] = sys_faccessat,
    [NR_newfstatat] = sys_newfstatat,
    [NR_ppoll] = sys_ppoll,
    [NR_set_robust_list] = sys_zero,
    [NR_pipe2] = sys_pipe2,
    [NR_dup3] = sys_dup3,
    [NR_prlimit64] = sys_prlimit64,
    [NR_getrandom] = sys_getrandom,
    [NR_statx] = sys_statx,
    [NR_rseq] = sys_enosys_quiet, /* glibc falls back silently, as under qemu */
    [NR_getcpu] = sys_getcpu,
    [NR_cacheflush] = sys_zero,
    [NR_msync] = sys_zero,
    [NR_mlock] = sys_zero,
    [NR_munlock] = sys_zero,
};

void linux_syscall(struct linux_process *p)
{
    struct cpu *cpu = p->cpu;
    uint64_t number = cpu_get_gpr(cpu, 2);
    uint64_t a[6];
    for (unsigned i = 0; i < 6; i++)
        a[i] = cpu_get_gpr(cpu, 4 + i);
    uint64_t index = number - LINUX_SYSCALL_BASE;
    int64_t rv;
    if (number >= LINUX_SYSCALL_BASE && index < LINUX_NR_COUNT && syscall_table[index]) {
        rv = syscall_table[index](p, a);
    } else {
        if (index >= LINUX_NR_COUNT || !p->warned[index]) {
            fprintf(stderr, "flash-run: unsupported syscall %llu (%s)\n",
                    (unsigned long long)number, linux_syscall_name(number));
            if (index < LINUX_NR_COUNT)
                p->warned[index] = 1;
        }
        rv = -MIPS_ENOSYS;
    }
    if (p->options->trace_syscalls)
        fprintf(stderr, "flash-run: %s(0x%llx, 0x%llx, 0x%llx, 0x%llx) = %lld\n",
                linux_syscall_name(number), (unsigned long long)a[0], (unsigned long long)a[1],
                (unsigned long long)a[2], (unsigned long long)a[3], (long long)rv);
    if (rv == LINUX_SYSCALL_NORETURN)
        return;
    /* n64 convention: v0 = value or positive errno, a3 = 0 or 1. */
    bool failed = rv < 0 && rv >= -4095;
    cpu_set_gpr(cpu, 2, failed ? (uint64_t)-rv : (uint64_t)rv);
    cpu_set_gpr(cpu, 7, failed ? 1 : 0);
    linux_signal_after_syscall(p);
}
