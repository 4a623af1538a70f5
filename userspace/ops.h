/* SPDX-License-Identifier: GPL-2.0 */
/* The state one case child works on, and the operations' helpers. */
#ifndef PFNMAP_OPS_H
#define PFNMAP_OPS_H

#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "evidence.h"
#include "probe.h"
#include "readback.h"

/* Older libcs lack these; the values are ABI. */
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE		1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED		2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MADV_FREE
#define MADV_FREE		8
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK		18
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif

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
	char *arena;
	char *addr;			/* the mapping under test (window) */
	size_t len;
	struct range ranges[RANGE_NR];	/* what the VmFlags evidence looks at */
	struct range owned[OWNED_MAX];	/* unmapped at the end of the case */
	int nr_owned;
	uintptr_t expect_mremap_start;	/* where ->mremap should see the VMA; 0 n/a */
	bool began;			/* op_begin() ran */
	struct case_result *res;
};

/* mapping.c */
int mapping_open(struct op_ctx *ctx, char *step, size_t steplen);
void *mapping_map(struct op_ctx *ctx, void *at, bool private_map);
void mapping_close(struct op_ctx *ctx);

/* ops.c */
extern const struct operation_def operations[];
extern const size_t nr_operations;
void op_begin(struct op_ctx *ctx);
void own_range(struct op_ctx *ctx, void *addr, size_t len);
bool op_maps_itself(const struct operation_def *op);
void set_range(struct op_ctx *ctx, enum range_slot slot, const void *addr,
	       size_t npages);
void set_ret(struct op_ctx *ctx, bool ok, int err);
void *do_mremap(void *old, size_t old_len, size_t new_len, int flags,
		void *new_addr);
void read_window(struct op_ctx *ctx, enum outcome_field f, const void *addr);
void grow_maymove_and_read(struct op_ctx *ctx);
void fork_and_read_windows(struct op_ctx *ctx, void *const *addrs, int nr,
			   char *out, size_t outlen);

/* ops_whatif.c: follow-ups for kernels that let DONTUNMAP/grow through */
void op_dontunmap_fork(struct op_ctx *ctx);
void op_dontunmap_munmap(struct op_ctx *ctx);
void op_grow_touch(struct op_ctx *ctx);

/* ops_abi.c: the module's answers to bad input */
void op_abi_unknown_ioctl(struct op_ctx *ctx);
void op_abi_config_bad_insert(struct op_ctx *ctx);
void op_abi_config_bad_mremap_hook(struct op_ctx *ctx);
void op_abi_config_bad_split_hook(struct op_ctx *ctx);
void op_abi_config_unknown_flag(struct op_ctx *ctx);
void op_abi_config_reserved(struct op_ctx *ctx);
void op_abi_config_bad_size(struct op_ctx *ctx);
void op_abi_config_access_phys(struct op_ctx *ctx);
void op_abi_config_after_mmap(struct op_ctx *ctx);
void op_abi_mmap_beyond_region(struct op_ctx *ctx);
void op_abi_mmap_offset_overflow(struct op_ctx *ctx);
void op_abi_fault_map_private(struct op_ctx *ctx);
void op_abi_info_bad_size(struct op_ctx *ctx);
void op_abi_counters_bad_size(struct op_ctx *ctx);
void op_abi_unload_busy(struct op_ctx *ctx);

static inline char *arena_slot(const struct op_ctx *ctx, unsigned int page)
{
	return ctx->arena + page * ctx->ps;
}

#endif
