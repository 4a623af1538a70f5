// SPDX-License-Identifier: GPL-2.0
/*
 * The case table. Mappings are declared by their family's axes; operations
 * by one designated row each, saying which mappings they apply to (ON_*).
 * The case list is every (mapping, operation) pair a row applies to, in
 * mapping order and then row order:
 *
 * - ctl.*: ordinary mappings (no module), for comparison.
 * - dev.<insert>.<dx|nodx>.<mremap>.<split>: the module's 36 personalities;
 *   the mremap and what-if rows apply to all of them, the others to the
 *   plain driver of each insert style (dev.<insert>.dx.none.allow).
 * - dev.<insert>.dx.none.allow.access: ->access through generic_access_phys,
 *   refused by the module on COW mappings.
 * - hazard.*: mappings that make the kernel misbehave on purpose (the module
 *   with PFNMAP_CFG_UNSAFE_ACCESS_COW, /dev/mem); skipped unless --hazards.
 * - real.<driver>[.<align>]: real in-kernel drivers (real.h): vfio-pci on the
 *   ivshmem BAR, /dev/mem over a memmap= range; the mapping-level rows.
 * - abi: the module's answers to bad input. It comes last, and unload_busy
 *   last of all: should the module ever unload, no other case is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "ops.h"

static const char *const ctl_kinds[] = {
	"anon-private", "anon-shared", "memfd", "tmpfs-file", NULL,
};
/* The dev family's insert styles; huge has a family of its own (leaf-sized windows). */
static const char *const insert_values[] = { "remap", "fault", "mixed", "vepc", NULL };
static const enum pfnmap_insert dev_inserts[] = {
	PFNMAP_INSERT_REMAP, PFNMAP_INSERT_FAULT, PFNMAP_INSERT_MIXED, PFNMAP_INSERT_VEPC,
};
static const char *const dontexpand_values[] = { "keep", "clear", NULL };
static const char *const mremap_values[] = { "none", "track", "refuse", NULL };
static const char *const split_values[] = { "allow", "refuse", NULL };
static const char *const access_values[] = { "none", "phys", NULL };
static const char *const hazard_drivers[] = { "pfnmap-unsafe-cow", "devmem", NULL };
static const char *const leaf_values[] = { "pmd", "pud", NULL };
static const char *const real_drivers[] = { "vfio", "devmem", "drm", NULL };
static const char *const real_aligns[] = { "unaligned", "2m", "1g", NULL };

const struct family_def mapping_families[FAMILY_NR] = {
	[FAMILY_CTL] = {
		.name = "ctl",
		.what = "ordinary mappings, no module: the comparison",
		.axes = { { "kind", ctl_kinds } },
		.nr_axes = 1,
	},
	[FAMILY_DEV] = {
		.name = "dev",
		.what = "/dev/pfnmap personalities: how a driver inserts pages, whether it keeps "
			"VM_DONTEXPAND, its ->mremap and split hooks, ->access",
		.axes = {
			[DEV_INSERT] = { "insert", insert_values },
			[DEV_DONTEXPAND] = { "dontexpand", dontexpand_values },
			[DEV_MREMAP_HOOK] = { "mremap_hook", mremap_values },
			[DEV_SPLIT_HOOK] = { "split_hook", split_values },
			[DEV_ACCESS] = { "access", access_values },
		},
		.nr_axes = 5,
	},
	[FAMILY_HAZARD] = {
		.name = "hazard",
		.what = "drivers set up to make the kernel misbehave (a WARN or worse), to show that it "
			"does: pfnmap_dev with PFNMAP_CFG_UNSAFE_ACCESS_COW (remap, ->access on COW "
			"mappings too) and /dev/mem, both over the module's memmap= region; run only "
			"with --hazards, in a boot of their own",
		.axes = { { "driver", hazard_drivers } },
		.nr_axes = 1,
	},
	[FAMILY_ABI] = {
		.name = "abi",
		.what = "the module's ioctl/mmap ABI on its plain remap personality",
		.nr_axes = 0,
	},
	[FAMILY_HUGE] = {
		.name = "huge",
		.what = "/dev/pfnmap's huge insert style (->huge_fault, PMD and PUD leaves, like "
			"vfio-pci since 6.12) at leaf granularity: huge.pmd maps two 2 MiB leaves, "
			"huge.pud one 1 GiB leaf (a 1 GiB-aligned region of 1 GiB: --huge); "
			"dontexpand as in dev",
		.axes = { [HUGE_LEAF] = { "leaf", leaf_values },
			  [HUGE_DONTEXPAND] = { "dontexpand", dontexpand_values } },
		.nr_axes = 2,
	},
	[FAMILY_REAL] = {
		.name = "real",
		.what = "real in-kernel drivers, no module involved in the mapping: vfio-pci in "
			"no-IOMMU mode on the BAR of QEMU's ivshmem-plain device (real MMIO, no "
			"struct page), /dev/mem over a memmap= range the module does not claim, and "
			"a DRM dumb buffer per case (bochs-drm on QEMU's VGA: GEM VRAM up to 6.12, "
			"GEM SHMEM from 7.2; the drm flavor, e.g. --kernels 7.2+drm); the probe "
			"writes the module's pattern into each first; run with ./run-qemu.sh --real",
		.axes = {
			[REAL_DRIVER] = { "driver", real_drivers },
			[REAL_ALIGN] = { "align", real_aligns },
		},
		.nr_axes = 2,
	},
};

