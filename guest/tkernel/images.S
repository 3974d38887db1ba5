/*
 * images.S - the user programs, embedded in the kernel as flat images
 * (objcopy -O binary of each user ELF, found on the assembler's include path
 * set by CMakeLists.txt). proc.c maps them into each process's kuseg.
 */
    .section .rodata
    .macro image name
    .balign 8
    .globl tk_image_\name, tk_image_\name\()_end
tk_image_\name:
    .incbin "\name\().bin"
tk_image_\name\()_end:
    .endm

    image primes
    image sort
    image sys
    image matrix
    image fpu
