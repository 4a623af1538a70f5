// SPDX-License-Identifier: GPL-2.0
/*
 * The operations a worker thread draws. Each draw takes the same number of
 * random numbers whatever happens, so a seed fixes every thread's sequence of
 * operations and parameters; what an operation meets (a full slot, an EBUSY)
 * depends on the kernel and on timing, and is counted, never fatal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "mm_compat.h"
#include "pfnmap_dev_uapi.h"
#include "worker.h"

#define NR_DRAWS 4
#define MAX_MAP_PAGES 8

/* The mix, in parts per about a hundred. */
static const unsigned int op_weight[OP_NR] = {
	[OP_OPEN] = 3, [OP_CLOSE] = 2, [OP_CONFIG] = 4, [OP_MMAP] = 12, [OP_MUNMAP] = 5,
	[OP_MOVE] = 6, [OP_PARTIAL] = 4, [OP_MULTI_VMA] = 3, [OP_DONTUNMAP] = 4,
	[OP_DONTUNMAP_FIXED] = 4, [OP_GROW_INPLACE] = 3, [OP_GROW_MAYMOVE] = 3,
	[OP_SHRINK] = 3, [OP_MADVISE] = 5, [OP_MPROTECT] = 4, [OP_FORK] = 2,
	[OP_READ] = 15, [OP_WRITE] = 6, [OP_TOUCH_FOREIGN] = 5, [OP_PROCMEM] = 3,
	[OP_SMAPS] = 1, [OP_RMMOD] = 1,
};

static const char *const op_names[OP_NR] = {
	"open", "close", "config", "mmap", "munmap", "move", "partial", "multi_vma",
	"dontunmap", "dontunmap_fixed", "grow_inplace", "grow_maymove", "shrink",
	"madvise", "mprotect", "fork", "read", "write", "touch_foreign", "procmem",
	"smaps", "rmmod",
};

const char *op_name(enum op_kind op)
{
	return (unsigned int)op < OP_NR ? op_names[op] : "?";
}

const char *read_result_name(enum read_result r)
{
	static const char *const names[RD_NR] = { "pattern", "sigbus", "sigsegv", "mismatch" };

	return (unsigned int)r < RD_NR ? names[r] : "?";
}

/* ---- helpers ---- */

static size_t pages(const struct thread_ctx *t, uint64_t n)
{
	return (size_t)n * t->w->page;
}

