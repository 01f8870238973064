/* Host topology discovery with hwloc, vCPU thread placement and pinning,
 * and guest MPIDR affinity (see topology.h). hwloc is used only at start-up
 * to list the PUs the process may use (its cpuset) with their core and
 * package; threads are then pinned with pthread_setaffinity_np. */
#define _GNU_SOURCE
#include "topology.h"

#include <ctype.h>
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

uint64_t topology_mpidr(int index, int cluster_size)
{
    uint64_t aff0 = (uint64_t)(index % cluster_size);
    uint64_t cl = (uint64_t)(index / cluster_size);
    uint64_t aff1 = cl & 0xff, aff2 = (cl >> 8) & 0xff, aff3 = (cl >> 16) & 0xff;
    return 1ull << 31 | aff3 << 32 | aff2 << 16 | aff1 << 8 | aff0;
}

int topology_default_cluster_size(int gic_version) { return gic_version == 2 ? 8 : 16; }

typedef struct HostPU {
    int os, core, package;
    int rank_in_core, core_rank_in_pkg; /* for scatter */
} HostPU;

static int cmp_scatter(const void *a, const void *b)
{
    const HostPU *x = a, *y = b;
    if (x->rank_in_core != y->rank_in_core)
        return x->rank_in_core - y->rank_in_core;
    if (x->core_rank_in_pkg != y->core_rank_in_pkg)
        return x->core_rank_in_pkg - y->core_rank_in_pkg;
    return x->package - y->package;
}

/* The PUs this process may run on, in hwloc's logical (compact) order. */
static HostPU *list_pus(int *n)
{
    hwloc_topology_t topo;
    *n = 0;
    if (hwloc_topology_init(&topo) < 0)
        return NULL;
    if (hwloc_topology_load(topo) < 0) {
        hwloc_topology_destroy(topo);
        return NULL;
    }
    int all = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    HostPU *pus = all > 0 ? calloc((size_t)all, sizeof(HostPU)) : NULL;
    if (!pus) {
        hwloc_topology_destroy(topo);
        return NULL;
    }
    /* Only the PUs the process is bound to (taskset, hwloc-bind, a Slurm
     * allocation): -pin compact under a binding then places inside it. */
    hwloc_bitmap_t bound = hwloc_bitmap_alloc();
    if (bound && (hwloc_get_cpubind(topo, bound, HWLOC_CPUBIND_PROCESS) < 0 || hwloc_bitmap_iszero(bound))) {
        hwloc_bitmap_free(bound);
        bound = NULL;
    }
    int npu = 0;
    for (int j = 0; j < all; j++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)j);
        if (bound && !hwloc_bitmap_isset(bound, pu->os_index))
            continue;
        int i = npu++;
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
        hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, pu);
        HostPU *h = &pus[i];
        h->os = (int)pu->os_index;
        h->core = core ? (int)core->logical_index : i;
        h->package = pkg ? (int)pkg->logical_index : 0;
        h->rank_in_core = core ? (int)(pu->logical_index - hwloc_get_next_obj_inside_cpuset_by_type(
                                                              topo, core->cpuset, HWLOC_OBJ_PU, NULL)
                                                              ->logical_index)
                               : 0;
        h->core_rank_in_pkg = h->core;
        if (core && pkg) {
            hwloc_obj_t first = hwloc_get_next_obj_inside_cpuset_by_type(topo, pkg->cpuset, HWLOC_OBJ_CORE, NULL);
            if (first)
                h->core_rank_in_pkg = (int)(core->logical_index - first->logical_index);
        }
    }
    if (bound)
        hwloc_bitmap_free(bound);
    hwloc_topology_destroy(topo);
    if (!npu) {
        free(pus);
        return NULL;
    }
    *n = npu;
    return pus;
}

bool topology_place(Machine *m)
{
    const char *pol = m->opt.pin;
    m->placement = calloc((size_t)m->ncpus, sizeof(VCPUPlace));
    if (!m->placement)
        return false;
    for (int i = 0; i < m->ncpus; i++)
        m->placement[i] = (VCPUPlace){-1, -1, -1};
    if (!pol || !strcmp(pol, "none"))
        return true;
    int npu;
    HostPU *pus = list_pus(&npu);
    if (!pus) {
        fprintf(stderr, "flotilla: -pin %s: cannot read the host topology (hwloc)\n", pol);
        return false;
    }
    HostPU *order = NULL;
    int norder = 0;
    bool ok = true;
    if (!strcmp(pol, "compact") || !strcmp(pol, "scatter")) {
        order = pus;
        norder = npu;
        if (pol[0] == 's')
            qsort(order, (size_t)npu, sizeof(HostPU), cmp_scatter);
        pus = NULL;
    } else {
        /* LIST: host PU numbers (OS numbering), comma separated. */
        order = calloc(strlen(pol) / 2 + 1, sizeof(HostPU));
        for (const char *p = pol; ok && order && *p;) {
            char *end;
            long v = isdigit((unsigned char)*p) ? strtol(p, &end, 10) : -1;
            int k = -1;
            if (v >= 0)
                for (int j = 0; j < npu; j++)
                    if (pus[j].os == v)
                        k = j;
            if (v < 0 || (*end && *end != ',') || k < 0) {
                fprintf(stderr,
                        "flotilla: -pin: '%s' is not none, compact, scatter or a list of this host's PU numbers "
                        "(usable: %d PUs)\n",
                        pol, npu);
                ok = false;
                break;
            }
            order[norder++] = pus[k];
            p = *end ? end + 1 : end;
        }
        if (!order || !norder)
            ok = false;
    }
    if (ok)
        for (int i = 0; i < m->ncpus; i++) {
            HostPU *h = &order[i % norder];
            m->placement[i] = (VCPUPlace){h->os, h->core, h->package};
        }
    free(pus);
    free(order);
    return ok;
}

void topology_report(Machine *m)
{
    if (!machine_tracing(m, TRACE_SMP))
        return;
    for (int i = 0; i < m->ncpus; i++) {
        VCPUPlace *p = &m->placement[i];
        if (p->pu < 0)
            machine_log(m, "vcpu %d -> not pinned (mpidr 0x%llx)\n", i, (unsigned long long)m->cpus[i]->mpidr);
        else
            machine_log(m, "vcpu %d -> host PU %d (core %d, package %d) (mpidr 0x%llx)\n", i, p->pu, p->core,
                        p->package, (unsigned long long)m->cpus[i]->mpidr);
    }
}

void topology_bind_self(Machine *m, int index)
{
    CPUState *cpu = m->cpus[index];
    cpu->stats.host_cpu = -1;
    if (!m->placement || m->placement[index].pu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(m->placement[index].pu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0)
        cpu->stats.host_cpu = m->placement[index].pu;
    else
        machine_log(m, "flotilla: cannot pin vcpu %d to host PU %d\n", index, m->placement[index].pu);
}
