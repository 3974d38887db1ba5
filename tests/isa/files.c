/*
 * files.c - file I/O through stdio and POSIX calls in the current directory:
 * create, write, seek, read back, stat, rename, directory listing, unlink.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    FILE *f = fopen("isa_file.txt", "w");
    if (!f) {
        perror("fopen");
        return 1;
    }
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d %x\n", i, i * i);
    fclose(f);
    struct stat st;
    if (stat("isa_file.txt", &st) != 0)
        perror("stat");
    printf("size %lld regular %d mode %o\n", (long long)st.st_size, S_ISREG(st.st_mode),
           st.st_mode & 0777 & ~0022);
    f = fopen("isa_file.txt", "r");
    char line[64];
    int count = 0;
    long sum = 0;
    while (fgets(line, sizeof(line), f)) {
        count++;
        sum += (long)strlen(line);
    }
    fseek(f, 100, SEEK_SET);
    fgets(line, sizeof(line), f);
    printf("lines %d bytes %ld ftell-after %ld at100 [%s]\n", count, sum, ftell(f),
           strtok(line, "\n"));
    fclose(f);
    int fd = open("isa_raw.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    unsigned char data[10000];
    for (int i = 0; i < 10000; i++)
        data[i] = (unsigned char)(i * 7);
    printf("write %zd\n", write(fd, data, sizeof(data)));
    printf("lseek %lld\n", (long long)lseek(fd, 5000, SEEK_SET));
    unsigned char back[100];
    printf("read %zd first %u\n", read(fd, back, sizeof(back)), back[0]);
    printf("pread %zd first %u\n", pread(fd, back, 10, 9995), back[0]);
    struct stat fst;
    fstat(fd, &fst);
    printf("fstat size %lld\n", (long long)fst.st_size);
    close(fd);
    printf("rename %d\n", rename("isa_raw.bin", "isa_moved.bin"));
    printf("access old %d new %d\n", access("isa_raw.bin", F_OK), access("isa_moved.bin", R_OK));
    mkdir("isa_dir", 0755);
    DIR *d = opendir(".");
    int entries = 0;
    for (struct dirent *e; (e = readdir(d));)
        entries += e->d_name[0] != '.';
    closedir(d);
    printf("entries %d\n", entries);
    printf("unlink %d %d rmdir %d\n", unlink("isa_file.txt"), unlink("isa_moved.bin"),
           rmdir("isa_dir"));
    printf("open missing: %d\n", open("does/not/exist", O_RDONLY) < 0);
    int fds[2];
    printf("pipe %d\n", pipe(fds));
    printf("pipe write %zd\n", write(fds[1], "through the pipe", 16));
    char piped[32] = {0};
    printf("pipe read %zd [%s]\n", read(fds[0], piped, sizeof(piped) - 1), piped);
    int copy = dup(fds[1]);
    printf("dup ok %d cloexec %d\n", copy > 2, fcntl(copy, F_GETFD) & FD_CLOEXEC);
    struct pollfd pf[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLOUT, 0}};
    printf("poll %d revents %x %x\n", poll(pf, 2, 0), pf[0].revents, pf[1].revents);
    close(copy);
    close(fds[0]);
    close(fds[1]);
    char cwd[4096];
    printf("getcwd %s\n", getcwd(cwd, sizeof(cwd)) ? "ok" : "failed");
    return 0;
}
