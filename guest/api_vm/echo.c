/*
 * echo.c - a guest kernel for the API's console tests (built by
 * tests/api/CMakeLists.txt on the kernel-test runtime, guest/boot): prints
 * "echo ready", then reads its console input from the console page's RX
 * register (docs/monitor-calls.md: 0x100 | byte, 0 when none) and echoes
 * each line as "echo: LINE"; on "quit" it prints "bye" and exits with
 * status 7 through the EXIT register.
 */
#include "kt.h"

#define CONSOLE_RX 0x30

/* The next byte typed into the VM's console; spins until one comes. */
static char read_byte(void)
{
    for (;;) {
        uint32_t v = *(volatile uint32_t *)(KT_CONSOLE + CONSOLE_RX);
        if (v & 0x100)
            return (char)(v & 0xff);
    }
}

static bool is_quit(const char *line, unsigned len)
{
    return len >= 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't';
}

void kt_main(void)
{
    char line[256];
    unsigned len = 0;
    kt_puts("echo ready\n");
    for (;;) {
        char c = read_byte();
        if (len < sizeof line - 1)
            line[len++] = c;
        if (c != '\n')
            continue;
        line[len] = '\0';
        if (is_quit(line, len)) {
            kt_puts("bye\n");
            kt_exit(7);
        }
        kt_puts("echo: ");
        kt_puts(line);
        len = 0;
    }
}
