/*
 * cpu.c - creation, reset and register access of a simulated MIPS64 CPU
 * (the public API of cpu.h apart from cpu_run, which is in cpu_exec.c).
 * Owns the struct cpu allocation; CP0/TLB reset is cp0_reset's (cp0.c) and
 * the FPU's fpu_reset's (fpu.c).
 */
#include <stdlib.h>

#include "cpu_internal.h"
#include "fpu.h"
#include "xalloc.h"

struct cpu *cpu_create(const struct cpu_config *config)
{
    struct cpu *cpu = xcalloc(1, sizeof(struct cpu));
    cpu->model = config->model;
    cpu->is_r2 = config->model == CPU_MODEL_MIPS64R2;
    cpu->big_endian = config->big_endian;
    cpu->cpu_number = config->cpu_number;
    cpu->exceptions_to_host = config->exceptions_to_host;
    cpu->next_event_cycle = UINT64_MAX;
    cpu->ftlb_shift = 12;
    cpu->ftlb_tag_mask = FTLB_PAGE_MASK;
    cpu->fetch_vline = FTLB_NONE;
    cpu->last_fetch_pc = UINT64_MAX;
    cpu_ftlb_flush(cpu);
    cp0_reset(cpu);
    fpu_reset(cpu);
    cpu->pc = 0xffffffffbfc00000ull; /* the reset vector */
    cpu->resync = false;
    cpu->trace = getenv("DISCO_CPU_TRACE") != NULL;
    return cpu;
}

void cpu_destroy(struct cpu *cpu)
{
    if (!cpu)
        return;
    free(cpu->code);
    free(cpu->memo_word);
    free(cpu->memo_insn);
    free(cpu);
}

void cpu_attach_bus(struct cpu *cpu, struct bus *bus)
{
    cpu->bus = bus;
    cpu_ftlb_flush(cpu);
}

void cpu_attach_coherent(struct cpu *cpu, const struct cpu_coherent_ops *ops)
{
    cpu->coh = *ops;
    cpu->coherent = true;
    cpu->ll_line = UINT64_MAX;
    cpu->ftlb_shift = 7;
    cpu->ftlb_tag_mask = ~(uint64_t)127;
    cpu_ftlb_flush(cpu);
}

void cpu_line_lost(struct cpu *cpu, uint64_t line_paddr)
{
    if (cpu->ll_line == line_paddr) {
        cpu->cp0.llbit = false;
        cpu->ll_line = UINT64_MAX;
    }
    cpu_ftlb_drop_line(cpu, line_paddr, true);
}

void cpu_line_downgraded(struct cpu *cpu, uint64_t line_paddr)
{
    cpu_ftlb_drop_line(cpu, line_paddr, false);
}

/*
 * A Linux n64 process runs in user mode with 64-bit user addressing (UX),
 * the FPU enabled with 32 64-bit registers (CU1, FR) and COP1X usable (XX).
 */
void cpu_attach_uspace(struct cpu *cpu, struct uspace *space)
{
    cpu->uspace = space;
    cpu->cp0.status = (2u << ST_KSU_SHIFT) | ST_UX | ST_CU1 | ST_FR | ST_XX;
    cpu->cp0.hwrena = 0x2000000fu; /* CPUNum, SYNCI_Step, CC, CCRes, ULR */
    cpu_ftlb_flush(cpu);
}

void cpu_request_halt(struct cpu *cpu)
{
    cpu->stop_requested = true;
    cpu->stop_reason = CPU_STOP_HALT;
}

const struct cpu_exception *cpu_last_exception(const struct cpu *cpu)
{
    return &cpu->last_exception;
}

uint64_t cpu_get_gpr(const struct cpu *cpu, unsigned reg)
{
    return reg < 32 ? cpu->gpr[reg] : 0;
}

void cpu_set_gpr(struct cpu *cpu, unsigned reg, uint64_t value)
{
    if (reg > 0 && reg < 32)
        cpu->gpr[reg] = value;
}

uint64_t cpu_get_pc(const struct cpu *cpu)
{
    return cpu->pc;
}

void cpu_set_pc(struct cpu *cpu, uint64_t pc)
{
    cpu->pc = pc;
    cpu->delay_slot = false;
    cpu->skip_slot = false;
}

uint64_t cpu_get_hi(const struct cpu *cpu)
{
    return cpu->hi;
}

uint64_t cpu_get_lo(const struct cpu *cpu)
{
    return cpu->lo;
}

uint64_t cpu_get_fpr(const struct cpu *cpu, unsigned reg)
{
    return reg < 32 ? cpu->fpr[reg] : 0;
}

uint32_t cpu_get_fcsr(const struct cpu *cpu)
{
    return cpu->fcsr;
}

void cpu_set_irq(struct cpu *cpu, unsigned line, bool level)
{
    if (line > 5)
        return;
    uint8_t bit = (uint8_t)(1u << line);
    uint8_t lines = level ? (cpu->irq_lines | bit) : (cpu->irq_lines & ~bit);
    if (lines != cpu->irq_lines) {
        cpu->irq_lines = lines;
        cpu->irq_dirty = true;
    }
}

uint64_t cpu_instructions(const struct cpu *cpu)
{
    return cpu->instructions;
}

uint64_t cpu_cycles(const struct cpu *cpu)
{
    return cpu->cycles;
}
