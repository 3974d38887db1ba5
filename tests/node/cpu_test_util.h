/*
 * cpu_test_util.h - a small user-mode machine for the interpreter's unit
 * tests: one CPU with exceptions going to the host, a uspace with a code page
 * at CODE and a read-write data page at DATA, hand-assembled instruction
 * encoders, and a runner that stops at the BREAK appended to every program.
 * Included by tests/node/test_cpu_*.c only.
 */
#ifndef DISCO_TESTS_CPU_TEST_UTIL_H
#define DISCO_TESTS_CPU_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cpu_internal.h"
#include "uspace.h"

#define CODE     0x10000ull
#define DATA     0x20000ull
#define RODATA   0x30000ull
#define UNMAPPED 0x50000ull

/* Encoders (MIPS64 Vol. II field layouts). */
#define RT_(rs, rt, rd, sa, fn)                                                                    \
    ((uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | (uint32_t)(rd) << 11 | (uint32_t)(sa) << 6 |    \
     (uint32_t)(fn))
#define IT_(op, rs, rt, imm)                                                                       \
    ((uint32_t)(op) << 26 | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(imm)&0xffff))
#define SPECIAL2_(rs, rt, rd, sa, fn) (0x70000000u | RT_(rs, rt, rd, sa, fn))
#define SPECIAL3_(rs, rt, rd, sa, fn) (0x7c000000u | RT_(rs, rt, rd, sa, fn))

#define NOP                    0u
#define ADD(d, s, t)           RT_(s, t, d, 0, 32)
#define ADDU(d, s, t)          RT_(s, t, d, 0, 33)
#define SUB(d, s, t)           RT_(s, t, d, 0, 34)
#define DADD(d, s, t)          RT_(s, t, d, 0, 44)
#define DADDU(d, s, t)         RT_(s, t, d, 0, 45)
#define DSUB(d, s, t)          RT_(s, t, d, 0, 46)
#define OR(d, s, t)            RT_(s, t, d, 0, 37)
#define SLT(d, s, t)           RT_(s, t, d, 0, 42)
#define SLTU(d, s, t)          RT_(s, t, d, 0, 43)
#define MOVZ(d, s, t)          RT_(s, t, d, 0, 10)
#define MOVN(d, s, t)          RT_(s, t, d, 0, 11)
#define SLL(d, t, sa)          RT_(0, t, d, sa, 0)
#define SRA(d, t, sa)          RT_(0, t, d, sa, 3)
#define ROTR(d, t, sa)         RT_(1, t, d, sa, 2)
#define DSLL32(d, t, sa)       RT_(0, t, d, sa, 60)
#define DSRA32(d, t, sa)       RT_(0, t, d, sa, 63)
#define DSRL32(d, t, sa)       RT_(0, t, d, sa, 62)
#define DROTR32(d, t, sa)      RT_(1, t, d, sa, 62)
#define MULT(s, t)             RT_(s, t, 0, 0, 24)
#define DMULTU(s, t)           RT_(s, t, 0, 0, 29)
#define DIV(s, t)              RT_(s, t, 0, 0, 26)
#define DDIV(s, t)             RT_(s, t, 0, 0, 30)
#define MFHI(d)                RT_(0, 0, d, 0, 16)
#define MFLO(d)                RT_(0, 0, d, 0, 18)
#define JR(s)                  RT_(s, 0, 0, 0, 8)
#define JALR(d, s)             RT_(s, 0, d, 0, 9)
#define SYSCALL                12u
#define BREAK                  13u
#define TEQ(s, t)              RT_(s, t, 0, 0, 52)
#define ADDI(t, s, i)          IT_(8, s, t, i)
#define ADDIU(t, s, i)         IT_(9, s, t, i)
#define DADDI(t, s, i)         IT_(24, s, t, i)
#define DADDIU(t, s, i)        IT_(25, s, t, i)
#define ORI(t, s, i)           IT_(13, s, t, i)
#define LUI(t, i)              IT_(15, 0, t, i)
#define TEQI(s, i)             IT_(1, s, 12, i)
#define BEQ(s, t, off)         IT_(4, s, t, off)
#define BNE(s, t, off)         IT_(5, s, t, off)
#define BEQL(s, t, off)        IT_(20, s, t, off)
#define BNEL(s, t, off)        IT_(21, s, t, off)
#define BLTZAL(s, off)         IT_(1, s, 16, off)
#define BGEZALL(s, off)        IT_(1, s, 19, off)
#define J(target)              (0x08000000u | (((uint32_t)(target) >> 2) & 0x3ffffff))
#define JAL(target)            (0x0c000000u | (((uint32_t)(target) >> 2) & 0x3ffffff))
#define LB(t, off, b)          IT_(32, b, t, off)
#define LW(t, off, b)          IT_(35, b, t, off)
#define LWU(t, off, b)         IT_(39, b, t, off)
#define LD(t, off, b)          IT_(55, b, t, off)
#define LWL(t, off, b)         IT_(34, b, t, off)
#define LWR(t, off, b)         IT_(38, b, t, off)
#define LDL(t, off, b)         IT_(26, b, t, off)
#define LDR(t, off, b)         IT_(27, b, t, off)
#define SB(t, off, b)          IT_(40, b, t, off)
#define SW(t, off, b)          IT_(43, b, t, off)
#define SD(t, off, b)          IT_(63, b, t, off)
#define SWL(t, off, b)         IT_(42, b, t, off)
#define SWR(t, off, b)         IT_(46, b, t, off)
#define SDL(t, off, b)         IT_(44, b, t, off)
#define SDR(t, off, b)         IT_(45, b, t, off)
#define LL(t, off, b)          IT_(48, b, t, off)
#define LLD(t, off, b)         IT_(52, b, t, off)
#define SC(t, off, b)          IT_(56, b, t, off)
#define SCD(t, off, b)         IT_(60, b, t, off)
#define MUL(d, s, t)           SPECIAL2_(s, t, d, 0, 2)
#define MADD(s, t)             SPECIAL2_(s, t, 0, 0, 0)
#define CLZ(d, s)              SPECIAL2_(s, d, d, 0, 32)
#define DCLO(d, s)             SPECIAL2_(s, d, d, 0, 37)
#define EXT(t, s, pos, size)   SPECIAL3_(s, t, (size)-1, pos, 0)
#define DEXT(t, s, pos, size)  SPECIAL3_(s, t, (size)-1, pos, 3)
#define INS(t, s, pos, size)   SPECIAL3_(s, t, (pos) + (size)-1, pos, 4)
#define DINSU(t, s, pos, size) SPECIAL3_(s, t, (pos) + (size)-33, (pos)-32, 6)
#define WSBH(d, t)             SPECIAL3_(0, t, d, 2, 32)
#define SEB(d, t)              SPECIAL3_(0, t, d, 16, 32)
#define SEH(d, t)              SPECIAL3_(0, t, d, 24, 32)
#define DSBH(d, t)             SPECIAL3_(0, t, d, 2, 36)
#define DSHD(d, t)             SPECIAL3_(0, t, d, 5, 36)
#define RDHWR(t, r)            SPECIAL3_(0, t, r, 0, 59)

