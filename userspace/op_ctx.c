// SPDX-License-Identifier: GPL-2.0
/* The case context's bookkeeping: what to unmap, what to look at, the result. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "op_ctx.h"

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

/*
 * Evidence "before": VmFlags of the ranges (not where smaps would split huge
 * leaves: mapping_has_huge_leaves()), the file counters, and the x86
 * PAT memtypes over the window's physical range (a memmap= region only: RAM
 * is tracked in page flags, never in the list).
 */
void op_begin(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	const struct region_phys *region = &ctx->env->region;

	if (!mapping_has_huge_leaves(ctx->c->mapping))
		vmflags_snapshot(ctx->ranges, res->vmflags_before);
	if (mapping_on_region(ctx->c->mapping) && region->valid && region->listed)
		pat_memtypes_range(region->phys + ctx->obj_offset, ctx->len, res->memtype,
				   sizeof(res->memtype));
	if (ctx->c->mapping->kind == MAP_KIND_DEVICE && ctx->fd >= 0) {
		int err = counters_read(ctx->fd, PFNMAP_IOC_FILE_COUNTERS,
					&res->file_before);

		res->have_file_counters = !err;
		if (err)
			note_add(res, "FILE_COUNTERS: %s", errno_name(-err));
	}
	ctx->began = true;
}

/*
 * Page-table levels as a note: the first page of the old range, and of the
 * new one when there is one. "unknown" on a module without
 * PFNMAP_IOC_PT_QUERY.
 */
void note_levels(struct op_ctx *ctx, const char *when)
{
	const struct range *r = ctx->ranges;
	int fd = open(ctx->env->device_path, O_RDWR | O_CLOEXEC);
	const char *old = fd < 0 ? NULL : pt_level(fd, (void *)r[RANGE_OLD].start);
	const char *new = fd < 0 || !r[RANGE_NEW].len ? NULL :
			  pt_level(fd, (void *)r[RANGE_NEW].start);

	if (fd >= 0)
		close(fd);
	if (!r[RANGE_NEW].len)
		note_add(ctx->res, "level %s: old=%s", when, old ? old : "unknown");
	else
		note_add(ctx->res, "level %s: old=%s new=%s", when, old ? old : "unknown",
			 new ? new : "unknown");
}

void set_ret(struct op_ctx *ctx, bool ok, int err)
{
	/* Right after the call, before anything touches the ranges and refaults them. */
	if (ctx->c->mapping->family == FAMILY_REAL)
		note_levels(ctx, "after the call");
	if (ok)
		set_field(ctx->res, FIELD_RET, "ok");
	else
		set_field_errno(ctx->res, FIELD_RET, err);
}
