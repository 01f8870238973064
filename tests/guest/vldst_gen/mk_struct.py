# Generator for tests/guest (see README): mk_struct.py
import sys; sys.path.insert(0, __import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from gen import *
m = M()
ARR = {'8b': (1, 8), '16b': (1, 16), '4h': (2, 4), '8h': (2, 8), '2s': (4, 2), '4s': (4, 4), '1d': (8, 1), '2d': (8, 2)}
ESUF = {1: 'b', 2: 'h', 4: 's', 8: 'd'}

def rlist(rt, n, suf):
    return "{" + ", ".join(f"v{(rt + i) % 32}.{suf}" for i in range(n)) + "}"

def set_regs(regs):
    # distinct known contents: V[r] = src[16*k .. 16*k+16) for k-th register
    for k, r in enumerate(regs):
        off = (16 * k + 3) % 128
        m.emit(f"ldr q{r}, [x20, #{off}]" if off % 16 == 0 else f"ldur q{r}, [x20, #{off}]")
        m.v[r] = bytearray(m.src[off:off+16])

def model_mult(load, rt, rpt, selem, arr, region_off):
    eb, ne = ARR[arr]
    q = eb * ne == 16
    off = region_off
    assert 0 <= off
    if load:
        for r in range(rpt):
            for s in range(selem):
                if not q: m.v[(rt + r + s) % 32][8:] = bytearray(8)
    for r in range(rpt):
        for e in range(ne):
            tt = (rt + r) % 32
            for s in range(selem):
                if load:
                    m.v[tt][e*eb:(e+1)*eb] = m.src[off:off+eb]
                else:
                    m.dst[off:off+eb] = m.v[tt][e*eb:(e+1)*eb]
                off += eb
                tt = (tt + 1) % 32
    return off - region_off

def mult(load, op, nregs, arr, rt, base_off, post=None):
    eb, ne = ARR[arr]
    selem = 1 if op == 1 else op
    rpt = nregs if op == 1 else 1
    regs = [(rt + i) % 32 for i in range(nregs)]
    name = ("ld" if load else "st") + str(op)
    if load:
        for r in regs: m.fill(r)
    else:
        set_regs(regs); m.resetdst(0, 64)
    region = 'x20' if load else 'x22'
    m.emit(f"add x1, {region}, #{base_off}")
    tail = ""
    if post == 'imm': tail = f", #{nregs * eb * ne}"
    elif post == 'reg': m.emit("mov x2, #-3"); tail = ", x2"
    m.emit(f"{name} {rlist(rt, nregs, arr)}, [x1]{tail}")
    n = model_mult(load, rt, rpt, selem, arr, base_off)
    if load:
        for r in regs: m.vchk(r)
    else:
        m.memchk(0, 64)
    m.emit(f"sub x0, x1, {region}")
    inc = {'imm': n, 'reg': -3, None: 0}[post]
    m.emit(f"CHECK(x0, {(base_off + inc) & 0xffffffffffffffff:#x})")

m.emit("/* ---- LD1/ST1 multiple, 1-4 registers, every arrangement ---- */")
for arr in ARR:
    for nregs in (1, 2, 3, 4):
        mult(True, 1, nregs, arr, [0, 5, 30, 17][nregs - 1], 8 if nregs < 4 else 0)
    mult(False, 1, 1, arr, 3, 0)
    mult(False, 1, 4, arr, 29, 0)
m.emit("/* ---- LD2-LD4/ST2-ST4 multiple, every arrangement but .1D ---- */")
for arr in ARR:
    if arr == '1d': continue
    for op in (2, 3, 4):
        mult(True, op, op, arr, [0, 0, 10, 30][op - 1], 1)
        mult(False, op, op, arr, [0, 0, 7, 31][op - 1], 0)
m.emit("/* ---- post-index by immediate and by register ---- */")
mult(True, 1, 1, '16b', 0, 16, 'imm')
mult(True, 1, 4, '2d', 1, 0, 'imm')
mult(True, 2, 2, '8h', 2, 32, 'reg')
mult(True, 3, 3, '8b', 3, 8, 'imm')
mult(True, 4, 4, '4s', 4, 0, 'imm')
mult(True, 4, 4, '8b', 28, 40, 'reg')
mult(False, 1, 2, '16b', 0, 0, 'imm')
mult(False, 3, 3, '4h', 5, 8, 'reg')
mult(False, 4, 4, '16b', 8, 0, 'imm')
mult(False, 2, 2, '2s', 12, 16, 'imm')

# ---- single structure
def single(load, op, esize, index, rt, base_off, post=None):
    eb = esize
    regs = [(rt + i) % 32 for i in range(op)]
    name = ("ld" if load else "st") + str(op)
    if load:
        for r in regs: m.fill(r)
    else:
        set_regs(regs); m.resetdst(0, 64)
    region = 'x20' if load else 'x22'
    m.emit(f"add x1, {region}, #{base_off}")
    tail = ""
    if post == 'imm': tail = f", #{op * eb}"
    elif post == 'reg': m.emit("mov x2, #5"); tail = ", x2"
    m.emit(f"{name} {rlist(rt, op, ESUF[eb])}[{index}], [x1]{tail}")
    off = base_off
    for r in regs:
        if load: m.v[r][index*eb:(index+1)*eb] = m.src[off:off+eb]
        else: m.dst[off:off+eb] = m.v[r][index*eb:(index+1)*eb]
        off += eb
    if load:
        for r in regs: m.vchk(r)
    else:
        m.memchk(0, 64)
    m.emit(f"sub x0, x1, {region}")
    inc = {'imm': op * eb, 'reg': 5, None: 0}[post]
    m.emit(f"CHECK(x0, {base_off + inc:#x})")

m.emit("/* ---- LD1-LD4/ST1-ST4 single structure (one lane) ---- */")
k = 0
for eb in (1, 2, 4, 8):
    for op in (1, 2, 3, 4):
        for index in sorted({0, 16 // eb - 1, (5 + op) % (16 // eb)}):
            k += 1
            single(True, op, eb, index, (k * 7) % 32, k % 9)
            single(False, op, eb, index, (k * 11) % 32, k % 5)
single(True, 1, 1, 9, 0, 4, 'imm')
single(True, 4, 4, 3, 30, 0, 'reg')
single(True, 2, 8, 1, 6, 16, 'imm')
single(False, 3, 2, 7, 9, 2, 'imm')
single(False, 4, 8, 0, 31, 0, 'reg')

def repl(op, arr, rt, base_off, post=None):
    eb, ne = ARR[arr]
    regs = [(rt + i) % 32 for i in range(op)]
    for r in regs: m.fill(r)
    m.emit(f"add x1, x20, #{base_off}")
    tail = ""
    if post == 'imm': tail = f", #{op * eb}"
    elif post == 'reg': m.emit("mov x2, #-7"); tail = ", x2"
    m.emit(f"ld{op}r {rlist(rt, op, arr)}, [x1]{tail}")
    off = base_off
    for r in regs:
        el = bytes(m.src[off:off+eb]); off += eb
        m.v[r] = bytearray(el * ne) + bytearray(16 - eb * ne)
    for r in regs: m.vchk(r)
    m.emit("sub x0, x1, x20")
    inc = {'imm': op * eb, 'reg': -7, None: 0}[post]
    m.emit(f"CHECK(x0, {(base_off + inc) & 0xffffffffffffffff:#x})")

m.emit("/* ---- LD1R-LD4R, every arrangement ---- */")
k = 0
for arr in ARR:
    for op in (1, 2, 3, 4):
        k += 1
        repl(op, arr, (k * 5) % 32, k % 7)
repl(1, '4s', 0, 8, 'imm')
repl(3, '8h', 29, 16, 'reg')
repl(4, '1d', 2, 0, 'imm')

body = "\n".join(m.out)
pre = header("Advanced SIMD structure loads and stores: LD1/ST1 (1-4 registers) and\n * LD2-LD4/ST2-ST4 multiple structures in every arrangement, single-structure\n * LD1-LD4/ST1-ST4 to one lane (B/H/S/D, first/last/middle lanes, other lanes\n * kept), LD1R-LD4R, post-index by immediate and by register, register\n * lists wrapping from V31 to V0; 64-bit forms zero the upper halves.")
open(sys.argv[1], "w").write(pre + body + "\n" + footer())