static void record_mismatch(struct thread_ctx *t, const char *fmt, ...)
{
	struct proc_stats *st = t->w->stats;
	uint32_t untaken = 0;
	va_list ap;
	int n;

	stat_add(&st->reads[RD_MISMATCH], 1);
	if (!__atomic_compare_exchange_n(&st->first_mismatch_taken, &untaken, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	n = snprintf(st->first_mismatch, sizeof(st->first_mismatch), "process %u thread %u%s: ",
		     t->w->proc, t->index, t->in_child ? " (fork child)" : "");
	va_start(ap, fmt);
	vsnprintf(st->first_mismatch + n, sizeof(st->first_mismatch) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void resync(struct thread_ctx *t)
{
	arena_resync(&t->arena, t->w->stats, t->scratch, SCRATCH_LEN);
}

/* Operations that may leave a transient hole in our arena. */
static void holes_begin(struct thread_ctx *t)
{
	pthread_rwlock_rdlock(&t->w->placement);
}

/* Re-reads what the operation left, while nobody can place a mapping in a hole. */
static void holes_end(struct thread_ctx *t, unsigned int slot_a, unsigned int slot_b,
		      enum op_kind op)
{
	resync(t);
	t->arena.last_op[slot_a % SLOTS] = op;
	t->arena.last_op[slot_b % SLOTS] = op;
	pthread_rwlock_unlock(&t->w->placement);
}

static int pick_fd(struct worker *w, uint64_t r)
{
	unsigned int i;
	int fd;

	for (i = 0; i < FD_POOL; i++) {
		fd = __atomic_load_n(&w->fds[(r + i) % FD_POOL], __ATOMIC_RELAXED);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The insert styles the stress drives. Not vepc: by design it never inserts a
 * page twice, so a re-mmap of a range it served faults forever (a driver
 * contract, not a kernel bug; the probe's vepc cases observe it). huge is
 * refused (EOPNOTSUPP) before 6.12, an error path like the invalid configs.
 */
static const enum pfnmap_insert stress_inserts[] = {
	PFNMAP_INSERT_REMAP, PFNMAP_INSERT_FAULT, PFNMAP_INSERT_MIXED, PFNMAP_INSERT_HUGE,
};

/* A random personality; one in sixteen is invalid on purpose (EINVAL path). */
static struct pfnmap_config random_config(const struct worker *w, uint64_t r)
{
	struct pfnmap_config c = {
		.size = sizeof(c),
		.insert = stress_inserts[r % ARRAY_SIZE(stress_inserts)],
		.mremap_hook = (r >> 8) % PFNMAP_MREMAP_NR,
		.split_hook = (r >> 16) % PFNMAP_SPLIT_NR,
	};

	if ((r >> 24) & 1)
		c.flags |= PFNMAP_CFG_KEEP_DONTEXPAND;
	if (w->region->kind != PFNMAP_REGION_PAGES && ((r >> 25) & 1))
		c.flags |= PFNMAP_CFG_ACCESS_PHYS;
	if ((r >> 28) % 16 == 0)
		c.reserved = 1;
	return c;
}

/* ---- checking what a page of ours reads ---- */

static bool is_pattern_page(const uint64_t *words, size_t page, int64_t region_page)
{
	uint64_t base = (uint64_t)region_page * page;
	size_t i;

	for (i = 0; i < page / sizeof(uint64_t); i++)
		if (words[i] != pfnmap_pattern_word(base + i * sizeof(uint64_t)))
			return false;
	return true;
}

/*
 * A device page must read its region page's pattern or give SIGBUS (a range
 * that lost its PTEs and has no ->fault); a reserved page SIGSEGV. In a fork
 * child a device page may be absent (MADV_DONTFORK): SIGSEGV is fine there.
 */
static void check_page(struct thread_ctx *t, unsigned int slot, unsigned int p)
{
	struct proc_stats *st = t->w->stats;
	int64_t expect = t->arena.pg[slot][p];
	enum touch touch;

	if (t->arena.retired[slot] || expect == PG_HOLE || expect == PG_FOREIGN)
		return;
	touch = guarded_copy(t->scratch, slot_addr(&t->arena, slot, p), t->w->page);
	if (expect == PG_RESERVED) {
		if (touch == TOUCH_SIGSEGV)
			stat_add(&st->reads[RD_SIGSEGV], 1);
		else
			record_mismatch(t, "slot %u page %u is reserved (PROT_NONE) but read %s after %s",
					slot, p, touch == TOUCH_OK ? "data" : "SIGBUS",
					op_name(t->arena.last_op[slot]));
		return;
	}
	if (touch == TOUCH_SIGBUS) {
		stat_add(&st->reads[RD_SIGBUS], 1);
	} else if (touch == TOUCH_SIGSEGV && t->in_child) {
		stat_add(&st->reads[RD_SIGSEGV], 1);
	} else if (touch == TOUCH_OK &&
		   is_pattern_page((const uint64_t *)t->scratch, t->w->page, expect)) {
		stat_add(&st->reads[RD_PATTERN], 1);
	} else {
		const uint64_t *w = (const uint64_t *)t->scratch;

		record_mismatch(t, "slot %u page %u maps region page %lld but read %s (first word %#llx) after %s",
				slot, p, (long long)expect,
				touch == TOUCH_OK ? "other data" : "SIGSEGV",
				touch == TOUCH_OK ? (unsigned long long)w[0] : 0ULL,
				op_name(t->arena.last_op[slot]));
	}
}

/* A successful move keeps every device page's region page. */
static void check_moved(struct thread_ctx *t, const int64_t *before, unsigned int n,
			unsigned int slot, unsigned int first, const char *what)
{
	unsigned int i;

	if (t->arena.retired[slot])
		return;
	for (i = 0; i < n; i++)
		if (before[i] >= 0 && t->arena.pg[slot][first + i] != before[i])
			record_mismatch(t, "%s: page %u was region page %lld, the new VMA says %lld",
					what, i, (long long)before[i],
					(long long)t->arena.pg[slot][first + i]);
}

/* ---- file operations ---- */

static bool op_open(struct thread_ctx *t, const uint64_t *r)
{
	struct worker *w = t->w;
	struct pfnmap_config c = random_config(w, r[1]);
	int *entry = &w->fds[r[0] % FD_POOL], empty = -1;
	int fd = open(w->opts->device, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	ioctl(fd, PFNMAP_IOC_SET_CONFIG, &c);
	if (!__atomic_compare_exchange_n(entry, &empty, fd, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		close(fd);	/* the pool entry is taken: a plain open/close */
	return true;
}

static bool op_close(struct thread_ctx *t, const uint64_t *r)
{
	int fd = __atomic_exchange_n(&t->w->fds[r[0] % FD_POOL], -1, __ATOMIC_ACQ_REL);

	return fd >= 0 && !close(fd);
}

static bool op_config(struct thread_ctx *t, const uint64_t *r)
{
	struct pfnmap_config c = random_config(t->w, r[1]), got = { .size = sizeof(got) };
	struct pfnmap_counters counters = { .size = sizeof(counters) };
	struct pfnmap_info info = { .size = sizeof(info) };
	int fd = pick_fd(t->w, r[0]);
	bool ok;

	if (fd < 0)
		return false;
	ok = !ioctl(fd, PFNMAP_IOC_SET_CONFIG, &c);	/* EBUSY once mapped */
	ioctl(fd, PFNMAP_IOC_GET_CONFIG, &got);
	ioctl(fd, PFNMAP_IOC_FILE_COUNTERS, &counters);
	ioctl(fd, PFNMAP_IOC_GET_INFO, &info);
	return ok;
}

static bool op_rmmod(struct thread_ctx *t, const uint64_t *r)
{
	(void)r;
	/* The coordinator holds the device open: this must fail (EWOULDBLOCK). */
	if (syscall(SYS_delete_module, "pfnmap_dev", O_NONBLOCK) == 0) {
		stat_add(&t->w->stats->rmmod_succeeded, 1);
		return true;
	}
	return false;
}

/* ---- creating and removing mappings ---- */

static bool op_mmap(struct thread_ctx *t, const uint64_t *r)
{
	struct worker *w = t->w;
	int slot = arena_find_free(&t->arena, r[0] % SLOTS, SLOTS), fd = pick_fd(w, r[0] >> 8);
	unsigned int npages = 1 + (r[1] % MAX_MAP_PAGES), pos = (r[1] >> 8) % (SLOT_PAGES - npages + 1);
	uint64_t region_page = (r[2] % (w->region->pages + 2));	/* a few past the end: EINVAL */
	int prot = (r[3] % 4) ? PROT_READ | PROT_WRITE : PROT_READ;
	int flags = MAP_FIXED | (((r[3] >> 8) % 4) ? MAP_SHARED : MAP_PRIVATE);
	void *addr;

	if (slot < 0 || fd < 0)
		return false;
	holes_begin(t);
	addr = mmap(slot_addr(&t->arena, slot, pos), pages(t, npages), prot, flags, fd,
		    (off_t)pages(t, region_page));
	holes_end(t, slot, slot, OP_MMAP);
	return addr != MAP_FAILED;
}

static bool op_munmap(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first = r[1] % SLOT_PAGES;
	unsigned int npages = 1 + (r[2] % (SLOT_PAGES - first));
	int ret;

	if (t->arena.retired[slot])
		return false;
	if (r[3] % 2) {		/* the whole slot: room for new mappings */
		first = 0;
		npages = SLOT_PAGES;
	}
	holes_begin(t);
	ret = munmap(slot_addr(&t->arena, slot, first), pages(t, npages));
	holes_end(t, slot, slot, OP_MUNMAP);
	return !ret;
}

/*
 * A FIXED move of @n pages at @first of @slot into a free slot; with
 * MREMAP_DONTUNMAP the old range stays. Checks that pages keep their region
 * page.
 */
static bool fixed_move(struct thread_ctx *t, const uint64_t *r, unsigned int slot,
		       unsigned int first, unsigned int n, int extra_flags, enum op_kind op)
{
	int to = arena_find_free(&t->arena, r[2] % SLOTS, slot);
	unsigned int pos;
	int64_t before[SLOT_PAGES];
	void *got;

	if (to < 0)
		return false;
	pos = (r[3] % (SLOT_PAGES - n + 1));
	memcpy(before, &t->arena.pg[slot][first], n * sizeof(before[0]));
	holes_begin(t);
	got = mremap(slot_addr(&t->arena, slot, first), pages(t, n), pages(t, n),
		     MREMAP_MAYMOVE | MREMAP_FIXED | extra_flags, slot_addr(&t->arena, to, pos));
	holes_end(t, slot, to, op);
	if (got == MAP_FAILED)
		return false;
	check_moved(t, before, n, to, pos, op_name(op));
	return true;
}

/* Onto a mapping that is there (DONTUNMAP|FIXED over an existing target). */
static bool fixed_move_onto(struct thread_ctx *t, const uint64_t *r, unsigned int slot,
			    unsigned int first, unsigned int n, int extra_flags, enum op_kind op)
{
	unsigned int to = r[2] % SLOTS, pos = (r[3] % (SLOT_PAGES - n + 1));
	void *got;

	if (to == slot || t->arena.retired[to])
		return false;
	holes_begin(t);
	got = mremap(slot_addr(&t->arena, slot, first), pages(t, n), pages(t, n),
		     MREMAP_MAYMOVE | MREMAP_FIXED | extra_flags, slot_addr(&t->arena, to, pos));
	holes_end(t, slot, to, op);
	return got != MAP_FAILED;
}

static bool op_move(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n;

	if (!slot_run(&t->arena, slot, r[1] % SLOT_PAGES, &first, &n) &&
	    !slot_extent(&t->arena, slot, &first, &n))
		return false;
	return fixed_move(t, r, slot, first, n, 0, OP_MOVE);
}

/* The middle of a run: the split hook is asked at both edges. */
static bool op_partial(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n, start, len;

	if (!slot_extent(&t->arena, slot, &first, &n) || n < 3)
		return false;
	start = first + 1 + (r[1] % (n - 2));
	len = 1 + ((r[1] >> 16) % (first + n - 1 - start));
	return fixed_move(t, r, slot, start, len, 0, OP_PARTIAL);
}

/* Reserved pages in front of the device pages: [anon][device] in one FIXED move. */
static bool op_multi_vma(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n, lead;

	if (!slot_extent(&t->arena, slot, &first, &n) || first == 0)
		return false;
	lead = 1 + (r[1] % first);
	return fixed_move(t, r, slot, first - lead, n + lead, 0, OP_MULTI_VMA);
}

/*
 * A mapping the kernel placed (outside the arenas) comes home into a free
 * slot with a FIXED move, or is unmapped. Called with placement held.
 */
static void bring_home(struct thread_ctx *t, const uint64_t *r, void *at, unsigned int n,
		       unsigned int except)
{
	int to = n <= SLOT_PAGES ? arena_find_free(&t->arena, r[3] % SLOTS, except) : -1;

	if (to >= 0 && mremap(at, pages(t, n), pages(t, n), MREMAP_MAYMOVE | MREMAP_FIXED,
			      slot_addr(&t->arena, to, 0)) != MAP_FAILED)
		return;
	stat_add(&t->w->stats->floating_dropped, 1);
	munmap(at, pages(t, n));
}

static bool op_dontunmap(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n;
	void *got;

	if (!slot_run(&t->arena, slot, r[1] % SLOT_PAGES, &first, &n))
		return false;
	pthread_rwlock_wrlock(&t->w->placement);
	got = mremap(slot_addr(&t->arena, slot, first), pages(t, n), pages(t, n),
		     MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	if (got != MAP_FAILED) {
		resync(t);	/* where the old range stays, before choosing a slot */
		bring_home(t, r, got, n, slot);
	}
	holes_end(t, slot, slot, OP_DONTUNMAP);
	return got != MAP_FAILED;
}

static bool op_dontunmap_fixed(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n;

	if (!slot_run(&t->arena, slot, r[1] % SLOT_PAGES, &first, &n))
		return false;
	if ((r[1] >> 32) & 1)
		return fixed_move_onto(t, r, slot, first, n, MREMAP_DONTUNMAP, OP_DONTUNMAP_FIXED);
	return fixed_move(t, r, slot, first, n, MREMAP_DONTUNMAP, OP_DONTUNMAP_FIXED);
}

static bool op_grow_inplace(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n, more = 1 + (r[1] % 4);
	void *got;

	if (!slot_run(&t->arena, slot, r[2] % SLOT_PAGES, &first, &n) ||
	    first + n + more > SLOT_PAGES)
		return false;
	holes_begin(t);
	/* Room to grow into: our reservation after the run goes first. */
	munmap(slot_addr(&t->arena, slot, first + n), pages(t, more));
	got = mremap(slot_addr(&t->arena, slot, first), pages(t, n), pages(t, n + more), 0);
	holes_end(t, slot, slot, OP_GROW_INPLACE);
	return got != MAP_FAILED;
}

static bool op_grow_maymove(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n, more = 1 + (r[1] % 4);
	char *from;
	void *got;

	if (!slot_run(&t->arena, slot, r[2] % SLOT_PAGES, &first, &n))
		return false;
	from = slot_addr(&t->arena, slot, first);
	pthread_rwlock_wrlock(&t->w->placement);
	got = mremap(from, pages(t, n), pages(t, n + more), MREMAP_MAYMOVE);
	if (got != MAP_FAILED && got != from) {
		resync(t);
		bring_home(t, r, got, n + more, SLOTS);
	}
	holes_end(t, slot, slot, OP_GROW_MAYMOVE);
	return got != MAP_FAILED;
}

static bool op_shrink(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n, less;
	void *got;

	if (!slot_run(&t->arena, slot, r[1] % SLOT_PAGES, &first, &n) || n < 2)
		return false;
	less = 1 + (r[2] % (n - 1));
	holes_begin(t);
	got = mremap(slot_addr(&t->arena, slot, first), pages(t, n), pages(t, n - less), 0);
	holes_end(t, slot, slot, OP_SHRINK);
	return got != MAP_FAILED;
}

/* ---- changing mappings in place ---- */

static bool op_madvise(struct thread_ctx *t, const uint64_t *r)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
		MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP,
		MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
		MADV_POPULATE_READ, MADV_POPULATE_WRITE,
	};
	unsigned int slot = r[0] % SLOTS, first = r[1] % SLOT_PAGES;
	unsigned int n = 1 + (r[2] % (SLOT_PAGES - first));

	if (t->arena.retired[slot])
		return false;
	t->arena.last_op[slot] = OP_MADVISE;
	return !madvise(slot_addr(&t->arena, slot, first), pages(t, n),
			advice[r[3] % (sizeof(advice) / sizeof(advice[0]))]);
}

/* Within one run of device pages: our PROT_NONE reservations stay PROT_NONE. */
static bool op_mprotect(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, first, n, start, len;

	if (!slot_run(&t->arena, slot, r[1] % SLOT_PAGES, &first, &n))
		return false;
	start = first + (r[2] % n);
	len = 1 + ((r[2] >> 16) % (first + n - start));
	t->arena.last_op[slot] = OP_MPROTECT;
	return !mprotect(slot_addr(&t->arena, slot, start), pages(t, len),
			 (r[3] % 2) ? PROT_READ : PROT_READ | PROT_WRITE);
}

/* ---- touching mappings ---- */

/* Mostly device pages: from a random page on to the next one, if any. */
static bool op_read(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, p = r[1] % SLOT_PAGES, i;

	if (t->arena.retired[slot])
		return false;
	for (i = 0; (r[2] % 4) && i < SLOT_PAGES; i++)
		if (t->arena.pg[slot][(p + i) % SLOT_PAGES] >= 0) {
			p = (p + i) % SLOT_PAGES;
			break;
		}
	check_page(t, slot, p);
	return true;
}

static bool op_write(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, p = r[1] % SLOT_PAGES;
	uint64_t *word = (uint64_t *)(slot_addr(&t->arena, slot, p) +
				      (r[2] % (t->w->page / 8)) * 8);

	if (t->arena.retired[slot] || t->arena.pg[slot][p] < 0)
		return false;
	return guarded_touch_write(word) == TOUCH_OK;
}

/* Another thread's arena, whatever it holds right now: races with its operations. */
static bool op_touch_foreign(struct thread_ctx *t, const uint64_t *r)
{
	struct worker *w = t->w;
	const struct thread_ctx *other = &w->threads[r[0] % w->nthreads];
	char *page = slot_addr(&other->arena, r[1] % SLOTS, r[2] % SLOT_PAGES);
	uint64_t *word = (uint64_t *)(page + (r[3] % (w->page / 8)) * 8);

	if (guarded_copy(t->scratch, page, w->page) != TOUCH_OK)
		return false;
	return guarded_touch_write(word) == TOUCH_OK;
}

/*
 * Through /proc/self/mem: GUP where it can, the driver's ->access where it
 * cannot. What it reads must be the pattern; the word is written back as read.
 */
static bool op_procmem(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int slot = r[0] % SLOTS, p = r[1] % SLOT_PAGES;
	int64_t expect = t->arena.pg[slot][p];
	char *addr = slot_addr(&t->arena, slot, p);
	size_t page = t->w->page;
	uint64_t word;

	if (t->arena.retired[slot] || expect < 0 || t->w->memfd < 0)
		return false;
	if (pread(t->w->memfd, t->scratch, page, (off_t)(uintptr_t)addr) != (ssize_t)page)
		return false;
	if (!is_pattern_page((const uint64_t *)t->scratch, page, expect)) {
		record_mismatch(t, "/proc/self/mem read of slot %u page %u (region page %lld) gave other data after %s",
				slot, p, (long long)expect, op_name(t->arena.last_op[slot]));
		return true;
	}
	memcpy(&word, t->scratch, sizeof(word));
	if ((r[2] % 2) && pwrite(t->w->memfd, &word, sizeof(word), (off_t)(uintptr_t)addr) < 0)
		return true;
	stat_add(&t->w->stats->reads[RD_PATTERN], 1);
	return true;
}

/* Page table walks from /proc: all of smaps, or the pagemap entries of our arena. */
static bool op_smaps(struct thread_ctx *t, const uint64_t *r)
{
	size_t page = t->w->page, entries = (size_t)SLOTS * SLOT_PAGES;
	off_t at = (off_t)((uintptr_t)t->arena.base / page * sizeof(uint64_t));
	int fd = open((r[0] % 2) ? "/proc/self/smaps" : "/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return false;
	if (r[0] % 2) {
		while ((got = read(fd, t->scratch, SCRATCH_LEN)) > 0)
			;
	} else {
		got = pread(fd, t->scratch, entries * sizeof(uint64_t), at) ==
		      (ssize_t)(entries * sizeof(uint64_t)) ? 0 : -1;
	}
	close(fd);
	return got == 0;
}

/*
 * The child reads its copy of our slots (fork copied every VMA: ->open for
 * each device VMA), changes its copy, and exits (->close for each).
 */
static void fork_child(struct thread_ctx *t, const uint64_t *r)
{
	unsigned int i, first, n, slot;

	t->in_child = true;
	for (i = 0; i < 8; i++)
		check_page(t, (r[1] >> (i * 4)) % SLOTS, (r[2] >> (i * 4)) % SLOT_PAGES);
	slot = r[3] % SLOTS;
	if (slot_extent(&t->arena, slot, &first, &n))
		mremap(slot_addr(&t->arena, slot, first), pages(t, n), pages(t, 1), 0);
	_exit(0);
}

static bool op_fork(struct thread_ctx *t, const uint64_t *r)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0)
		fork_child(t, r);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		stat_add(&t->w->stats->child_crashed, 1);
		record_mismatch(t, "a fork child died of signal %d", WTERMSIG(status));
		return false;
	}
	return true;
}

static bool (*const op_fn[OP_NR])(struct thread_ctx *t, const uint64_t *r) = {
	[OP_OPEN] = op_open, [OP_CLOSE] = op_close, [OP_CONFIG] = op_config,
	[OP_MMAP] = op_mmap, [OP_MUNMAP] = op_munmap, [OP_MOVE] = op_move,
	[OP_PARTIAL] = op_partial, [OP_MULTI_VMA] = op_multi_vma,
	[OP_DONTUNMAP] = op_dontunmap, [OP_DONTUNMAP_FIXED] = op_dontunmap_fixed,
	[OP_GROW_INPLACE] = op_grow_inplace, [OP_GROW_MAYMOVE] = op_grow_maymove,
	[OP_SHRINK] = op_shrink, [OP_MADVISE] = op_madvise, [OP_MPROTECT] = op_mprotect,
	[OP_FORK] = op_fork, [OP_READ] = op_read, [OP_WRITE] = op_write,
	[OP_TOUCH_FOREIGN] = op_touch_foreign, [OP_PROCMEM] = op_procmem,
	[OP_SMAPS] = op_smaps, [OP_RMMOD] = op_rmmod,
};

static enum op_kind draw_op(struct rng *rng)
{
	unsigned int total = 0, i;
	uint64_t x;

	for (i = 0; i < OP_NR; i++)
		total += op_weight[i];
	x = rng_below(rng, total);
	for (i = 0; i < OP_NR; i++) {
		if (x < op_weight[i])
			return (enum op_kind)i;
		x -= op_weight[i];
	}
	return OP_READ;
}

void run_step(struct thread_ctx *t)
{
	enum op_kind op = draw_op(&t->rng);
	uint64_t r[NR_DRAWS];
	unsigned int i;

	for (i = 0; i < NR_DRAWS; i++)
		r[i] = rng_next(&t->rng);
	stat_add(&t->w->stats->attempts[op], 1);
	if (op_fn[op](t, r))
		stat_add(&t->w->stats->succeeded[op], 1);
}
