/*
 * tk_params.h - every tunable of the test kernel and its user programs in one
 * place: the time slice, the user address-space layout, the system-call
 * numbers and the workload sizes. Included by the kernel (n64) and by the
 * user programs (o32), so it holds only macros.
 */
#ifndef TK_PARAMS_H
#define TK_PARAMS_H

/* The size knob: 1 for the test build, larger for the tkernel_bench_* builds. */
#ifndef TK_SCALE
#define TK_SCALE 1
#endif

/*
 * Time slice in Count ticks. Count advances every other cycle on both CPU
 * models, so this is about 3000 cycles: a few thousand preemptions per run.
 */
#ifndef TK_SLICE_COUNTS
#define TK_SLICE_COUNTS 1500
#endif

/* User address space (kuseg, 32-bit compatibility addressing). */
#define TK_USER_BASE      0x00400000u /* the program image: header, text, data */
#define TK_USER_HEAP_MAX  0x10000000u /* sbrk() refuses to grow the break past this */
#define TK_USER_STACK_TOP 0x7fff0000u
#define TK_USER_STACK_MAX 0x00010000u /* 64 KB of demand-zero stack below the top */

/* System calls: number in $v0, arguments in $a0-$a2, result in $v0. */
#define SYS_EXIT   1 /* exit(code): does not return */
#define SYS_WRITE  2 /* write(buf, len): appended to the process's output, returns len */
#define SYS_GETPID 3 /* getpid(): the process id (1..) */
#define SYS_YIELD  4 /* yield(): gives up the rest of the time slice */
#define SYS_SBRK   5 /* sbrk(increment): the old break, or -1 */
#define SYS_COUNT  6

/* Workloads. */
#define PRIMES_LIMIT    (10000u * TK_SCALE) /* primes below this, by trial division */
#define SORT_COUNT      (81920u * TK_SCALE) /* 32-bit values radix-sorted in heap memory */
#define SORT_SEED       12345u
#define SYS_ROUNDS      (2000u * TK_SCALE) /* getpid() calls; every 8th round also yields */
#define SYS_YIELD_EVERY 8u
#define MATRIX_N        24u /* integer matrix product C = A * B */
#define MATRIX_ROUNDS   (4u * TK_SCALE)
#define FPU_TERMS       (3000u * TK_SCALE) /* per FPU process: sums, square roots, quotients */

/* Longest line a process may write in one piece, and its whole output. */
#define TK_LINE_MAX 120
#define TK_OUT_MAX  512

#endif
