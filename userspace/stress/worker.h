/* SPDX-License-Identifier: GPL-2.0 */
/* One worker process: a pool of device files shared by its threads. */
#ifndef PFNMAP_STRESS_WORKER_H
#define PFNMAP_STRESS_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "rng.h"
#include "stress.h"

#define FD_POOL		8
#define SCRATCH_LEN	(256 * 1024)

struct thread_ctx;

struct worker {
	const struct stress_opts *opts;
	const struct region_info *region;
	struct proc_stats *stats;
	unsigned int proc;
	size_t page;
	int fds[FD_POOL];		/* -1: empty; threads swap entries atomically */
	int memfd;			/* /proc/self/mem */
	/*
	 * Taken shared by operations that can leave a transient hole in an
	 * arena, exclusively by those that let the kernel choose an address:
	 * a mapping the kernel places never lands in another thread's hole.
	 */
	pthread_rwlock_t placement;
	uint64_t deadline_ns;
	struct thread_ctx *threads;
	unsigned int nthreads;
};

struct thread_ctx {
	struct worker *w;
	unsigned int index;
	struct rng rng;
	struct arena arena;
	char *scratch;			/* SCRATCH_LEN bytes */
	bool in_child;			/* a forked child reading its copy */
};

/* The body of one worker process; returns its exit code. */
int worker_main(const struct stress_opts *opts, const struct region_info *region,
		struct proc_stats *stats, unsigned int proc, uint64_t deadline_ns);

/* One randomly drawn operation (ops.c). */
void run_step(struct thread_ctx *t);

uint64_t now_ns(void);

#endif
