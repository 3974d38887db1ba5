/*
 * vdev_uart.h - a 16550A-compatible UART (the Linux guest's console,
 * "ns16550a" in its device tree): registers 1 << reg_shift bytes apart,
 * transmit is instant (THR always empty), receive takes bytes from the host
 * through callbacks, one level-triggered interrupt line. Independent of the
 * monitor, so the same model serves a VM (vm_boot.c) and a bare node.
 */
#ifndef DISCO_MONITOR_VDEV_UART_H
#define DISCO_MONITOR_VDEV_UART_H

#include <stdbool.h>
#include <stdint.h>

struct vdev_uart_host {
    void (*put)(void *opaque, uint8_t byte);   /* a transmitted byte */
    int (*get)(void *opaque);                  /* the next received byte, or -1 */
    bool (*has_input)(void *opaque);           /* whether get() would return one */
    void (*set_irq)(void *opaque, bool level); /* the interrupt line */
    void *opaque;
};

struct vdev_uart {
    struct vdev_uart_host host;
    unsigned reg_shift;
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
    bool thr_ipending; /* THR-empty interrupt not yet acknowledged */
    bool irq;          /* current level of the line */
};

void vdev_uart_init(struct vdev_uart *u, const struct vdev_uart_host *host, unsigned reg_shift);
/* Register accesses at byte offset `offset` from the base (any size: one register). */
uint64_t vdev_uart_read(struct vdev_uart *u, uint64_t offset);
void vdev_uart_write(struct vdev_uart *u, uint64_t offset, uint64_t value);
/* The host's input queue changed: re-evaluate the receive interrupt. */
void vdev_uart_input_ready(struct vdev_uart *u);

#endif
