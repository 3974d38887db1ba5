#!/usr/bin/env python3
"""gen_fp_sweep.py - writes the FPU operation sweep used two ways:

  tests/isa/fp/fp_sweep_values.h   the operands (the loop is fp_sweep_loop.h).
  tests/isa/fp/fp_sweep.c          a MIPS program: every COP1/COP1X arithmetic,
                                   conversion and compare over tricky operands in
                                   all rounding modes (+ FCSR.FS), one hash per op;
                                   part of the QEMU comparison corpus.
  tests/node/test_fpu_sweep.h      the same cases plus the hashes QEMU 7.2 printed
                                   (qemu-mips64el -cpu MIPS64R2-generic), checked by
                                   test_fpu.c directly against fpu_execute_cop1*().

Run from anywhere: python3 tests/isa/fp/gen_fp_sweep.py (needs the cross
assembler, gcc-mips64el-linux-gnuabi64 and qemu-user). Output is deterministic.
"""
import os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))

S_VALS = [0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x00000001, 0x80400000, 0x00800000,
          0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7f800123, 0x7fc00001, 0x3eaaaaab,
          0x4f000000, 0xcf000000, 0x4f000001, 0x5f000000, 0xdf000000, 0x40200000, 0xc0200000,
          0x3f000000, 0x3fc00000, 0x4effffff, 0x007fffff, 0x40490fdb, 0x1e3ce508, 0x00ffffff,
          0x3f7fffff]
D_VALS = [0x0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x0000000000000001,
          0x8008000000000000, 0x0010000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
          0x7ff0000000000000, 0xfff0000000000000, 0x7ff0000000000123, 0x7ff8000000000001,
          0x3fd5555555555555, 0x41e0000000000000, 0xc1e0000000000000, 0x41dfffffffe00000,
          0x43e0000000000000, 0xc3e0000000000000, 0x4004000000000000, 0xc004000000000000,
          0x3fe0000000000000, 0x3ff8000000000000, 0x41dfffffffffffff, 0x000fffffffffffff,
          0x400921fb54442d18, 0x36a0000000000000, 0x3ca0000000000000, 0x3690000000000001,
          0x381fffffefffffff, 0x3810000000000000, 0x47efffffe0000000, 0x3fefffffffffffff]
W_VALS = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x01000001, 0x00ffffff, 12345678, 0x7ffffff0,
          0xfedcba98]
L_VALS = [0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x0020000000000001,
          0x001fffffffffffff, 0x7ffffffffffffc01, 0x123456789abcdef1, 0xfffffffffffff801]
TERN_S = [0x00000000, 0x80000000, 0x3f800000, 0x7f7fffff, 0x00000001, 0x7f800000, 0xff800000,
          0x7f800123, 0x7fc00001, 0x3eaaaaab, 0x3f800001, 0xbf800000]
TERN_D = [0x0, 0x8000000000000000, 0x3ff0000000000000, 0x7fefffffffffffff, 0x1,
          0x7ff0000000000000, 0xfff0000000000000, 0x7ff0000000000123, 0x7ff8000000000001,
          0x3fd5555555555555, 0x3ff0000000000001, 0xbff0000000000000]
CONDS = ['f', 'un', 'eq', 'ueq', 'olt', 'ult', 'ole', 'ule',
         'sf', 'ngle', 'seq', 'ngl', 'lt', 'nge', 'le', 'ngt']
KIND = {'bin': 0, 'un': 1, 'tern': 2}
FMT = {'s': 0, 'd': 1, 'w': 2, 'l': 3}


