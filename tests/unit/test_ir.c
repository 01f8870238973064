/* Unit tests for the IR builder, verifier and dumper (cpu/ir.c): temps are
 * allocated as the op table says, blocks grow past their first allocation,
 * the verifier accepts well-formed blocks (one op of every kind) and rejects
 * each kind of malformed block, and the dumper copes with anything. */
#include "common.h"

#include "cpu/translate.h" /* HELPER_NUM */

#define NO IR_NO_TEMP

static IRTemp emit0(IRBlock *b, int opc, int size, uint64_t imm)
{
    return ir_emit(b, opc, size, 0, NO, NO, NO, 0, imm);
}

static void term(IRBlock *b) { ir_exit(b, 0x1000); }

/* Verify and expect an error whose text contains `what`. */
#define EXPECT_REJECT(b, what)                                                                            \
    do {                                                                                                  \
        const char *e_ = ir_verify(b);                                                                    \
        cr_expect_not_null(e_, "malformed block accepted (%s)", what);                                  \
        if (e_)                                                                                           \
            cr_expect(strstr(e_, what) != NULL, "verifier said '%s', expected '%s'", e_, what);          \
    } while (0)

#define EXPECT_ACCEPT(b)                                                                                  \
    do {                                                                                                  \
        const char *e_ = ir_verify(b);                                                                    \
        cr_expect_null(e_, "well-formed block rejected: %s", e_ ? e_ : "");                               \
    } while (0)

Test(ir, op_table_is_consistent)
{
    for (int op = 0; op < IR_NUM_OPS; op++) {
        const IROpInfo *inf = &ir_op_info[op];
        cr_expect_not_null(inf->name, "op %d has no name", op);
        cr_expect_leq(inf->nin, 3, "%s", inf->name);
        cr_expect_leq(inf->has_dst, 1, "%s", inf->name);
        cr_expect_leq(inf->kind, IRK_TERM, "%s", inf->name);
        if (inf->kind == IRK_TERM || inf->kind == IRK_EXIT)
            cr_expect(!inf->has_dst, "%s: exits have no result", inf->name);
    }
    cr_expect_str_eq(ir_op_info[IR_ADD].name, "ADD");
    cr_expect_eq(ir_op_info[IR_SELECT].nin, 3);
    cr_expect_eq(ir_op_info[IR_GOTO].kind, IRK_TERM);
    cr_expect_eq(ir_op_info[IR_BRCOND].kind, IRK_EXIT);
}

Test(ir, builder_allocates_temps_and_records_fields)
{
    IRBlock b;
    ir_block_init(&b, 0x40001000);
    cr_expect_eq(b.pc, 0x40001000);
    cr_expect_eq(b.nops, 0);
    cr_expect_eq(b.ntemps, 0);
    cr_expect(!ir_block_terminated(&b));

    IRTemp c1 = ir_const(&b, 5);
    IRTemp c2 = ir_const(&b, 7);
    cr_expect_eq(c1, 0);
    cr_expect_eq(c2, 1);
    IRTemp s = ir_emit(&b, IR_ADD, 4, 0x0, c1, c2, NO, 0x55, 0x66);
    cr_expect_eq(s, 2);
    /* Ops without a result allocate no temp and get dst = IR_NO_TEMP. */
    cr_expect_eq(ir_emit(&b, IR_SET_REG, 8, 0, s, NO, NO, 0, 3), IR_NO_TEMP);
    cr_expect_eq(b.ntemps, 3);
    IRTemp t = ir_new_temp(&b);
    cr_expect_eq(t, 3);
    cr_expect_eq(b.ntemps, 4);

    const IROp *op = &b.ops[2];
    cr_expect_eq(op->opc, IR_ADD);
    cr_expect_eq(op->size, 4);
    cr_expect_eq(op->a, c1);
    cr_expect_eq(op->b, c2);
    cr_expect_eq(op->c, NO);
    cr_expect_eq(op->aux, 0x55);
    cr_expect_eq(op->imm, 0x66);
    cr_expect_eq(op->dst, s);
    cr_expect_eq(b.ops[3].dst, IR_NO_TEMP);
    cr_expect_eq(b.nops, 4);

    cr_expect(!ir_block_terminated(&b));
    term(&b);
    cr_expect(ir_block_terminated(&b));
    EXPECT_ACCEPT(&b);
    ir_block_free(&b);
    cr_expect_null(b.ops);
    cr_expect_eq(b.nops, 0);
}

Test(ir, builder_grows)
{
    IRBlock b;
    ir_block_init(&b, 0);
    IRTemp acc = ir_const(&b, 0);
    IRTemp one = ir_const(&b, 1);
    for (int i = 0; i < 3000; i++)
        acc = ir_op2(&b, IR_ADD, 8, acc, one);
    ir_set_reg(&b, 0, acc);
    term(&b);
    cr_expect_eq(b.nops, 3004);
    cr_expect_geq(b.cap, b.nops);
    EXPECT_ACCEPT(&b);
    /* Contents survive the reallocations. */
    cr_expect_eq(b.ops[0].opc, IR_CONST);
    cr_expect_eq(b.ops[2999].opc, IR_ADD);
    cr_expect_eq(b.ops[2999].dst, 2999);

    TestMachine *tm = test_machine_new();
    cr_expect_eq(test_run_block(tm->cpu, &b), BX_EXIT);
    cr_expect_eq(tm->cpu->x[0], 3000);
    test_machine_free(tm);
    ir_block_free(&b);
}

