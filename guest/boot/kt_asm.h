/*
 * kt_asm.h - layout of struct kt_frame (kt.h) shared with start.S, and
 * register names for the assembly of the kernel-test runtime.
 */
#ifndef KT_ASM_H
#define KT_ASM_H

#define FRAME_HI       256
#define FRAME_LO       264
#define FRAME_EPC      272
#define FRAME_STATUS   280
#define FRAME_CAUSE    288
#define FRAME_BADVADDR 296
#define FRAME_VECTOR   304
#define FRAME_ERROREPC 312
#define FRAME_BYTES    320

#ifdef __ASSEMBLER__
#define zero $0
#define v0   $2
#define v1   $3
#define a0   $4
#define a1   $5
#define a2   $6
#define a3   $7
#define t0   $12
#define t1   $13
#define s0   $16
#define s1   $17
#define s2   $18
#define s3   $19
#define s4   $20
#define s5   $21
#define s6   $22
#define s7   $23
#define k0   $26
#define k1   $27
#define gp   $28
#define sp   $29
#define s8   $30
#define ra   $31
#endif

#endif
