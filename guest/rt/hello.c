/* hello.c - smallest user of the freestanding runtime: prints its arguments. */
#include "rt.h"

int main(int argc, char **argv)
{
    printf("hello from MIPS IV, argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    printf("%d %u %x %lld %016llx [%5d] [%-5d] %s %c\n", -42, 42u, 0xbeefu, -1234567890123ll,
           0x0123456789abcdefull, 7, 7, "ok", 'z');
    return 3;
}
