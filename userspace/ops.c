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

#include "mapping.h"
#include "ops.h"

/* ---- helpers ------------------------------------------------------------- */

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
void *map_marker(struct op_ctx *ctx, void *at, size_t npages, int prot)
{
	void *p = mmap(at, npages * ctx->ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || p != at) {
		/* The case cannot be what it says: report it as a setup failure. */
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "helper:%s",
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

/* ---- map and read/write ---------------------------------------------------- */

void op_map_verify(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;

	op_begin(ctx);
	set_field(res, FIELD_RET, "ok");
	read_window(ctx, FIELD_OLD, ctx->addr);
	/* One word in the middle of the first page: not the page's first word. */
	set_field(res, FIELD_WRITE,
		  probe_write_word((volatile uint64_t *)(ctx->addr + 8 * 8)));
}

void op_map_private(struct op_ctx *ctx)
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

void op_move(struct op_ctx *ctx)
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

void op_grow_inplace(struct op_ctx *ctx)
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

/* Also the what-if grow_touch, which differs only in where it maps (OP_AT_REGION_END). */
void op_grow_maymove(struct op_ctx *ctx)
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

void op_shrink(struct op_ctx *ctx)
{
	void *r;

	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, ctx->len / 2, 0, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
}

void op_dontunmap(struct op_ctx *ctx)
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

void op_dontunmap_fixed(struct op_ctx *ctx)
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

void op_dontunmap_resize(struct op_ctx *ctx)
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
void op_partial_move(struct op_ctx *ctx)
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

/* OP on the window mapped afresh with nothing read: its pages fault in only after the call. */
static void run_cold(struct op_ctx *ctx, void (*op)(struct op_ctx *ctx))
{
	if (mapping_map(ctx, ctx->addr, false) == MAP_FAILED) {
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "mmap:%s", errno_name(errno));
		return;
	}
	op(ctx);
}

/*
 * partial_move of a window nothing has read yet: its pages fault in only after
 * the move, in VMAs that no longer start at the window's first page. A driver
 * that finds the object page from vm_start instead of vm_pgoff maps the wrong
 * pages there.
 */
void op_partial_move_cold(struct op_ctx *ctx)
{
	run_cold(ctx, op_partial_move);
}

/*
 * DONTUNMAP of pages [2,6) (where the kernel lets it through). The old VMA is not
 * split (move_vma() ends in dontunmap_complete(), not in an unmap): it refaults
 * pages 2..5 itself. The new range is a VMA that starts at the window's page 2.
 */
void op_dontunmap_partial(struct op_ctx *ctx)
{
	size_t first = 2, npages = 4;
	void *r;

	op_begin(ctx);
	r = do_mremap(ctx->addr + first * ctx->ps, npages * ctx->ps, npages * ctx->ps,
		      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (r == MAP_FAILED)
		return;
	own_range(ctx, r, npages * ctx->ps);
	set_range(ctx, RANGE_NEW, r, npages);
	ctx->expect_mremap_start = (uintptr_t)r;
	read_field(ctx, FIELD_NEW, r, npages, ctx->obj_offset + first * ctx->ps);
}

/*
 * dontunmap_partial of a window nothing has read yet: the moved pages fault in
 * first in the new VMA, which a driver counting from vm_start gets wrong.
 */
void op_dontunmap_partial_cold(struct op_ctx *ctx)
{
	run_cold(ctx, op_dontunmap_partial);
}

/* [anon neighbour][window] moved in one call: one range, two VMAs. */
void op_multi_vma_move(struct op_ctx *ctx)
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

void op_fork_read(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	char child[PROBE_FIELD_LEN];

	op_begin(ctx);
	fork_and_read(ctx, child, sizeof(child));
	set_field(res, FIELD_RET, strncmp(child, "fork:", 5) ? "ok" : child + 5);
	set_field(res, FIELD_CHILD, child);
	read_window(ctx, FIELD_OLD, ctx->addr);
}

static void madvise_and_read(struct op_ctx *ctx, bool then_fork)
{
	int r;

	op_begin(ctx);
	r = madvise(ctx->addr, ctx->len, (int)ctx->arg);
	set_ret(ctx, r == 0, errno);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (then_fork) {
		char child[PROBE_FIELD_LEN];

		fork_and_read(ctx, child, sizeof(child));
		set_field(ctx->res, FIELD_CHILD, child);
	}
}

void op_madvise(struct op_ctx *ctx)
{
	madvise_and_read(ctx, false);
}

void op_madvise_then_fork(struct op_ctx *ctx)
{
	madvise_and_read(ctx, true);
}

void op_mprotect(struct op_ctx *ctx)
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

void op_mlock(struct op_ctx *ctx)
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

void op_uffd_register(struct op_ctx *ctx)
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

/* pread the window through /proc/self/mem (op_begin() right before it). */
static void procmem_read_window(struct op_ctx *ctx)
{
	char *buf = malloc(ctx->len);
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (!buf || fd < 0) {
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "procmem:%s",
				 fd < 0 ? errno_name(errno) : "ENOMEM");
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

void op_procmem(struct op_ctx *ctx)
{
	procmem_read_window(ctx);
}

/*
 * ->access through a COWed page: a private writable mapping, one word written
 * (the first page is now an anonymous copy, its PTE no longer the driver's),
 * then /proc/self/mem, whose GUP refuses VM_PFNMAP and falls back to
 * vm_ops->access. ret is the mmap's errno if it failed, else the pread's; the
 * kernel's log lines are the parent's (log).
 */
void op_procmem_cow(struct op_ctx *ctx)
{
	char *at = arena_slot(ctx, SLOT_WINDOW);
	void *p;

	set_range(ctx, RANGE_OLD, at, WINDOW);
	p = mapping_map(ctx, at, true);
	if (p == MAP_FAILED) {
		set_field_errno(ctx->res, FIELD_RET, errno);
		return;
	}
	ctx->addr = p;
	set_field(ctx->res, FIELD_WRITE,
		  probe_write_word((volatile uint64_t *)(ctx->addr + 8 * 8)));
	procmem_read_window(ctx);
}

/*
 * The memtype the mapping really got is not visible from user space; the x86
 * PAT reservations over its physical range are. The window was read once
 * before (every page faulted in), so a fault personality has inserted its
 * pfns: without a reservation they went in UC-, remap_pfn_range reserved WB.
 */
void op_memtype(struct op_ctx *ctx)
{
	char types[PROBE_FIELD_LEN];

	op_begin(ctx);
	set_field(ctx->res, FIELD_RET, "ok");
	if (pat_memtypes_range(ctx->env->region.valid ? ctx->env->region.phys + ctx->obj_offset : 0,
			       ctx->env->region.valid ? ctx->len : 0, types, sizeof(types)) < 0) {
		note_add(ctx->res, "%s or %s not readable", PAT_MEMTYPE_LIST, PFNMAP_REGION_DEBUGFS);
		return;
	}
	set_field(ctx->res, FIELD_MEMTYPE, types);
}

void op_process_vm_readv(struct op_ctx *ctx)
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
