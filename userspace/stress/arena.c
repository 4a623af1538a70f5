// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

int arena_init(struct arena *a, size_t page, const char *device, uint64_t base_pfn)
{
	size_t len = (size_t)SLOTS * SLOT_PAGES * page;
	unsigned int s, p;
	void *base;

	memset(a, 0, sizeof(*a));
	base = mmap(NULL, len, PROT_NONE, RESERVE_FLAGS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	a->base = base;
	a->page = page;
	a->device = device;
	a->base_pfn = base_pfn;
	for (s = 0; s < SLOTS; s++)
		for (p = 0; p < SLOT_PAGES; p++)
			a->pg[s][p] = PG_RESERVED;
	return 0;
}

char *slot_addr(const struct arena *a, unsigned int slot, unsigned int page)
{
	return a->base + ((size_t)slot * SLOT_PAGES + page) * a->page;
}

bool slot_is_free(const struct arena *a, unsigned int slot)
{
	unsigned int p;

	if (a->retired[slot])
		return false;
	for (p = 0; p < SLOT_PAGES; p++)
		if (a->pg[slot][p] != PG_RESERVED)
			return false;
	return true;
}

int arena_find_free(const struct arena *a, unsigned int from, unsigned int except)
{
	unsigned int i, s;

	for (i = 0; i < SLOTS; i++) {
		s = (from + i) % SLOTS;
		if (s != except && slot_is_free(a, s))
			return (int)s;
	}
	return -1;
}

bool slot_extent(const struct arena *a, unsigned int slot, unsigned int *first,
		 unsigned int *npages)
{
	int lo = -1, hi = -1, p;

	if (a->retired[slot])
		return false;
	for (p = 0; p < SLOT_PAGES; p++) {
		if (a->pg[slot][p] < 0)
			continue;
		if (lo < 0)
			lo = p;
		hi = p;
	}
	if (lo < 0)
		return false;
	*first = (unsigned int)lo;
	*npages = (unsigned int)(hi - lo + 1);
	return true;
}

bool slot_run(const struct arena *a, unsigned int slot, unsigned int p,
	      unsigned int *first, unsigned int *npages)
{
	unsigned int lo = p, hi = p;

	if (a->retired[slot] || a->pg[slot][p] < 0)
		return false;
	while (lo > 0 && a->pg[slot][lo - 1] >= 0)
		lo--;
	while (hi + 1 < SLOT_PAGES && a->pg[slot][hi + 1] >= 0)
		hi++;
	*first = lo;
	*npages = hi - lo + 1;
	return true;
}

/*
 * remap_pfn_range() sets vm_pgoff of a private (COW) mapping to its first
 * pfn; file offsets are below the region size, pfns of the region at or above
 * its base, so the two cannot be confused.
 */
static uint64_t vma_pfn_bias(const struct arena *a, const char *perms,
			     unsigned long long offset)
{
	if (perms[3] == 'p' && a->base_pfn && offset / a->page >= a->base_pfn)
		return a->base_pfn;
	return 0;
}

/* One line of /proc/self/maps: start-end perms offset dev inode [path] */
static void apply_maps_line(struct arena *a, const char *line)
{
	uintptr_t vma_start, vma_end, arena_end, addr;
	unsigned long long offset, inode;
	char perms[8], path[256];
	int n;

	path[0] = '\0';
	n = sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %llx %*s %llu %255s",
		   &vma_start, &vma_end, perms, &offset, &inode, path);
	if (n < 5)
		return;
	arena_end = (uintptr_t)slot_addr(a, SLOTS, 0);
	addr = vma_start > (uintptr_t)a->base ? vma_start : (uintptr_t)a->base;
	for (; addr < vma_end && addr < arena_end; addr += a->page) {
		size_t index = (addr - (uintptr_t)a->base) / a->page;
		int64_t *pg = &a->pg[index / SLOT_PAGES][index % SLOT_PAGES];

		if (path[0] && !strcmp(path, a->device))
			*pg = (int64_t)(offset / a->page - vma_pfn_bias(a, perms, offset) +
					(addr - vma_start) / a->page);
		else if (!path[0] && !inode && !strcmp(perms, "---p"))
			*pg = PG_RESERVED;
		else
			*pg = PG_FOREIGN;
	}
}

/* Feeds every line of /proc/self/maps to apply_maps_line(), without malloc. */
static void read_maps(struct arena *a, char *buf, size_t len)
{
	size_t have = 0;
	ssize_t got;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((got = read(fd, buf + have, len - 1 - have)) > 0) {
		char *line = buf, *nl;

		have += (size_t)got;
		buf[have] = '\0';
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			apply_maps_line(a, line);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == len - 1)
			have = 0;	/* a line longer than the buffer: drop it */
	}
	close(fd);
}

static void retire(struct arena *a, unsigned int slot, struct proc_stats *st)
{
	if (!a->retired[slot])
		stat_add(&st->slots_retired, 1);
	a->retired[slot] = true;
}

/* Re-reserve a run of hole pages; a hole someone else filled retires the slot. */
static void repair_hole(struct arena *a, unsigned int slot, unsigned int first,
			unsigned int npages, struct proc_stats *st)
{
	char *addr = slot_addr(a, slot, first);
	size_t len = (size_t)npages * a->page;
	void *got = mmap(addr, len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED_NOREPLACE, -1, 0);
	unsigned int p;

	if (got != addr) {
		if (got != MAP_FAILED)
			munmap(got, len);	/* a kernel that took the flag for a hint */
		retire(a, slot, st);
		return;
	}
	for (p = first; p < first + npages; p++)
		a->pg[slot][p] = PG_RESERVED;
}

void arena_resync(struct arena *a, struct proc_stats *st, char *scratch, size_t len)
{
	unsigned int s, p, run;

	for (s = 0; s < SLOTS; s++)
		for (p = 0; p < SLOT_PAGES; p++)
			a->pg[s][p] = PG_HOLE;
	read_maps(a, scratch, len);
	for (s = 0; s < SLOTS; s++) {
		if (a->retired[s])
			continue;
		for (p = 0; p < SLOT_PAGES; p++)
			if (a->pg[s][p] == PG_FOREIGN)
				retire(a, s, st);
		for (p = 0; p < SLOT_PAGES && !a->retired[s]; p += run) {
			run = 1;
			if (a->pg[s][p] != PG_HOLE)
				continue;
			while (p + run < SLOT_PAGES && a->pg[s][p + run] == PG_HOLE)
				run++;
			repair_hole(a, s, p, run, st);
		}
	}
}
