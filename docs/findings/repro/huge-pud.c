// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal reproducer for two bugs with huge PUD pfnmaps (docs/findings/
 * mremap-huge-pud.md and vma-split-huge-pud.md), on pfnmap_dev's huge insert
 * style, which inserts PUD leaves like vfio-pci's ->huge_fault:
 *
 *   huge-pud move    mremap(MAYMOVE|FIXED) of a 1 GiB PUD leaf: "bad pud",
 *                    the entry is dropped (level none at both addresses)
 *   huge-pud split   munmap of the second half of it: VM_BUG_ON_VMA in
 *                    __split_huge_pud_locked() (DEBUG_VM), else the whole
 *                    leaf, the kept half's too, is cleared
 *
 * Needs pfnmap_dev loaded on a 1 GiB memmap= region on a 1 GiB boundary
 * (./run-qemu.sh --huge does that). Build: gcc -static -O2 -o huge-pud huge-pud.c
 * -I../../../pfnmap_dev. Prints the page-table level (PFNMAP_IOC_PT_QUERY,
 * which does not walk the VMA) before and after the call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pfnmap_dev_uapi.h"

#define SZ_1G	(1UL << 30)

static const char *level(int fd, const void *addr)
{
	static const char *const names[] = { "none", "pte", "pmd", "pud" };
	struct pfnmap_pt_query q = { .size = sizeof(q), .addr = (uintptr_t)addr };

	if (ioctl(fd, PFNMAP_IOC_PT_QUERY, &q) || q.level >= PFNMAP_PT_NR)
		return "?";
	return names[q.level];
}

int main(int argc, char **argv)
{
	struct pfnmap_config cfg = { .size = sizeof(cfg), .insert = PFNMAP_INSERT_HUGE,
				     .flags = PFNMAP_CFG_KEEP_DONTEXPAND };
	int fd = open("/dev/pfnmap", O_RDWR);
	char *res, *base, *dest, *p;

	if (argc != 2 || (strcmp(argv[1], "move") && strcmp(argv[1], "split"))) {
		fprintf(stderr, "usage: %s move|split\n", argv[0]);
		return 2;
	}
	if (fd < 0 || ioctl(fd, PFNMAP_IOC_SET_CONFIG, &cfg)) {
		perror("/dev/pfnmap with insert=huge");
		return 1;
	}
	/* A 1 GiB-aligned address with a free aligned 1 GiB two windows on. */
	res = mmap(NULL, 5 * SZ_1G, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	munmap(res, 5 * SZ_1G);
	base = (char *)(((uintptr_t)res + SZ_1G - 1) & ~(SZ_1G - 1));
	dest = base + 2 * SZ_1G;
	p = mmap(base, SZ_1G, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (p != base) {
		perror("mmap 1 GiB at a 1 GiB boundary");
		return 1;
	}
	(void)*(volatile char *)(base + 4096);	/* ->huge_fault inserts the PUD leaf */
	printf("before: %p %s\n", (void *)base, level(fd, base));
	if (!strcmp(argv[1], "move")) {
		p = mremap(base, SZ_1G, SZ_1G, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
		printf("mremap: %s\n", p == MAP_FAILED ? strerror(errno) : "ok");
		printf("after: old %s, new %s (a moved leaf would be pud at the new address)\n",
		       level(fd, base), level(fd, dest));
	} else {
		printf("munmap of the second half: %s\n",
		       munmap(base + SZ_1G / 2, SZ_1G / 2) ? strerror(errno) : "ok");
		printf("after: kept half %s\n", level(fd, base));
	}
	return 0;
}
