/*
 * console_dev.h - the simulator console/exit device of bare-metal programs
 * (docs/bare-metal.md): a page of registers at CONSOLE_DEV_BASE through which
 * a program prints bytes, raises external interrupt lines for tests and ends
 * the run with an exit status. Created and attached by sysrun.c.
 */
#ifndef DISCO_NODE_CONSOLE_DEV_H
#define DISCO_NODE_CONSOLE_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct bus;
struct cpu;
struct console_dev;

#define CONSOLE_DEV_BASE 0x1fe00000ull /* physical; kseg1 0xffffffffbfe00000 */
#define CONSOLE_DEV_SIZE 0x1000ull

/* Register offsets (any access size; only the low bits of a value count). */
#define CONSOLE_REG_TX     0x00 /* write: the low byte goes to the output stream */
#define CONSOLE_REG_EXIT   0x08 /* write: stop the CPU with exit status value & 0xff */
#define CONSOLE_REG_IRQ    0x10 /* read/write: levels of external lines 0..5 (Cause.IP2..IP7) */
#define CONSOLE_REG_CYCLES 0x18 /* read: the CPU's cycle counter */
#define CONSOLE_REG_CPUID                                                                          \
    0x20 /* read: the CPU's number (0 here; per CPU under disco-coord --bare) */
#define CONSOLE_REG_NCPUS 0x28 /* read: the number of CPUs (1 here) */

/* Creates a device writing to out (not owned) that halts cpu (not owned) on exit. */
struct console_dev *console_dev_create(struct cpu *cpu, FILE *out);
void console_dev_destroy(struct console_dev *dev);

/* Maps the device at CONSOLE_DEV_BASE. Returns 0 or DISCO_EINVAL if the range is taken. */
int console_dev_attach(struct console_dev *dev, struct bus *bus);

/* True once the program wrote the exit register; *status gets its value. */
bool console_dev_exited(const struct console_dev *dev, int *status);

#endif
