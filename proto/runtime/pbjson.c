/*
 * pbjson.c - JSON writer and parser for protobuf-c messages (see pbjson.h).
 * The parser is a bounded recursive descent over untrusted text: it builds
 * the message with malloc so protobuf_c_message_free_unpacked frees it, and
 * never recurses deeper than PBJSON_MAX_DEPTH.
 */
#include "pbjson.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_err.h"

static void json_text(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static void camel_name(FILE *out, const char *name)
{
    fputc('"', out);
    for (bool up = false; *name; name++) {
        if (*name == '_') {
            up = true;
            continue;
        }
        fputc(up ? (*name >= 'a' && *name <= 'z' ? *name - 32 : *name) : *name, out);
        up = false;
    }
    fputs("\":", out);
}

static void write_message(FILE *out, const ProtobufCMessage *m, int indent, int depth);

static void write_value(FILE *out, const ProtobufCFieldDescriptor *f, const void *p, int indent,
                        int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: fprintf(out, "%d", *(const int32_t *)p); break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: fprintf(out, "%u", *(const uint32_t *)p); break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: fprintf(out, "%lld", (long long)*(const int64_t *)p); break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        fprintf(out, "%llu", (unsigned long long)*(const uint64_t *)p);
        break;
    case PROTOBUF_C_TYPE_FLOAT: fprintf(out, "%.9g", *(const float *)p); break;
    case PROTOBUF_C_TYPE_DOUBLE: fprintf(out, "%.17g", *(const double *)p); break;
    case PROTOBUF_C_TYPE_BOOL: fputs(*(const protobuf_c_boolean *)p ? "true" : "false", out); break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
        if (v)
            json_text(out, v->name, strlen(v->name));
        else
            fprintf(out, "%d", *(const int *)p);
        break;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        json_text(out, s ? s : "", s ? strlen(s) : 0);
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        unsigned char *enc = malloc(4 * ((b->len + 2) / 3) + 1);
        int n = enc ? EVP_EncodeBlock(enc, b->data, (int)b->len) : 0;
        json_text(out, enc ? (const char *)enc : "", (size_t)n);
        free(enc);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        write_message(out, *(ProtobufCMessage *const *)p, indent, depth);
        break;
    }
}

static size_t value_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 8;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    default: return 4;
    }
}

/* Is an optional field present? */
static bool present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    const char *base = (const char *)m;
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return true;
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(void *const *)(base + f->offset) != NULL;
    if (f->quantifier_offset)
        return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
    return true;
}

static void newline(FILE *out, int indent, int depth)
{
    if (indent) {
        fputc('\n', out);
        fprintf(out, "%*s", indent * depth, "");
    }
}

static void write_message(FILE *out, const ProtobufCMessage *m, int indent, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const char *base = (const char *)m;
    bool first = true;
    fputc('{', out);
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *arr = *(char *const *)(base + f->offset);
            fputs(first ? "" : ",", out);
            newline(out, indent, depth + 1);
            camel_name(out, f->name);
            fputc('[', out);
            for (size_t k = 0; k < n; k++) {
                fputs(k ? "," : "", out);
                write_value(out, f, arr + k * value_size(f), indent, depth + 1);
            }
            fputc(']', out);
            first = false;
            continue;
        }
        if (!present(m, f))
            continue;
        fputs(first ? "" : ",", out);
        newline(out, indent, depth + 1);
        camel_name(out, f->name);
        if (indent)
            fputc(' ', out);
        write_value(out, f, base + f->offset, indent, depth + 1);
        first = false;
    }
    newline(out, indent, depth);
    fputc('}', out);
}

void pbjson_write(FILE *out, const ProtobufCMessage *message, int indent)
{
    write_message(out, message, indent, 0);
    fputc('\n', out);
}

/* ------------------------------------------------------------ parser */

struct parser {
    const char *start, *p, *end;
    int depth;
    char *err;
    size_t errlen;
    int failed;
};

static int bad(struct parser *ps, const char *why)
{
    if (!ps->failed)
        snprintf(ps->err, ps->errlen, "JSON at byte %ld: %s", (long)(ps->p - ps->start), why);
    ps->failed = 1;
    return -1;
}

