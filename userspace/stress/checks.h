/* SPDX-License-Identifier: GPL-2.0 */
/* What the coordinator measures before and after the workers run. */
#ifndef PFNMAP_STRESS_CHECKS_H
#define PFNMAP_STRESS_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pfnmap_dev_uapi.h"
#include "stress.h"

int read_region_info(int fd, struct region_info *info);
int read_dev_counters(int fd, struct pfnmap_counters *c);
/* MemFree of /proc/meminfo in kB, -1 if unreadable. */
long memfree_kb(void);

/* MemTotal of /proc/meminfo in kB, -1 if unreadable. */
long memtotal_kb(void);
/*
 * Whether the kernel logged "KernelAddressSanitizer initialized" (still in the
 * log buffer this early after boot): freed objects then wait in KASAN's
 * quarantine, up to 1/32 of RAM, which MemFree does not get back at once.
 */
bool kernel_has_kasan(void);

/* /dev/kmsg opened at its end: only what the kernel logs from now on is read. */
int kmsg_open_at_end(void);
/*
 * Reads what was logged since the last call; prints each line of concern to
 * @out; returns how many. Records the kernel overwrote before they were read
 * are added to *@lost: call often, a busy log wraps (the module's own
 * ratelimited warnings fill it in minutes).
 */
unsigned int kmsg_lines_of_concern(int fd, FILE *out, unsigned int *lost);

/*
 * Maps the whole region through a new file (default personality) and
 * classifies every page against the pattern; returns the number of pages that
 * read it, or -errno.
 */
long region_pattern_pages(const char *device, const struct region_info *info, size_t page);

#endif
