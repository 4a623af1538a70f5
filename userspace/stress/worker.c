// SPDX-License-Identifier: GPL-2.0
/*
 * A worker process: opens its device files, starts its threads together (a
 * barrier), lets each draw operations until the deadline, then exits; the
 * kernel tears down whatever is still mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "worker.h"

static pthread_barrier_t start_line;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *thread_main(void *arg)
{
	struct thread_ctx *t = arg;

	pthread_barrier_wait(&start_line);
	while (now_ns() < t->w->deadline_ns)
		run_step(t);
	return NULL;
}

/* Everything a thread needs is mapped before any thread starts operating. */
static int thread_prepare(struct worker *w, struct thread_ctx *t, unsigned int index)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->w = w;
	t->index = index;
	rng_seed(&t->rng, w->opts->seed, (uint64_t)w->proc << 32 | index);
	ret = arena_init(&t->arena, w->page, w->opts->device, w->region->base_pfn);
	if (ret)
		return ret;
	t->scratch = mmap(NULL, SCRATCH_LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return t->scratch == MAP_FAILED ? -errno : 0;
}

int worker_main(const struct stress_opts *opts, const struct region_info *region,
		struct proc_stats *stats, unsigned int proc, uint64_t deadline_ns)
{
	struct thread_ctx threads[MAX_THREADS];
	pthread_t ids[MAX_THREADS];
	struct worker w = {
		.opts = opts, .region = region, .stats = stats, .proc = proc,
		.page = (size_t)sysconf(_SC_PAGESIZE), .deadline_ns = deadline_ns,
		.threads = threads, .nthreads = opts->threads,
	};
	unsigned int i;
	int ret;

	guard_install();
	for (i = 0; i < FD_POOL; i++)
		w.fds[i] = -1;
	w.memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	pthread_rwlock_init(&w.placement, NULL);
	pthread_barrier_init(&start_line, NULL, opts->threads);
	for (i = 0; i < opts->threads; i++) {
		ret = thread_prepare(&w, &threads[i], i);
		if (ret) {
			fprintf(stderr, "pfnmap-stress: process %u: thread setup: %s\n",
				proc, strerror(-ret));
			return 1;
		}
	}
	for (i = 0; i < opts->threads; i++) {
		ret = pthread_create(&ids[i], NULL, thread_main, &threads[i]);
		if (ret) {
			fprintf(stderr, "pfnmap-stress: process %u: pthread_create: %s\n",
				proc, strerror(ret));
			return 1;	/* the started threads wait at the barrier: exit ends them */
		}
	}
	for (i = 0; i < opts->threads; i++)
		pthread_join(ids[i], NULL);
	return 0;
}