static const enum mapping_kind ctl_map_kinds[] = {
	MAP_KIND_ANON_PRIVATE, MAP_KIND_ANON_SHARED, MAP_KIND_MEMFD, MAP_KIND_TMPFS_FILE,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_CONTROLS	ARRAY_SIZE(ctl_map_kinds)
#define NR_DEV_INSERTS	ARRAY_SIZE(dev_inserts)
#define NR_PERSONALITIES (NR_DEV_INSERTS * 2 * PFNMAP_MREMAP_NR * PFNMAP_SPLIT_NR)
#define NR_HUGE		(LEAF_NR * 2)
#define NR_REAL		(REAL_ALIGN_NR + 2)	/* vfio at each alignment, devmem, drm */
#define NR_MAPPINGS	(NR_CONTROLS + NR_PERSONALITIES + NR_DEV_INSERTS + HAZARD_NR + \
			 NR_HUGE + NR_REAL + 1)

#define ROW_OLD_NEW	(F(RET) | F(OLD) | F(NEW))
#define ROW_WHATIF	(F(MREMAP_CALLS) | F(PAT))
#define ON_MREMAP	(ON_CTL | ON_DEV | ON_REAL)	/* every mapping-level mremap case */
#define ON_OTHER	(ON_CTL | ON_DEV_PLAIN | ON_REAL) /* the rest: controls, plain and real drivers */
#define ROW_HUGE	(F(RET) | F(LEVEL_BEFORE) | F(LEVEL_OLD) | F(OLD) | F(REFAULTS) | F(LOG))
#define ROW_HUGE_NEW	(ROW_HUGE | F(LEVEL_NEW) | F(NEW))

