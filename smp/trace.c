/* -d tracing: in_asm uses the capstone disassembler. */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../sync/tcache.h"
#include "machine.h"
#include "trace.h"

static const struct {
    const char *name;
    uint32_t bit;
    const char *help;
} items[] = {
    {"in_asm", TRACE_IN_ASM, "show guest code as it is translated"},
    {"exec", TRACE_EXEC, "show each block as it is executed"},
    {"cpu", TRACE_CPU, "show the registers before each block"},
    {"int", TRACE_INT, "show exceptions and interrupts"},
    {"unimp", TRACE_UNIMP, "show unimplemented instructions, registers and features"},
    {"op", TRACE_OP, "show the IR of each translated block"},
    {"smp", TRACE_SMP, "show vCPU threads and their placement"},
};

bool trace_parse(const char *list, uint32_t *mask)
{
    char buf[256];
    if (strlen(list) >= sizeof(buf)) {
        fprintf(stderr, "flotilla: -d list too long\n");
        return false;
    }
    strcpy(buf, list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (!strcmp(tok, "help")) {
            printf("Log items (comma separated):\n");
            for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
                printf("%-8s %s\n", items[i].name, items[i].help);
            return false;
        }
        size_t i;
        for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
            if (!strcmp(tok, items[i].name))
                break;
        if (i == sizeof(items) / sizeof(items[0])) {
            fprintf(stderr, "flotilla: unknown -d item '%s' (try -d help)\n", tok);
            return false;
        }
        *mask |= items[i].bit;
    }
    return true;
}

void trace_translated(CPUState *cpu, const TBlock *tb, const uint32_t *code)
{
    Machine *m = cpu->machine;
    if (machine_tracing(m, TRACE_IN_ASM)) {
        csh h;
        pthread_mutex_lock(&m->log_lock);
        fprintf(m->log, "IN: cpu%d pc=0x%016" PRIx64 " pa=0x%" PRIx64 " EL%u\n", cpu->index, tb->pc, tb->pa,
                tb->flags & 3);
        if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) == CS_ERR_OK) {
            for (uint32_t i = 0; i < tb->ninsns; i++) {
                cs_insn *insn;
                uint64_t pc = ir_insn_pc(&tb->ir, i);
                size_t n = cs_disasm(h, (const uint8_t *)&code[i], 4, pc, 1, &insn);
                if (n) {
                    fprintf(m->log, "0x%016" PRIx64 ":  %08x      %s %s\n", pc, code[i], insn->mnemonic,
                            insn->op_str);
                    cs_free(insn, n);
                } else {
                    fprintf(m->log, "0x%016" PRIx64 ":  %08x      .inst 0x%08x\n", pc, code[i], code[i]);
                }
            }
            cs_close(&h);
        }
        fprintf(m->log, "\n");
        fflush(m->log);
        pthread_mutex_unlock(&m->log_lock);
    }
    if (machine_tracing(m, TRACE_OP)) {
        pthread_mutex_lock(&m->log_lock);
        ir_dump(&tb->ir, m->log);
        fprintf(m->log, "\n");
        fflush(m->log);
        pthread_mutex_unlock(&m->log_lock);
    }
}

void trace_exec(CPUState *cpu, const TBlock *tb)
{
    Machine *m = cpu->machine;
    pthread_mutex_lock(&m->log_lock);
    if (machine_tracing(m, TRACE_CPU)) {
        for (int i = 0; i < 32; i++)
            fprintf(m->log, "%s%02d=%016" PRIx64 "%s", i == 31 ? " SP" : " X", i, cpu->x[i], (i % 4 == 3) ? "\n" : "");
        fprintf(m->log, " PC=%016" PRIx64 " NZCV=%x EL%d\n", cpu->pc, cpu_nzcv(cpu) >> 28, cpu_el(cpu));
    }
    if (machine_tracing(m, TRACE_EXEC))
        fprintf(m->log, "Trace cpu%d: [%016" PRIx64 "/%08x] %u insns\n", cpu->index, tb->pc, tb->flags, tb->ninsns);
    fflush(m->log);
    pthread_mutex_unlock(&m->log_lock);
}
