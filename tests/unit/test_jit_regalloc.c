/* Unit tests for the tier-1 register allocator (cpu/jit_regalloc_x86.c) and
 * the emitters' use of its plan (cpu/jit_x86.c), against the interpreter as
 * in test_jit.c: many temps live at once, spills around helper calls and
 * slow paths, guest-register reads and results that live in CPUState
 * (plan_homes), register offsets folded into LEA, rotates of values without
 * a register. */
#include "jit_harness.h"

TestSuite(jit, .init = setup, .fini = teardown);

/* The register allocator: many temps live at once (more than the five host
 * registers), each kept across helper calls, interpreter fallbacks (an
 * exclusive load) and memory ops (an LSE add among them) that may take their
 * slow path or fault; then every value is folded into the guest registers, so a temp
 * clobbered in a register or lost in a spill shows as a difference. */
Test(jit, register_pressure_and_spills)
{
    for (int iter = 0; iter < 300; iter++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        IRTemp live[48];
        int n = 8 + (int)(rnd() % 40);
        for (int k = 0; k < n; k++) {
            IRTemp g = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 31);
            live[k] = k ? ir_emit(&blk, (rnd() & 1) ? IR_ADD : IR_XOR, (rnd() & 1) ? 8 : 4, 0, g, live[k - 1],
                                  IR_NO_TEMP, 0, 0)
                        : g;
            switch (rnd() % 8) {
            case 0: {
                IRTemp z = ir_const(&blk, 0);
                ir_emit(&blk, IR_CALL, 8, 0, live[k], z, z, HELPER_crc32, 4);
                break;
            }
            case 1:
                ir_emit(&blk, IR_LOAD_EXCL, 8, 0, ir_const(&blk, SCR_PA + 8 * (rnd() % 64)), IR_NO_TEMP, IR_NO_TEMP,
                        0, 0);
                break;
            case 2:
                live[k] = ir_emit(&blk, IR_ATOMIC_RMW, 8, 0, ir_const(&blk, SCR_PA + 8 * (rnd() % 64)), live[k],
                                  IR_NO_TEMP, IR_RMW_ADD, 0);
                break;
            case 3:
                ir_emit(&blk, IR_STORE, 8, 0, ir_const(&blk, scratch_addr()), live[k], IR_NO_TEMP, 0, 0);
                break;
            case 4:
                live[k] = ir_emit(&blk, IR_LOAD, 8, 0, ir_const(&blk, SCR_PA + (rnd() & 0xff8)), IR_NO_TEMP,
                                  IR_NO_TEMP, 0, 0);
                break;
            default: break;
            }
        }
        /* Fold every live value in, from the oldest: all stay live until here. */
        IRTemp acc = ir_const(&blk, 0);
        for (int k = 0; k < n; k++) {
            acc = ir_emit(&blk, IR_ADD, 8, 0, acc, live[k], IR_NO_TEMP, 0, 0);
            acc = ir_emit(&blk, IR_ROR, 8, 0, acc, ir_const(&blk, 7), IR_NO_TEMP, 0, 0);
            /* A rotate of a value that may be spilled (RORX from its slot). */
            IRTemp rot = ir_emit(&blk, IR_ROR, (k & 1) ? 8 : 4, 0, live[k], ir_const(&blk, 1 + rnd() % 31),
                                 IR_NO_TEMP, 0, 0);
            acc = ir_emit(&blk, IR_XOR, 8, 0, acc, rot, IR_NO_TEMP, 0, 0);
            ir_set_reg(&blk, k % 31, acc);
        }
        ir_exit(&blk, 0x40002000);
        tlb_flush(cpu);
        run_both(&blk, "register pressure");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
}

/* Results that get no host register and that the next op writes to a
 * guest register live in that register's home (plan_homes): their op
 * stores them there, the SET_REG emits nothing, and later readers take
 * X[n]. Many values live at once, so that most get no register, each
 * written to one of a few guest registers, whose later writes overwrite it
 * while it is still read (then it must keep its slot). The values come from
 * ALU ops, SELECTs, an op that reads the register it writes, and loads that
 * hit, refill (after a TLB flush), cross a page (interp_exec_op: its result
 * is copied to the home) or fault into the hole after RAM (the X registers
 * exact at the exception). */
