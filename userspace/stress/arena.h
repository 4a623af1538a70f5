/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each thread owns an arena of address space: SLOTS slots of SLOT_PAGES pages,
 * kept reserved with PROT_NONE anonymous memory wherever no device mapping of
 * ours lies. MAP_FIXED and MREMAP_FIXED only ever target our own slots, so no
 * thread clobbers another's memory. What each page holds is read back from
 * /proc/self/maps after every operation that changes mappings (the kernel's
 * word, not a prediction), and the region page the VMA says each device page
 * maps is what a read of it must return.
 */
#ifndef PFNMAP_STRESS_ARENA_H
#define PFNMAP_STRESS_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stress.h"

#define SLOTS		12
#define SLOT_PAGES	16

#define PG_RESERVED	(-1)	/* our PROT_NONE placeholder */
#define PG_HOLE		(-2)	/* nothing mapped: repaired at once */
#define PG_FOREIGN	(-3)	/* a mapping that is not ours: the slot is retired */

struct arena {
	char *base;
	size_t page;
	const char *device;		/* path of the device as /proc/self/maps names it */
	uint64_t base_pfn;		/* struct region_info */
	bool retired[SLOTS];
	/* >= 0: the region page the device VMA maps here (from its pgoff), else PG_*. */
	int64_t pg[SLOTS][SLOT_PAGES];
	enum op_kind last_op[SLOTS];	/* the last operation that changed the slot */
};

/* 0, or -errno when the reservation cannot be made. */
int arena_init(struct arena *a, size_t page, const char *device, uint64_t base_pfn);
char *slot_addr(const struct arena *a, unsigned int slot, unsigned int page);
bool slot_is_free(const struct arena *a, unsigned int slot);
/* First slot from @from on (wrapping) that is free, or -1. */
int arena_find_free(const struct arena *a, unsigned int from, unsigned int except);
/*
 * The extent of device pages in @slot: the first and last mapped page.
 * False when the slot has none (or is retired).
 */
bool slot_extent(const struct arena *a, unsigned int slot, unsigned int *first,
		 unsigned int *npages);
/* The run of device pages that contains page @p (false if @p is no device page). */
bool slot_run(const struct arena *a, unsigned int slot, unsigned int p,
	      unsigned int *first, unsigned int *npages);
/*
 * Re-read the arena from /proc/self/maps, retire slots holding anything not
 * ours, re-reserve holes (MAP_FIXED_NOREPLACE: a hole someone else has filled
 * meanwhile retires the slot). @scratch: a buffer of @len bytes.
 */
void arena_resync(struct arena *a, struct proc_stats *st, char *scratch, size_t len);

#endif
