/*
 * signals.c - signal handling a static program does on its own: a handler
 * for raise(), a blocked signal delivered on unblock, SIG_IGN, a SIGSEGV
 * handler that leaves with siglongjmp, and SA_SIGINFO fields.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t hits;
static sigjmp_buf escape;

static void on_usr1(int sig)
{
    hits += sig == SIGUSR1 ? 1 : 100;
}

static void on_segv(int sig, siginfo_t *info, void *ctx)
{
    printf("SIGSEGV handler: signo %d code %d addr %p\n", info->si_signo, info->si_code,
           info->si_addr);
    siglongjmp(escape, 1);
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("after raise: hits %d\n", (int)hits);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    printf("blocked: hits %d pending %d\n", (int)hits, sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: hits %d\n", (int)hits);
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored SIGUSR2 survived\n");
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(escape, 1) == 0) {
        volatile int *volatile bad = (volatile int *)0x10;
        *bad = 5;
        printf("not reached\n");
    }
    printf("recovered from SIGSEGV\n");
    struct sigaction cur;
    sigaction(SIGSEGV, NULL, &cur);
    printf("handler kept %d\n", cur.sa_sigaction == on_segv);
    return 0;
}
