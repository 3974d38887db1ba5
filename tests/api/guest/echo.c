/*
 * echo.c - a guest for the console tests: echoes each line of its console
 * input as "echo: LINE" and exits with status 7 on "quit" (0 at end of input).
 */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[256];
    printf("echo ready\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "quit", 4) == 0) {
            printf("bye\n");
            return 7;
        }
        printf("echo: %s", line);
        fflush(stdout);
    }
    return 0;
}