static void skip_space(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int expect(struct parser *ps, char ch)
{
    skip_space(ps);
    if (ps->p >= ps->end || *ps->p != ch) {
        char why[32];
        snprintf(why, sizeof why, "expected '%c'", ch);
        return bad(ps, why);
    }
    ps->p++;
    return 0;
}

static int peek(struct parser *ps)
{
    skip_space(ps);
    return ps->p < ps->end ? (unsigned char)*ps->p : -1;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xc0 | cp >> 6);
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xe0 | cp >> 12);
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        out[(*n)++] = (char)(0xf0 | cp >> 18);
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static int hex4(struct parser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4)
        return bad(ps, "short \\u escape");
    *out = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        unsigned v = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (v == 16)
            return bad(ps, "bad \\u escape");
        *out = *out << 4 | v;
    }
    return 0;
}

/* Parses a JSON string into a new NUL-terminated heap string (*len bytes). */
static char *parse_string(struct parser *ps, size_t *len)
{
    if (expect(ps, '"') != 0)
        return NULL;
    /* Escapes never grow: \uXXXX (6 bytes) becomes at most 4 (a pair 12 -> 4). */
    char *out = malloc((size_t)(ps->end - ps->p) + 1);
    size_t n = 0;
    if (out == NULL) {
        bad(ps, "out of memory");
        return NULL;
    }
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if ((unsigned char)c < 0x20)
            goto fail;
        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        if (ps->p >= ps->end)
            goto fail;
        c = *ps->p++;
        const char *simple = strchr("\"\\/bfnrt", c);
        if (simple && c) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            out[n++] = map[simple - "\"\\/bfnrt"];
        } else if (c == 'u') {
            unsigned cp, lo;
            if (hex4(ps, &cp) != 0)
                goto fail;
            if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u') {
                ps->p += 2;
                if (hex4(ps, &lo) != 0)
                    goto fail;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            put_utf8(out, &n, cp);
        } else {
            goto fail;
        }
    }
    if (ps->p >= ps->end)
        goto fail;
    ps->p++;
    out[n] = '\0';
    *len = n;
    return out;
fail:
    free(out);
    bad(ps, "bad string");
    return NULL;
}

/* The text of a number or literal token (no allocation). */
static int token(struct parser *ps, char *buf, size_t len)
{
    skip_space(ps);
    size_t n = 0;
    while (ps->p < ps->end && strchr("+-.0123456789eEaflnrstu", *ps->p) && *ps->p) {
        if (n + 1 >= len)
            return bad(ps, "token too long");
        buf[n++] = *ps->p++;
    }
    buf[n] = '\0';
    return n ? 0 : bad(ps, "expected a value");
}

static int skip_value(struct parser *ps);

static int skip_container(struct parser *ps, char open, char close)
{
    if (++ps->depth > PBJSON_MAX_DEPTH)
        return bad(ps, "nested too deeply");
    ps->p++;
    if (peek(ps) == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }
    for (;;) {
        if (open == '{') {
            size_t n;
            char *key = parse_string(ps, &n);
            free(key);
            if (key == NULL || expect(ps, ':') != 0)
                return -1;
        }
        if (skip_value(ps) != 0)
            return -1;
        int c = peek(ps);
        ps->p++;
        if (c == close)
            break;
        if (c != ',')
            return bad(ps, "expected ',' or the end");
    }
    ps->depth--;
    return 0;
}

static int skip_value(struct parser *ps)
{
    int c = peek(ps);
    char buf[64];
    size_t n;
    if (c == '{' || c == '[')
        return skip_container(ps, (char)c, c == '{' ? '}' : ']');
    if (c == '"') {
        char *s = parse_string(ps, &n);
        free(s);
        return s ? 0 : -1;
    }
    return token(ps, buf, sizeof buf);
}

static int parse_object(struct parser *ps, ProtobufCMessage *m);