def operations():
    ops = []  # (assembly, kind, operand set)
    for f in ('s', 'd'):
        for o in ('add', 'sub', 'mul', 'div'):
            ops.append((f'{o}.{f} $f0,$f2,$f4', 'bin', f))
        for o in ('sqrt', 'abs', 'neg', 'mov', 'recip', 'rsqrt'):
            ops.append((f'{o}.{f} $f0,$f2', 'un', f))
        for o in ('round', 'trunc', 'ceil', 'floor', 'cvt'):
            for t in ('w', 'l'):
                ops.append((f'{o}.{t}.{f} $f0,$f2', 'un', f))
        ops.append((f'cvt.{"d" if f == "s" else "s"}.{f} $f0,$f2', 'un', f))
        for o in ('madd', 'msub', 'nmadd', 'nmsub'):
            ops.append((f'{o}.{f} $f0,$f6,$f2,$f4', 'tern', f))
        for i, c in enumerate(CONDS):
            ops.append((f'c.{c}.{f} $fcc{i % 8},$f2,$f4', 'bin', f))
    for f in ('w', 'l'):
        for t in ('s', 'd'):
            ops.append((f'cvt.{t}.{f} $f0,$f2', 'un', f))
    return ops


def encode(ops, tmp):
    src = os.path.join(tmp, 'ops.s')
    obj = os.path.join(tmp, 'ops.o')
    with open(src, 'w') as fh:
        fh.write('.set noreorder\n.text\n' + ''.join(m + '\n' for m, _, _ in ops))
    subprocess.check_call(['mips64el-linux-gnuabi64-as', '-mips64r2', '-mabi=64', '-o', obj, src])
    dump = subprocess.check_output(['mips64el-linux-gnuabi64-objdump', '-d', obj]).decode()
    words = []
    for line in dump.splitlines():
        parts = line.split('\t')
        if len(parts) >= 3 and parts[0].strip().endswith(':') and len(parts[1].strip()) == 8:
            words.append(int(parts[1].strip(), 16))
    assert len(words) == len(ops)
    return words


def c_array(name, values):
    body = ',\n    '.join(', '.join(f'0x{v:x}ull' for v in values[i:i + 4])
                          for i in range(0, len(values), 4))
    return f'static const uint64_t {name}[] = {{\n    {body},\n}};\n'


def operand_arrays():
    return (c_array('sweep_s', S_VALS) + c_array('sweep_d', D_VALS) + c_array('sweep_w', W_VALS) +
            c_array('sweep_l', L_VALS) + c_array('sweep_tern_s', TERN_S) +
            c_array('sweep_tern_d', TERN_D))


def values_header():
    return ('/*\n * fp_sweep_values.h - the operands of the FPU sweep (fp_sweep_loop.h):\n'
            ' * zeros, denormals, extremes, infinities, legacy-encoded quiet and\n'
            ' * signalling NaNs, integer range edges. Generated by gen_fp_sweep.py.\n */\n'
            '#ifndef FP_SWEEP_VALUES_H\n#define FP_SWEEP_VALUES_H\n\n#include <stdint.h>\n\n' +
            operand_arrays() + '\n#endif\n')


