/* strings.c - string.h, ctype.h and stdlib.h conversions with known answers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char a[64] = "Hello, MIPS world";
    char b[64];
    strcpy(b, a);
    strcat(b, "! again");
    printf("%s|%zu|%d|%d|%d\n", b, strlen(b), strcmp(a, b) < 0, strncmp(a, b, 5),
           strcasecmp("ABC", "abd") < 0);
    printf("%s|%s|%s\n", strchr(b, 'M'), strrchr(b, 'a'), strstr(b, "world"));
    printf("%zu %zu\n", strspn("aaabbc", "ab"), strcspn("hello", "lo"));
    memmove(b + 2, b, 10);
    printf("%.20s\n", b);
    memset(b, 'x', 5);
    printf("%.12s %d\n", b, memcmp("abc", "abd", 3) < 0);
    char tok[] = "one,two;;three four";
    for (char *save, *t = strtok_r(tok, ",; ", &save); t; t = strtok_r(NULL, ",; ", &save))
        printf("<%s>", t);
    printf("\n");
    printf("%ld %ld %lu %lld\n", strtol("-12345xyz", NULL, 10), strtol("0x7fffffff", NULL, 0),
           strtoul("777", NULL, 8), strtoll("-9223372036854775808", NULL, 10));
    char *end;
    printf("%g %g %s\n", strtod("3.5e2rest", &end), atof("-0.125"), end);
    printf("%d %d %ld\n", atoi("  42"), atoi("-7"), atol("123456789012"));
    for (const char *s = "aZ9 _\t!"; *s; s++)
        printf("%d%d%d%d%d ", !!isalpha(*s), !!isdigit(*s), !!isspace(*s), !!isupper(*s),
               toupper(*s));
    printf("\n");
    char *dup = strdup("duplicate");
    printf("%s %zu\n", dup, strlen(dup));
    free(dup);
    int x, y;
    char word[16];
    int got = sscanf("12 -34 token", "%d %d %15s", &x, &y, word);
    printf("sscanf %d: %d %d %s\n", got, x, y, word);
    return 0;
}