Test(jit, results_that_live_in_guest_registers)
{
    for (int iter = 0; iter < 400; iter++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        IRTemp live[40];
        const int n = 12 + (int)(rnd() % 28);
        for (int k = 0; k < n; k++) {
            const uint64_t reg = rnd() % 6;
            const int size = (rnd() & 1) ? 8 : 4;
            IRTemp v;
            switch (rnd() % 7) {
            case 0: /* reads the register it is written to */
                v = ir_emit(&blk, (rnd() & 1) ? IR_ADD : IR_XOR, size, 0,
                            ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, reg),
                            ir_const(&blk, operand()), IR_NO_TEMP, 0, 0);
                break;
            case 1: {
                IRTemp a = k ? live[k - 1] : ir_const(&blk, 5);
                IRTemp g = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 31);
                IRTemp cnd = ir_emit(&blk, IR_CMP_NE, 8, 0, a, ir_const(&blk, operand() & 3), IR_NO_TEMP, 0, 0);
                v = ir_emit(&blk, IR_SELECT, 8, 0, cnd, a, g, 0, 0);
                break;
            }
            case 2: case 3:
                v = ir_emit(&blk, IR_LOAD, size, 0, ir_const(&blk, SCR_PA + (rnd() & 0x1ff8)), IR_NO_TEMP,
                            IR_NO_TEMP, 0, 0);
                break;
            case 4: {
                /* across a page, or (rarely) into the hole after RAM */
                const uint64_t va = rnd() % 12 ? SCR_PA + 0x1000 - 1 - rnd() % 7
                                               : RAM_BASE + TEST_RAM_SIZE - 1 - rnd() % 7;
                v = ir_emit(&blk, IR_LOAD, 8, 0, ir_const(&blk, va), IR_NO_TEMP, IR_NO_TEMP, 0, 0);
                break;
            }
            default: {
                IRTemp g = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 31);
                v = k ? ir_emit(&blk, IR_SUB, size, 0, g, live[k - 1], IR_NO_TEMP, 0, 0) : g;
                break;
            }
            }
            ir_set_reg(&blk, (int)reg, v);
            live[k] = v;
            if (rnd() % 4 == 0)
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (uint64_t)k);
        }
        /* Every value read again after the writes that follow it. */
        IRTemp acc = ir_const(&blk, 0);
        for (int k = 0; k < n; k++) {
            acc = ir_emit(&blk, IR_ADD, 8, 0, acc, live[k], IR_NO_TEMP, 0, 0);
            acc = ir_emit(&blk, IR_ROR, 8, 0, acc, ir_const(&blk, 11), IR_NO_TEMP, 0, 0);
            ir_set_reg(&blk, 10 + k % 20, acc);
        }
        ir_exit(&blk, 0x40002000);
        if (rnd() & 1)
            tlb_flush(cpu);
        run_both(&blk, "results in guest registers");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
}

/* A register offset (`ldr x0, [x1, x2, lsl #n]`): an SHL by 1..3 read only
 * by the ADD right after it is that ADD's scaled index (one LEA), with the
 * base in a register, read from its guest register's home, a constant, or
 * spilled to its slot under pressure (then loaded into RAX first); a shifted
 * index that other ops read too is emitted and the ADD still takes the
 * index scaled. The sum is an address for a load and a value written to a
 * register. */