/* One op of every opcode, with sane operands: must verify and dump. */
static void build_every_op(IRBlock *b, int terminal)
{
    IRTemp k = ir_const(b, 0x40000000);
    IRTemp x = ir_const(b, 3);
    for (int opc = 0; opc < IR_NUM_OPS; opc++) {
        const IROpInfo *inf = &ir_op_info[opc];
        if (inf->kind == IRK_TERM)
            continue;
        int size = 8;
        uint64_t imm = 0;
        uint32_t aux = 0;
        uint16_t flags = 0;
        switch (opc) {
        case IR_GET_REG:
        case IR_SET_REG: imm = 31; break;
        case IR_SEXT:
        case IR_ZEXT: imm = 16; break;
        case IR_COND: imm = 14; break;
        case IR_GET_FIELD: imm = offsetof(CPUState, tpidr_el1); break;
        case IR_CALL: aux = HELPER_NUM - 1; break;
        case IR_LOAD: flags = IRF_SIGNED, aux = 4, size = 2; break;
        case IR_ATOMIC_RMW: aux = IR_RMW_SWP; break;
        case IR_LOAD_V: case IR_STORE_V: size = 16, imm = 31; break;
        case IR_LOAD_V2: size = 32, imm = 1023; break;
        case IR_FENCE: imm = IR_FENCE_FULL; break;
        case IR_INSN_START: imm = 0x40000000; break;
        case IR_BRCOND: imm = 0x2000; break;
        default: break;
        }
        IRTemp in[3] = {NO, NO, NO};
        for (int i = 0; i < inf->nin; i++)
            in[i] = i ? x : k;
        ir_emit(b, opc, size, flags, in[0], in[1], in[2], aux, imm);
    }
    ir_emit(b, terminal, 8, 0, terminal == IR_JUMP ? k : NO, NO, NO, terminal == IR_GOTO ? 1 : 0,
            terminal == IR_RAISE ? 0 : 0x3000);
}

Test(ir, every_op_verifies_and_dumps)
{
    static const int terms[] = {IR_GOTO, IR_JUMP, IR_EXIT, IR_RAISE};
    for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
        IRBlock b;
        ir_block_init(&b, 0x40000000);
        build_every_op(&b, terms[i]);
        cr_expect(ir_block_terminated(&b));
        EXPECT_ACCEPT(&b);

        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_not_null(f);
        ir_dump(&b, f);
        fclose(f);
        /* Every op name appears in the dump. */
        for (int opc = 0; opc < IR_NUM_OPS; opc++) {
            if (opc == IR_INSN_START || (ir_op_info[opc].kind == IRK_TERM && opc != terms[i]))
                continue;
            cr_expect(strstr(buf, ir_op_info[opc].name) != NULL, "dump lacks %s", ir_op_info[opc].name);
        }
        cr_expect(strstr(buf, "0x0000000040000000") != NULL, "dump lacks the block pc / INSN_START");
        free(buf);
        ir_block_free(&b);
    }
}

/* ir_verify answers from a one-pass fast check and asks the one-op-at-a-time
 * reference only when that fails: both must accept exactly the same blocks
 * and give the same message. Blocks with every op, mutated one to three
 * fields at a time (opcodes past the table, temps at and past ntemps and
 * IR_NO_TEMP, sizes, immediates and slots at their bounds, flags, ops moved
 * after the terminal, the instruction count), against the reference. */
Test(ir, verify_fast_path_matches_the_reference)
{
    static const int terms[] = {IR_GOTO, IR_JUMP, IR_EXIT, IR_RAISE};
    uint64_t r = 0x9e3779b97f4a7c15ull;
#define RND() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
    unsigned rejected = 0, runs = 0;
    for (size_t t = 0; t < sizeof(terms) / sizeof(terms[0]); t++) {
        IRBlock b;
        ir_block_init(&b, 0x40000000);
        build_every_op(&b, terms[t]);
        b.ninsns = 8;
        cr_assert_null(ir_verify(&b));
        cr_assert_null(ir_verify_reference(&b));
        IROp *orig = malloc(b.nops * sizeof(IROp));
        memcpy(orig, b.ops, b.nops * sizeof(IROp));
        const uint32_t nt = b.ntemps;
        for (int it = 0; it < 40000; it++) {
            memcpy(b.ops, orig, b.nops * sizeof(IROp));
            b.ninsns = 8;
            const int nmut = 1 + (int)(RND() % 3);
            for (int m = 0; m < nmut; m++) {
                IROp *op = &b.ops[RND() % b.nops];
                static const uint64_t imms[] = {0, 1, 15, 16, 31, 32, 63, 64, 65, 1023, 1024, 8, 4096, ~0ull};
                static const uint8_t sizes[] = {0, 1, 2, 3, 4, 5, 8, 16, 32, 64};
                const IRTemp temps[] = {0, 1, (IRTemp)(nt - 1), (IRTemp)nt, (IRTemp)(nt + 1), IR_NO_TEMP,
                                        (IRTemp)(RND() % (nt + 2))};
                switch (RND() % 9) {
                case 0: op->opc = (uint8_t)(RND() % (IR_NUM_OPS + 2)); break;
                case 1: op->size = sizes[RND() % sizeof(sizes)]; break;
                case 2: op->a = temps[RND() % 7]; break;
                case 3: op->b = temps[RND() % 7]; break;
                case 4: op->c = temps[RND() % 7]; break;
                case 5: op->dst = temps[RND() % 7]; break;
                case 6: op->imm = imms[RND() % (sizeof(imms) / sizeof(imms[0]))]; break;
                case 7: op->aux = (uint32_t)(RND() % 6) | (uint32_t)(RND() % 12) << 8; break;
                default: op->flags = (uint16_t)(1u << (RND() % 9)); b.ninsns = (uint32_t)(RND() % 12); break;
                }
            }
            const char *fast = ir_verify(&b), *ref = ir_verify_reference(&b);
            cr_assert_eq(fast, ref, "term %zu iteration %d: ir_verify '%s', reference '%s'", t, it,
                         fast ? fast : "(pass)", ref ? ref : "(pass)");
            rejected += ref != NULL;
            runs++;
        }
        free(orig);
        ir_block_free(&b);
    }
#undef RND
    cr_assert(rejected > runs / 4 && rejected < runs, "mutations rejected %u of %u", rejected, runs);
}

