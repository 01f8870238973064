# Generator for tests/guest (see README): mk_pair.py
import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from gen import *
SZ = {'s': 4, 'd': 8, 'q': 16}
m = M()
def load(r, t, off):
    n = SZ[t]; assert 0 <= off and off + n <= SRC_LEN, (t, off); m.v[r] = bytearray(m.src[off:off+n]) + bytearray(16 - n)
def store(r, t, off):
    n = SZ[t]; assert 0 <= off and off + n <= 256, (t, off); m.dst[off:off+n] = m.v[r][:n]
def xbase(reg, region, off):
    base = 'x20' if region == 'src' else 'x22'
    m.emit(f"ldr x9, ={abs(off)}"); m.emit(f"{'add' if off >= 0 else 'sub'} {reg}, {base}, x9")
def xchk(reg, region, off):
    base = 'x20' if region == 'src' else 'x22'
    m.emit(f"sub x0, {reg}, {base}"); m.emit(f"CHECK(x0, {off & 0xffffffffffffffff:#x})")

for t, n in SZ.items():
    m.emit(f"/* ---- {t.upper()} pairs: loads ---- */")
    for op in ("ldp", "ldnp"):
        m.fill(0); m.fill(1)
        m.emit(f"{op} {t}0, {t}1, [x20, #{2*n}]"); load(0, t, 2*n); load(1, t, 3*n); m.vchk(0); m.vchk(1)
        # imm7 extremes: -64 and +63 elements
        xbase('x1', 'src', 64 * n)
        m.fill(2); m.fill(3)
        m.emit(f"{op} {t}2, {t}3, [x1, #{-64*n}]"); load(2, t, 0); load(3, t, n); m.vchk(2); m.vchk(3)
        xbase('x1', 'src', -63 * n)
        m.fill(30); m.fill(31)
        m.emit(f"{op} {t}31, {t}30, [x1, #{63*n}]"); load(31, t, 0); load(30, t, n); m.vchk(30); m.vchk(31)
    xbase('x1', 'src', 40)
    m.fill(4); m.fill(5)
    m.emit(f"ldp {t}4, {t}5, [x1, #{n}]!"); load(4, t, 40 + n); load(5, t, 40 + 2*n); m.vchk(4); m.vchk(5); xchk('x1', 'src', 40 + n)
    m.fill(6); m.fill(7)
    m.emit(f"ldp {t}6, {t}7, [x1], #{-n}"); load(6, t, 40 + n); load(7, t, 40 + 2*n); m.vchk(6); m.vchk(7); xchk('x1', 'src', 40)
    m.fill(8); m.fill(9)
    m.emit(f"ldp {t}8, {t}9, [x1, #{-2*n}]!"); load(8, t, 40 - 2*n); load(9, t, 40 - n); m.vchk(8); m.vchk(9); xchk('x1', 'src', 40 - 2*n)
    m.fill(14); m.fill(15)
    m.emit(f"ldnp {t}14, {t}15, [x1, #{n}]"); load(14, t, 40 - n); load(15, t, 40); m.vchk(14); m.vchk(15)
    # SP as base with writeback
    m.emit("mov x10, sp"); m.emit("mov sp, x20")
    m.emit(f"ldp {t}10, {t}11, [sp, #{2*n}]"); load(10, t, 2*n); load(11, t, 3*n)
    m.emit(f"ldp {t}12, {t}13, [sp], #{4*n}"); load(12, t, 0); load(13, t, n)
    m.emit("mov x11, sp"); m.emit("mov sp, x10")
    for r in (10, 11, 12, 13): m.vchk(r)
    xchk('x11', 'src', 4*n)

    m.emit(f"/* ---- {t.upper()} pairs: stores ---- */")
    m.emit("ldr q20, [x20, #64]"); m.v[20] = bytearray(m.src[64:80])
    m.emit("ldr q21, [x20, #96]"); m.v[21] = bytearray(m.src[96:112])
    m.resetdst(0, 256)
    m.emit(f"stp {t}20, {t}21, [x22, #{n}]"); store(20, t, n); store(21, t, 2*n)
    m.emit(f"stnp {t}21, {t}20, [x22, #{4*n}]"); store(21, t, 4*n); store(20, t, 5*n)
    xbase('x1', 'dst', 128)
    m.emit(f"stp {t}20, {t}21, [x1, #{-n}]!"); store(20, t, 128 - n); store(21, t, 128); xchk('x1', 'dst', 128 - n)
    m.emit(f"stp {t}21, {t}20, [x1], #{3*n}"); store(21, t, 128 - n); store(20, t, 128); xchk('x1', 'dst', 128 + 2*n)
    xbase('x1', 'dst', 64 * n + 160)
    m.emit(f"stp {t}21, {t}20, [x1, #{-64*n}]"); store(21, t, 160); store(20, t, 160 + n)
    xbase('x1', 'dst', 200 - 63 * n)
    m.emit(f"stnp {t}20, {t}21, [x1, #{63*n}]"); store(20, t, 200); store(21, t, 200 + n)
    m.emit("mov x10, sp"); m.emit("add sp, x22, #224")
    m.emit(f"stp {t}20, {t}21, [sp, #-{n*2}]!"); store(20, t, 224 - 2*n); store(21, t, 224 - n)
    m.emit("mov x11, sp"); m.emit("mov sp, x10"); xchk('x11', 'dst', 224 - 2*n)
    m.memchk(0, 256)

body = "\n".join(m.out)
pre = header("SIMD&FP load/store pair: LDP/STP/LDNP/STNP of S, D and Q registers in\n * the signed-offset, pre-indexed and post-indexed forms; imm7 at both\n * extremes, SP as base, register numbers 30/31; loads zero the rest of\n * each 128-bit register.")
open(sys.argv[1], "w").write(pre + body + "\n" + footer())
