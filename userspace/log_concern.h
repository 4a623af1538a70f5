/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel log lines of concern: a panic, WARNING, BUG, Oops, a sanitizer or
 * list-debug report, a lockup or stall, a bad page, rss counter or page table
 * entry, an x86 PAT bookkeeping error. The patterns are the POSIX EREs of
 * log-concern.txt, built in; the runner and the guest scripts grep the same
 * file, and tests/kmsg/samples.txt holds what they must and must not match.
 */
#ifndef PFNMAP_LOG_CONCERN_H
#define PFNMAP_LOG_CONCERN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when one kernel log line (with or without a "[ time]" prefix, no
 * trailing newline needed) matches any pattern. The patterns are compiled on
 * the first call and kept, read-only, for the life of the process.
 */
bool log_line_of_concern(const char *line);

/* The patterns as written in log-concern.txt, comments left out; *nr gets how many. */
const char *const *log_concern_patterns(size_t *nr);

#endif
