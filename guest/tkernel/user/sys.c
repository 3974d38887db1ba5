/*
 * sys.c - user program: a system-call-heavy loop, SYS_ROUNDS getpid() calls
 * with a yield() every SYS_YIELD_EVERY rounds; every answer must be the pid
 * of the first call. The kernel checks its own call counters against these.
 */
#include "../results.h"
#include "ulib.h"

int main(void)
{
    uint32_t pid = (uint32_t)u_getpid();
    uint32_t getpids = 0, yields = 0, mismatches = 0;
    for (uint32_t i = 0; i < SYS_ROUNDS; i++) {
        getpids++;
        if ((uint32_t)u_getpid() != pid)
            mismatches++;
        if (i % SYS_YIELD_EVERY == SYS_YIELD_EVERY - 1) {
            u_yield();
            yields++;
        }
    }
    struct line l;
    line_init(&l);
    result_sys(&l, getpids, yields, pid, mismatches);
    u_write_line(&l);
    return 0;
}
