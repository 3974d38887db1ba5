/* verb_image.c - `discoctl image push|list|rm`: images named by SHA-256, uploaded resumably. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "verbs.h"

static int image_push(struct disco_client *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"kind", 1, 0, 'k'}, {"name", 1, 0, 'n'}, {0, 0, 0, 0}};
    Disco__Api__ImageKind kind = DISCO__API__IMAGE_KIND__KIND_PROGRAM;
    const char *name = NULL;
    bool kind_given = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == 'k' && cli_parse_kind(optarg, &kind) == 0) {
            kind_given = true;
            continue;
        }
        if (opt == 'n') {
            name = optarg;
            continue;
        }
        return EXIT_USAGE;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "discoctl image push: give one FILE\n");
        return EXIT_USAGE;
    }
    const char *path = argv[optind], *base = strrchr(path, '/');
    if (!kind_given)
        kind = cli_guess_kind(path);
    char sha[65];
    struct disco_error err;
    int rv = disco_image_push(c, path, kind,
                              name   ? name
                              : base ? base + 1
                                     : path,
                              cli_progress, (void *)"upload", sha, &err);
    cli_progress_done();
    if (rv != 0)
        return cli_fail("image push", rv, &err);
    if (cli.json)
        printf("{\"sha256\": \"%s\"}\n", sha);
    else
        printf("%s\n", sha);
    return EXIT_OK;
}

static int image_list(struct disco_client *c, int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "discoctl image list: takes no arguments\n");
        return EXIT_USAGE;
    }
    Disco__Api__ListImagesRequest q = DISCO__API__LIST_IMAGES_REQUEST__INIT;
    ProtobufCMessage *m;
    int rv = cli_call(c, "Images", "ListImages", &q.base,
                      &disco__api__list_images_response__descriptor, &m);
    if (rv != 0)
        return rv;
    const Disco__Api__ListImagesResponse *r = (const Disco__Api__ListImagesResponse *)m;
    if (cli.json) {
        disco_json_write(stdout, m, 2);
    } else {
        printf("%-64s %-8s %-8s %-14s %-12s %s\n", "SHA256", "KIND", "SIZE", "CREATED", "OWNER",
               "NAME");
        for (size_t i = 0; i < r->n_images; i++) {
            const Disco__Api__Image *im = r->images[i];
            char size[16], when[32];
            cli_bytes(im->size, size, sizeof size);
            cli_time(im->created_unix, when, sizeof when);
            printf("%-64s %-8s %-8s %-14s %-12s %s\n", im->sha256,
                   cli_enum(&disco__api__image_kind__descriptor, im->kind, "KIND_"), size, when,
                   im->owner, im->name);
        }
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return EXIT_OK;
}

static int image_rm(struct disco_client *c, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "discoctl image rm: give one SHA256\n");
        return EXIT_USAGE;
    }
    Disco__Api__DeleteImageRequest q = DISCO__API__DELETE_IMAGE_REQUEST__INIT;
    q.sha256 = argv[1];
    ProtobufCMessage *m;
    int rv = cli_call(c, "Images", "DeleteImage", &q.base,
                      &disco__api__delete_image_response__descriptor, &m);
    if (rv == 0)
        protobuf_c_message_free_unpacked(m, NULL);
    return rv;
}

static const struct cli_action actions[] = {
    {"push", image_push}, {"list", image_list}, {"rm", image_rm}};

int verb_image(int argc, char **argv)
{
    return cli_dispatch("image", actions, sizeof actions / sizeof actions[0], argc, argv);
}
