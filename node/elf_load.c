/*
 * elf_load.c - the ELF loader behind elf_load.h: reads a MIPS executable with
 * libelf (which handles ELF32/ELF64 and both byte orders), checks the header
 * and every program header against the file's real size, and hands each
 * PT_LOAD segment to the caller's writer. 32-bit addresses are sign-extended,
 * as a 64-bit MIPS CPU sees a 32-bit program's addresses.
 */
#include "elf_load.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disco_err.h"

#ifndef EM_MIPS
#define EM_MIPS 8
#endif

/* Upper bound on program headers: far beyond any real executable. */
#define ELF_MAX_PHNUM 4096

static int fail(char *errbuf, unsigned errlen, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *errbuf, unsigned errlen, int err, const char *fmt, ...)
{
    if (errbuf && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return err;
}

static uint64_t widen(bool is64, uint64_t addr)
{
    return is64 ? addr : (uint64_t)(int64_t)(int32_t)(uint32_t)addr;
}

/* Validates the ELF header and fills the parts of info it determines. */
static int check_header(Elf *elf, size_t file_size, struct elf_info *info, char *errbuf,
                        unsigned errlen)
{
    if (elf_kind(elf) != ELF_K_ELF)
        return fail(errbuf, errlen, DISCO_EFORMAT, "not an ELF file");
    const char *ident = elf_getident(elf, NULL);
    GElf_Ehdr eh;
    if (!ident || !gelf_getehdr(elf, &eh))
        return fail(errbuf, errlen, DISCO_EFORMAT, "truncated or corrupt ELF header");
    if (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64)
        return fail(errbuf, errlen, DISCO_EFORMAT, "unknown ELF class %d", ident[EI_CLASS]);
    if (ident[EI_DATA] != ELFDATA2MSB && ident[EI_DATA] != ELFDATA2LSB)
        return fail(errbuf, errlen, DISCO_EFORMAT, "unknown ELF byte order %d", ident[EI_DATA]);
    if (eh.e_machine != EM_MIPS)
        return fail(errbuf, errlen, DISCO_EFORMAT, "not a MIPS executable (e_machine %u)",
                    (unsigned)eh.e_machine);
    if (eh.e_type != ET_EXEC)
        return fail(errbuf, errlen, DISCO_EFORMAT,
                    "not a fixed-address executable (e_type %u; link with -static, no PIE)",
                    (unsigned)eh.e_type);
    info->is64 = ident[EI_CLASS] == ELFCLASS64;
    info->big_endian = ident[EI_DATA] == ELFDATA2MSB;
    info->entry = widen(info->is64, eh.e_entry);
    info->e_flags = eh.e_flags;
    info->phentsize = eh.e_phentsize;
    size_t phnum;
    if (elf_getphdrnum(elf, &phnum) != 0 || phnum == 0 || phnum > ELF_MAX_PHNUM)
        return fail(errbuf, errlen, DISCO_EFORMAT, "bad program header count");
    size_t phsize = (size_t)gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT);
    if (eh.e_phentsize != phsize || eh.e_phoff > file_size ||
        phnum * phsize > file_size - eh.e_phoff)
        return fail(errbuf, errlen, DISCO_EFORMAT, "program headers outside the file");
    info->phnum = (unsigned)phnum;
    return 0;
}

/* Checks one PT_LOAD header against the file and the address space. */
static int check_segment(const GElf_Phdr *ph, bool is64, size_t file_size, char *errbuf,
                         unsigned errlen)
{
    uint64_t limit = is64 ? UINT64_MAX : UINT32_MAX;
    if (ph->p_filesz > ph->p_memsz)
        return fail(errbuf, errlen, DISCO_EFORMAT, "segment file size exceeds memory size");
    if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
        return fail(errbuf, errlen, DISCO_EFORMAT, "segment data outside the file");
    if (ph->p_vaddr > limit || ph->p_memsz > limit - ph->p_vaddr || ph->p_paddr > limit ||
        ph->p_memsz > limit - ph->p_paddr)
        return fail(errbuf, errlen, DISCO_EFORMAT, "segment wraps the address space");
    return 0;
}

static unsigned segment_prot(const GElf_Phdr *ph)
{
    return ((ph->p_flags & PF_R) ? ELF_PROT_READ : 0u) |
           ((ph->p_flags & PF_W) ? ELF_PROT_WRITE : 0u) |
           ((ph->p_flags & PF_X) ? ELF_PROT_EXEC : 0u);
}