Test(ir, rejects_empty_block)
{
    IRBlock b;
    ir_block_init(&b, 0);
    EXPECT_REJECT(&b, "empty");
    ir_block_free(&b);
}

Test(ir, rejects_missing_terminal)
{
    IRBlock b;
    ir_block_init(&b, 0);
    IRTemp c = ir_const(&b, 1);
    ir_set_reg(&b, 0, c);
    EXPECT_REJECT(&b, "terminal");
    /* A conditional exit is not a terminal. */
    ir_emit(&b, IR_BRCOND, 8, 0, c, NO, NO, 0, 0x100);
    EXPECT_REJECT(&b, "terminal");
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_block_free(&b);
}

Test(ir, rejects_op_after_terminal)
{
    static const int terms[] = {IR_GOTO, IR_JUMP, IR_EXIT, IR_RAISE};
    for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
        IRBlock b;
        ir_block_init(&b, 0);
        IRTemp c = ir_const(&b, 0x1000);
        ir_emit(&b, terms[i], 8, 0, terms[i] == IR_JUMP ? c : NO, NO, NO, 0, 0x1000);
        EXPECT_ACCEPT(&b);
        ir_set_reg(&b, 0, c);
        EXPECT_REJECT(&b, "terminal");
        ir_block_free(&b);

        /* Two terminals in a row: the first is not last. */
        ir_block_init(&b, 0);
        ir_exit(&b, 0x10);
        ir_exit(&b, 0x20);
        EXPECT_REJECT(&b, "terminal");
        ir_block_free(&b);
    }
}

Test(ir, rejects_temp_used_before_defined)
{
    IRBlock b;
    /* A temp allocated but never written. */
    ir_block_init(&b, 0);
    IRTemp t = ir_new_temp(&b);
    ir_set_reg(&b, 0, t);
    term(&b);
    EXPECT_REJECT(&b, "temp");
    ir_block_free(&b);

    /* Read by an op before the op that writes it. */
    ir_block_init(&b, 0);
    IRTemp c = ir_const(&b, 1);
    IRTemp later = (IRTemp)(c + 1);
    ir_emit(&b, IR_ADD, 8, 0, c, later, NO, 0, 0);
    term(&b);
    EXPECT_REJECT(&b, "temp");
    ir_block_free(&b);

    /* Every input position is checked: a, b and c. */
    for (int pos = 0; pos < 3; pos++) {
        ir_block_init(&b, 0);
        IRTemp v = ir_const(&b, 1);
        IRTemp u = ir_new_temp(&b);
        IRTemp in[3] = {v, v, v};
        in[pos] = u;
        ir_emit(&b, IR_SELECT, 8, 0, in[0], in[1], in[2], 0, 0);
        term(&b);
        EXPECT_REJECT(&b, "temp");
        ir_block_free(&b);
    }

    /* Out of range and IR_NO_TEMP as an input. */
    ir_block_init(&b, 0);
    ir_emit(&b, IR_NOT, 8, 0, 500, NO, NO, 0, 0);
    term(&b);
    EXPECT_REJECT(&b, "temp");
    ir_block_free(&b);
    ir_block_init(&b, 0);
    ir_emit(&b, IR_JUMP, 8, 0, NO, NO, NO, 0, 0);
    EXPECT_REJECT(&b, "temp");
    ir_block_free(&b);

    /* An input slot the op does not use is not checked. */
    ir_block_init(&b, 0);
    IRTemp x = ir_const(&b, 2);
    ir_emit(&b, IR_NOT, 8, 0, x, 999, 999, 0, 0);
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_block_free(&b);
}

