// SPDX-License-Identifier: GPL-2.0
/*
 * The huge family: the module's huge insert style (->huge_fault inserting PMD
 * and PUD leaves, like vfio-pci since 6.12), operated on at leaf granularity.
 *
 * Each operation maps its own window at region offset 0 and at an address
 * aligned to the leaf (2 MiB for huge.pmd, 1 GiB for huge.pud; the region's
 * physical base must be aligned the same), touches one word of every leaf so
 * that the driver inserts it, and records the page-table level of the ranges
 * right before and right after the operation through PFNMAP_IOC_PT_QUERY:
 * nothing walks the VMA (smaps would split, for a special VMA zap, a PUD
 * leaf and hide what mremap did). Only then are the ranges read, sampled (the
 * first, the middle and the last page: a 1 GiB window has 262144), and the
 * faults those reads cost counted: 0 when every entry survived.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ops.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define NR_SAMPLES	3

struct huge_layout {
	size_t leaf;		/* bytes one leaf maps */
	size_t len;		/* the window */
	char *base;		/* the window, leaf-aligned */
	char *dest;		/* a free leaf-aligned destination */
};

static void set_level(struct op_ctx *ctx, enum outcome_field f, const void *addr)
{
	const char *level = pt_level(ctx->fd, addr);

	if (level)
		set_field(ctx->res, f, level);
	else
		note_add(ctx->res, "PT_QUERY for %s: %s", outcome_fields[f].name,
			 errno_name(errno));
}

/* The first, the middle and the last page of [addr, addr + len). */
static void read_sampled(struct op_ctx *ctx, enum outcome_field f, const char *addr,
			 size_t len, uint64_t first_offset)
{
	size_t at[NR_SAMPLES] = { 0, len / 2, len - ctx->ps };
	enum page_class cls[NR_SAMPLES];
	char buf[PROBE_FIELD_LEN];
	int i;

	for (i = 0; i < NR_SAMPLES; i++)
		classify_pages(addr + at[i], 1, first_offset + at[i], ctx->ps, &cls[i]);
	set_field(ctx->res, f, rle_format(cls, NR_SAMPLES, NAMES_PAGES, buf, sizeof(buf)));
}

static int64_t faults_served(const struct pfnmap_counters *c)
{
	return (int64_t)(c->count[PFNMAP_CNT_FAULTS] + c->count[PFNMAP_CNT_PMD_FAULTS] +
			 c->count[PFNMAP_CNT_PUD_FAULTS]);
}

/*
 * Reserve room for the window and what follows it (a destination two windows
 * on, room to grow), align it, give it back, map the window at offset 0 and
 * touch every leaf. False with a setup outcome if any of that fails.
 */
static bool huge_setup(struct op_ctx *ctx, struct huge_layout *l)
{
	size_t reserve;
	char *res, *p;
	size_t off;

	l->leaf = huge_leaf_size(ctx->c->mapping);
	l->len = huge_window_len(ctx->c->mapping);
	reserve = 5 * l->len + l->leaf;
	res = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (res == MAP_FAILED) {
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "arena:%s", errno_name(errno));
		return false;
	}
	munmap(res, reserve);
	l->base = (char *)(((uintptr_t)res + l->leaf - 1) & ~(uintptr_t)(l->leaf - 1));
	l->dest = l->base + 2 * l->len;

	ctx->obj_offset = 0;
	p = mmap(l->base, l->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE,
		 ctx->fd, 0);
	if (p != l->base) {
		if (p != MAP_FAILED)
			munmap(p, l->len);
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "mmap:%s",
				 errno_name(p == MAP_FAILED ? errno : EEXIST));
		return false;
	}
	own_range(ctx, p, l->len);
	ctx->addr = p;
	ctx->len = l->len;
	set_range(ctx, RANGE_OLD, p, l->len / ctx->ps);
	/*
	 * One touch per leaf, on its second page: the sampled pages (first,
	 * middle, last) are then in no TLB entry that an operation could leave
	 * stale under TCG, whose soft TLB holds 4 KiB pages, so refaults counts
	 * page-table entries, not TLB luck. On hardware a stale 1 GiB TLB entry
	 * would still serve them all.
	 */
	for (off = 0; off < l->len; off += l->leaf) {
		enum page_class cls;

		classify_pages(p + off + ctx->ps, 1, off + ctx->ps, ctx->ps, &cls);
	}
	set_level(ctx, FIELD_LEVEL_BEFORE, p);
	op_begin(ctx);
	return true;
}

