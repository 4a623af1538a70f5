// SPDX-License-Identifier: GPL-2.0
/*
 * The operations. Each one runs in the case child with the window already
 * mapped at ctx->addr (unless it maps itself), calls op_begin() right before
 * the syscall under test (that is when "before" evidence is taken), and fills
 * the outcome fields it declares in the operations[] table.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ops.h"

/* ---- helpers ------------------------------------------------------------- */

void own_range(struct op_ctx *ctx, void *addr, size_t len)
{
	if (ctx->nr_owned < OWNED_MAX) {
		ctx->owned[ctx->nr_owned].start = (uintptr_t)addr;
		ctx->owned[ctx->nr_owned].len = len;
		ctx->nr_owned++;
	}
}

void set_range(struct op_ctx *ctx, enum range_slot slot, const void *addr,
	       size_t npages)
{
	ctx->ranges[slot].start = (uintptr_t)addr;
	ctx->ranges[slot].len = npages * ctx->ps;
}

/* Evidence "before": VmFlags of the ranges and the file counters. */
void op_begin(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;

	vmflags_snapshot(ctx->ranges, res->vmflags_before);
	if (ctx->c->mapping->kind == MAP_KIND_DEVICE && ctx->fd >= 0) {
		int err = counters_read(ctx->fd, PFNMAP_IOC_FILE_COUNTERS,
					&res->file_before);

		res->have_file_counters = !err;
		if (err)
			note_add(res, "FILE_COUNTERS: %s", errno_name(-err));
	}
	ctx->began = true;
}

/* mremap through the raw syscall: the libc wrapper is variadic and old ones
 * do not pass new_address through. */
void *do_mremap(void *old, size_t old_len, size_t new_len, int flags,
		void *new_addr)
{
	long r = syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);

	return r == -1 ? MAP_FAILED : (void *)r;
}

/* Class string for @npages at @addr whose first page holds object page @first. */
static void read_field(struct op_ctx *ctx, enum outcome_field f, const void *addr,
		size_t npages, uint64_t first_offset)
{
	enum page_class cls[GROW_PAGES + NEIGHBOUR_PAGES];
	char buf[PROBE_FIELD_LEN];

	classify_pages(addr, npages, first_offset, ctx->ps, cls);
	set_field(ctx->res, f, rle_format(cls, npages,
					  f == FIELD_TARGET ? NAMES_TARGET : NAMES_PAGES,
					  buf, sizeof(buf)));
}

void read_window(struct op_ctx *ctx, enum outcome_field f, const void *addr)
{
	read_field(ctx, f, addr, WINDOW, ctx->obj_offset);
}

/* An anonymous helper mapping full of MARKER_WORD, so it tells apart from data. */
static void *map_marker(struct op_ctx *ctx, void *at, size_t npages, int prot)
{
	void *p = mmap(at, npages * ctx->ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || p != at) {
		/* The case cannot be what it says: report it as a setup failure. */
		snprintf(ctx->res->special, sizeof(ctx->res->special), "setup=helper:%s",
			 p == MAP_FAILED ? errno_name(errno) : "EEXIST");
		if (p != MAP_FAILED)
			munmap(p, npages * ctx->ps);
		return NULL;
	}
	own_range(ctx, p, npages * ctx->ps);
	fill_marker(p, npages, ctx->ps);
	if (prot != (PROT_READ | PROT_WRITE))
		mprotect(p, npages * ctx->ps, prot);
	return p;
}

/*
 * A child reads @nr windows (NULL: a range that does not exist, "-"); their
 * classifications come back joined with "/" in @out, or "fork:<errno>".
 */
