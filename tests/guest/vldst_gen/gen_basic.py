# Generator for tests/guest (see README): gen_basic.py
import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from gen import *

SZ = {'b': 1, 'h': 2, 's': 4, 'd': 8, 'q': 16}
m = M()

def load(r, t, region, off):
    n = SZ[t]
    assert 0 <= off and off + n <= len(m.region(region)), (t, off)
    m.v[r] = bytearray(m.region(region)[off:off+n]) + bytearray(16 - n)

def store(r, t, off):
    n = SZ[t]
    assert 0 <= off and off + n <= 256, (t, off)
    m.dst[off:off+n] = m.v[r][:n]

def xbase(reg, region, off):
    # set xreg = region + off
    base = 'x20' if region == 'src' else 'x22'
    if off >= 0:
        m.emit(f"ldr x9, ={off}"); m.emit(f"add {reg}, {base}, x9")
    else:
        m.emit(f"ldr x9, ={-off}"); m.emit(f"sub {reg}, {base}, x9")

def xchk(reg, region, off):
    base = 'x20' if region == 'src' else 'x22'
    m.emit(f"sub x0, {reg}, {base}")
    m.emit(f"CHECK(x0, {off & 0xffffffffffffffff:#x})")

for t, n in SZ.items():
    m.emit(f"/* ---- {t.upper()} loads ---- */")
    # unsigned offset, small and maximal
    m.fill(0); m.emit(f"ldr {t}0, [x20, #{3*n}]"); load(0, t, 'src', 3*n); m.vchk(0)
    xbase('x1', 'src', -4095*n); m.fill(1); m.emit(f"ldr {t}1, [x1, #{4095*n}]"); load(1, t, 'src', 0); m.vchk(1)
    m.fill(2); m.emit(f"ldr {t}2, [x20]"); load(2, t, 'src', 0); m.vchk(2)
    # unscaled, including unaligned and the imm9 extremes
    xbase('x1', 'src', 64)
    for off in (-37, 11, 255 - 160 if False else 63, -64):
        m.fill(3); m.emit(f"ldur {t}3, [x1, #{off}]"); load(3, t, 'src', 64 + off); m.vchk(3)
    xbase('x1', 'src', 256)
    m.fill(3); m.emit(f"ldur {t}3, [x1, #-256]"); load(3, t, 'src', 0); m.vchk(3)
    xbase('x1', 'src', -255)
    m.fill(3); m.emit(f"ldur {t}3, [x1, #255]"); load(3, t, 'src', 0); m.vchk(3)
    # pre-indexed and post-indexed, writeback
    xbase('x1', 'src', 16)
    m.fill(4); m.emit(f"ldr {t}4, [x1, #{n}]!"); load(4, t, 'src', 16 + n); m.vchk(4); xchk('x1', 'src', 16 + n)
    m.fill(5); m.emit(f"ldr {t}5, [x1], #-{n+3}"); load(5, t, 'src', 16 + n); m.vchk(5); xchk('x1', 'src', 13)
    m.fill(6); m.emit(f"ldr {t}6, [x1, #-13]!"); load(6, t, 'src', 0); m.vchk(6); xchk('x1', 'src', 0)
    m.fill(7); m.emit(f"ldr {t}7, [x1], #255"); load(7, t, 'src', 0); m.vchk(7); xchk('x1', 'src', 255)
    # register offset: LSL (scaled), no shift, UXTW, SXTW, SXTX
    sh = {1: 0, 2: 1, 4: 2, 8: 3, 16: 4}[n]
    m.emit("mov x2, #3")
    m.fill(8); m.emit(f"ldr {t}8, [x20, x2" + (f", lsl #{sh}]" if sh else "]")); load(8, t, 'src', 3*n); m.vchk(8)
    m.fill(9); m.emit(f"ldr {t}9, [x20, x2]"); load(9, t, 'src', 3); m.vchk(9)
    m.emit("ldr x3, =0xffffffff00000002")   # UXTW ignores the top half
    m.fill(10); m.emit(f"ldr {t}10, [x20, w3, uxtw #{sh}]"); load(10, t, 'src', 2*n); m.vchk(10)
    m.fill(10); m.emit(f"ldr {t}10, [x20, w3, uxtw]"); load(10, t, 'src', 2); m.vchk(10)
    xbase('x1', 'src', 96)
    m.emit("mov w4, #-2")                      # SXTW of 0xfffffffe = -2
    m.fill(11); m.emit(f"ldr {t}11, [x1, w4, sxtw #{sh}]"); load(11, t, 'src', 96 - 2*n); m.vchk(11)
    m.emit("mov x4, #-5")
    m.fill(12); m.emit(f"ldr {t}12, [x1, x4, sxtx]"); load(12, t, 'src', 91); m.vchk(12)
    m.fill(12); m.emit(f"ldr {t}12, [x1, x4, sxtx #{sh}]"); load(12, t, 'src', 96 - 5*n); m.vchk(12)
    # SP as base
    m.emit("mov x10, sp"); m.emit("mov sp, x20")
    m.fill(13); m.emit(f"ldr {t}13, [sp, #{2*n}]"); load(13, t, 'src', 2*n)
    m.emit(f"ldr {t}14, [sp, #{n}]!"); load(14, t, 'src', n)
    m.emit("mov x11, sp"); m.emit("mov sp, x10")
    m.vchk(13); m.vchk(14); xchk('x11', 'src', n)
    # high register numbers
    m.fill(31); m.emit(f"ldr {t}31, [x20, #{n}]"); load(31, t, 'src', n); m.vchk(31)

    m.emit(f"/* ---- {t.upper()} stores ---- */")
    m.emit("ldr q20, [x20, #64]"); m.v[20] = bytearray(m.src[64:80])
    m.emit("ldr q21, [x20, #96]"); m.v[21] = bytearray(m.src[96:112])
    m.resetdst(0, 96)
    m.emit(f"str {t}20, [x22, #{n}]"); store(20, t, n)
    xbase('x1', 'dst', 40)
    m.emit(f"stur {t}21, [x1, #-7]"); store(21, t, 33)
    m.emit(f"str {t}20, [x1, #{n}]!"); store(20, t, 40 + n); xchk('x1', 'dst', 40 + n)
    m.emit(f"str {t}21, [x1], #-{n+1}"); store(21, t, 40 + n); xchk('x1', 'dst', 39)
    m.emit("mov x2, #4")
    m.emit(f"str {t}20, [x22, x2" + (f", lsl #{sh}]" if sh else "]")); store(20, t, 4*n)
    m.emit("mov w3, #70")
    m.emit(f"str {t}21, [x22, w3, uxtw]"); store(21, t, 70)
    m.memchk(0, 96)
    xbase('x1', 'dst', 200)
    m.emit("mov w4, #-1")
    m.resetdst(192, 16)
    m.emit(f"str {t}21, [x1, w4, sxtw #{sh}]"); store(21, t, 200 - n)
    m.memchk(192, 16)

m.emit("/* ---- LDR (literal) S, D, Q ---- */")
for t in 'sdq':
    n = SZ[t]
    m.fill(0); m.emit(f"ldr {t}0, lit"); m.v[0] = bytearray(LIT[:n]) + bytearray(16 - n); m.vchk(0)
    m.fill(1); m.emit(f"ldr {t}1, litfwd"); m.v[1] = bytearray(LIT2[:n]) + bytearray(16 - n); m.vchk(1)