static int parse_integer(struct parser *ps, const ProtobufCFieldDescriptor *f, void *dst)
{
    char buf[64];
    if (peek(ps) == '"') { /* proto3 JSON writes 64-bit integers as strings */
        size_t n;
        char *s = parse_string(ps, &n);
        if (s == NULL)
            return -1;
        snprintf(buf, sizeof buf, "%s", s);
        free(s);
    } else if (token(ps, buf, sizeof buf) != 0) {
        return -1;
    }
    char *end;
    errno = 0;
    int is_signed = f->type == PROTOBUF_C_TYPE_INT32 || f->type == PROTOBUF_C_TYPE_SINT32 ||
                    f->type == PROTOBUF_C_TYPE_SFIXED32 || f->type == PROTOBUF_C_TYPE_INT64 ||
                    f->type == PROTOBUF_C_TYPE_SINT64 || f->type == PROTOBUF_C_TYPE_SFIXED64;
    long long sv = 0;
    unsigned long long uv = 0;
    if (is_signed)
        sv = strtoll(buf, &end, 10);
    else
        uv = buf[0] == '-' ? (errno = ERANGE, 0) : strtoull(buf, &end, 10);
    if (errno || *end != '\0' || buf[0] == '\0')
        return bad(ps, "not an integer");
    if (value_size(f) == 8) {
        if (is_signed)
            *(int64_t *)dst = sv;
        else
            *(uint64_t *)dst = uv;
    } else if (is_signed) {
        if (sv < INT32_MIN || sv > INT32_MAX)
            return bad(ps, "integer out of range");
        *(int32_t *)dst = (int32_t)sv;
    } else {
        if (uv > UINT32_MAX)
            return bad(ps, "integer out of range");
        *(uint32_t *)dst = (uint32_t)uv;
    }
    return 0;
}

static int parse_bytes(struct parser *ps, ProtobufCBinaryData *b)
{
    size_t n;
    char *s = parse_string(ps, &n);
    if (s == NULL)
        return -1;
    if (n % 4 != 0) {
        free(s);
        return bad(ps, "bytes must be base64");
    }
    b->data = malloc(n / 4 * 3 + 1);
    int got = b->data ? EVP_DecodeBlock(b->data, (const unsigned char *)s, (int)n) : -1;
    size_t pad = n >= 2 ? (s[n - 1] == '=') + (s[n - 2] == '=') : 0;
    free(s);
    if (got < 0)
        return bad(ps, "bytes must be base64");
    b->len = (size_t)got - pad;
    return 0;
}

/* Parses one value of field f into dst (a field slot or an array element). */
static int parse_scalar(struct parser *ps, const ProtobufCFieldDescriptor *f, void *dst)
{
    char buf[64];
    size_t n;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        char *s = parse_string(ps, &n);
        if (s == NULL)
            return -1;
        free(*(char **)dst);
        *(char **)dst = s;
        return 0;
    }
    case PROTOBUF_C_TYPE_BYTES: return parse_bytes(ps, dst);
    case PROTOBUF_C_TYPE_BOOL:
        if (token(ps, buf, sizeof buf) != 0 || (strcmp(buf, "true") && strcmp(buf, "false")))
            return bad(ps, "expected true or false");
        *(protobuf_c_boolean *)dst = buf[0] == 't';
        return 0;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE: {
        char *end;
        if (token(ps, buf, sizeof buf) != 0)
            return -1;
        double v = strtod(buf, &end);
        if (*end != '\0')
            return bad(ps, "not a number");
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)dst = (float)v;
        else
            *(double *)dst = v;
        return 0;
    }
    case PROTOBUF_C_TYPE_ENUM: {
        if (peek(ps) != '"')
            return parse_integer(ps, &(ProtobufCFieldDescriptor){.type = PROTOBUF_C_TYPE_INT32},
                                 dst);
        char *s = parse_string(ps, &n);
        if (s == NULL)
            return -1;
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, s);
        free(s);
        if (v == NULL)
            return bad(ps, "unknown enum value");
        *(int *)dst = v->value;
        return 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *d = f->descriptor;
        ProtobufCMessage *sub = *(ProtobufCMessage **)dst;
        if (sub == NULL) {
            sub = calloc(1, d->sizeof_message);
            if (sub == NULL)
                return bad(ps, "out of memory");
            d->message_init(sub);
            *(ProtobufCMessage **)dst = sub;
        }
        return parse_object(ps, sub);
    }
    default: return parse_integer(ps, f, dst);
    }
}