def mips_program(ops):
    out = ['/*\n * fp_sweep.c - every MIPS IV/MIPS64 FPU arithmetic, conversion and compare\n'
           ' * instruction over tricky operands in all four rounding modes and with\n'
           ' * FCSR.FS (fp_sweep_loop.h); prints one hash of the results and FCSR per\n'
           ' * instruction. Generated by gen_fp_sweep.py: do not edit.\n */\n'
           '#include <stdint.h>\n'
           '#ifndef FP_SWEEP_FREESTANDING /* tests/isa/mips4/fp_sweep_mips4.c: rt.h printf */\n'
           '#include <stdio.h>\n#endif\n\n#include "fp_sweep_loop.h"\n\n'
           '/* One function per instruction: load the operands, set FCSR, run it, read back. */\n'
           '#define SWEEP_INSN(n, insn)                                                           \\\n'
           '    static void op##n(void *ctx, uint64_t a, uint64_t b, uint64_t c, uint32_t fcsr_in, \\\n'
           '                      uint64_t *out, uint32_t *fcsr_out)                               \\\n'
           '    {                                                                                \\\n'
           '        uint64_t r, sentinel = 0x5555555555555555ull;                              \\\n'
           '        uint32_t x;                                                                  \\\n'
           '        (void)ctx;                                                                   \\\n'
           '        __asm__ volatile("dmtc1 %2, $f0\\n\\tdmtc1 %3, $f2\\n\\tdmtc1 %4, $f4\\n\\t"     \\\n'
           '                         "dmtc1 %5, $f6\\n\\tctc1 %6, $31\\n\\t" insn "\\n\\t"          \\\n'
           '                         "cfc1 %1, $31\\n\\tdmfc1 %0, $f0\\n\\tctc1 $0, $31"               \\\n'
           '                         : "=r"(r), "=r"(x)                                          \\\n'
           '                         : "r"(sentinel), "r"(a), "r"(b), "r"(c), "r"(fcsr_in)       \\\n'
           '                         : "$f0", "$f2", "$f4", "$f6");                              \\\n'
           '        *out = r;                                                                    \\\n'
           '        *fcsr_out = x;                                                               \\\n'
           '    }\n\n']
    for i, (m, _, _) in enumerate(ops):
        out.append(f'SWEEP_INSN({i}, "{m}")\n')
    out.append('\nstatic const struct {\n    sweep_fn *fn;\n    unsigned kind, fmt;\n'
               '    const char *name;\n} ops[] = {\n')
    for i, (m, k, f) in enumerate(ops):
        out.append(f'    {{op{i}, {KIND[k]}, {FMT[f]}, "{m}"}},\n')
    out.append('};\n\nint main(void)\n{\n'
               '    for (unsigned i = 0; i < SWEEP_COUNT(ops); i++)\n'
               '        printf("%-28s %016llx\\n", ops[i].name,\n'
               '               (unsigned long long)sweep_op(ops[i].fn, 0, ops[i].kind, ops[i].fmt));\n'
               '    return 0;\n}\n')
    return ''.join(out)


def main():
    ops = operations()
    with tempfile.TemporaryDirectory() as tmp:
        words = encode(ops, tmp)
        with open(os.path.join(HERE, 'fp_sweep_values.h'), 'w') as fh:
            fh.write(values_header())
        prog = mips_program(ops)
        with open(os.path.join(HERE, 'fp_sweep.c'), 'w') as fh:
            fh.write(prog)
        exe = os.path.join(tmp, 'fp_sweep')
        subprocess.check_call(['mips64el-linux-gnuabi64-gcc', '-O2', '-static', '-o', exe,
                               os.path.join(HERE, 'fp_sweep.c')])
        lines = subprocess.check_output(['qemu-mips64el', '-cpu', 'MIPS64R2-generic', exe]).decode()
    hashes = [int(l.split()[-1], 16) for l in lines.splitlines()]
    assert len(hashes) == len(ops)
    hdr = ['/*\n * test_fpu_sweep.h - the cases of tests/isa/fp/fp_sweep.c with the hash\n'
           ' * QEMU 7.2 (qemu-mips64el -cpu MIPS64R2-generic) printed for each.\n'
           ' * Generated by tests/isa/fp/gen_fp_sweep.py: do not edit.\n */\n'
           '#include <stdint.h>\n\n#include "../isa/fp/fp_sweep_loop.h"\n',
           '\nstatic const struct sweep_case {\n    uint32_t insn;\n    unsigned kind, fmt;\n'
           '    uint64_t qemu_hash;\n    const char *name;\n} sweep_cases[] = {\n']
    for (m, k, f), w, h in zip(ops, words, hashes):
        hdr.append(f'    {{0x{w:08x}, {KIND[k]}, {FMT[f]}, 0x{h:016x}ull, "{m}"}},\n')
    hdr.append('};\n')
    with open(os.path.join(ROOT, 'tests', 'node', 'test_fpu_sweep.h'), 'w') as fh:
        fh.write(''.join(hdr))
    # Keep the outputs as `make format` would leave them.
    subprocess.call(['clang-format', '-i', os.path.join(HERE, 'fp_sweep.c'),
                     os.path.join(HERE, 'fp_sweep_values.h'),
                     os.path.join(ROOT, 'tests', 'node', 'test_fpu_sweep.h')], cwd=ROOT)
    print(f'{len(ops)} operations')


if __name__ == '__main__':
    sys.exit(main())
