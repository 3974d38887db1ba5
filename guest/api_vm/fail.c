/*
 * fail.c - a guest kernel whose verdict is FAIL, for the API's job tests
 * (built by tests/api/CMakeLists.txt on the kernel-test runtime): prints a
 * line and fails one check, so the runtime exits with status 1.
 */
#include "kt.h"

void kt_main(void)
{
    kt_puts("failing on purpose\n");
    kt_check_eq(6 * 7, 41, "six times seven is forty-one");
}