Test(ir, rejects_bad_dst_and_opcode)
{
    IRBlock b;
    ir_block_init(&b, 0);
    ir_const(&b, 1);
    term(&b);
    b.ops[0].dst = 77; /* corrupt: beyond ntemps */
    EXPECT_REJECT(&b, "dst");
    ir_block_free(&b);

    ir_block_init(&b, 0);
    ir_emit(&b, IR_NOP, 8, 0, NO, NO, NO, 0, 0);
    term(&b);
    b.ops[0].opc = IR_NUM_OPS + 3;
    EXPECT_REJECT(&b, "opcode");
    /* The dumper shows it rather than indexing past the op table. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ir_dump(&b, f);
    fclose(f);
    cr_expect(strstr(buf, "bad opcode") != NULL, "dump: %s", buf);
    free(buf);
    ir_block_free(&b);

    ir_block_init(&b, 0);
    term(&b);
    b.ntemps = IR_MAX_TEMPS + 1;
    EXPECT_REJECT(&b, "temps");
    ir_block_free(&b);
}

static void check_alu_size(int opc, int size, bool ok)
{
    IRBlock b;
    ir_block_init(&b, 0);
    IRTemp x = ir_const(&b, 1);
    IRTemp in[3] = {NO, NO, NO};
    for (int i = 0; i < ir_op_info[opc].nin; i++)
        in[i] = x;
    ir_emit(&b, opc, size, 0, in[0], in[1], in[2], 0, opc == IR_SEXT || opc == IR_ZEXT ? 8 : 0);
    term(&b);
    if (ok)
        EXPECT_ACCEPT(&b);
    else
        EXPECT_REJECT(&b, "width");
    ir_block_free(&b);
}

Test(ir, rejects_bad_alu_width)
{
    static const int alu[] = {IR_MOV, IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_ANDN, IR_ORN, IR_XORN,
                              IR_NOT, IR_NEG, IR_SHL, IR_SHR, IR_SAR, IR_ROR, IR_MUL, IR_UMULH,
                              IR_SMULH, IR_UDIV, IR_SDIV, IR_CLZ, IR_CLS, IR_RBIT, IR_REV, IR_REV16,
                              IR_SEXT, IR_CMP_EQ, IR_CMP_NE, IR_ADD_FLAGS, IR_SUB_FLAGS, IR_ADC,
                              IR_ADC_FLAGS, IR_SBC, IR_SBC_FLAGS, IR_LOGIC_FLAGS};
    for (size_t i = 0; i < sizeof(alu) / sizeof(alu[0]); i++) {
        check_alu_size(alu[i], 4, true);
        check_alu_size(alu[i], 8, true);
        check_alu_size(alu[i], 0, false);
        check_alu_size(alu[i], 1, false);
        check_alu_size(alu[i], 2, false);
        check_alu_size(alu[i], 16, false);
    }
}

static void check_mem_size(int opc, int size, bool ok)
{
    IRBlock b;
    ir_block_init(&b, 0);
    IRTemp x = ir_const(&b, 0x40000000);
    IRTemp in[3] = {NO, NO, NO};
    for (int i = 0; i < ir_op_info[opc].nin; i++)
        in[i] = x;
    ir_emit(&b, opc, size, 0, in[0], in[1], in[2], 0, 0);
    term(&b);
    if (ok)
        EXPECT_ACCEPT(&b);
    else
        EXPECT_REJECT(&b, "size");
    ir_block_free(&b);
}

Test(ir, rejects_bad_memory_size)
{
    static const int mem[] = {IR_LOAD, IR_STORE, IR_LOAD_EXCL, IR_STORE_EXCL, IR_ATOMIC_RMW, IR_CAS};
    for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
        for (int sz = 1; sz <= 8; sz *= 2)
            check_mem_size(mem[i], sz, true);
        check_mem_size(mem[i], 0, false);
        check_mem_size(mem[i], 3, false);
        check_mem_size(mem[i], 16, false);
    }
    /* A sign-extending load extends to 4 or 8 bytes. */
    IRBlock b;
    ir_block_init(&b, 0);
    IRTemp a = ir_const(&b, 0x40000000);
    ir_emit(&b, IR_LOAD, 1, IRF_SIGNED, a, NO, NO, 2, 0);
    term(&b);
    EXPECT_REJECT(&b, "size");
    b.ops[1].aux = 8;
    EXPECT_ACCEPT(&b);
    ir_block_free(&b);
}

/* Immediates the tiers use as array indices or shift counts. */
static void check_imm(int opc, uint64_t imm, uint32_t aux, bool ok, const char *what)
{
    IRBlock b;
    ir_block_init(&b, 0);
    IRTemp x = ir_const(&b, 1);
    IRTemp in[3] = {NO, NO, NO};
    for (int i = 0; i < ir_op_info[opc].nin; i++)
        in[i] = x;
    ir_emit(&b, opc, 8, 0, in[0], in[1], in[2], aux, imm);
    term(&b);
    if (ok)
        EXPECT_ACCEPT(&b);
    else
        EXPECT_REJECT(&b, what);
    ir_block_free(&b);
}

Test(ir, rejects_bad_immediates)
{
    check_imm(IR_GET_REG, 31, 0, true, "");
    check_imm(IR_GET_REG, 32, 0, false, "register");
    check_imm(IR_GET_FIELD, offsetof(CPUState, tpidr_el1), 0, true, "");
    check_imm(IR_GET_FIELD, offsetof(CPUState, tpidr_el1) + 4, 0, false, "CPUState offset");
    check_imm(IR_GET_FIELD, sizeof(CPUState), 0, false, "CPUState offset");
    check_imm(IR_SET_REG, 30, 0, true, "");
    check_imm(IR_SET_REG, 1000, 0, false, "register");
    check_imm(IR_COND, 15, 0, true, "");
    check_imm(IR_COND, 16, 0, false, "condition");
    check_imm(IR_SEXT, 1, 0, true, "");
    check_imm(IR_SEXT, 64, 0, true, "");
    check_imm(IR_SEXT, 0, 0, false, "width");
    check_imm(IR_SEXT, 65, 0, false, "width");
    check_imm(IR_CALL, 0, 0, true, "");
    check_imm(IR_CALL, 0, HELPER_NUM, false, "helper");
}