void fork_and_read_windows(struct op_ctx *ctx, void *const *addrs, int nr,
			   char *out, size_t outlen)
{
	int pfd[2];
	pid_t pid;
	ssize_t n;

	snprintf(out, outlen, "-");
	if (pipe(pfd) < 0)
		return;
	pid = fork();
	if (pid < 0) {
		snprintf(out, outlen, "fork:%s", errno_name(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		enum page_class cls[WINDOW];
		char buf[PROBE_FIELD_LEN], one[PROBE_FIELD_LEN];
		int i;

		close(pfd[0]);
		buf[0] = '\0';
		for (i = 0; i < nr; i++) {
			if (addrs[i]) {
				classify_pages(addrs[i], WINDOW, ctx->obj_offset, ctx->ps, cls);
				rle_format(cls, WINDOW, NAMES_PAGES, one, sizeof(one));
			} else {
				snprintf(one, sizeof(one), "-");
			}
			if (i)
				strncat(buf, "/", sizeof(buf) - strlen(buf) - 1);
			strncat(buf, one, sizeof(buf) - strlen(buf) - 1);
		}
		if (write(pfd[1], buf, strlen(buf) + 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(out, outlen, "lost");
	close(pfd[0]);
	waitpid(pid, NULL, 0);
}

/* A child reads the window; returns its classification in @out. */
static void fork_and_read(struct op_ctx *ctx, char *out, size_t outlen)
{
	void *addrs[1] = { ctx->addr };

	fork_and_read_windows(ctx, addrs, 1, out, outlen);
}

void set_ret(struct op_ctx *ctx, bool ok, int err)
{
	if (ok)
		set_field(ctx->res, FIELD_RET, "ok");
	else
		set_field_errno(ctx->res, FIELD_RET, err);
}

/* ---- map and read/write ---------------------------------------------------- */

static void op_map_verify(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;

	op_begin(ctx);
	set_field(res, FIELD_RET, "ok");
	read_window(ctx, FIELD_OLD, ctx->addr);
	/* One word in the middle of the first page: not the page's first word. */
	set_field(res, FIELD_WRITE,
		  probe_write_word((volatile uint64_t *)(ctx->addr + 8 * 8)));
}

static void op_map_private(struct op_ctx *ctx)
{
	char *at = arena_slot(ctx, SLOT_WINDOW);
	void *p;

	set_range(ctx, RANGE_OLD, at, WINDOW);
	op_begin(ctx);
	p = mapping_map(ctx, at, true);
	set_ret(ctx, p != MAP_FAILED, errno);
	if (p == MAP_FAILED)
		return;
	ctx->addr = p;
	read_window(ctx, FIELD_OLD, p);
}

/* ---- mremap ------------------------------------------------------------------- */

static void op_move(struct op_ctx *ctx)
{
	char *dest = arena_slot(ctx, SLOT_DEST);
	void *r;

	set_range(ctx, RANGE_NEW, dest, WINDOW);
	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, ctx->len, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
	set_ret(ctx, r != MAP_FAILED, errno);
	own_range(ctx, dest, ctx->len);
	ctx->expect_mremap_start = (uintptr_t)dest;
	read_window(ctx, FIELD_OLD, ctx->addr);
	read_window(ctx, FIELD_NEW, dest);
}

static void op_grow_inplace(struct op_ctx *ctx)
{
	uint64_t off = ctx->obj_offset;
	void *r;

	/* The room after the window, [SLOT_ROOM, +4), is free by construction. */
	set_range(ctx, RANGE_NEW, ctx->addr, GROW_PAGES);
	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, GROW_PAGES * ctx->ps, 0, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (r == MAP_FAILED)
		return;
	own_range(ctx, r, GROW_PAGES * ctx->ps);
	read_field(ctx, FIELD_NEW, r, GROW_PAGES, off);
}

/* Also the body of the what-if grow_touch, which differs only in where it maps. */
void grow_maymove_and_read(struct op_ctx *ctx)
{
	void *r;

	/* A guard right after the window so growing in place is impossible. */
	if (!map_marker(ctx, arena_slot(ctx, SLOT_ROOM), 1, PROT_NONE))
		return;
	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, GROW_PAGES * ctx->ps, MREMAP_MAYMOVE, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (r == MAP_FAILED)
		return;
	own_range(ctx, r, GROW_PAGES * ctx->ps);
	set_range(ctx, RANGE_NEW, r, GROW_PAGES);
	ctx->expect_mremap_start = (uintptr_t)r;
	read_field(ctx, FIELD_NEW, r, GROW_PAGES, ctx->obj_offset);
}

static void op_grow_maymove(struct op_ctx *ctx)
{
	grow_maymove_and_read(ctx);
}

static void op_shrink(struct op_ctx *ctx)
{
	void *r;

	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, ctx->len / 2, 0, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
}

static void op_dontunmap(struct op_ctx *ctx)
{
	void *r;

	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, ctx->len,
		      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (r == MAP_FAILED)
		return;
	own_range(ctx, r, ctx->len);
	set_range(ctx, RANGE_NEW, r, WINDOW);
	ctx->expect_mremap_start = (uintptr_t)r;
	read_window(ctx, FIELD_NEW, r);
}

static void op_dontunmap_fixed(struct op_ctx *ctx)
{
	char *target = map_marker(ctx, arena_slot(ctx, SLOT_TARGET), WINDOW,
				  PROT_READ | PROT_WRITE);
	void *r;

	if (!target)
		return;
	set_range(ctx, RANGE_TARGET, target, WINDOW);
	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, ctx->len,
		      MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, target);
	set_ret(ctx, r != MAP_FAILED, errno);
	ctx->expect_mremap_start = (uintptr_t)target;
	read_window(ctx, FIELD_OLD, ctx->addr);
	read_field(ctx, FIELD_TARGET, target, WINDOW, ctx->obj_offset);
}

static void op_dontunmap_resize(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	void *r;

	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, ctx->len / 2,
		      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	if (r != MAP_FAILED) {
		own_range(ctx, r, ctx->len / 2);
		note_add(res, "DONTUNMAP with a new size was accepted: moved to %p", r);
	}
	read_window(ctx, FIELD_OLD, ctx->addr);
}

/* Move pages [2,6) of the window: the VMA must split at both edges. */
static void op_partial_move(struct op_ctx *ctx)
{
	char *dest = arena_slot(ctx, SLOT_DEST);
	size_t first = 2, npages = 4;
	void *r;

	set_range(ctx, RANGE_NEW, dest, npages);
	op_begin(ctx);
	r = do_mremap(ctx->addr + first * ctx->ps, npages * ctx->ps, npages * ctx->ps,
		      MREMAP_MAYMOVE | MREMAP_FIXED, dest);
	set_ret(ctx, r != MAP_FAILED, errno);
	own_range(ctx, dest, npages * ctx->ps);
	ctx->expect_mremap_start = (uintptr_t)dest;
	read_window(ctx, FIELD_OLD, ctx->addr);
	read_field(ctx, FIELD_NEW, dest, npages, ctx->obj_offset + first * ctx->ps);
}

/* [anon neighbour][window] moved in one call: one range, two VMAs. */
static void op_multi_vma_move(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	char *start = arena_slot(ctx, SLOT_NEIGHBOUR);
	char *dest = arena_slot(ctx, SLOT_DEST);
	size_t total = NEIGHBOUR_PAGES + WINDOW;
	enum page_class cls[NEIGHBOUR_PAGES + WINDOW];
	char buf[PROBE_FIELD_LEN];
	void *r;

	/* Read-only so it cannot merge with an anon-private window. */
	if (!map_marker(ctx, start, NEIGHBOUR_PAGES, PROT_READ))
		return;
	set_range(ctx, RANGE_OLD, start, total);
	set_range(ctx, RANGE_NEW, dest, total);
	op_begin(ctx);
	r = do_mremap(start, total * ctx->ps, total * ctx->ps,
		      MREMAP_MAYMOVE | MREMAP_FIXED, dest);
	set_ret(ctx, r != MAP_FAILED, errno);
	own_range(ctx, dest, total * ctx->ps);
	ctx->expect_mremap_start = (uintptr_t)dest + NEIGHBOUR_PAGES * ctx->ps;

	classify_pages(start, NEIGHBOUR_PAGES, NO_PATTERN, ctx->ps, cls);
	classify_pages(ctx->addr, WINDOW, ctx->obj_offset, ctx->ps, cls + NEIGHBOUR_PAGES);
	set_field(res, FIELD_OLD, rle_format(cls, total, NAMES_PAGES, buf, sizeof(buf)));
	classify_pages(dest, NEIGHBOUR_PAGES, NO_PATTERN, ctx->ps, cls);
	classify_pages(dest + NEIGHBOUR_PAGES * ctx->ps, WINDOW, ctx->obj_offset,
		       ctx->ps, cls + NEIGHBOUR_PAGES);
	set_field(res, FIELD_NEW, rle_format(cls, total, NAMES_PAGES, buf, sizeof(buf)));
}

/* ---- fork, madvise, mprotect, mlock ------------------------------------------ */

static void op_fork_read(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	char child[PROBE_FIELD_LEN];

	op_begin(ctx);
	fork_and_read(ctx, child, sizeof(child));
	set_field(res, FIELD_RET, strncmp(child, "fork:", 5) ? "ok" : child + 5);
	set_field(res, FIELD_CHILD, child);
	read_window(ctx, FIELD_OLD, ctx->addr);
}

static void madvise_case(struct op_ctx *ctx, int advice, bool then_fork)
{
	int r;

	op_begin(ctx);
	r = madvise(ctx->addr, ctx->len, advice);
	set_ret(ctx, r == 0, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (then_fork) {
		char child[PROBE_FIELD_LEN];

		fork_and_read(ctx, child, sizeof(child));
		set_field(ctx->res, FIELD_CHILD, child);
	}
}

static void op_madvise_dontneed(struct op_ctx *ctx)
{
	madvise_case(ctx, MADV_DONTNEED, false);
}

static void op_madvise_free(struct op_ctx *ctx)
{
	madvise_case(ctx, MADV_FREE, false);
}

static void op_madvise_cold(struct op_ctx *ctx)
{
	madvise_case(ctx, MADV_COLD, false);
}

static void op_madvise_pageout(struct op_ctx *ctx)
{
	madvise_case(ctx, MADV_PAGEOUT, false);
}

static void op_madvise_wipeonfork(struct op_ctx *ctx)
{
	madvise_case(ctx, MADV_WIPEONFORK, true);
}

static void op_madvise_populate_read(struct op_ctx *ctx)
{
	madvise_case(ctx, MADV_POPULATE_READ, false);
}

static void op_mprotect(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	int r;

	op_begin(ctx);
	r = mprotect(ctx->addr, ctx->len, PROT_READ);
	set_ret(ctx, r == 0, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	set_field(res, FIELD_WRITE,
		  probe_write_word((volatile uint64_t *)(ctx->addr + 8 * 8)));
}

static void op_mlock(struct op_ctx *ctx)
{
	int r;

	op_begin(ctx);
	r = mlock(ctx->addr, ctx->len);
	set_ret(ctx, r == 0, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (!r)
		munlock(ctx->addr, ctx->len);
}

/* ---- userfaultfd ---------------------------------------------------------------- */

static void op_uffd_register(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
#ifdef __NR_userfaultfd
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)ctx->addr, .len = ctx->len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd;

	op_begin(ctx);
	fd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EPERM) {
		/* vm.unprivileged_userfaultfd=0: user-mode-only faults are still allowed (5.11+) */
		fd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
		if (fd < 0)
			errno = EPERM;	/* report the first refusal, not the retry's */
	}
	if (fd < 0) {
		set_field_errno(res, FIELD_RET, errno);
		note_add(res, "userfaultfd() failed");
		return;
	}
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		set_field_errno(res, FIELD_RET, errno);
		note_add(res, "UFFDIO_API failed");
		close(fd);
		return;
	}
	if (ioctl(fd, UFFDIO_REGISTER, &reg) < 0) {
		set_field_errno(res, FIELD_RET, errno);
		note_add(res, "UFFDIO_REGISTER failed");
		close(fd);
		return;
	}
	set_field(res, FIELD_RET, "ok");
	/* Unregister before anything can touch a missing page and block on us. */
	ioctl(fd, UFFDIO_UNREGISTER, &reg.range);
	close(fd);
#else
	set_field(res, FIELD_RET, "ENOSYS");
	note_add(res, "built without __NR_userfaultfd");
#endif
}

/* ---- access from "outside": /proc/self/mem and process_vm_readv ---------------- */

static void classify_read_buffer(struct op_ctx *ctx, const char *buf, ssize_t got,
				 int err)
{
	enum page_class cls[WINDOW];
	char out[PROBE_FIELD_LEN];
	size_t i, npages = got > 0 ? (size_t)got / ctx->ps : 0;

	if (got < 0) {
		set_field_errno(ctx->res, FIELD_RET, err);
		return;
	}
	set_field(ctx->res, FIELD_RET, (size_t)got == ctx->len ? "ok" : "short");
	if ((size_t)got != ctx->len)
		note_add(ctx->res, "read %zd of %zu bytes", got, ctx->len);
	for (i = 0; i < npages; i++)
		cls[i] = classify_buffer(buf + i * ctx->ps, ctx->ps,
					 ctx->obj_offset + i * ctx->ps);
	if (npages)
		set_field(ctx->res, FIELD_READ, rle_format(cls, npages, NAMES_PAGES,
							   out, sizeof(out)));
}

static void op_procmem(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	char *buf = malloc(ctx->len);
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (!buf || fd < 0) {
		set_field(res, FIELD_RET, fd < 0 ? errno_name(errno) : "ENOMEM");
		note_add(res, "could not open /proc/self/mem");
		free(buf);
		if (fd >= 0)
			close(fd);
		return;
	}
	op_begin(ctx);
	got = pread(fd, buf, ctx->len, (off_t)(uintptr_t)ctx->addr);
	classify_read_buffer(ctx, buf, got, errno);
	close(fd);
	free(buf);
}

static void op_process_vm_readv(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	char *buf = malloc(ctx->len);
	struct iovec local, remote;
	ssize_t got;

	if (!buf) {
		set_field(res, FIELD_RET, "ENOMEM");
		return;
	}
	local.iov_base = buf;
	local.iov_len = ctx->len;
	remote.iov_base = ctx->addr;
	remote.iov_len = ctx->len;
	op_begin(ctx);
	got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	classify_read_buffer(ctx, buf, got, errno);
	free(buf);
}

/* ---- the table ------------------------------------------------------------------- */

#define OLD_NEW		(F(RET) | F(OLD) | F(NEW))
#define WHATIF_FIELDS	(F(MREMAP_CALLS) | F(PAT))

const struct operation_def operations[] = {
	{ "map_verify", op_map_verify, F(RET) | F(OLD) | F(WRITE),
	  "map, read every page, write one word, read it back, restore it", 0 },
	{ "map_private", op_map_private, F(RET) | F(OLD),
	  "mmap MAP_PRIVATE, read every page", OP_MAPS_ITSELF },
	{ "move", op_move, OLD_NEW,
	  "mremap same size MAYMOVE|FIXED to a free address", 0 },
	{ "grow_inplace", op_grow_inplace, OLD_NEW,
	  "mremap 8 -> 12 pages, flags 0, the room after the mapping is free", 0 },
	{ "grow_maymove", op_grow_maymove, OLD_NEW,
	  "mremap 8 -> 12 pages MAYMOVE, a guard page blocks growing in place", 0 },
	{ "shrink", op_shrink, F(RET) | F(OLD),
	  "mremap 8 -> 4 pages in place", 0 },
	{ "dontunmap", op_dontunmap, OLD_NEW,
	  "mremap same size MAYMOVE|DONTUNMAP, kernel picks the address", 0 },
	{ "dontunmap_fixed", op_dontunmap_fixed, F(RET) | F(OLD) | F(TARGET),
	  "mremap MAYMOVE|FIXED|DONTUNMAP onto an existing anon mapping full of markers", 0 },
	{ "dontunmap_resize", op_dontunmap_resize, F(RET) | F(OLD),
	  "mremap 8 -> 4 pages MAYMOVE|DONTUNMAP (old != new)", 0 },
	{ "partial_move", op_partial_move, OLD_NEW,
	  "mremap pages 2..5 of 8 MAYMOVE|FIXED to a free address (split at both edges)", 0 },
	{ "multi_vma_move", op_multi_vma_move, OLD_NEW,
	  "mremap MAYMOVE|FIXED of [2 anon pages][8 mapped pages] in one call", 0 },
	{ "fork_read", op_fork_read, F(RET) | F(OLD) | F(CHILD),
	  "fork, the child reads every page", 0 },
	{ "madvise_dontneed", op_madvise_dontneed, F(RET) | F(OLD),
	  "madvise MADV_DONTNEED, read every page", 0 },
	{ "madvise_free", op_madvise_free, F(RET) | F(OLD),
	  "madvise MADV_FREE, read every page", 0 },
	{ "madvise_cold", op_madvise_cold, F(RET) | F(OLD),
	  "madvise MADV_COLD, read every page", 0 },
	{ "madvise_pageout", op_madvise_pageout, F(RET) | F(OLD),
	  "madvise MADV_PAGEOUT, read every page", 0 },
	{ "madvise_wipeonfork", op_madvise_wipeonfork, F(RET) | F(OLD) | F(CHILD),
	  "madvise MADV_WIPEONFORK, read every page, fork, the child reads", 0 },
	{ "madvise_populate_read", op_madvise_populate_read, F(RET) | F(OLD),
	  "madvise MADV_POPULATE_READ, read every page", 0 },
	{ "mprotect", op_mprotect, F(RET) | F(OLD) | F(WRITE),
	  "mprotect PROT_READ, read every page, try a write", 0 },
	{ "mlock", op_mlock, F(RET) | F(OLD),
	  "mlock, read every page, munlock", 0 },
	{ "uffd_register", op_uffd_register, F(RET),
	  "userfaultfd, UFFDIO_API, UFFDIO_REGISTER MODE_MISSING over the mapping", 0 },
	{ "procmem", op_procmem, F(RET) | F(READ),
	  "pread /proc/self/mem at the mapping", 0 },
	{ "process_vm_readv", op_process_vm_readv, F(RET) | F(READ),
	  "process_vm_readv of the mapping from our own pid", 0 },

	/* What-if follow-ups to dontunmap and grow (ops_whatif.c). */
	{ "dontunmap_fork", op_dontunmap_fork, OLD_NEW | F(CHILD) | WHATIF_FIELDS,
	  "mremap MAYMOVE|DONTUNMAP, fork, the child reads old/new, then we read them", 0 },
	{ "dontunmap_munmap", op_dontunmap_munmap,
	  F(RET) | F(CLOSED) | F(LIVE) | WHATIF_FIELDS,
	  "mremap MAYMOVE|DONTUNMAP, munmap old then new (counting ->close), close the fd", 0 },
	{ "grow_touch", op_grow_touch, OLD_NEW | F(OOR) | WHATIF_FIELDS,
	  "map the region's last 8 pages, mremap to 12 MAYMOVE past a guard, read the tail",
	  OP_AT_REGION_END },

	/* The module's ABI: what each bad input gets (ops_abi.c). */
	{ "unknown_ioctl", op_abi_unknown_ioctl, F(RET),
	  "an ioctl number the module does not know", OP_MAPS_ITSELF },
	{ "config_bad_insert", op_abi_config_bad_insert, F(RET),
	  "SET_CONFIG with insert=99", OP_MAPS_ITSELF },
	{ "config_bad_mremap_hook", op_abi_config_bad_mremap_hook, F(RET),
	  "SET_CONFIG with mremap_hook=99", OP_MAPS_ITSELF },
	{ "config_bad_split_hook", op_abi_config_bad_split_hook, F(RET),
	  "SET_CONFIG with split_hook=99", OP_MAPS_ITSELF },
	{ "config_unknown_flag", op_abi_config_unknown_flag, F(RET),
	  "SET_CONFIG with the lowest flag bit the ABI does not define", OP_MAPS_ITSELF },
	{ "config_reserved", op_abi_config_reserved, F(RET),
	  "SET_CONFIG with reserved=1", OP_MAPS_ITSELF },
	{ "config_bad_size", op_abi_config_bad_size, F(RET),
	  "SET_CONFIG with size=sizeof+4", OP_MAPS_ITSELF },
	{ "config_access_phys_pages", op_abi_config_access_phys, F(RET),
	  "SET_CONFIG with ACCESS_PHYS on a region of kernel pages",
	  OP_MAPS_ITSELF | OP_PAGES_REGION_ONLY },
	{ "config_after_mmap", op_abi_config_after_mmap, F(RET) | F(CONFIG),
	  "SET_CONFIG after mmap, then GET_CONFIG: is the old config kept?", 0 },
	{ "mmap_beyond_region", op_abi_mmap_beyond_region, F(RET),
	  "mmap 8 pages at an offset 4 pages before the region's end", OP_MAPS_ITSELF },
	{ "mmap_offset_overflow", op_abi_mmap_offset_overflow, F(RET),
	  "mmap at page offset (ULONG_MAX >> PAGE_SHIFT) - 16 (raw syscall)", OP_MAPS_ITSELF },
	{ "fault_map_private", op_abi_fault_map_private, F(RET),
	  "SET_CONFIG insert=fault, then mmap MAP_PRIVATE", OP_MAPS_ITSELF },
	{ "info_bad_size", op_abi_info_bad_size, F(RET),
	  "GET_INFO with size=sizeof-8", OP_MAPS_ITSELF },
	{ "counters_bad_size", op_abi_counters_bad_size, F(RET),
	  "FILE_COUNTERS with size=sizeof+8", OP_MAPS_ITSELF },
	{ "unload_busy", op_abi_unload_busy, F(RET) | F(OLD) | F(LOADED),
	  "map, close the fd, delete_module(O_NONBLOCK): only the VMA holds the module",
	  OP_SOLE_DEVICE_USER },
};
const size_t nr_operations = sizeof(operations) / sizeof(operations[0]);

bool op_maps_itself(const struct operation_def *op)
{
	return op->flags & OP_MAPS_ITSELF;
}