Test(jit, register_offsets_fold_into_lea)
{
    for (int iter = 0; iter < 300; iter++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        cpu->x[1] = SCR_PA + 0x100;
        cpu->x[2] = rnd() % 64;
        /* Pressure: values that live across the fold, so the base may lose its register. */
        IRTemp live[12];
        const int nl = (int)(rnd() % 12);
        for (int k = 0; k < nl; k++)
            live[k] = ir_emit(&blk, IR_ADD, 8, 0,
                              ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 10 + (uint64_t)k),
                              ir_const(&blk, operand()), IR_NO_TEMP, 0, 0);
        IRTemp base;
        switch (rnd() % 3) {
        case 0: base = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 1); break;
        case 1: base = ir_const(&blk, SCR_PA + 0x200); break;
        default: /* made early, read late: a slot when registers are short */
            base = ir_emit(&blk, IR_ADD, 8, 0, ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 1),
                           ir_const(&blk, 8), IR_NO_TEMP, 0, 0);
            break;
        }
        IRTemp idx = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 2);
        const unsigned n = 1 + (unsigned)(rnd() % 3);
        IRTemp sh = ir_emit(&blk, IR_SHL, 8, 0, idx, ir_const(&blk, n), IR_NO_TEMP, 0, 0);
        /* The shifted index read by more than the ADD (UBFIZ's result
         * written to its register: plan_scaled_adds keeps the index for a
         * scaled LEA), and the index itself read after it or not. */
        const bool shared = rnd() & 1;
        if (shared)
            ir_set_reg(&blk, 6, sh);
        if (rnd() & 1)
            ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004);
        IRTemp addr = (rnd() & 1) ? ir_emit(&blk, IR_ADD, 8, 0, base, sh, IR_NO_TEMP, 0, 0)
                                  : ir_emit(&blk, IR_ADD, 8, 0, sh, base, IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 3, addr);
        ir_set_reg(&blk, 4, ir_emit(&blk, IR_LOAD, 8, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        if (shared && (rnd() & 1))
            ir_set_reg(&blk, 7, ir_emit(&blk, IR_XOR, 8, 0, sh, idx, IR_NO_TEMP, 0, 0));
        IRTemp acc = base;
        for (int k = 0; k < nl; k++)
            acc = ir_emit(&blk, IR_XOR, 8, 0, acc, live[k], IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 5, acc);
        ir_exit(&blk, 0x40002000);
        run_both(&blk, "register offset");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
}

/* A rotate of a guest register read that gets no host register (every
 * register busy with values that live as long): it reads the register's
 * home in CPUState, RORX from memory, 32- and 64-bit. */
Test(jit, rotate_of_a_register_read_in_place)
{
    for (int iter = 0; iter < 64; iter++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        IRTemp live[14];
        for (int k = 0; k < 14; k++) {
            IRTemp g = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)k);
            live[k] = ir_emit(&blk, IR_ADD, 8, 0, g, ir_const(&blk, operand()), IR_NO_TEMP, 0, 0);
        }
        const int size = (iter & 1) ? 8 : 4;
        IRTemp x = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 20);
        IRTemp acc = ir_const(&blk, 0);
        for (int k = 0; k < 14; k++)
            acc = ir_emit(&blk, IR_XOR, 8, 0, acc, live[k], IR_NO_TEMP, 0, 0);
        IRTemp rot = ir_emit(&blk, IR_ROR, size, 0, x, ir_const(&blk, 1 + (uint64_t)iter % 31), IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 21, ir_emit(&blk, IR_ADD, 8, 0, acc, rot, IR_NO_TEMP, 0, 0));
        ir_exit(&blk, 0x40002000);
        run_both(&blk, "rotate of a register read in place");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
}

/* A guest-register read that gets no host register is read from CPUState
 * where it is used (plan_homes in cpu/jit_x86.c), so it must not be when the
 * register is written before its last use: by a SET_REG, or by a helper
 * (MSR SPSel swaps X[31] with the other stack pointer). Many reads live at
 * once push most of them out of the register pool. */
