/*
 * elf_load.h - loads ELF32/ELF64 MIPS executables of either byte order
 * (libelf). The loader validates the headers and every segment's bounds and
 * hands each PT_LOAD segment to a caller-supplied writer, so the same code
 * fills a user address space (flash-run) or simulated physical memory
 * (bare-metal programs, guest kernels).
 */
#ifndef DISCO_NODE_ELF_LOAD_H
#define DISCO_NODE_ELF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_info {
    bool is64;
    bool big_endian;
    uint64_t entry;
    uint64_t lowest_vaddr, highest_vaddr; /* span of all PT_LOAD segments */
    uint64_t phdr_vaddr;                  /* address of the program headers in memory, or 0 */
    unsigned phnum, phentsize;
    uint32_t e_flags; /* EF_MIPS_ARCH etc */
};

/* True if e_flags' EF_MIPS_ARCH names MIPS IV or older (code an R10000 runs). */
bool elf_arch_is_mips4_or_older(const struct elf_info *info);

/* PROT_* style permission bits of a segment. */
enum { ELF_PROT_READ = 1, ELF_PROT_WRITE = 2, ELF_PROT_EXEC = 4 };

/*
 * Called once per PT_LOAD segment: filesz bytes of data at vaddr, then
 * zero-filled up to memsz. paddr is the segment's physical address field.
 * Returns 0, or a DISCO_E* code that aborts the load.
 */
typedef int (*elf_segment_fn)(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                              uint64_t filesz, uint64_t memsz, unsigned prot);

/*
 * Loads path. Returns 0, DISCO_ENOENT/DISCO_EIO if it cannot be read,
 * DISCO_EFORMAT with a message in errbuf if it is not a loadable MIPS ELF.
 */
int elf_load(const char *path, elf_segment_fn segment, void *opaque, struct elf_info *info,
             char *errbuf, unsigned errlen) __attribute__((warn_unused_result));

/* The same from an image in memory (not modified; segment data points into it). */
int elf_load_mem(const uint8_t *data, size_t len, elf_segment_fn segment, void *opaque,
                 struct elf_info *info, char *errbuf, unsigned errlen)
    __attribute__((warn_unused_result));

#endif