struct machine {
    struct cpu *cpu;
    struct uspace *space;
    bool big_endian;
};

static inline void machine_init(struct machine *m, enum cpu_model model, bool big_endian)
{
    struct cpu_config config = {
        .model = model, .big_endian = big_endian, .exceptions_to_host = true};
    m->big_endian = big_endian;
    m->cpu = cpu_create(&config);
    m->space = uspace_create();
    assert_int_equal(uspace_map(m->space, CODE, 2 * 4096, USPACE_READ | USPACE_WRITE | USPACE_EXEC),
                     0);
    assert_int_equal(uspace_map(m->space, DATA, 4096, USPACE_READ | USPACE_WRITE), 0);
    assert_int_equal(uspace_map(m->space, RODATA, 4096, USPACE_READ), 0);
    cpu_attach_uspace(m->cpu, m->space);
}

static inline void machine_fini(struct machine *m)
{
    cpu_destroy(m->cpu);
    uspace_destroy(m->space);
}

/* Writes one word in guest byte order. */
static inline void machine_poke32(struct machine *m, uint64_t vaddr, uint32_t word)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(word >> (m->big_endian ? 24 - 8 * i : 8 * i));
    assert_int_equal(uspace_write_force(m->space, vaddr, b, 4), 0);
}

static inline void machine_poke_bytes(struct machine *m, uint64_t vaddr, const uint8_t *b, size_t n)
{
    assert_int_equal(uspace_write_force(m->space, vaddr, b, n), 0);
}

static inline uint8_t machine_peek8(struct machine *m, uint64_t vaddr)
{
    uint8_t b;
    assert_int_equal(uspace_copy_in(m->space, &b, vaddr, 1), 0);
    return b;
}

/* Loads words at CODE followed by BREAK, and starts at CODE. */
static inline void machine_load(struct machine *m, const uint32_t *words, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        machine_poke32(m, CODE + 4 * i, words[i]);
    machine_poke32(m, CODE + 4 * n, BREAK);
    cpu_ftlb_flush(m->cpu);
    cpu_set_pc(m->cpu, CODE);
}

/* Runs until an exception; returns its code. */
static inline unsigned machine_run(struct machine *m)
{
    assert_int_equal(cpu_run(m->cpu, 1000000), CPU_STOP_EXCEPTION);
    return cpu_last_exception(m->cpu)->code;
}

/* Runs a program that must end at its BREAK. */
#define RUN_PROGRAM(m, ...)                                                                        \
    do {                                                                                           \
        const uint32_t prog_[] = {__VA_ARGS__};                                                    \
        machine_load((m), prog_, sizeof(prog_) / sizeof(prog_[0]));                                \
        assert_int_equal(machine_run(m), EXC_BP);                                                  \
        assert_int_equal(cpu_last_exception((m)->cpu)->pc, CODE + sizeof(prog_));                  \
    } while (0)

#define GPR(m, r) cpu_get_gpr((m)->cpu, (r))

#endif