const struct operation_def operations[] = {
	{ .name = "map_verify", .run = op_map_verify, .applies = ON_OTHER,
	  .fields = F(RET) | F(OLD) | F(WRITE),
	  .what = "map, read every page, write one word, read it back, restore it" },
	{ .name = "map_private", .run = op_map_private,
	  .applies = ON_CTL_FILE | ON_DEV_PLAIN | ON_REAL,
	  .fields = F(RET) | F(OLD), .flags = OP_MAPS_ITSELF,
	  .what = "mmap MAP_PRIVATE, read every page" },
	{ .name = "fork_read", .run = op_fork_read, .applies = ON_OTHER, .key = true,
	  .fields = F(RET) | F(OLD) | F(CHILD),
	  .what = "fork, the child reads every page" },
	{ .name = "madvise_dontneed", .run = op_madvise, .arg = MADV_DONTNEED,
	  .applies = ON_OTHER, .fields = F(RET) | F(OLD),
	  .what = "madvise MADV_DONTNEED, read every page" },
	{ .name = "madvise_free", .run = op_madvise, .arg = MADV_FREE,
	  .applies = ON_OTHER, .fields = F(RET) | F(OLD),
	  .what = "madvise MADV_FREE, read every page" },
	{ .name = "madvise_cold", .run = op_madvise, .arg = MADV_COLD,
	  .applies = ON_OTHER, .fields = F(RET) | F(OLD),
	  .what = "madvise MADV_COLD, read every page" },
	{ .name = "madvise_pageout", .run = op_madvise, .arg = MADV_PAGEOUT,
	  .applies = ON_OTHER, .fields = F(RET) | F(OLD),
	  .what = "madvise MADV_PAGEOUT, read every page" },
	{ .name = "madvise_wipeonfork", .run = op_madvise_then_fork, .arg = MADV_WIPEONFORK,
	  .applies = ON_OTHER, .fields = F(RET) | F(OLD) | F(CHILD),
	  .what = "madvise MADV_WIPEONFORK, read every page, fork, the child reads" },
	{ .name = "madvise_populate_read", .run = op_madvise, .arg = MADV_POPULATE_READ,
	  .applies = ON_OTHER, .fields = F(RET) | F(OLD),
	  .what = "madvise MADV_POPULATE_READ, read every page" },
	{ .name = "mprotect", .run = op_mprotect, .applies = ON_OTHER,
	  .fields = F(RET) | F(OLD) | F(WRITE),
	  .what = "mprotect PROT_READ, read every page, try a write" },
	{ .name = "mlock", .run = op_mlock, .applies = ON_OTHER, .fields = F(RET) | F(OLD),
	  .what = "mlock, read every page, munlock" },
	{ .name = "uffd_register", .run = op_uffd_register, .applies = ON_OTHER,
	  .fields = F(RET),
	  .what = "userfaultfd, UFFDIO_API, UFFDIO_REGISTER MODE_MISSING over the mapping" },
	{ .name = "procmem", .run = op_procmem, .applies = ON_OTHER | ON_DEV_ACCESS,
	  .fields = F(RET) | F(READ),
	  .what = "pread /proc/self/mem at the mapping" },
	{ .name = "process_vm_readv", .run = op_process_vm_readv,
	  .applies = ON_OTHER | ON_DEV_ACCESS, .fields = F(RET) | F(READ),
	  .what = "process_vm_readv of the mapping from our own pid" },
	{ .name = "procmem_cow", .run = op_procmem_cow, .applies = ON_DEV_ACCESS | ON_HAZARD,
	  .fields = F(RET) | F(WRITE) | F(READ) | F(LOG), .flags = OP_MAPS_ITSELF,
	  .what = "mmap MAP_PRIVATE read-write, write one word (COW), pread /proc/self/mem "
		  "at the mapping (falls back to ->access)" },
	{ .name = "memtype", .run = op_memtype, .applies = ON_DEV_PLAIN | ON_DEV_ACCESS,
	  .fields = F(RET) | F(MEMTYPE), .flags = OP_NOT_RAM_REGION_ONLY,
	  .what = "map, fault every page in, read the x86 PAT memtypes over the mapped "
		  "physical range" },

	/* mremap */
	{ .name = "move", .run = op_move, .applies = ON_MREMAP, .key = true,
	  .fields = ROW_OLD_NEW,
	  .what = "mremap same size MAYMOVE|FIXED to a free address" },
	{ .name = "grow_inplace", .run = op_grow_inplace, .applies = ON_MREMAP, .key = true,
	  .fields = ROW_OLD_NEW,
	  .what = "mremap 8 -> 12 pages, flags 0, the room after the mapping is free" },
	{ .name = "grow_maymove", .run = op_grow_maymove, .applies = ON_MREMAP, .key = true,
	  .fields = ROW_OLD_NEW,
	  .what = "mremap 8 -> 12 pages MAYMOVE, a guard page blocks growing in place" },
	{ .name = "shrink", .run = op_shrink, .applies = ON_MREMAP, .key = true,
	  .fields = F(RET) | F(OLD),
	  .what = "mremap 8 -> 4 pages in place" },
	{ .name = "dontunmap", .run = op_dontunmap, .applies = ON_MREMAP, .key = true,
	  .fields = ROW_OLD_NEW,
	  .what = "mremap same size MAYMOVE|DONTUNMAP, kernel picks the address" },
	{ .name = "dontunmap_fixed", .run = op_dontunmap_fixed, .applies = ON_MREMAP,
	  .key = true, .fields = F(RET) | F(OLD) | F(TARGET),
	  .what = "mremap MAYMOVE|FIXED|DONTUNMAP onto an existing anon mapping full of markers" },
	{ .name = "dontunmap_resize", .run = op_dontunmap_resize, .applies = ON_MREMAP,
	  .fields = F(RET) | F(OLD),
	  .what = "mremap 8 -> 4 pages MAYMOVE|DONTUNMAP (old != new)" },
	{ .name = "partial_move", .run = op_partial_move, .applies = ON_MREMAP, .key = true,
	  .fields = ROW_OLD_NEW,
	  .what = "mremap pages 2..5 of 8 MAYMOVE|FIXED to a free address (split at both edges)" },
	{ .name = "multi_vma_move", .run = op_multi_vma_move, .applies = ON_MREMAP, .key = true,
	  .fields = ROW_OLD_NEW,
	  .what = "mremap MAYMOVE|FIXED of [2 anon pages][8 mapped pages] in one call" },

	{ .name = "partial_move_cold", .run = op_partial_move_cold, .applies = ON_REAL,
	  .fields = ROW_OLD_NEW, .flags = OP_MAPS_ITSELF,
	  .what = "partial_move of a window not read before: the moved pages fault in their new "
		  "VMA first" },
	{ .name = "dontunmap_partial", .run = op_dontunmap_partial, .applies = ON_REAL,
	  .fields = ROW_OLD_NEW,
	  .what = "mremap pages 2..5 of 8 MAYMOVE|DONTUNMAP: the old VMA splits at both edges, "
		  "its middle refaults" },
	{ .name = "dontunmap_partial_cold", .run = op_dontunmap_partial_cold, .applies = ON_REAL,
	  .fields = ROW_OLD_NEW, .flags = OP_MAPS_ITSELF,
	  .what = "dontunmap_partial of a window not read before: the moved pages fault in their "
		  "new VMA first" },

	/*
	 * The same on a window that is one PUD leaf (real.vfio.1g), the kernel log part of the
	 * outcome: from 6.12 moving or splitting the leaf logs "bad pud" (get_old_pud()).
	 */
	{ .name = "huge_move", .run = op_move, .applies = ON_REAL_HUGE,
	  .fields = ROW_OLD_NEW | F(LOG),
	  .what = "move on a PUD leaf: mremap same size MAYMOVE|FIXED to a PUD-aligned free address" },
	{ .name = "huge_partial_move", .run = op_partial_move, .applies = ON_REAL_HUGE,
	  .fields = ROW_OLD_NEW | F(LOG),
	  .what = "partial_move on a PUD leaf: mremap units 2..5 of 8 MAYMOVE|FIXED elsewhere" },
	{ .name = "huge_shrink", .run = op_shrink, .applies = ON_REAL_HUGE,
	  .fields = F(RET) | F(OLD) | F(LOG),
	  .what = "shrink on a PUD leaf: mremap 8 -> 4 units in place" },

	/* What-if follow-ups to dontunmap and grow (ops_whatif.c). */
	{ .name = "dontunmap_fork", .run = op_dontunmap_fork, .applies = ON_DEV,
	  .fields = ROW_OLD_NEW | F(CHILD) | ROW_WHATIF,
	  .what = "mremap MAYMOVE|DONTUNMAP, fork, the child reads old/new, then we read them" },
	{ .name = "dontunmap_munmap", .run = op_dontunmap_munmap, .applies = ON_DEV,
	  .fields = F(RET) | F(CLOSED) | F(LIVE) | ROW_WHATIF,
	  .what = "mremap MAYMOVE|DONTUNMAP, munmap old then new (counting ->close), close the fd" },
	{ .name = "grow_unmap_tail", .run = op_grow_unmap_tail, .applies = ON_DEV,
	  .fields = F(RET) | ROW_WHATIF | F(LOG),
	  .what = "mremap 8 -> 16 pages MAYMOVE, then munmap the 8 grown pages alone" },
	{ .name = "grow_touch", .run = op_grow_maymove, .applies = ON_DEV,
	  .fields = ROW_OLD_NEW | F(OOR) | ROW_WHATIF, .flags = OP_AT_REGION_END,
	  .what = "map the region's last 8 pages, mremap to 12 MAYMOVE past a guard, read the tail" },

	/*
	 * The huge family (ops_huge.c): levels before and right after the
	 * operation, then the ranges sampled (first, middle, last page).
	 */
	{ .name = "map_touch", .run = op_huge_map, .applies = ON_HUGE, .flags = OP_MAPS_ITSELF,
	  .fields = F(RET) | F(LEVEL_BEFORE) | F(OLD) | F(REFAULTS) | F(LOG),
	  .what = "map the window leaf-aligned, touch every leaf, read it sampled" },
	{ .name = "move_aligned", .run = op_huge_move, .applies = ON_HUGE, .key = true,
	  .flags = OP_MAPS_ITSELF, .fields = ROW_HUGE_NEW,
	  .what = "mremap MAYMOVE|FIXED of the whole window to a leaf-aligned address" },
	{ .name = "move_misaligned", .run = op_huge_move, .arg = 4096, .applies = ON_HUGE,
	  .flags = OP_MAPS_ITSELF, .fields = ROW_HUGE_NEW,
	  .what = "mremap MAYMOVE|FIXED of the whole window to a leaf-aligned address + 4 KiB" },
	{ .name = "move_half_leaf_off", .run = op_huge_move, .arg = HUGE_DEST_HALF_LEAF,
	  .applies = ON_HUGE, .flags = OP_MAPS_ITSELF, .fields = ROW_HUGE_NEW,
	  .what = "mremap MAYMOVE|FIXED of the whole window to a leaf-aligned address + half a "
		  "leaf (huge.pud: 512 MiB, still PMD-aligned; huge.pmd: 1 MiB)" },
	{ .name = "move_half", .run = op_huge_move_half, .applies = ON_HUGE, .key = true,
	  .flags = OP_MAPS_ITSELF, .fields = ROW_HUGE_NEW,
	  .what = "mremap MAYMOVE|FIXED of the window's second half to a leaf-aligned address "
		  "(huge.pmd: one whole leaf; huge.pud: half of one); old = the first half" },
	{ .name = "shrink_half", .run = op_huge_shrink, .applies = ON_HUGE, .key = true,
	  .flags = OP_MAPS_ITSELF | OP_SPLITS_LEAF, .fields = ROW_HUGE,
	  .what = "mremap the window to half its size in place; old = the half kept" },
	{ .name = "fork_child", .run = op_huge_fork, .applies = ON_HUGE, .key = true,
	  .flags = OP_MAPS_ITSELF,
	  .fields = F(RET) | F(LEVEL_BEFORE) | F(LEVEL_OLD) | F(OLD) | F(CHILD) |
		    F(LEVEL_CHILD) | F(REFAULTS) | F(LOG),
	  .what = "fork; the child's level before it touches, then its sampled read" },
	{ .name = "mprotect_half", .run = op_huge_mprotect_half, .applies = ON_HUGE,
	  .flags = OP_MAPS_ITSELF | OP_SPLITS_LEAF, .fields = ROW_HUGE_NEW,
	  .what = "mprotect PROT_READ of the second half; old = first half, new = second" },
	{ .name = "munmap_half", .run = op_huge_munmap_half, .applies = ON_HUGE,
	  .flags = OP_MAPS_ITSELF | OP_SPLITS_LEAF, .fields = ROW_HUGE,
	  .what = "munmap the second half; old = the first half" },
	{ .name = "dontunmap_leaf", .run = op_huge_dontunmap, .applies = ON_HUGE, .key = true,
	  .flags = OP_MAPS_ITSELF, .fields = ROW_HUGE_NEW,
	  .what = "mremap MAYMOVE|FIXED|DONTUNMAP of the window to a leaf-aligned address" },
	{ .name = "grow_double", .run = op_huge_grow, .applies = ON_HUGE, .key = true,
	  .flags = OP_MAPS_ITSELF, .fields = ROW_HUGE_NEW,
	  .what = "mremap the window to twice its size in place (flags 0); new = the tail" },

	/* The module's ABI: what each bad input gets (ops_abi.c). */
	{ .name = "unknown_ioctl", .run = op_abi_unknown_ioctl, .applies = ON_ABI,
	  .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "an ioctl number the module does not know" },
	{ .name = "config_bad_insert", .run = op_abi_config_member, .arg = ABI_CFG_BAD_INSERT,
	  .applies = ON_ABI, .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG with insert=99" },
	{ .name = "config_bad_mremap_hook", .run = op_abi_config_member,
	  .arg = ABI_CFG_BAD_MREMAP_HOOK, .applies = ON_ABI, .fields = F(RET),
	  .flags = OP_MAPS_ITSELF, .what = "SET_CONFIG with mremap_hook=99" },
	{ .name = "config_bad_split_hook", .run = op_abi_config_member,
	  .arg = ABI_CFG_BAD_SPLIT_HOOK, .applies = ON_ABI, .fields = F(RET),
	  .flags = OP_MAPS_ITSELF, .what = "SET_CONFIG with split_hook=99" },
	{ .name = "config_unknown_flag", .run = op_abi_config_member,
	  .arg = ABI_CFG_UNKNOWN_FLAG, .applies = ON_ABI, .fields = F(RET),
	  .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG with the lowest flag bit the ABI does not define" },
	{ .name = "config_reserved", .run = op_abi_config_member, .arg = ABI_CFG_RESERVED,
	  .applies = ON_ABI, .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG with reserved=1" },
	{ .name = "config_bad_size", .run = op_abi_config_member, .arg = ABI_CFG_BAD_SIZE,
	  .applies = ON_ABI, .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG with size=8, below the first ABI's size" },
	{ .name = "config_size_bigger", .run = op_abi_size, .arg = ABI_SIZE_SET_CONFIG_BIGGER,
	  .applies = ON_ABI, .fields = F(RET) | F(CONFIG), .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG of a later ABI: size and command for sizeof+8, the tail zero; "
		  "then GET_CONFIG" },
	{ .name = "config_size_bigger_tail_set", .run = op_abi_size,
	  .arg = ABI_SIZE_SET_CONFIG_TAIL_SET, .applies = ON_ABI, .fields = F(RET),
	  .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG of a later ABI (sizeof+8) that sets a byte the module does not know" },
	{ .name = "get_config_size_small", .run = op_abi_size, .arg = ABI_SIZE_GET_CONFIG_SMALL,
	  .applies = ON_ABI, .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "GET_CONFIG with size=8, below the first ABI's size" },
	{ .name = "get_config_size_bigger", .run = op_abi_size,
	  .arg = ABI_SIZE_GET_CONFIG_BIGGER, .applies = ON_ABI, .fields = F(RET) | F(CONFIG),
	  .flags = OP_MAPS_ITSELF,
	  .what = "GET_CONFIG of a later ABI (size and command for sizeof+8, tail 0xff)" },
	{ .name = "info_size_bigger", .run = op_abi_size, .arg = ABI_SIZE_INFO_BIGGER,
	  .applies = ON_ABI, .fields = F(RET) | F(CONFIG), .flags = OP_MAPS_ITSELF,
	  .what = "GET_INFO of a later ABI (size and command for sizeof+8, tail 0xff)" },
	{ .name = "counters_size_bigger", .run = op_abi_size,
	  .arg = ABI_SIZE_COUNTERS_BIGGER, .applies = ON_ABI, .fields = F(RET) | F(CONFIG),
	  .flags = OP_MAPS_ITSELF,
	  .what = "FILE_COUNTERS of a later ABI (size and command for sizeof+8, tail 0xff)" },
	{ .name = "config_access_phys_pages", .run = op_abi_config_member,
	  .arg = ABI_CFG_ACCESS_PHYS, .applies = ON_ABI, .fields = F(RET),
	  .flags = OP_MAPS_ITSELF | OP_PAGES_REGION_ONLY,
	  .what = "SET_CONFIG with ACCESS_PHYS on a region of kernel pages" },
	{ .name = "config_huge", .run = op_abi_config_member, .arg = ABI_CFG_HUGE,
	  .applies = ON_ABI, .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG insert=huge: refused where the kernel has no huge pfnmap" },
	{ .name = "config_after_mmap", .run = op_abi_config_after_mmap, .applies = ON_ABI,
	  .fields = F(RET) | F(CONFIG),
	  .what = "SET_CONFIG after mmap, then GET_CONFIG: is the old config kept?" },
	{ .name = "mmap_beyond_region", .run = op_abi_mmap_beyond_region, .applies = ON_ABI,
	  .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "mmap 8 pages at an offset 4 pages before the region's end" },
	{ .name = "mmap_offset_overflow", .run = op_abi_mmap_offset_overflow,
	  .applies = ON_ABI, .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "mmap at page offset (ULONG_MAX >> PAGE_SHIFT) - 16 (raw syscall)" },
	{ .name = "fault_map_private", .run = op_abi_fault_map_private, .applies = ON_ABI,
	  .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "SET_CONFIG insert=fault, then mmap MAP_PRIVATE" },
	{ .name = "fault_map_shared_rdonly", .run = op_abi_fault_map_shared_rdonly,
	  .applies = ON_ABI, .fields = F(RET) | F(OLD), .flags = OP_MAPS_ITSELF,
	  .what = "open O_RDONLY, SET_CONFIG insert=fault, mmap PROT_READ MAP_SHARED "
		  "(do_mmap clears VM_SHARED, no COW possible), read every page" },
	{ .name = "info_bad_size", .run = op_abi_info_bad_size, .applies = ON_ABI,
	  .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "GET_INFO with size=sizeof-8" },
	{ .name = "counters_bad_size", .run = op_abi_counters_bad_size, .applies = ON_ABI,
	  .fields = F(RET), .flags = OP_MAPS_ITSELF,
	  .what = "FILE_COUNTERS with size=PFNMAP_COUNTERS_SIZE_VER0-8, below the first ABI's size" },
	{ .name = "unload_busy", .run = op_abi_unload_busy, .applies = ON_ABI,
	  .fields = F(RET) | F(OLD) | F(LOADED), .flags = OP_SOLE_DEVICE_USER,
	  .what = "map, close the fd, delete_module(O_NONBLOCK): only the VMA holds the module" },
};
const size_t nr_operations = ARRAY_SIZE(operations);

static const char *const applies_names[] = {
	"ctl", "ctl.file", "dev", "dev.plain", "dev.access", "abi", "hazard", "huge", "real",
	"real.huge",
};

const char *applies_name(unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(applies_names); i++)
		if (bit == 1U << i)
			return applies_names[i];
	return NULL;
}

const struct operation_def *operation_find(const char *name)
{
	size_t i;

	for (i = 0; i < nr_operations; i++)
		if (!strcmp(operations[i].name, name))
			return &operations[i];
	return NULL;
}

const char *mapping_axis_value(const struct mapping_def *m, unsigned int i)
{
	const struct family_def *fam = &mapping_families[m->family];

	return i < fam->nr_axes ? fam->axes[i].values[m->axis[i]] : NULL;
}

/* The id spells dontexpand as dx/nodx and access only when it is there. */
static void dev_mapping(struct mapping_def *m, unsigned int ins, unsigned int dx,
			unsigned int mr, unsigned int sp, unsigned int acc)
{
	m->family = FAMILY_DEV;
	m->kind = MAP_KIND_DEVICE;
	m->axis[DEV_INSERT] = (unsigned char)ins;
	m->axis[DEV_DONTEXPAND] = (unsigned char)dx;
	m->axis[DEV_MREMAP_HOOK] = (unsigned char)mr;
	m->axis[DEV_SPLIT_HOOK] = (unsigned char)sp;
	m->axis[DEV_ACCESS] = (unsigned char)acc;
	snprintf(m->id, sizeof(m->id), "dev.%s.%s.%s.%s%s", insert_values[ins],
		 dx ? "nodx" : "dx", mremap_values[mr], split_values[sp],
		 acc ? ".access" : "");
	m->config.size = sizeof(m->config);
	m->config.insert = dev_inserts[ins];
	m->config.mremap_hook = mr;
	m->config.split_hook = sp;
	m->config.flags = (dx ? 0 : PFNMAP_CFG_KEEP_DONTEXPAND) |
			  (acc ? PFNMAP_CFG_ACCESS_PHYS : 0);
}

static void huge_mapping(struct mapping_def *m, unsigned int leaf, unsigned int dx)
{
	m->family = FAMILY_HUGE;
	m->kind = MAP_KIND_DEVICE;
	m->axis[HUGE_LEAF] = (unsigned char)leaf;
	m->axis[HUGE_DONTEXPAND] = (unsigned char)dx;
	snprintf(m->id, sizeof(m->id), "huge.%s.%s", leaf_values[leaf], dx ? "nodx" : "dx");
	m->config.size = sizeof(m->config);
	m->config.insert = PFNMAP_INSERT_HUGE;
	m->config.flags = dx ? 0 : PFNMAP_CFG_KEEP_DONTEXPAND;
}

static struct mapping_def mappings[NR_MAPPINGS];

/* Filled once, read-only afterwards. */
size_t mapping_table(const struct mapping_def **out)
{
	static size_t n;
	unsigned int ins, dx, mr, sp, k;

	if (!n) {
		for (k = 0; k < NR_CONTROLS; k++, n++) {
			mappings[n].family = FAMILY_CTL;
			mappings[n].kind = ctl_map_kinds[k];
			mappings[n].axis[0] = (unsigned char)k;
			snprintf(mappings[n].id, sizeof(mappings[n].id), "ctl.%s", ctl_kinds[k]);
		}
		for (ins = 0; ins < NR_DEV_INSERTS; ins++)
			for (dx = 0; dx < 2; dx++)
				for (mr = 0; mr < PFNMAP_MREMAP_NR; mr++)
					for (sp = 0; sp < PFNMAP_SPLIT_NR; sp++)
						dev_mapping(&mappings[n++], ins, dx, mr, sp, 0);
		for (ins = 0; ins < NR_DEV_INSERTS; ins++)
			dev_mapping(&mappings[n++], ins, 0, 0, 0, 1);
		for (k = 0; k < HAZARD_NR; k++, n++) {
			struct mapping_def *m = &mappings[n];

			m->family = FAMILY_HAZARD;
			m->axis[0] = (unsigned char)k;
			snprintf(m->id, sizeof(m->id), "hazard.%s", hazard_drivers[k]);
			m->kind = k == HAZARD_DEVMEM ? MAP_KIND_DEVMEM : MAP_KIND_DEVICE;
			/* devmem: no config; the module's remap personality, ->access unchecked. */
			if (k == HAZARD_PFNMAP_UNSAFE_COW) {
				m->config.size = sizeof(m->config);
				m->config.insert = PFNMAP_INSERT_REMAP;
				m->config.flags = PFNMAP_CFG_KEEP_DONTEXPAND | PFNMAP_CFG_ACCESS_PHYS |
						  PFNMAP_CFG_UNSAFE_ACCESS_COW;
			}
		}
		for (k = 0; k < LEAF_NR; k++)
			for (dx = 0; dx < 2; dx++)
				huge_mapping(&mappings[n++], k, dx);
		for (k = 0; k < NR_REAL; k++, n++) {
			struct mapping_def *m = &mappings[n];
			static const enum mapping_kind kinds[REAL_DRIVER_NR] = {
				[REAL_VFIO] = MAP_KIND_REAL_VFIO,
				[REAL_DEVMEM] = MAP_KIND_REAL_DEVMEM,
				[REAL_DRM] = MAP_KIND_REAL_DRM,
			};
			unsigned int drv = k < REAL_ALIGN_NR ? REAL_VFIO : REAL_DEVMEM + k - REAL_ALIGN_NR;

			m->family = FAMILY_REAL;
			m->axis[REAL_DRIVER] = (unsigned char)drv;
			m->axis[REAL_ALIGN] = (unsigned char)(drv == REAL_VFIO ? k : REAL_UNALIGNED);
			m->kind = kinds[drv];
			/* Only vfio maps huge leaves: the others' ids do not spell the alignment. */
			snprintf(m->id, sizeof(m->id), "real.%s%s%s", real_drivers[drv],
				 drv == REAL_VFIO ? "." : "", drv == REAL_VFIO ? real_aligns[k] : "");
		}
		mappings[n].family = FAMILY_ABI;
		mappings[n].kind = MAP_KIND_DEVICE;
		snprintf(mappings[n].id, sizeof(mappings[n].id), "abi");
		mappings[n].config.size = sizeof(mappings[n].config);
		mappings[n].config.insert = PFNMAP_INSERT_REMAP;
		mappings[n].config.flags = PFNMAP_CFG_KEEP_DONTEXPAND;
		n++;
	}
	*out = mappings;
	return n;
}

/* The ON_* bits a mapping answers to. */
static unsigned int mapping_applies(const struct mapping_def *m)
{
	switch (m->family) {
	case FAMILY_CTL:
		return ON_CTL | (m->kind == MAP_KIND_MEMFD || m->kind == MAP_KIND_TMPFS_FILE ?
				 ON_CTL_FILE : 0);
	case FAMILY_DEV:
		if (m->axis[DEV_ACCESS])
			return ON_DEV_ACCESS;
		if (!m->axis[DEV_DONTEXPAND] && !m->axis[DEV_MREMAP_HOOK] &&
		    !m->axis[DEV_SPLIT_HOOK])
			return ON_DEV | ON_DEV_PLAIN;
		return ON_DEV;
	case FAMILY_HAZARD:
		return ON_HAZARD;
	case FAMILY_HUGE:
		return ON_HUGE;
	case FAMILY_REAL:
		return m->axis[REAL_ALIGN] == REAL_1G ? ON_REAL_HUGE : ON_REAL;
	default:
		return ON_ABI;
	}
}

size_t case_table_build(struct case_def **out)
{
	const struct mapping_def *maps;
	size_t nr_maps = mapping_table(&maps), n = 0, i, k;
	struct case_def *table = calloc(nr_maps * nr_operations, sizeof(*table));

	if (!table)
		return 0;
	for (i = 0; i < nr_maps; i++) {
		unsigned int on = mapping_applies(&maps[i]);

		for (k = 0; k < nr_operations; k++) {
			struct case_def *c = &table[n];

			if (!(operations[k].applies & on))
				continue;
			c->mapping = &maps[i];
			c->op = &operations[k];
			c->index = (unsigned int)n;
			snprintf(c->id, sizeof(c->id), "%s:%s", maps[i].id, operations[k].name);
			n++;
		}
	}
	*out = table;
	return n;
}
