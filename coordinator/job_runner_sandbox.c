/*
 * job_runner_sandbox.c - confinement of the program runner's guests. In
 * Linux user mode flash-run performs the guest's file and process system
 * calls on the host, as the coordinator's user: without a fence a user's
 * program could read the coordinator's CA key or signal the coordinator.
 * Landlock (unprivileged, Linux >= 5.13) fences file access to an allow
 * list; from ABI 4 TCP bind/connect are denied, from ABI 6 signals and
 * abstract sockets are scoped to the guest's own domain.
 */
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "job_runner.h"

#define FS_TRUNCATE  (1ull << 14) /* ABI 3 */
#define FS_IOCTL_DEV (1ull << 15) /* ABI 5 */
#define NET_ALL      3ull         /* bind and connect TCP, ABI 4 */
#define SCOPE_ALL    3ull         /* abstract unix sockets and signals, ABI 6 */

/* struct landlock_ruleset_attr as of ABI 6 (older kernel headers lack the tail). */
struct ruleset_attr {
    uint64_t handled_access_fs, handled_access_net, scoped;
};

static const uint64_t file_rights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                    LANDLOCK_ACCESS_FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV;
static const uint64_t read_exec =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
static const uint64_t read_write = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE;

/* The system's libraries and loader cache: flash-run is dynamically linked. */
static const char *const library_dirs[] = {"/lib",       "/lib64",         "/usr/lib",
                                           "/usr/lib64", "/usr/local/lib", "/etc/ld.so.cache"};
static const char *const devices[] = {"/dev/null", "/dev/zero", "/dev/urandom"};

int runner_sandbox_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

static uint64_t handled_fs(int abi)
{
    uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0-12 */
    if (abi >= 2)
        r |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        r |= FS_TRUNCATE;
    if (abi >= 5)
        r |= FS_IOCTL_DEV;
    return r;
}

/* Allows rights beneath path; a missing optional path is skipped. */
static int allow(int ruleset, const char *path, uint64_t rights, uint64_t handled, int optional)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return optional ? 0 : -1;
    struct landlock_path_beneath_attr rule = {.allowed_access = rights & handled, .parent_fd = fd};
    /* A rule on a file may only hold file rights. */
    int is_dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (is_dir >= 0)
        close(is_dir);
    else
        rule.allowed_access &= file_rights;
    long rv = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    close(fd);
    return rv == 0 ? 0 : -1;
}

int runner_sandbox_enter(int abi, const char *flash_run, const char *image, const char *work_dir)
{
    if (abi <= 0)
        return 0;
    struct ruleset_attr attr = {.handled_access_fs = handled_fs(abi),
                                .handled_access_net = abi >= 4 ? NET_ALL : 0,
                                .scoped = abi >= 6 ? SCOPE_ALL : 0};
    size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0)
        return -1;
    uint64_t fs = attr.handled_access_fs;
    int bad = allow(ruleset, flash_run, read_exec, fs, 0) |
              allow(ruleset, image, read_exec, fs, 0) | allow(ruleset, work_dir, fs, fs, 0);
    for (unsigned i = 0; i < sizeof library_dirs / sizeof library_dirs[0]; i++)
        bad |= allow(ruleset, library_dirs[i], read_exec, fs, 1);
    for (unsigned i = 0; i < sizeof devices / sizeof devices[0]; i++)
        bad |= allow(ruleset, devices[i], read_write, fs, 1);
    if (bad || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        close(ruleset);
        return -1;
    }
    close(ruleset);
    return 0;
}
