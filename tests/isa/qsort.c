/* qsort.c - qsort and bsearch over pseudo-random integers, strings and structs. */
#include <stdlib.h>
#include <string.h>

#include "isa_util.h"

struct item {
    int key;
    char name[8];
};

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->name, y->name);
}

int main(void)
{
    enum { N = 5000 };
    static int v[N];
    for (int i = 0; i < N; i++)
        v[i] = (int)(isa_rand() % 100000) - 50000;
    qsort(v, N, sizeof(int), cmp_int);
    for (int i = 0; i < N; i++)
        isa_mix((uint64_t)(int64_t)v[i]);
    printf("ints: min %d max %d median %d sum %016llx\n", v[0], v[N - 1], v[N / 2],
           (unsigned long long)isa_sum);
    int key = v[1234];
    int *hit = bsearch(&key, v, N, sizeof(int), cmp_int);
    printf("bsearch %d found %d\n", key, hit ? *hit : -1);
    const char *words[] = {"pear", "apple", "fig", "kiwi", "banana", "cherry", "date", "lime"};
    qsort(words, 8, sizeof(words[0]), cmp_str);
    for (int i = 0; i < 8; i++)
        printf("%s ", words[i]);
    printf("\n");
    static struct item items[300];
    for (int i = 0; i < 300; i++) {
        items[i].key = (int)(isa_rand() % 20);
        snprintf(items[i].name, sizeof(items[i].name), "n%03d", (int)(isa_rand() % 1000));
    }
    qsort(items, 300, sizeof(items[0]), cmp_item);
    for (int i = 0; i < 300; i += 37)
        printf("%d:%s ", items[i].key, items[i].name);
    printf("\n");
    return 0;
}
