/* misc_control.c - recursion, switch jump tables, function pointers, setjmp/longjmp, varargs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

static jmp_buf jb;

static long fib(int n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int classify(int x)
{
    switch (x) {
    case 0: return 10;
    case 1: return 21;
    case 2: return 32;
    case 3: return 43;
    case 4: return 54;
    case 5: return 65;
    case 6: return 76;
    case 7: return 87;
    case 9: return 99;
    default: return -1;
    }
}

static long sum_va(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    long s = 0;
    for (int i = 0; i < n; i++)
        s += i % 2 ? va_arg(ap, long) : va_arg(ap, int);
    va_end(ap);
    return s;
}

/* gcc 12 misreads the longjmp exit as endless recursion. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"

static volatile int depth_seen;

static void deep(int n)
{
    depth_seen = n;
    if (n > 0)
        deep(n - 1);
    else
        longjmp(jb, 42);
}

static int add(int a, int b)
{
    return a + b;
}
static int mul(int a, int b)
{
    return a * b;
}

int main(void)
{
    printf("fib(25) = %ld\n", fib(25));
    for (int i = -1; i < 11; i++)
        printf("%d ", classify(i));
    printf("\n");
    printf("varargs %ld\n", sum_va(6, 1, 2L, 3, 4000000000L, 5, -6L));
    int (*ops[])(int, int) = {add, mul};
    printf("fptr %d %d\n", ops[0](6, 7), ops[1](6, 7));
    int v = setjmp(jb);
    if (v == 0)
        deep(50);
    printf("longjmp returned %d\n", v);
    return 0;
}