Test(ir, dump_does_not_crash)
{
    /* A realistic block, a malformed one and an empty one, dumped to a file. */
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    IRBlock b;
    ir_block_init(&b, 0x40000000);
    emit0(&b, IR_INSN_START, 8, 0x40000000);
    IRTemp sp = emit0(&b, IR_GET_REG, 8, 31);
    IRTemp k = ir_const(&b, 16);
    IRTemp a = ir_op2(&b, IR_SUB, 8, sp, k);
    ir_emit(&b, IR_STORE, 8, IRF_REL, a, sp, NO, 0, 0);
    IRTemp v = ir_emit(&b, IR_LOAD, 4, IRF_SIGNED | IRF_ACQ, a, NO, NO, 8, 0);
    IRTemp f1 = ir_emit(&b, IR_SUB_FLAGS, 4, 0, v, k, NO, 0, 0);
    (void)f1;
    IRTemp c = emit0(&b, IR_COND, 8, 1);
    ir_emit(&b, IR_BRCOND, 8, 0, c, NO, NO, 0, 0x40000100);
    ir_emit(&b, IR_GOTO, 8, 0, NO, NO, NO, 1, 0x40000008);
    b.ninsns = 1;
    EXPECT_ACCEPT(&b);
    ir_dump(&b, f);
    ir_block_free(&b);

    ir_block_init(&b, 0);
    ir_emit(&b, IR_ADD, 3, 0xffff, 4000, 5000, 6000, 0xffffffff, ~0ull);
    cr_expect_not_null(ir_verify(&b));
    ir_dump(&b, f);
    ir_block_free(&b);

    ir_block_init(&b, 0);
    ir_dump(&b, f);
    ir_block_free(&b);

    cr_expect_gt(ftell(f), 0);
    rewind(f);
    char line[256];
    cr_assert_not_null(fgets(line, sizeof(line), f));
    cr_expect(strstr(line, "0x0000000040000000") != NULL, "header: %s", line);
    fclose(f);
}

/* ir_optimize: a register write hidden by a later write of the same register
 * is dropped, but not across an op that can fault or leave the block (the
 * guest state must be exact there), and a pure op nobody reads goes too. */
static unsigned count_op(const IRBlock *b, int opc, uint64_t imm)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < b->nops; i++)
        n += b->ops[i].opc == opc && (opc != IR_SET_REG || b->ops[i].imm == imm);
    return n;
}

Test(ir, optimizer_drops_hidden_register_writes_only_between_observers)
{
    IRBlock b;
    ir_block_init(&b, 0x1000);
    IRTemp k1 = emit0(&b, IR_CONST, 8, 1), k2 = emit0(&b, IR_CONST, 8, 2);
    ir_emit(&b, IR_SET_REG, 8, 0, k1, NO, NO, 0, 3);               /* hidden by the next: dropped */
    ir_emit(&b, IR_ADD_FLAGS, 8, 0, k1, k2, NO, 0, 0);             /* flags only: no observer */
    ir_emit(&b, IR_SET_REG, 8, 0, k2, NO, NO, 0, 3);               /* kept: the load may fault */
    IRTemp dead = ir_emit(&b, IR_ADD, 8, 0, k1, k2, NO, 0, 0);     /* never read: dropped */
    (void)dead;
    IRTemp v = ir_emit(&b, IR_LOAD, 8, 0, k1, NO, NO, 0, 0);
    ir_emit(&b, IR_SET_REG, 8, 0, v, NO, NO, 0, 3);                /* kept: the exit sees it */
    ir_emit(&b, IR_SET_REG, 8, 0, k1, NO, NO, 0, 4);               /* other register: kept */
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_optimize(&b);
    EXPECT_ACCEPT(&b);
    cr_expect_eq(count_op(&b, IR_SET_REG, 3), 2);
    cr_expect_eq(count_op(&b, IR_SET_REG, 4), 1);
    cr_expect_eq(count_op(&b, IR_ADD, 0), 0);
    cr_expect_eq(count_op(&b, IR_ADD_FLAGS, 0), 1);
    cr_expect_eq(count_op(&b, IR_LOAD, 0), 1);
    /* the surviving write of x3 before the load is the second one (k2) */
    for (uint32_t i = 0; i < b.nops; i++)
        if (b.ops[i].opc == IR_SET_REG && b.ops[i].imm == 3) {
            cr_expect_eq(b.ops[i].a, k2);
            break;
        }
    ir_block_free(&b);
}

/* Across a scalar FP helper call (operands in temps, result returned) V
 * register reads are forwarded and a hidden V write is dropped; across a
 * vector FP helper call (which reads and writes cpu->v) neither. */
