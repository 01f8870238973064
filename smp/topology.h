/* Host topology (hwloc) and the placement of vCPU threads on host PUs
 * (-pin none|compact|scatter|LIST), and the guest's MPIDR affinity
 * (clusters of `cluster_size` cores: Aff1 = cluster, Aff0 = core in it).
 *
 * Thread rules: topology_place and topology_report run on the main thread
 * at start-up; topology_bind_self on each vCPU thread as it starts. */
#ifndef FLOTILLA_TOPOLOGY_H
#define FLOTILLA_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

struct Machine;

/* Where one vCPU thread runs. pu = -1: not pinned. */
typedef struct VCPUPlace {
    int pu;      /* host PU, OS numbering (what taskset and /proc/cpuinfo show) */
    int core;    /* host core (hwloc logical index), -1 if unknown */
    int package; /* host package (hwloc logical index), -1 if unknown */
} VCPUPlace;

/* Main thread, start-up: compute m->placement from m->opt.pin (NULL or
 * "none": no pinning). false with a message on stderr for a bad policy or
 * an unknown PU. More vCPUs than PUs: round robin over the policy's order. */
bool topology_place(struct Machine *m);
/* Main thread: with -d smp, one line per vCPU on the log. */
void topology_report(struct Machine *m);
/* vCPU thread `index`, at start: pin the calling thread as placed; sets
 * the core's stats.host_cpu. */
void topology_bind_self(struct Machine *m, int index);

/* MPIDR_EL1 of core `index` with clusters of `cluster_size` cores (RES1
 * bit 31 set; Aff2/Aff3 used beyond 256 clusters). */
uint64_t topology_mpidr(int index, int cluster_size);
/* The default cluster size for a GIC version: QEMU virt's (16 for GICv3,
 * whose SGI target lists address Aff0 0..15; 8 for GICv2). */
int topology_default_cluster_size(int gic_version);

#endif
