/*
 * fp_sigfpe.c - FP exceptions that trap: feenableexcept() sets FCSR enable
 * bits, the faulting instruction raises the FP exception and the process gets
 * SIGFPE with the si_code of the cause (Linux/qemu-user rules). Each trap is
 * caught and left with siglongjmp; the last one is not caught, so the exit
 * status (killed by SIGFPE) is compared as well.
 */
#define _GNU_SOURCE
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf back;
static volatile sig_atomic_t last_code;

static void on_fpe(int sig, siginfo_t *info, void *context)
{
    (void)context;
    last_code = sig == SIGFPE ? info->si_code : -1;
    siglongjmp(back, 1);
}

static const char *code_name(int code)
{
    switch (code) {
    case FPE_FLTDIV: return "FPE_FLTDIV";
    case FPE_FLTOVF: return "FPE_FLTOVF";
    case FPE_FLTUND: return "FPE_FLTUND";
    case FPE_FLTRES: return "FPE_FLTRES";
    case FPE_FLTINV: return "FPE_FLTINV";
    default: return "other";
    }
}

static volatile double zero = 0.0, one = 1.0, big = 1e308, tiny = 1e-308, three = 3.0;
static volatile double sink;

static void trap(const char *what, int excepts, int op)
{
    feclearexcept(FE_ALL_EXCEPT);
    if (sigsetjmp(back, 1) == 0) {
        feenableexcept(excepts);
        switch (op) {
        case 0: sink = one / zero; break;
        case 1: sink = big * big; break;
        case 2: sink = tiny * tiny; break;
        case 3: sink = one / three; break;
        case 4: sink = zero / zero; break;
        default: sink = (double)(float)big; break;
        }
        fedisableexcept(FE_ALL_EXCEPT);
        printf("%-10s no trap, flags %02x\n", what, (unsigned)fetestexcept(FE_ALL_EXCEPT));
        return;
    }
    fedisableexcept(FE_ALL_EXCEPT);
    printf("%-10s SIGFPE %s, enabled now %02x\n", what, code_name(last_code),
           (unsigned)fegetexcept());
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);

    trap("div0", FE_DIVBYZERO, 0);
    trap("overflow", FE_OVERFLOW, 1);
    trap("underflow", FE_UNDERFLOW, 2);
    trap("inexact", FE_INEXACT, 3);
    trap("invalid", FE_INVALID, 4);
    trap("narrow", FE_OVERFLOW, 5);
    trap("disabled", FE_INVALID, 0); /* div0 with only invalid enabled: no trap */
    trap("all", FE_ALL_EXCEPT, 3);

    /* Uncaught: the default action kills the process with SIGFPE. */
    fflush(stdout);
    signal(SIGFPE, SIG_DFL);
    feenableexcept(FE_DIVBYZERO);
    sink = one / zero;
    printf("not reached\n");
    return 0;
}