Test(ir, optimizer_forwards_v_registers_across_scalar_fp_calls_only)
{
    static const uint32_t helpers[2] = {HELPER_fp_scalar, HELPER_simd_fp};
    for (int h = 0; h < 2; h++) {
        IRBlock b;
        ir_block_init(&b, 0x1000);
        IRTemp k1 = emit0(&b, IR_CONST, 8, 1);
        IRTemp v1 = ir_emit(&b, IR_GET_VREG, 8, 0, NO, NO, NO, 0, 6);
        ir_emit(&b, IR_SET_VREG, 8, 0, k1, NO, NO, 0, 8);            /* hidden by the next (scalar) */
        IRTemp r = ir_emit(&b, IR_CALL, 8, 0, v1, v1, v1, helpers[h], 0);
        IRTemp v2 = ir_emit(&b, IR_GET_VREG, 8, 0, NO, NO, NO, 0, 6); /* forwarded from v1 (scalar) */
        ir_emit(&b, IR_SET_VREG, 8, 0, r, NO, NO, 0, 8);
        ir_emit(&b, IR_SET_REG, 8, 0, v2, NO, NO, 0, 3);
        term(&b);
        EXPECT_ACCEPT(&b);
        ir_optimize(&b);
        EXPECT_ACCEPT(&b);
        unsigned gets = 0, sets = 0;
        for (uint32_t i = 0; i < b.nops; i++) {
            gets += b.ops[i].opc == IR_GET_VREG;
            sets += b.ops[i].opc == IR_SET_VREG;
        }
        cr_expect_eq(gets, h == 0 ? 1u : 2u, "helper %u: V reads", helpers[h]);
        cr_expect_eq(sets, h == 0 ? 1u : 2u, "helper %u: V writes", helpers[h]);
        ir_block_free(&b);
    }
}

/* A 32-bit zero extension (MOV.4) of a value whose upper half is known zero
 * (a 32-bit ALU result, an unsigned narrow load, a small constant) is a
 * copy and goes; of a 64-bit register read, a 64-bit result or a signed
 * narrow load it stays. Each MOV's result is written to its own register,
 * so a dropped one shows as a SET_REG of the operand itself. The
 * interpreter, which defines the semantics, agrees on every case. */
Test(ir, optimizer_drops_zero_extensions_of_32_bit_results)
{
    IRBlock b;
    ir_block_init(&b, 0x1000);
    IRTemp x = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 1);
    IRTemp y = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 2);
    IRTemp src[6];
    src[0] = ir_emit(&b, IR_ADD, 4, 0, x, y, NO, 0, 0);                 /* z32: dropped */
    src[1] = ir_emit(&b, IR_LOAD, 2, 0, x, NO, NO, 0, 0);               /* z32: dropped */
    src[2] = emit0(&b, IR_CONST, 8, 0xfffffff0u);                       /* z32: dropped */
    src[3] = x;                                                         /* kept */
    src[4] = ir_emit(&b, IR_ADD, 8, 0, x, y, NO, 0, 0);                 /* kept */
    src[5] = ir_emit(&b, IR_LOAD, 4, IRF_SIGNED, x, NO, NO, 8, 0);      /* kept */
    for (int k = 0; k < 6; k++)
        ir_emit(&b, IR_SET_REG, 8, 0, ir_emit(&b, IR_MOV, 4, 0, src[k], NO, NO, 0, 0), NO, NO, 0, (uint64_t)(10 + k));
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_optimize(&b);
    EXPECT_ACCEPT(&b);
    cr_expect_eq(count_op(&b, IR_MOV, 0), 3);
    for (uint32_t i = 0; i < b.nops; i++)
        if (b.ops[i].opc == IR_SET_REG && b.ops[i].imm >= 10) {
            int k = (int)b.ops[i].imm - 10;
            if (k < 3)
                cr_expect_eq(b.ops[i].a, src[k], "x%d: the MOV.4 of a z32 value is a copy", 10 + k);
            else
                cr_expect_neq(b.ops[i].a, src[k], "x%d: the MOV.4 must stay", 10 + k);
        }
    ir_block_free(&b);
}

/* sink_compares: a CMP (a flag setter whose result nothing reads) moves down
 * to the COND that reads it, past ops that cannot fault, leave or touch
 * NZCV; a load in between, or a SUBS whose result is read, keeps it where it
 * was. `between` is the op put between the compare and its COND. */
static uint32_t compare_index_after_optimize(int between, bool result_read, int setter)
{
    IRBlock b;
    ir_block_init(&b, 0x1000);
    ir_emit(&b, IR_INSN_START, 8, 0, NO, NO, NO, 0, 0x1000);
    IRTemp x = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 4);
    IRTemp y = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 9);
    /* TST x4, x9: the AND, then LOGIC_FLAGS of it (its result is x4 & x9:
     * "read" writes it to X7, as ANDS would). */
    IRTemp cmp = setter == IR_SUB_FLAGS ? ir_emit(&b, IR_SUB_FLAGS, 8, 0, x, y, NO, 0, 0)
                                        : ir_emit(&b, IR_AND, 8, 0, x, y, NO, 0, 0);
    if (setter == IR_LOGIC_FLAGS)
        ir_emit(&b, IR_LOGIC_FLAGS, 8, 0, cmp, NO, NO, 0, 0);
    ir_emit(&b, IR_INSN_START, 8, 0, NO, NO, NO, 0, 0x1004);
    IRTemp s = between == IR_LOAD ? ir_emit(&b, IR_LOAD, 8, 0, x, NO, NO, 0, 0)
                                  : ir_emit(&b, IR_SHL, 8, 0, x, emit0(&b, IR_CONST, 8, 32), NO, 0, 0);
    ir_emit(&b, IR_SET_REG, 8, 0, ir_emit(&b, IR_ADD, 8, 0, y, s, NO, 0, 0), NO, NO, 0, 6);
    ir_emit(&b, IR_INSN_START, 8, 0, NO, NO, NO, 0, 0x1008);
    IRTemp c = ir_emit(&b, IR_COND, 8, 0, NO, NO, NO, 0, 3);
    ir_emit(&b, IR_SET_REG, 8, 0, ir_emit(&b, IR_SELECT, 8, 0, c, x, y, 0, 0), NO, NO, 0, 3);
    if (result_read)
        ir_emit(&b, IR_SET_REG, 8, 0, cmp, NO, NO, 0, 7);
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_optimize(&b);
    EXPECT_ACCEPT(&b);
    uint32_t at = UINT32_MAX, cond_at = UINT32_MAX;
    for (uint32_t i = 0; i < b.nops; i++) {
        if (b.ops[i].opc == setter)
            at = i;
        if (b.ops[i].opc == IR_COND)
            cond_at = i;
    }
    cr_assert_neq(at, UINT32_MAX);
    cr_assert_neq(cond_at, UINT32_MAX);
    uint32_t before_cond = cond_at - at;
    ir_block_free(&b);
    return before_cond;
}