/* The field named key: its lowerCamelCase JSON name or its proto name. */
static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *d,
                                                  const char *key)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);
    if (f)
        return f;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const char *name = d->fields[i].name, *k = key;
        for (; *name && *k; name++) {
            if (*name == '_') {
                if (!*++name || (*name >= 'a' && *name <= 'z' ? *name - 32 : *name) != *k++)
                    break;
            } else if (*name != *k++) {
                break;
            }
        }
        if (*name == '\0' && *k == '\0')
            return &d->fields[i];
    }
    return NULL;
}

static int parse_repeated(struct parser *ps, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    char *base = (char *)m;
    size_t *count = (size_t *)(base + f->quantifier_offset);
    void **array = (void **)(base + f->offset);
    size_t size = value_size(f);
    if (expect(ps, '[') != 0)
        return -1;
    if (peek(ps) == ']') {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (*count >= (1u << 20))
            return bad(ps, "array too long");
        void *grown = realloc(*array, (*count + 1) * size);
        if (grown == NULL)
            return bad(ps, "out of memory");
        *array = grown;
        void *slot = (char *)grown + *count * size;
        memset(slot, 0, size);
        (*count)++; /* counted first, so a failure below still frees it */
        if (parse_scalar(ps, f, slot) != 0)
            return -1;
        int c = peek(ps);
        ps->p++;
        if (c == ']')
            return 0;
        if (c != ',')
            return bad(ps, "expected ',' or ']'");
    }
}

static int parse_member(struct parser *ps, ProtobufCMessage *m)
{
    size_t n;
    char *key = parse_string(ps, &n);
    if (key == NULL || expect(ps, ':') != 0) {
        free(key);
        return -1;
    }
    const ProtobufCFieldDescriptor *f = find_field(m->descriptor, key);
    free(key);
    char lit[8];
    if (f == NULL)
        return skip_value(ps); /* unknown fields are ignored, as Twirp does */
    if (peek(ps) == 'n')       /* null: the field stays unset */
        return token(ps, lit, sizeof lit) != 0 || strcmp(lit, "null") ? bad(ps, "bad literal") : 0;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return parse_repeated(ps, m, f);
    char *base = (char *)m;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
        f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
    return parse_scalar(ps, f, base + f->offset);
}

static int parse_object(struct parser *ps, ProtobufCMessage *m)
{
    if (++ps->depth > PBJSON_MAX_DEPTH)
        return bad(ps, "nested too deeply");
    if (expect(ps, '{') != 0)
        return -1;
    if (peek(ps) == '}') {
        ps->p++;
        ps->depth--;
        return 0;
    }
    for (;;) {
        if (parse_member(ps, m) != 0)
            return -1;
        int c = peek(ps);
        ps->p++;
        if (c == '}')
            break;
        if (c != ',')
            return bad(ps, "expected ',' or '}'");
    }
    ps->depth--;
    return 0;
}

int pbjson_parse(const ProtobufCMessageDescriptor *desc, const char *text, size_t len,
                 ProtobufCMessage **out, char *err, size_t errlen)
{
    struct parser ps = {.start = text, .p = text, .end = text + len, .err = err, .errlen = errlen};
    ProtobufCMessage *m = calloc(1, desc->sizeof_message);
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return DISCO_ENOMEM;
    }
    desc->message_init(m);
    int rv = parse_object(&ps, m);
    skip_space(&ps);
    if (rv == 0 && ps.p != ps.end)
        rv = bad(&ps, "text after the object");
    if (rv == 0 && !protobuf_c_message_check(m)) {
        snprintf(err, errlen, "a required field of %s is missing", desc->name);
        rv = -1;
    }
    if (rv != 0) {
        protobuf_c_message_free_unpacked(m, NULL);
        return DISCO_EFORMAT;
    }
    *out = m;
    return DISCO_OK;
}
