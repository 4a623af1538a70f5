/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operations a case runs (ops.c, ops_whatif.c, ops_abi.c) and the
 * helpers they share. cases.c puts them in its table; nothing else calls them.
 */
#ifndef PFNMAP_OPS_H
#define PFNMAP_OPS_H

#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "mm_compat.h"
#include "op_ctx.h"
#include "readback.h"

/* ops.c: helpers the other operation files share */
void *do_mremap(void *old, size_t old_len, size_t new_len, int flags,
		void *new_addr);
void read_window(struct op_ctx *ctx, enum outcome_field f, const void *addr);
/* An anon mapping of markers at @at (owned by the case); NULL with a setup outcome. */
void *map_marker(struct op_ctx *ctx, void *at, size_t npages, int prot);
void fork_and_read_windows(struct op_ctx *ctx, void *const *addrs, int nr,
			   char *out, size_t outlen);

/* ops.c: the mapping-level operations */
void op_map_verify(struct op_ctx *ctx);
void op_map_private(struct op_ctx *ctx);
void op_move(struct op_ctx *ctx);
void op_grow_inplace(struct op_ctx *ctx);
void op_grow_maymove(struct op_ctx *ctx);
void op_shrink(struct op_ctx *ctx);
void op_dontunmap(struct op_ctx *ctx);
void op_dontunmap_fixed(struct op_ctx *ctx);
void op_dontunmap_resize(struct op_ctx *ctx);
void op_partial_move(struct op_ctx *ctx);
void op_partial_move_cold(struct op_ctx *ctx);
void op_dontunmap_partial(struct op_ctx *ctx);
void op_dontunmap_partial_cold(struct op_ctx *ctx);
void op_multi_vma_move(struct op_ctx *ctx);
void op_fork_read(struct op_ctx *ctx);
void op_madvise(struct op_ctx *ctx);		/* arg: the advice */
void op_madvise_then_fork(struct op_ctx *ctx);	/* arg: the advice */
void op_mprotect(struct op_ctx *ctx);
void op_mlock(struct op_ctx *ctx);
void op_uffd_register(struct op_ctx *ctx);
void op_procmem(struct op_ctx *ctx);
void op_process_vm_readv(struct op_ctx *ctx);
void op_procmem_cow(struct op_ctx *ctx);
void op_memtype(struct op_ctx *ctx);

/* ops_whatif.c: follow-ups for kernels that let DONTUNMAP/grow through */
void op_dontunmap_fork(struct op_ctx *ctx);
void op_dontunmap_munmap(struct op_ctx *ctx);
void op_grow_unmap_tail(struct op_ctx *ctx);

/* ops_huge.c: the huge family, at leaf granularity */
void op_huge_map(struct op_ctx *ctx);
void op_huge_move(struct op_ctx *ctx);		/* arg: destination misalignment */
#define HUGE_DEST_HALF_LEAF	1	/* op_huge_move's arg for "half a leaf off" */
void op_huge_move_half(struct op_ctx *ctx);
void op_huge_shrink(struct op_ctx *ctx);
void op_huge_grow(struct op_ctx *ctx);
void op_huge_dontunmap(struct op_ctx *ctx);
void op_huge_mprotect_half(struct op_ctx *ctx);
void op_huge_munmap_half(struct op_ctx *ctx);
void op_huge_fork(struct op_ctx *ctx);

/* ops_abi.c: the module's answers to bad input */
void op_abi_unknown_ioctl(struct op_ctx *ctx);
void op_abi_config_member(struct op_ctx *ctx);	/* arg: ABI_CFG_* */
void op_abi_config_after_mmap(struct op_ctx *ctx);
void op_abi_mmap_beyond_region(struct op_ctx *ctx);
void op_abi_mmap_offset_overflow(struct op_ctx *ctx);
void op_abi_fault_map_private(struct op_ctx *ctx);
void op_abi_fault_map_shared_rdonly(struct op_ctx *ctx);
void op_abi_size(struct op_ctx *ctx);		/* arg: ABI_SIZE_* */
void op_abi_info_bad_size(struct op_ctx *ctx);
void op_abi_counters_bad_size(struct op_ctx *ctx);
void op_abi_unload_busy(struct op_ctx *ctx);

/* What op_abi_config_member breaks in an otherwise good SET_CONFIG. */
enum abi_config_breakage {
	ABI_CFG_BAD_INSERT,
	ABI_CFG_BAD_MREMAP_HOOK,
	ABI_CFG_BAD_SPLIT_HOOK,
	ABI_CFG_UNKNOWN_FLAG,
	ABI_CFG_RESERVED,
	ABI_CFG_BAD_SIZE,
	ABI_CFG_ACCESS_PHYS,
	ABI_CFG_HUGE,
};

/* What op_abi_size sends: the size rules of the uapi header, one each. */
enum abi_size_case {
	ABI_SIZE_SET_CONFIG_BIGGER,
	ABI_SIZE_SET_CONFIG_TAIL_SET,
	ABI_SIZE_GET_CONFIG_SMALL,
	ABI_SIZE_GET_CONFIG_BIGGER,
	ABI_SIZE_INFO_BIGGER,
	ABI_SIZE_COUNTERS_BIGGER,
};

#endif
