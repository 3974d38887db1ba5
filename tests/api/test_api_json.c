/*
 * test_api_json.c - the protobuf JSON codec (proto/runtime/pbjson.c) used
 * for Twirp's application/json: messages round-trip through text (nested,
 * repeated, enums, bytes, escapes), both field spellings and quoted 64-bit
 * integers are read, unknown fields are skipped, and bad or hostile text
 * (truncation, wrong types, deep nesting, out-of-range numbers, missing
 * required fields) is refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.pb-c.h"
#include "disco_err.h"
#include "pbjson.h"

static char *to_json(const ProtobufCMessage *m)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    pbjson_write(f, m, 0);
    fclose(f);
    return text;
}

static ProtobufCMessage *parse_ok(const ProtobufCMessageDescriptor *d, const char *text)
{
    ProtobufCMessage *m = NULL;
    char err[160] = "";
    int rv = pbjson_parse(d, text, strlen(text), &m, err, sizeof err);
    if (rv != 0)
        fail_msg("refused %s: %s", text, err);
    return m;
}

static void parse_bad(const ProtobufCMessageDescriptor *d, const char *text, const char *why)
{
    ProtobufCMessage *m = NULL;
    char err[160] = "";
    assert_int_equal(pbjson_parse(d, text, strlen(text), &m, err, sizeof err), DISCO_EFORMAT);
    assert_null(m);
    if (strstr(err, why) == NULL)
        fail_msg("'%s' refused with '%s', expected '%s'", text, err, why);
}

static void test_round_trip(void **state)
{
    uint32_t nodes[] = {0, 3};
    char *disks[] = {"d1", "d\"2\n"};
    Disco__Api__VmSpec vm = DISCO__API__VM_SPEC__INIT;
    Disco__Api__JobSpec spec = DISCO__API__JOB_SPEC__INIT;
    Disco__Api__SubmitJobRequest req = DISCO__API__SUBMIT_JOB_REQUEST__INIT;
    vm.kernel = "abc";
    vm.cmdline = "tab\there \\ \xc3\xa9";
    vm.n_placement = 2;
    vm.placement = nodes;
    vm.n_disks = 2;
    vm.disks = disks;
    vm.has_max_instructions = 1;
    vm.max_instructions = 18446744073709551615ull;
    spec.vm = &vm;
    spec.has_on_restart = 1;
    spec.on_restart = DISCO__API__RESTART_POLICY__RESTART_FAIL;
    req.spec = &spec;
    char *text = to_json(&req.base);
    Disco__Api__SubmitJobRequest *back =
        (Disco__Api__SubmitJobRequest *)parse_ok(&disco__api__submit_job_request__descriptor, text);
    free(text);
    assert_string_equal(back->spec->vm->kernel, "abc");
    assert_string_equal(back->spec->vm->cmdline, vm.cmdline);
    assert_int_equal(back->spec->vm->n_placement, 2);
    assert_int_equal(back->spec->vm->placement[1], 3);
    assert_string_equal(back->spec->vm->disks[1], "d\"2\n");
    assert_true(back->spec->vm->max_instructions == 18446744073709551615ull);
    assert_int_equal(back->spec->on_restart, DISCO__API__RESTART_POLICY__RESTART_FAIL);
    assert_false(back->spec->has_time_limit_s);
    protobuf_c_message_free_unpacked(&back->base, NULL);
}

static void test_bytes_and_spellings(void **state)
{
    Disco__Api__WriteConsoleRequest *w = (Disco__Api__WriteConsoleRequest *)parse_ok(
        &disco__api__write_console_request__descriptor,
        " { \"id\" : \"42\", \"data\": \"aGk=\", \"unknownField\": [1, {\"x\": [null]}] } ");
    assert_int_equal(w->id, 42);
    assert_int_equal(w->data.len, 2);
    assert_memory_equal(w->data.data, "hi", 2);
    protobuf_c_message_free_unpacked(&w->base, NULL);
    Disco__Api__JobSpec *s = (Disco__Api__JobSpec *)parse_ok(
        &disco__api__job_spec__descriptor,
        "{\"vm\":{\"kernel\":\"\\u00e9\\ud83d\\ude00\"},\"time_limit_s\":5,\"onRestart\":1}");
    assert_string_equal(s->vm->kernel, "\xc3\xa9\xf0\x9f\x98\x80");
    assert_true(s->has_time_limit_s);
    assert_int_equal(s->time_limit_s, 5);
    assert_int_equal(s->on_restart, 1);
    protobuf_c_message_free_unpacked(&s->base, NULL);
}

static void test_refused(void **state)
{
    const ProtobufCMessageDescriptor *job = &disco__api__job_spec__descriptor;
    parse_bad(job, "", "expected '{'");
    parse_bad(job, "{\"vm\":{\"kernel\":\"x\"}", "expected ',' or '}'");
    parse_bad(job, "{\"vm\":{\"kernel\":\"x\"}} trailing", "text after the object");
    parse_bad(job, "{\"timeLimitS\":\"soon\",\"vm\":{\"kernel\":\"x\"}}", "not an integer");
    parse_bad(job, "{\"timeLimitS\":4294967296,\"vm\":{\"kernel\":\"x\"}}", "out of range");
    parse_bad(job, "{\"timeLimitS\":-1,\"vm\":{\"kernel\":\"x\"}}", "not an integer");
    parse_bad(job, "{\"onRestart\":\"SOMETIMES\",\"vm\":{\"kernel\":\"x\"}}", "unknown enum");
    parse_bad(job, "{\"vm\":{\"kernel\":\"bad \\q escape\"}}", "bad string");
    parse_bad(job, "{\"timeLimitS\":5}", "required field");
    parse_bad(&disco__api__write_console_request__descriptor, "{\"id\":1,\"data\":\"abc\"}",
              "base64");
    /* Deep nesting, in a known field and in an unknown one. */
    char deep[400] = "{\"x\":";
    for (int i = 0; i < 60; i++)
        strcat(deep, "[");
    parse_bad(job, deep, "nested too deeply");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bytes_and_spellings),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
