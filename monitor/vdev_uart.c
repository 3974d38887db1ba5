/*
 * vdev_uart.c - the 16550A model of vdev_uart.h. Register semantics follow
 * the National Semiconductor PC16550D data sheet: DLAB in LCR bit 7 swaps
 * RBR/THR and IER for the divisor latch; IIR reports the highest-priority
 * pending source (receive data 0x4 over THR empty 0x2, 0x1 = none) with the
 * FIFO bits 0xc0 once FCR enabled them; reading IIR while it shows THR empty
 * acknowledges it, as does writing THR. The divisor is kept but ignored.
 */
#include "vdev_uart.h"

#include <string.h>

enum {
    UART_RBR = 0, /* THR on write, DLL with DLAB */
    UART_IER = 1, /* DLM with DLAB */
    UART_IIR = 2, /* FCR on write */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define IER_RDI         0x01u
#define IER_THRI        0x02u
#define IIR_NONE        0x01u
#define IIR_THRI        0x02u
#define IIR_RDI         0x04u
#define IIR_FIFO        0xc0u
#define LCR_DLAB        0x80u
#define MCR_LOOP        0x10u
#define LSR_DR          0x01u
#define LSR_THRE        0x20u
#define LSR_TEMT        0x40u
#define MSR_CTS_DSR_DCD 0xb0u

static bool rx_ready(struct vdev_uart *u)
{
    return u->host.has_input && u->host.has_input(u->host.opaque);
}

static void update_irq(struct vdev_uart *u)
{
    bool level = ((u->ier & IER_RDI) && rx_ready(u)) || ((u->ier & IER_THRI) && u->thr_ipending);
    if (level != u->irq) {
        u->irq = level;
        if (u->host.set_irq)
            u->host.set_irq(u->host.opaque, level);
    }
}

void vdev_uart_init(struct vdev_uart *u, const struct vdev_uart_host *host, unsigned reg_shift)
{
    memset(u, 0, sizeof *u);
    u->host = *host;
    u->reg_shift = reg_shift;
}

uint64_t vdev_uart_read(struct vdev_uart *u, uint64_t offset)
{
    unsigned reg = (unsigned)(offset >> u->reg_shift) & 7;
    uint8_t v = 0;
    switch (reg) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB) {
            v = u->dll;
        } else {
            int b = u->host.get ? u->host.get(u->host.opaque) : -1;
            v = b < 0 ? 0 : (uint8_t)b;
        }
        break;
    case UART_IER: v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier; break;
    case UART_IIR:
        if ((u->ier & IER_RDI) && rx_ready(u)) {
            v = IIR_RDI;
        } else if ((u->ier & IER_THRI) && u->thr_ipending) {
            v = IIR_THRI;
            u->thr_ipending = false; /* reading IIR acknowledges THR empty */
        } else {
            v = IIR_NONE;
        }
        if (u->fcr & 1)
            v |= IIR_FIFO;
        break;
    case UART_LCR: v = u->lcr; break;
    case UART_MCR: v = u->mcr; break;
    case UART_LSR:
        v = LSR_THRE | LSR_TEMT | (!(u->mcr & MCR_LOOP) && rx_ready(u) ? LSR_DR : 0);
        break;
    case UART_MSR:
        /* Loopback maps MCR's outputs onto the inputs (autoconfig's test). */
        v = (u->mcr & MCR_LOOP) ? (uint8_t)(((u->mcr & 0x0c) << 4) | ((u->mcr & 0x01) << 5) |
                                            ((u->mcr & 0x02) << 3))
                                : MSR_CTS_DSR_DCD;
        break;
    case UART_SCR: v = u->scr; break;
    }
    update_irq(u);
    return v;
}

void vdev_uart_write(struct vdev_uart *u, uint64_t offset, uint64_t value)
{
    unsigned reg = (unsigned)(offset >> u->reg_shift) & 7;
    uint8_t v = (uint8_t)value;
    switch (reg) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB) {
            u->dll = v;
            break;
        }
        if (!(u->mcr & MCR_LOOP) && u->host.put)
            u->host.put(u->host.opaque, v);
        u->thr_ipending = true; /* sent at once: THR is empty again */
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
            break;
        }
        /* Enabling the THR-empty interrupt while THR is empty raises it. */
        if ((v & IER_THRI) && !(u->ier & IER_THRI))
            u->thr_ipending = true;
        u->ier = v & 0x0f;
        break;
    case UART_IIR: u->fcr = v & 0xc9; break;
    case UART_LCR: u->lcr = v; break;
    case UART_MCR: u->mcr = v & 0x1f; break;
    case UART_SCR: u->scr = v; break;
    default: break; /* LSR and MSR are read-only */
    }
    update_irq(u);
}

void vdev_uart_input_ready(struct vdev_uart *u)
{
    update_irq(u);
}
