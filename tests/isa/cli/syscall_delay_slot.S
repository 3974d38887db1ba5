/*
 * syscall_delay_slot.S - a SYSCALL in the delay slot of a taken branch (legal,
 * though compilers never emit it): the call runs once and execution resumes
 * at the branch target. main returns the byte count write() reported (24).
 * For flash_run_cli.sh: qemu-user 7.2 resumes after the slot instead (99),
 * and Linux re-executes the slot, so there is no oracle to compare with.
 */
        .set    noreorder
        .data
msg:    .ascii  "syscall in a delay slot\n"
        .text
        .globl  main
        .ent    main
main:
        li      $2, 5001        /* write(1, msg, 24) */
        li      $4, 1
        dla     $5, msg
        li      $6, 24
        b       1f
        syscall
        li      $2, 99          /* skipped: the branch is taken */
1:      jr      $31
        nop
        .end    main