/*
 * After the operation: the levels first, before anything touches the ranges,
 * then the sampled reads and the faults they cost. @new is NULL when the
 * operation made no new range; @old_len is 0 when the old range is gone (a
 * read there would only test whether a stale TLB entry survived, which
 * varies from run to run: docs/findings/mremap-huge-pud.md).
 */
static void huge_after(struct op_ctx *ctx, const char *old, size_t old_len,
		       const char *new, size_t new_len, uint64_t new_offset)
{
	unsigned int fields = ctx->c->op->fields;
	struct pfnmap_counters before, after;
	bool counted;
	char buf[24];

	if (fields & F(LEVEL_OLD))
		set_level(ctx, FIELD_LEVEL_OLD, old);
	if (new && (fields & F(LEVEL_NEW)))
		set_level(ctx, FIELD_LEVEL_NEW, new);
	counted = !counters_read(ctx->fd, PFNMAP_IOC_FILE_COUNTERS, &before);
	if ((fields & F(OLD)) && old_len)
		read_sampled(ctx, FIELD_OLD, old, old_len, 0);
	if (new && (fields & F(NEW)))
		read_sampled(ctx, FIELD_NEW, new, new_len, new_offset);
	if (counted && !counters_read(ctx->fd, PFNMAP_IOC_FILE_COUNTERS, &after)) {
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)(faults_served(&after) - faults_served(&before)));
		set_field(ctx->res, FIELD_REFAULTS, buf);
	}
}

/* mremap @len bytes at @old (the window or part of it) to @to; the rest as huge_after. */
static void huge_mremap(struct op_ctx *ctx, const struct huge_layout *l, char *old,
			size_t old_len, size_t new_len, int flags, char *to)
{
	char *new = do_mremap(old, old_len, new_len, flags, to);
	bool moved = new != MAP_FAILED;
	int err = errno;
	bool dontunmap = flags & MREMAP_DONTUNMAP;

	set_ret(ctx, moved, err);
	if (moved && new != old) {
		own_range(ctx, new, new_len);
		set_range(ctx, RANGE_NEW, new, new_len / ctx->ps);
	}
	if (!moved) {
		huge_after(ctx, l->base, l->len, NULL, 0, 0);
	} else if (new == old) {
		/* Resized in place: the old range is what stayed, the new one what grew. */
		size_t kept = old_len < new_len ? old_len : new_len;

		huge_after(ctx, l->base, kept, new_len > old_len ? new + old_len : NULL,
			   new_len > old_len ? new_len - old_len : 0, old_len);
	} else if (old == l->base && !dontunmap) {
		/* The whole window moved: the old range is gone. */
		huge_after(ctx, l->base, 0, new, new_len, 0);
	} else {
		/* DONTUNMAP keeps the old range; a half move keeps the other half. */
		huge_after(ctx, l->base, old == l->base ? l->len : (size_t)(old - l->base),
			   new, new_len, (uint64_t)(old - l->base));
	}
}

void op_huge_map(struct op_ctx *ctx)
{
	struct huge_layout l;

	if (!huge_setup(ctx, &l))
		return;
	set_field(ctx->res, FIELD_RET, "ok");
	huge_after(ctx, l.base, l.len, NULL, 0, 0);
}

