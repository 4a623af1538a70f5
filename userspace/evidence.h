/* SPDX-License-Identifier: GPL-2.0 */
/* Evidence besides the outcome: smaps VmFlags, kernel log, module counters. */
#ifndef PFNMAP_EVIDENCE_H
#define PFNMAP_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outcome.h"

#define PROBE_KMSG_MAX		8
#define PROBE_KMSG_LEN		240

struct vma_info {
	uintptr_t start, end;
	char flags[PROBE_FLAGS_LEN];	/* the VmFlags: value, single-spaced */
};

/*
 * Parse smaps text into @out (at most @max entries). Returns the number of
 * VMAs found, or -1 if the text is malformed (a VmFlags line with no header).
 */
int smaps_parse(const char *text, struct vma_info *out, int max);

/*
 * VmFlags of every VMA intersecting [start, start+len), joined with " | ";
 * "-" when none does (the range is unmapped).
 */
void vmflags_for_range(const struct vma_info *vmas, int nr, uintptr_t start,
		       size_t len, char *buf, size_t buflen);

/*
 * Whether smaps text holds a VMA header starting at or above @limit, looking
 * at the complete lines from *@scanned on (moved past them when not): what
 * follows such a VMA cannot intersect a range that ends at @limit.
 */
bool smaps_past(const char *text, size_t *scanned, uintptr_t limit);

/*
 * Read /proc/self/smaps as far as the ranges reach and fill one slot per
 * range (len 0: leave "").
 */
struct range { uintptr_t start; size_t len; };
void vmflags_snapshot(const struct range ranges[RANGE_NR],
		      char out[RANGE_NR][PROBE_FLAGS_LEN]);

/* /dev/kmsg: -1 when it cannot be read; the caller notes that once. */
int kmsg_open(void);
void kmsg_skip_to_end(int fd);
/* New lines of concern since kmsg_skip_to_end(); returns how many were stored. */
int kmsg_collect(int fd, char lines[][PROBE_KMSG_LEN], int max, int *nr_total);
bool kmsg_line_of_concern(const char *msg);

/*
 * One word per line of concern, joined by '+', "none" for no line: a WARNING
 * as WARNING:<file>:<line> (the same on 5.10's "WARNING: CPU: 0 PID: 1 at
 * mm/x.c:12 f+0x1" and 7.x's "WARNING: mm/x.c:12 at f+0x1, CPU#0: ..."),
 * anything else as its first words with blanks as '_'.
 */
void log_words(const char lines[][PROBE_KMSG_LEN], int nr, char *buf, size_t len);
/* One word of that. */
void log_word(const char *line, char *buf, size_t len);

/* debugfs: writing 1 re-arms every WARN_ONCE (4.19+, CONFIG_BUG and DEBUG_FS). */
#define WARN_ONCE_RESET	"/sys/kernel/debug/clear_warn_once"
bool warn_once_reset(void);

/* A whole (small) file as a string, malloc'd; NULL if it cannot be read. */
char *read_text_file(const char *path);

/* PFNMAP_IOC_*_COUNTERS with the size field set; 0 or -errno. */
int counters_read(int fd, unsigned long request, struct pfnmap_counters *c);

extern const char *const counter_names[PFNMAP_CNT_NR];

/*
 * The page-table level mapping @addr in the calling process, asked of the
 * module (PFNMAP_IOC_PT_QUERY on any /dev/pfnmap fd): one of
 * pt_level_values, or NULL when the module cannot say (errno set).
 */
const char *pt_level(int pfnmap_fd, const void *addr);

#endif
