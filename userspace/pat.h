/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 PAT evidence: how many memtype reservations overlap the device region,
 * before and after a case. A count that grows is a leaked reservation, one
 * that shrinks a reservation freed that the case did not make.
 */
#ifndef PFNMAP_PAT_H
#define PFNMAP_PAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAT_MEMTYPE_LIST	"/sys/kernel/debug/x86/pat_memtype_list"
#define PFNMAP_REGION_DEBUGFS	"/sys/kernel/debug/pfnmap_dev/region"

/* The module's debugfs "region" file: "kind <pages|memmap>\nphys 0x..\nsize 0x..\n". */
struct region_phys {
	bool valid;
	bool listed;		/* kind memmap or pci: not System RAM, PAT lists its memtype */
	uint64_t phys, size;
};

/* Parse the region file's text; false unless all three lines were there. */
bool region_parse(const char *text, struct region_phys *out);
/* Read PFNMAP_REGION_DEBUGFS; out->valid false when it cannot be read. */
void region_read(struct region_phys *out);

/*
 * Entries of a pat_memtype_list text ("PAT: [mem 0x<start>-0x<end>] <type>",
 * end exclusive) overlapping [start, start + size). Other lines are ignored.
 */
int pat_count_overlaps(const char *text, uint64_t start, uint64_t size);
/* The same on the live list; -1 when it cannot be read or @r is not valid. */
int pat_count_region(const struct region_phys *r);

/*
 * The memtypes ("write-back", "uncached-minus", ...) of the pat_memtype_list
 * entries overlapping [start, start + size), each once in list order, joined
 * by '+'; "none" when no entry overlaps. Returns the number of entries.
 */
int pat_memtypes(const char *text, uint64_t start, uint64_t size, char *buf, size_t len);
/* The same on the live list; -1 (and buf "") when it cannot be read or size is 0. */
int pat_memtypes_range(uint64_t start, uint64_t size, char *buf, size_t len);

/* Outcome word for a before/after pair: same | leaked | freed; "-" if unknown. */
const char *pat_verdict(int before, int after);

#endif