/* arg: the destination's distance from a leaf boundary (0: aligned), or HUGE_DEST_HALF_LEAF. */
void op_huge_move(struct op_ctx *ctx)
{
	struct huge_layout l;
	size_t off;

	if (!huge_setup(ctx, &l))
		return;
	off = ctx->arg == HUGE_DEST_HALF_LEAF ? l.leaf / 2 : (size_t)ctx->arg;
	huge_mremap(ctx, &l, l.base, l.len, l.len, MREMAP_MAYMOVE | MREMAP_FIXED, l.dest + off);
}

/* The window's second half (huge.pmd: one whole leaf; huge.pud: half a leaf). */
void op_huge_move_half(struct op_ctx *ctx)
{
	struct huge_layout l;

	if (!huge_setup(ctx, &l))
		return;
	huge_mremap(ctx, &l, l.base + l.len / 2, l.len / 2, l.len / 2,
		    MREMAP_MAYMOVE | MREMAP_FIXED, l.dest);
}

void op_huge_shrink(struct op_ctx *ctx)
{
	struct huge_layout l;

	if (!huge_setup(ctx, &l))
		return;
	huge_mremap(ctx, &l, l.base, l.len, l.len / 2, 0, NULL);
}

void op_huge_grow(struct op_ctx *ctx)
{
	struct huge_layout l;

	if (!huge_setup(ctx, &l))
		return;
	huge_mremap(ctx, &l, l.base, l.len, 2 * l.len, 0, NULL);
}

void op_huge_dontunmap(struct op_ctx *ctx)
{
	struct huge_layout l;

	if (!huge_setup(ctx, &l))
		return;
	huge_mremap(ctx, &l, l.base, l.len, l.len,
		    MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, l.dest);
}

/* mprotect PROT_READ of the second half: the old range is the first half. */
void op_huge_mprotect_half(struct op_ctx *ctx)
{
	struct huge_layout l;
	char *half;
	int r;

	if (!huge_setup(ctx, &l))
		return;
	half = l.base + l.len / 2;
	r = mprotect(half, l.len / 2, PROT_READ);
	set_ret(ctx, r == 0, errno);
	huge_after(ctx, l.base, l.len / 2, half, l.len / 2, l.len / 2);
}

void op_huge_munmap_half(struct op_ctx *ctx)
{
	struct huge_layout l;
	int r;

	if (!huge_setup(ctx, &l))
		return;
	r = munmap(l.base + l.len / 2, l.len / 2);
	set_ret(ctx, r == 0, errno);
	huge_after(ctx, l.base, l.len / 2, NULL, 0, 0);
}

/* What a forked child sees: its level before touching, then its sampled read. */
struct child_view {
	char level[16];
	char pages[PROBE_FIELD_LEN];
};

void op_huge_fork(struct op_ctx *ctx)
{
	struct child_view view = { "-", "-" };
	struct huge_layout l;
	int pfd[2], status;
	pid_t pid;

	if (!huge_setup(ctx, &l))
		return;
	if (pipe(pfd) < 0) {
		set_ret(ctx, false, errno);
		return;
	}
	pid = fork();
	if (pid == 0) {
		const char *level = pt_level(ctx->fd, l.base);

		close(pfd[0]);
		copy_str(view.level, sizeof(view.level), level ? level : "-");
		read_sampled(ctx, FIELD_CHILD, l.base, l.len, 0);
		copy_str(view.pages, sizeof(view.pages), ctx->res->fields[FIELD_CHILD]);
		_exit(write(pfd[1], &view, sizeof(view)) == sizeof(view) ? 0 : 1);
	}
	close(pfd[1]);
	set_ret(ctx, pid > 0, errno);
	if (pid > 0) {
		if (read(pfd[0], &view, sizeof(view)) != sizeof(view))
			note_add(ctx->res, "the child reported nothing");
		waitpid(pid, &status, 0);
	}
	close(pfd[0]);
	set_field(ctx->res, FIELD_LEVEL_CHILD, view.level);
	set_field(ctx->res, FIELD_CHILD, view.pages);
	huge_after(ctx, l.base, l.len, NULL, 0, 0);
}