/* Walks the program headers: validates, records the span, loads PT_LOADs. */
static int load_segments(Elf *elf, const uint8_t *image, size_t file_size, elf_segment_fn segment,
                         void *opaque, struct elf_info *info, char *errbuf, unsigned errlen)
{
    GElf_Ehdr eh;
    gelf_getehdr(elf, &eh);
    unsigned loads = 0;
    info->lowest_vaddr = UINT64_MAX;
    info->highest_vaddr = 0;
    info->phdr_vaddr = 0;
    for (unsigned i = 0; i < info->phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            return fail(errbuf, errlen, DISCO_EFORMAT, "unreadable program header %u", i);
        if (ph.p_type == PT_INTERP)
            return fail(errbuf, errlen, DISCO_EFORMAT,
                        "dynamically linked program (has an interpreter); link with -static");
        if (ph.p_type == PT_PHDR)
            info->phdr_vaddr = widen(info->is64, ph.p_vaddr);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        int rv = check_segment(&ph, info->is64, file_size, errbuf, errlen);
        if (rv != 0)
            return rv;
        uint64_t vaddr = widen(info->is64, ph.p_vaddr);
        if (vaddr < info->lowest_vaddr)
            info->lowest_vaddr = vaddr;
        if (vaddr + ph.p_memsz > info->highest_vaddr)
            info->highest_vaddr = vaddr + ph.p_memsz;
        /* The kernel finds AT_PHDR inside the segment that maps e_phoff. */
        if (info->phdr_vaddr == 0 && eh.e_phoff >= ph.p_offset &&
            eh.e_phoff - ph.p_offset < ph.p_filesz)
            info->phdr_vaddr = vaddr + (eh.e_phoff - ph.p_offset);
        rv = segment(opaque, vaddr, widen(info->is64, ph.p_paddr), image + ph.p_offset, ph.p_filesz,
                     ph.p_memsz, segment_prot(&ph));
        if (rv != 0)
            return fail(errbuf, errlen, rv, "cannot place segment at 0x%llx (%s)",
                        (unsigned long long)vaddr, disco_strerror(rv));
        loads++;
    }
    if (loads == 0)
        return fail(errbuf, errlen, DISCO_EFORMAT, "no loadable segments");
    return 0;
}

int elf_load(const char *path, elf_segment_fn segment, void *opaque, struct elf_info *info,
             char *errbuf, unsigned errlen)
{
    memset(info, 0, sizeof(*info));
    if (errbuf && errlen > 0)
        errbuf[0] = 0;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(errbuf, errlen, DISCO_EIO, "libelf initialisation failed");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(errbuf, errlen, errno == ENOENT ? DISCO_ENOENT : DISCO_EIO, "%s",
                    strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(errbuf, errlen, DISCO_EIO, "not a regular file");
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!elf) {
        close(fd);
        return fail(errbuf, errlen, DISCO_EFORMAT, "not an ELF file (%s)", elf_errmsg(-1));
    }
    size_t file_size = 0;
    const uint8_t *image = (const uint8_t *)elf_rawfile(elf, &file_size);
    int rv = check_header(elf, file_size, info, errbuf, errlen);
    if (rv == 0 && !image)
        rv = fail(errbuf, errlen, DISCO_EFORMAT, "unreadable ELF image");
    if (rv == 0)
        rv = load_segments(elf, image, file_size, segment, opaque, info, errbuf, errlen);
    elf_end(elf);
    close(fd);
    return rv;
}

int elf_load_mem(const uint8_t *data, size_t len, elf_segment_fn segment, void *opaque,
                 struct elf_info *info, char *errbuf, unsigned errlen)
{
    memset(info, 0, sizeof(*info));
    if (errbuf && errlen > 0)
        errbuf[0] = 0;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(errbuf, errlen, DISCO_EIO, "libelf initialisation failed");
    if (data == NULL || len == 0)
        return fail(errbuf, errlen, DISCO_EFORMAT, "empty image");
    /* libelf does not write through the pointer for ELF_C_READ images. */
    Elf *elf = elf_memory((char *)(uintptr_t)data, len);
    if (!elf)
        return fail(errbuf, errlen, DISCO_EFORMAT, "not an ELF file (%s)", elf_errmsg(-1));
    int rv = check_header(elf, len, info, errbuf, errlen);
    if (rv == 0)
        rv = load_segments(elf, data, len, segment, opaque, info, errbuf, errlen);
    elf_end(elf);
    return rv;
}

bool elf_arch_is_mips4_or_older(const struct elf_info *info)
{
    /* EF_MIPS_ARCH (bits 28-31): 0-3 are MIPS I-IV; 4 is MIPS V, then the MIPS32/64 releases. */
    return (info->e_flags & 0xf0000000u) <= 0x30000000u;
}
