/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfnmap-stress: processes x threads driving random operation sequences over
 * every /dev/pfnmap personality, then checking that the device and the kernel
 * came out whole. Shared definitions: options, operation kinds, statistics.
 */
#ifndef PFNMAP_STRESS_H
#define PFNMAP_STRESS_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_PROCS	16
#define MAX_THREADS	16

struct stress_opts {
	unsigned int seconds;
	unsigned int procs;
	unsigned int threads;
	uint64_t seed;
	const char *device;
	long memfree_bound_kb;	/* allowed MemFree drop over the run */
};

/* What the driver looks like, from PFNMAP_IOC_GET_INFO. */
struct region_info {
	uint32_t kind;		/* enum pfnmap_region_kind */
	bool has_pages;
	uint64_t pages;		/* region size in pages */
	/*
	 * First pfn (debugfs pfnmap_dev/region; 0 unknown): remap_pfn_range() of a
	 * private mapping sets vm_pgoff to the pfn, so /proc/self/maps shows that.
	 */
	uint64_t base_pfn;
};

/* Every operation a worker thread can draw. */
enum op_kind {
	OP_OPEN, OP_CLOSE, OP_CONFIG, OP_MMAP, OP_MUNMAP,
	OP_MOVE, OP_PARTIAL, OP_MULTI_VMA, OP_DONTUNMAP, OP_DONTUNMAP_FIXED,
	OP_GROW_INPLACE, OP_GROW_MAYMOVE, OP_SHRINK,
	OP_MADVISE, OP_MPROTECT, OP_FORK,
	OP_READ, OP_WRITE, OP_TOUCH_FOREIGN, OP_PROCMEM, OP_SMAPS, OP_RMMOD,
	OP_NR
};

/* How a guarded read of one page of our own came out, against the model. */
enum read_result { RD_PATTERN, RD_SIGBUS, RD_SIGSEGV, RD_MISMATCH, RD_NR };

/*
 * One worker process's figures, in memory shared with the coordinator; the
 * threads (and forked children) add with atomics.
 */
struct proc_stats {
	uint64_t attempts[OP_NR];
	uint64_t succeeded[OP_NR];	/* the syscall(s) said yes */
	uint64_t reads[RD_NR];
	uint64_t rmmod_succeeded;	/* delete_module worked while we held the device */
	uint64_t child_crashed;		/* a forked child died of a signal */
	uint64_t slots_retired;		/* a slot someone else's mapping took */
	uint64_t floating_dropped;	/* moved mappings that found no slot to come home to */
	uint32_t first_mismatch_taken;
	char first_mismatch[240];
};

const char *op_name(enum op_kind op);
const char *read_result_name(enum read_result r);

static inline void stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

#endif