Test(jit, register_reads_without_a_host_register)
{
    const uint64_t spsel = SYSREG_ENC(3, 0, 4, 2, 0);
    for (int iter = 0; iter < 2000; iter++) {
        uint32_t old = cpu->pstate;
        cpu->pstate = (cpu->pstate & ~(3u << PSTATE_EL_SHIFT)) | 1u << PSTATE_EL_SHIFT;
        cpu_sync_sp(cpu, old);
        for (int r = 0; r < 32; r++)
            cpu->x[r] = operand(); /* x[31]: the current SP */
        cpu->sp_el[0] = operand(); /* the inactive one, for SPSel to swap in */
        cpu->sp_el[1] = operand();
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        IRTemp rd[16];
        int nr = 0, n = 6 + (int)(rnd() % 24);
        for (int i = 0; i < n; i++) {
            unsigned pick = rnd() % 8;
            if (pick < 4 && nr < 16) {
                uint64_t r = (rnd() & 3) == 0 ? 31 : rnd() % 6;
                rd[nr++] = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, r);
            } else if (pick < 6 && nr) {
                ir_set_reg(&blk, (int)(rnd() % 6), rd[rnd() % (unsigned)nr]);
            } else if (pick == 6) {
                IRTemp v = ir_const(&blk, rnd() & 1);
                ir_emit(&blk, IR_CALL, 8, IRF_EXCEPT, v, v, v, HELPER_msr, spsel);
            } else if (nr >= 2) {
                rd[rnd() % (unsigned)nr] = ir_emit(&blk, IR_ADD, 8, 0, rd[rnd() % (unsigned)nr],
                                                   rd[rnd() % (unsigned)nr], IR_NO_TEMP, 0, 0);
            }
        }
        /* Every read is still live here; some of these writes go to the
         * registers read, right before a later write reads its value (the
         * last use: its read must not come from the rewritten X[r]). */
        for (int k = 0; k < nr; k++)
            ir_set_reg(&blk, rnd() % 3 == 0 ? (int)(rnd() % 6) : 8 + k, rd[k]);
        ir_exit(&blk, 0x40002000);
        run_both(&blk, "register reads");
        ir_block_free(&blk);
    }
}

/* Reads that only two-address ALU ops take, at least one as the second
 * input, get no host register at all (read_in_place in
 * cpu/jit_regalloc_x86.c): the op takes the value from CPUState as a memory
 * operand. Writes of the same registers land before, at and after the last
 * reader, which must still see the value read (else the read keeps its
 * register); flag setters and ADC/SBC among the readers, both widths. */
Test(jit, register_reads_as_memory_operands)
{
    static const int ops[] = {IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_MUL, IR_ADD_FLAGS,
                              IR_SUB_FLAGS, IR_ADC, IR_SBC, IR_ADC_FLAGS, IR_SBC_FLAGS};
    for (int iter = 0; iter < 3000; iter++) {
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        cpu->nzcv = (uint32_t)rnd() & 0xf0000000u;
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        IRTemp rd[8], acc[4];
        int nr = 0, nacc = 0, n = 4 + (int)(rnd() % 20);
        for (int k = 0; k < 4; k++)
            acc[nacc++] = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 8 + k);
        for (int i = 0; i < n; i++) {
            unsigned pick = rnd() % 6;
            if (pick < 2 && nr < 8) {
                rd[nr++] = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 6);
            } else if (pick == 2) {
                ir_set_reg(&blk, (int)(rnd() % 6), acc[rnd() % 4]);
            } else if (nr) {
                /* acc = acc op read, or read op acc */
                const int k = (int)(rnd() % 4);
                IRTemp x = rd[rnd() % (unsigned)nr];
                const bool second = rnd() % 4 != 0;
                IRTemp d = ir_emit(&blk, ops[rnd() % 12], (rnd() & 1) ? 8 : 4, 0, second ? acc[k] : x,
                                   second ? x : acc[k], IR_NO_TEMP, 0, 0);
                if (d != IR_NO_TEMP)
                    acc[k] = d;
            }
        }
        for (int k = 0; k < 4; k++)
            ir_set_reg(&blk, 8 + k, acc[k]);
        ir_exit(&blk, 0x40002000);
        ir_optimize(&blk);
        run_both(&blk, "register reads as memory operands");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
}
