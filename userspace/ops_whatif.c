// SPDX-License-Identifier: GPL-2.0
/*
 * What-if follow-ups: "is MREMAP_DONTUNMAP on VM_PFNMAP safe?". On stock
 * kernels DONTUNMAP and growing a VM_PFNMAP VMA fail early, and these
 * operations mostly record that. On a kernel with VM_PFNMAP taken out of
 * mremap's checks (kernels/variants.tsv) they go on to what an existing
 * driver would then face: a fork that copies both ranges, the teardown of
 * both VMAs, and faults beyond the region through a grown VMA. The driver's
 * side (->mremap calls, out-of-region faults, ->close per range) and the x86
 * PAT memtype count are part of the outcome.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ops.h"

/* DONTUNMAP the window to an address of the kernel's choice; NULL if refused. */
static void *dontunmap_window(struct op_ctx *ctx)
{
	void *r = do_mremap(ctx->addr, ctx->len, ctx->len,
			    MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);

	set_ret(ctx, r != MAP_FAILED, errno);
	if (r == MAP_FAILED)
		return NULL;
	set_range(ctx, RANGE_NEW, r, WINDOW);
	ctx->expect_mremap_start = (uintptr_t)r;
	return r;
}

/*
 * After DONTUNMAP, fork: dup_mmap() copies both VMAs (and, for PFNMAP and
 * MIXEDMAP, their PTEs). The child reads first, so that the parent's reads
 * cannot fault anything in that the fork would then copy.
 */
void op_dontunmap_fork(struct op_ctx *ctx)
{
	char child[PROBE_FIELD_LEN];
	void *addrs[2];
	void *r;

	op_begin(ctx);
	r = dontunmap_window(ctx);
	if (r)
		own_range(ctx, r, ctx->len);
	addrs[0] = ctx->addr;
	addrs[1] = r;
	fork_and_read_windows(ctx, addrs, 2, child, sizeof(child));
	set_field(ctx->res, FIELD_CHILD, child);
	read_window(ctx, FIELD_OLD, ctx->addr);
	if (r)
		read_window(ctx, FIELD_NEW, r);
}

/* "old", "old*2", "" for the ->close calls one munmap caused. */
static void closed_word(const char *name, int64_t n, char *buf, size_t len)
{
	if (n == 1)
		snprintf(buf, len, "%s", name);
	else if (n > 1)
		snprintf(buf, len, "%s*%lld", name, (long long)n);
	else
		buf[0] = '\0';
}

/*
 * After DONTUNMAP, tear both ranges down and close the file: the driver must
 * see ->close for the old VMA and for the new one, and end with no live VMA
 * (the parent's balance check then covers the release).
 */
void op_dontunmap_munmap(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	struct pfnmap_counters before, after;
	char words[2][24], closed[2 * 24 + 2], live[24];
	void *ranges[2];
	const char *names[2] = { "old", "new" };
	bool counted = true;
	int i;

	op_begin(ctx);
	ranges[0] = ctx->addr;
	ranges[1] = dontunmap_window(ctx);
	if (counters_read(ctx->fd, PFNMAP_IOC_FILE_COUNTERS, &before))
		counted = false;
	for (i = 0; i < 2; i++) {
		words[i][0] = '\0';
		if (!ranges[i])
			continue;
		if (munmap(ranges[i], ctx->len))
			note_add(res, "munmap %s: %s", names[i], errno_name(errno));
		if (counted && counters_read(ctx->fd, PFNMAP_IOC_FILE_COUNTERS, &after))
			counted = false;
		if (counted) {
			closed_word(names[i], (int64_t)(after.count[PFNMAP_CNT_VM_CLOSES] -
							before.count[PFNMAP_CNT_VM_CLOSES]),
				    words[i], sizeof(words[i]));
			before = after;
		}
	}
	if (counted) {
		snprintf(closed, sizeof(closed), "%s%s%s", words[0],
			 words[0][0] && words[1][0] ? "+" : "", words[1]);
		set_field(res, FIELD_CLOSED, closed[0] ? closed : "none");
		snprintf(live, sizeof(live), "%lld",
			 (long long)before.count[PFNMAP_CNT_LIVE_VMAS]);
		set_field(res, FIELD_LIVE, live);
		/* The file goes away with the fd: these are its last counters. */
		res->file_after = before;
		res->counters_final = true;
	} else {
		res->have_file_counters = false;
		note_add(res, "FILE_COUNTERS unreadable: closed/live unknown");
	}
	close(ctx->fd);
	ctx->fd = -1;
}

/*
 * Grow with MAYMOVE, then unmap only the grown tail. On 6.12 with VM_PFNMAP
 * out of the grow check, untrack_pfn() of the tail piece of a remap_pfn_range
 * VMA finds no PTE to learn its pfn from and WARNs in get_pat_info()
 * (docs/findings/relax-pfnmap-6.12-grown-tail.md); 7.2's refcounted tracking
 * does not ask. The log and the PAT count are the outcome.
 */
void op_grow_unmap_tail(struct op_ctx *ctx)
{
	void *r;

	/*
	 * A guard after the window: with room there, 6.4+ tries to expand a
	 * VM_SPECIAL VMA in place, fails (ENOMEM) and does not fall back to a
	 * move even with MREMAP_MAYMOVE.
	 */
	if (!map_marker(ctx, arena_slot(ctx, SLOT_ROOM), 1, PROT_NONE))
		return;
	op_begin(ctx);
	r = do_mremap(ctx->addr, ctx->len, 2 * ctx->len, MREMAP_MAYMOVE, NULL);
	set_ret(ctx, r != MAP_FAILED, errno);
	if (r == MAP_FAILED)
		return;
	own_range(ctx, r, ctx->len);
	set_range(ctx, RANGE_NEW, r, WINDOW);
	ctx->expect_mremap_start = (uintptr_t)r;
	if (munmap((char *)r + ctx->len, ctx->len))
		note_add(ctx->res, "munmap of the tail: %s", errno_name(errno));
}
