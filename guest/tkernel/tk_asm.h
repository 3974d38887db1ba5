/*
 * tk_asm.h - what the test kernel's C and assembly share: the trap frame
 * layout (struct tk_frame in tk.h), CP0 register numbers, Status/Cause bits,
 * and register names for the assembly (start.S, the refill handler).
 */
#ifndef TK_ASM_H
#define TK_ASM_H

#define FRAME_GPR(n)   ((n)*8)
#define FRAME_HI       256
#define FRAME_LO       264
#define FRAME_EPC      272
#define FRAME_STATUS   280
#define FRAME_CAUSE    288
#define FRAME_BADVADDR 296
#define FRAME_BYTES    304

/* CP0 registers (select 0 unless noted). */
#define CP0_INDEX    0
#define CP0_RANDOM   1
#define CP0_ENTRYLO0 2
#define CP0_ENTRYLO1 3
#define CP0_CONTEXT  4
#define CP0_PAGEMASK 5
#define CP0_WIRED    6
#define CP0_BADVADDR 8
#define CP0_COUNT    9
#define CP0_ENTRYHI  10
#define CP0_COMPARE  11
#define CP0_STATUS   12
#define CP0_CAUSE    13
#define CP0_EPC      14
#define CP0_PRID     15
#define CP0_CONFIG   16

/* Status and Cause bits (MIPS64 PRA; the R10000 has the same ones below bit 28). */
#define ST_IE       0x1u
#define ST_EXL      0x2u
#define ST_ERL      0x4u
#define ST_KSU_USER 0x10u
#define ST_KSU_MASK 0x18u
#define ST_IM7      0x8000u
#define ST_CU1      0x20000000u
#define ST_XX       0x80000000u /* MIPS IV only: COP1X (MADD.D...) in user mode */
#define ST_BEV      0x400000u
#define CAUSE_IP7   0x8000u
#define CAUSE_BD    0x80000000u

/* Exception codes (Cause.ExcCode). */
#define EXC_INT  0
#define EXC_MOD  1
#define EXC_TLBL 2
#define EXC_TLBS 3
#define EXC_ADEL 4
#define EXC_ADES 5
#define EXC_IBE  6
#define EXC_DBE  7
#define EXC_SYS  8
#define EXC_BP   9
#define EXC_RI   10
#define EXC_CPU  11
#define EXC_OV   12
#define EXC_TR   13

/* The monitor call (docs/monitor-calls.md): COP0 CO=1 function 0x28. */
#define MCALL_WORD  0x42000028
#define MCALL_PROBE 0
#define MCALL_MAGIC 0x4449534300000001ull

#ifdef __ASSEMBLER__
#define zero $0
#define AT   $1
#define v0   $2
#define v1   $3
#define a0   $4
#define a1   $5
#define a2   $6
#define a3   $7
#define k0   $26
#define k1   $27
#define gp   $28
#define sp   $29
#define ra   $31
/* Execution hazard barrier: EHB on R2, SLL $0,$0,3 (a no-op) before it. */
#define EHB sll $0, $0, 3
#endif

#endif
