/*
 * fpu.h - the floating-point coprocessor (CP1) of the MIPS64 CPU: FR=0/1
 * register files, S/D/W/L formats, MIPS IV arithmetic (MADD/MSUB/NMADD/
 * NMSUB, RECIP/RSQRT), conversions under the four rounding modes, C.cond
 * with eight condition codes, FCSR cause/flag/enable bits and the FP
 * exception. Called by the interpreter for COP1 and COP1X opcodes.
 */
#ifndef DISCO_NODE_FPU_H
#define DISCO_NODE_FPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

void fpu_reset(struct cpu *cpu);

/*
 * Executes a COP1 (opcode 0x11) or COP1X (opcode 0x13) instruction, including
 * BC1T/BC1F(L) (which set the branch state the way integer branches do) and
 * the indexed loads/stores. Returns 0 to advance the PC normally, 1 when an
 * exception was raised. Checks Status.CU1 itself.
 */
int fpu_execute_cop1(struct cpu *cpu, uint32_t insn);
int fpu_execute_cop1x(struct cpu *cpu, uint32_t insn);

/* FPR access honouring Status.FR (FR=0: odd registers are upper halves of even ones). */
uint32_t fpu_get_w(const struct cpu *cpu, unsigned reg);
void fpu_set_w(struct cpu *cpu, unsigned reg, uint32_t value);
uint64_t fpu_get_d(const struct cpu *cpu, unsigned reg);
void fpu_set_d(struct cpu *cpu, unsigned reg, uint64_t value);

/* FP condition code n (0..7), for MOVF/MOVT in the integer SPECIAL space. */
bool fpu_condition(const struct cpu *cpu, unsigned cc);

#endif
