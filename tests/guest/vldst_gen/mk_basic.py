# Generator for tests/guest (see README): mk_basic.py
import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
import gen_basic as g
from gen import *
m = g.m
body = "\n".join(m.out)
pre = header("SIMD&FP single-register loads and stores: LDR/STR B/H/S/D/Q with\n * unsigned (incl. maximal) offset, LDUR/STUR (unaligned, imm9 extremes), pre-\n * and post-index with writeback, register offset (LSL/UXTW/SXTW/SXTX,\n * scaled or not), SP as base, LDR (literal) S/D/Q backwards and forwards;\n * scalar loads zero the rest of the 128-bit register.")
lit_before = "    b 1f\n    .balign 16\nlit: .byte " + ", ".join(f"{b:#04x}" for b in LIT) + "\n1:\n"
foot = footer().replace("    TEST_PASS\n", "    TEST_PASS\n    .balign 16\nlitfwd: .byte " + ", ".join(f"{b:#04x}" for b in LIT2) + "\n")
open(sys.argv[1], "w").write(pre + lit_before + body + "\n" + foot)