Test(ir, optimizer_sinks_a_compare_to_its_condition_past_pure_ops_only)
{
    cr_expect_eq(compare_index_after_optimize(IR_SHL, false, IR_SUB_FLAGS), 1,
                 "CMP; SHL; ADD; SET_REG; COND: CMP next to COND");
    cr_expect_gt(compare_index_after_optimize(IR_LOAD, false, IR_SUB_FLAGS), 1,
                 "a load may fault: NZCV must be set before it");
    cr_expect_gt(compare_index_after_optimize(IR_SHL, true, IR_SUB_FLAGS), 1,
                 "SUBS whose result is read: left where it is");
    cr_expect_eq(compare_index_after_optimize(IR_SHL, false, IR_LOGIC_FLAGS), 1, "TST: next to its COND");
    cr_expect_eq(compare_index_after_optimize(IR_SHL, true, IR_LOGIC_FLAGS), 1,
                 "ANDS (its AND's result read): the flags move, the AND stays");
    cr_expect_gt(compare_index_after_optimize(IR_LOAD, false, IR_LOGIC_FLAGS), 1, "TST before a load stays");
}

/* fold_const: an ALU op of constants (CSINC/CSINV of XZR make them) is a
 * CONST of the interpreter's result, truncated to 32 bits and zero-extended
 * at size 4; an op with any non-constant input stays. */
Test(ir, optimizer_folds_alu_ops_of_constants)
{
    IRBlock b;
    ir_block_init(&b, 0x1000);
    IRTemp x = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 1);
    IRTemp k0 = emit0(&b, IR_CONST, 8, 0), k1 = emit0(&b, IR_CONST, 8, 1), k2 = emit0(&b, IR_CONST, 8, 2);
    IRTemp kf = emit0(&b, IR_CONST, 8, 0xffffffffu);
    struct {
        IRTemp t;
        uint64_t want; /* ~0: not folded */
    } c[] = {
        {ir_emit(&b, IR_ADD, 4, 0, kf, k2, NO, 0, 0), 1},
        {ir_emit(&b, IR_ADD, 8, 0, kf, k2, NO, 0, 0), 0x100000001ull},
        {ir_emit(&b, IR_SUB, 8, 0, k1, k2, NO, 0, 0), ~0ull},
        {ir_emit(&b, IR_SUB, 4, 0, k1, k2, NO, 0, 0), 0xffffffffu},
        {ir_emit(&b, IR_XOR, 4, 0, kf, k1, NO, 0, 0), 0xfffffffeu},
        {ir_emit(&b, IR_OR, 8, 0, k1, k2, NO, 0, 0), 3},
        {ir_emit(&b, IR_AND, 8, 0, kf, k2, NO, 0, 0), 2},
        {ir_emit(&b, IR_NOT, 4, 0, k0, NO, NO, 0, 0), 0xffffffffu},
        {ir_emit(&b, IR_NOT, 8, 0, k0, NO, NO, 0, 0), ~0ull},
        {ir_emit(&b, IR_NEG, 4, 0, k1, NO, NO, 0, 0), 0xffffffffu},
        {ir_emit(&b, IR_ADD, 8, 0, x, k1, NO, 0, 0), 7},
    };
    const int n = (int)(sizeof(c) / sizeof(c[0]));
    for (int i = 0; i < n; i++)
        ir_emit(&b, IR_SET_REG, 8, 0, c[i].t, NO, NO, 0, (uint64_t)(10 + i));
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_optimize(&b);
    EXPECT_ACCEPT(&b);
    int seen = 0;
    for (uint32_t i = 0; i < b.nops; i++) {
        const IROp *op = &b.ops[i];
        if (op->opc != IR_SET_REG || op->imm < 10)
            continue;
        const int k = (int)op->imm - 10;
        const IROp *def = NULL;
        for (uint32_t j = 0; j < i; j++)
            if (ir_op_info[b.ops[j].opc].has_dst && b.ops[j].dst == op->a)
                def = &b.ops[j];
        cr_assert_not_null(def, "x%d: no definition", 10 + k);
        if (k == n - 1) {
            cr_expect_eq(def->opc, IR_ADD, "x%d: an op of a register is not folded", 10 + k);
        } else {
            cr_expect_eq(def->opc, IR_CONST, "x%d: not folded", 10 + k);
            cr_expect_eq(def->imm, c[k].want, "x%d: %#llx, want %#llx", 10 + k, (unsigned long long)def->imm,
                         (unsigned long long)c[k].want);
        }
        seen++;
    }
    cr_expect_eq(seen, n);
    ir_block_free(&b);
}

