/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Touching memory that may give SIGBUS or SIGSEGV, from any thread: the
 * signal is an outcome, not a death. Unlike ../readback.c (one jump buffer
 * per process, for a case child), the jump buffer here is per thread.
 */
#ifndef PFNMAP_STRESS_GUARD_H
#define PFNMAP_STRESS_GUARD_H

#include <stddef.h>
#include <stdint.h>

enum touch { TOUCH_OK, TOUCH_SIGBUS, TOUCH_SIGSEGV };

/* Once per process, before any thread touches anything. */
void guard_install(void);

/* Copy @len bytes from @src (which may fault) to @dst. */
enum touch guarded_copy(void *dst, const void *src, size_t len);

/* A write that cannot change memory: an atomic add of 0 (write fault, COW). */
enum touch guarded_touch_write(uint64_t *word);

#endif
