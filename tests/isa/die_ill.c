/*
 * die_ill.c - a reserved instruction (an unused SPECIAL function code, 0x28)
 * with no handler: SIGILL; and before that, an ADD overflow that a SIGFPE
 * handler catches and leaves with siglongjmp. (Integer division by zero is in
 * cli/div_zero_trap.c: qemu-user and Linux disagree on its signal.)
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static sigjmp_buf back;

static void on_fpe(int sig, siginfo_t *info, void *ctx)
{
    printf("SIGFPE code %d\n", info->si_code);
    siglongjmp(back, 1);
}

int main(int argc, char **argv)
{
    struct sigaction sa = {.sa_sigaction = on_fpe, .sa_flags = SA_SIGINFO};
    sigaction(SIGFPE, &sa, NULL);
    long big = 0x7fffffff;
    int sum = 0;
    if (sigsetjmp(back, 1) == 0) {
        __asm__ volatile("add %0, %1, %1" : "=r"(sum) : "r"(big));
        printf("sum %d\n", sum);
    }
    printf("before reserved instruction\n");
    fflush(stdout);
    __asm__ volatile(".word 0x00000028");
    printf("not reached\n");
    return 0;
}