/* Common subexpressions: a pure op that computes what an earlier one did
 * (same op, width, immediates and inputs, either order for a commutative
 * op, inputs forwarded first) is dropped and its readers take the earlier
 * result; a different width, immediate or input order of a SUB, and any
 * load or flag setter, stay. */
static IRTemp def_of(const IRBlock *b, uint64_t reg)
{
    for (uint32_t i = 0; i < b->nops; i++)
        if (b->ops[i].opc == IR_SET_REG && b->ops[i].imm == reg)
            return b->ops[i].a;
    return NO;
}

Test(ir, optimizer_merges_pure_ops_that_compute_the_same_value)
{
    IRBlock b;
    ir_block_init(&b, 0x1000);
    IRTemp x = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 1);
    IRTemp y = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 2);
    IRTemp x2 = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 1); /* forwarded to x */
    IRTemp t[12];
    t[0] = ir_emit(&b, IR_ADD, 8, 0, x, y, NO, 0, 0);
    t[1] = ir_emit(&b, IR_ADD, 8, 0, y, x2, NO, 0, 0);  /* = t0 */
    t[2] = ir_emit(&b, IR_ADD, 4, 0, x, y, NO, 0, 0);   /* other width */
    t[3] = ir_emit(&b, IR_SUB, 8, 0, x, y, NO, 0, 0);
    t[4] = ir_emit(&b, IR_SUB, 8, 0, y, x, NO, 0, 0);   /* not commutative */
    t[5] = ir_emit(&b, IR_SEXT, 8, 0, x, NO, NO, 0, 32);
    t[6] = ir_emit(&b, IR_SEXT, 8, 0, x2, NO, NO, 0, 32); /* = t5 */
    t[7] = ir_emit(&b, IR_SEXT, 8, 0, x, NO, NO, 0, 16);  /* other immediate */
    t[8] = ir_emit(&b, IR_LOAD, 8, 0, t[0], NO, NO, 0, 0);
    t[9] = ir_emit(&b, IR_LOAD, 8, 0, t[1], NO, NO, 0, 0); /* a load stays */
    t[10] = ir_emit(&b, IR_SHL, 8, 0, t[6], t[0], NO, 0, 0);
    t[11] = ir_emit(&b, IR_SHL, 8, 0, t[5], t[1], NO, 0, 0); /* = t10 once its inputs are merged */
    for (int k = 0; k < 12; k++)
        ir_emit(&b, IR_SET_REG, 8, 0, t[k], NO, NO, 0, (uint64_t)(10 + k));
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_optimize(&b);
    EXPECT_ACCEPT(&b);
    const bool same[12] = {false, true, false, false, false, false, true, false, false, false, false, true};
    for (int k = 1; k < 12; k++) {
        if (same[k])
            cr_expect_eq(def_of(&b, 10 + k), def_of(&b, 9 + k), "x%d: merged with x%d", 10 + k, 9 + k);
        else
            cr_expect_neq(def_of(&b, 10 + k), def_of(&b, 9 + k), "x%d: must stay its own", 10 + k);
    }
    cr_expect_eq(count_op(&b, IR_ADD, 0), 2);
    cr_expect_eq(count_op(&b, IR_SUB, 0), 2);
    cr_expect_eq(count_op(&b, IR_SEXT, 0), 2);
    cr_expect_eq(count_op(&b, IR_SHL, 0), 1);
    cr_expect_eq(count_op(&b, IR_LOAD, 0), 2);
    ir_block_free(&b);
}

/* More distinct pure ops than the table holds: it keeps what it has, so
 * some repeats are merged and the others stay, and the block still
 * verifies. Each XOR is stored, so that none of them is dead. */
Test(ir, optimizer_merging_survives_a_full_table)
{
    IRBlock b;
    ir_block_init(&b, 0x1000);
    IRTemp x = ir_emit(&b, IR_GET_REG, 8, 0, NO, NO, NO, 0, 1);
    enum { N = 600 };
    static IRTemp k[N], first[N];
    for (int i = 0; i < N; i++) {
        k[i] = emit0(&b, IR_CONST, 8, (uint64_t)i);
        first[i] = ir_emit(&b, IR_ADD, 8, 0, x, k[i], NO, 0, 0);
    }
    for (int i = 0; i < N; i++) {
        IRTemp again = ir_emit(&b, IR_ADD, 8, 0, k[i], x, NO, 0, 0);
        ir_emit(&b, IR_STORE, 8, 0, x, ir_emit(&b, IR_XOR, 8, 0, first[i], again, NO, 0, 0), NO, 0, 0);
    }
    term(&b);
    EXPECT_ACCEPT(&b);
    ir_optimize(&b);
    EXPECT_ACCEPT(&b);
    const unsigned adds = count_op(&b, IR_ADD, 0);
    cr_expect_eq(count_op(&b, IR_XOR, 0), N);
    cr_expect_lt(adds, 2 * N, "the repeats of what the table holds are merged");
    cr_expect_geq(adds, 2 * N - 256, "at most a table's worth is merged");
    ir_block_free(&b);
}
