/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state one case child works on, and the helpers every operation uses to
 * record what it did. A leaf below the operations: mapping.c and ops*.c use
 * it, it uses neither.
 */
#ifndef PFNMAP_OP_CTX_H
#define PFNMAP_OP_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "case.h"
#include "evidence.h"

#define WINDOW	PROBE_WINDOW_PAGES

/*
 * Where things go inside the case's arena (in pages). The arena is address
 * space the child reserved and released again, so every slot is known free
 * and MAP_FIXED_NOREPLACE / MREMAP_FIXED land where the case says:
 *   [2,4)   anon neighbour right before the mapping (multi_vma_move)
 *   [4,12)  the mapping under test
 *   [12,16) room to grow into (grow_inplace) or a guard page (grow_maymove)
 *   [20,30) destination of moves
 *   [40,48) pre-existing target mapping (dontunmap_fixed)
 */
#define ARENA_PAGES		64
#define SLOT_NEIGHBOUR		2
#define NEIGHBOUR_PAGES		2
#define SLOT_WINDOW		4
#define SLOT_ROOM		12
#define SLOT_DEST		20
#define SLOT_TARGET		40
#define GROW_PAGES		12
#define OWNED_MAX		8

struct op_ctx {
	const struct probe_env *env;
	const struct case_def *c;
	size_t ps;			/* page size */
	int fd;				/* device or file; -1 for anonymous */
	uint64_t obj_offset;		/* object offset of the window's first page */
	uint64_t map_base;		/* mmap offset of the object's start on fd */
	char *arena;
	char *addr;			/* the mapping under test (window) */
	size_t len;
	struct range ranges[RANGE_NR];	/* what the VmFlags evidence looks at */
	struct range owned[OWNED_MAX];	/* unmapped at the end of the case */
	int nr_owned;
	uintptr_t expect_mremap_start;	/* where ->mremap should see the VMA; 0 n/a */
	bool began;			/* op_begin() ran */
	long arg;			/* the operation row's argument */
	struct case_result *res;
};

void op_begin(struct op_ctx *ctx);
void own_range(struct op_ctx *ctx, void *addr, size_t len);
void set_range(struct op_ctx *ctx, enum range_slot slot, const void *addr,
	       size_t npages);
/* set_ret() also notes the levels, for the real family (PFNMAP_IOC_PT_QUERY). */
void set_ret(struct op_ctx *ctx, bool ok, int err);
void note_levels(struct op_ctx *ctx, const char *when);

static inline char *arena_slot(const struct op_ctx *ctx, unsigned int page)
{
	return ctx->arena + page * ctx->ps;
}

#endif
