/*
 * uspace.h - the user address space of one emulated Linux process (flash-run):
 * a sparse map of 4 KB guest pages to host memory with per-page permissions,
 * plus the process-wide brk and mmap placement. Guest memory holds bytes in
 * guest order. Owned by flash-run (linux_user.c); the interpreter reaches it
 * through uspace_translate() from its slow path and caches the result.
 */
#ifndef DISCO_NODE_USPACE_H
#define DISCO_NODE_USPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USPACE_PAGE_SHIFT 12
#define USPACE_PAGE_SIZE  (1ull << USPACE_PAGE_SHIFT)
#define USPACE_PAGE_MASK  (USPACE_PAGE_SIZE - 1)
/* User addresses below 2^40 (the R10000's and qemu's 40-bit xuseg). */
#define USPACE_LIMIT (1ull << 40)

/* Page permissions (the PROT_* values of Linux). */
enum { USPACE_READ = 1, USPACE_WRITE = 2, USPACE_EXEC = 4 };

struct uspace;

/* Creates an empty address space. Never returns NULL. */
struct uspace *uspace_create(void);
void uspace_destroy(struct uspace *space);

/*
 * The interpreter's lookup: the host address of vaddr when it is mapped with
 * the permission `access` needs (enum mem_access in tlb.h: ACCESS_LOAD needs
 * READ, ACCESS_STORE WRITE, ACCESS_FETCH EXEC), else NULL (the caller raises
 * TLBL/TLBS, which flash-run turns into SIGSEGV). *page_vaddr receives the
 * start of the 4 KB page; the page's bytes are contiguous in host memory and
 * stay at that host address until the page is unmapped or its permissions
 * change. flash-run calls cpu_ftlb_flush() after every munmap/mprotect/mremap,
 * so a cached host pointer never outlives its mapping.
 */
uint8_t *uspace_translate(struct uspace *space, uint64_t vaddr, int access, uint64_t *page_vaddr);

/*
 * Maps [vaddr, vaddr + len) (page-rounded) as fresh zero-filled memory with
 * prot, replacing whatever was there. DISCO_EINVAL for a range outside the
 * user space.
 */
int uspace_map(struct uspace *space, uint64_t vaddr, uint64_t len, unsigned prot)
    __attribute__((warn_unused_result));
/* Unmaps the pages of the range (holes are fine). */
int uspace_unmap(struct uspace *space, uint64_t vaddr, uint64_t len)
    __attribute__((warn_unused_result));
/* Changes the permissions; DISCO_ENOENT if part of the range is unmapped. */
int uspace_protect(struct uspace *space, uint64_t vaddr, uint64_t len, unsigned prot)
    __attribute__((warn_unused_result));
/*
 * Moves the pages of [from, from + len) with their contents and permissions to
 * [to, to + len) (mremap); holes stay holes, the old range ends up unmapped.
 * Both page-aligned; the ranges must not overlap.
 */
int uspace_move(struct uspace *space, uint64_t from, uint64_t len, uint64_t to)
    __attribute__((warn_unused_result));
/* True if every page of the range is mapped (any permission). */
bool uspace_is_mapped(struct uspace *space, uint64_t vaddr, uint64_t len);
/* Permission bits of the page holding vaddr, or -1 if unmapped. */
int uspace_page_prot(struct uspace *space, uint64_t vaddr);

/*
 * Finds len bytes of unmapped space for mmap(NULL, ...), searching down from
 * the mmap base as Linux's top-down allocator does. DISCO_ENOMEM if none.
 */
int uspace_find_free(struct uspace *space, uint64_t len, uint64_t *vaddr)
    __attribute__((warn_unused_result));
/* Sets where uspace_find_free() starts searching (just below the stack). */
void uspace_set_mmap_base(struct uspace *space, uint64_t top);

/*
 * Kernel-side copies (syscalls, the loader): copy_in needs READ, copy_out
 * needs WRITE unless `force` (the loader writing read-only text). Return 0 or
 * DISCO_EINVAL when a page is missing or lacks the permission (EFAULT).
 */
int uspace_copy_in(struct uspace *space, void *dst, uint64_t vaddr, size_t len)
    __attribute__((warn_unused_result));
int uspace_copy_out(struct uspace *space, uint64_t vaddr, const void *src, size_t len)
    __attribute__((warn_unused_result));
int uspace_write_force(struct uspace *space, uint64_t vaddr, const void *src, size_t len)
    __attribute__((warn_unused_result));
/*
 * Copies a NUL-terminated guest string of at most max bytes (including the
 * NUL) into dst. DISCO_EINVAL on a fault, DISCO_ETOOBIG if no NUL in max.
 */
int uspace_copy_string(struct uspace *space, char *dst, uint64_t vaddr, size_t max)
    __attribute__((warn_unused_result));

/*
 * brk: set_brk_base() after loading (end of the data segment); brk(0)-style
 * queries pass new_end = 0. Returns the break after the call; like Linux,
 * a refused request leaves it unchanged.
 */
void uspace_set_brk_base(struct uspace *space, uint64_t base);
uint64_t uspace_brk(struct uspace *space, uint64_t new_end);

#endif
