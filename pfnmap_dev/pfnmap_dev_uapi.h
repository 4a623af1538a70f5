/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pfnmap_dev ioctl ABI, shared by the module and by userspace (pfnmap-probe).
 *
 * Every open file of /dev/pfnmap carries a configuration (the "personality")
 * that decides how mmap() builds the mapping. It is set with
 * PFNMAP_IOC_SET_CONFIG before the first mmap() of that file; later calls fail
 * with EBUSY.
 *
 * How the ABI grows: a structure only ever gains members at its end, and
 * starts with its size, which the caller sets to the size it was built with.
 * The module matches a command on its type, number and direction, never on
 * the size bits of the command number (they name one version of the
 * structure), and takes the size from the structure:
 *  - below the structure's first published size (PFNMAP_*_SIZE_VER0): EINVAL;
 *    above PAGE_SIZE: E2BIG;
 *  - an input structure (SET_CONFIG) smaller than the module's is read as if
 *    the members it lacks were zero; a bigger one only if every byte the module
 *    does not know is zero, else E2BIG (like copy_struct_from_user());
 *  - an output structure (GET_*, *_COUNTERS) is written up to the smaller of
 *    the two sizes, the rest of the caller's is zeroed, and its size member
 *    says how many bytes the module filled.
 * PFNMAP_DEV_ABI_VERSION changes when the meaning of something changes, not
 * when a structure grows.
 */
#ifndef _UAPI_PFNMAP_DEV_H
#define _UAPI_PFNMAP_DEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PFNMAP_DEV_ABI_VERSION	2

/* How pages get into the VMA. */
enum pfnmap_insert {
	PFNMAP_INSERT_REMAP = 0,	/* remap_pfn_range() in ->mmap, like /dev/mem */
	PFNMAP_INSERT_FAULT = 1,	/* VM_PFNMAP, vmf_insert_pfn() in ->fault, like vfio-pci */
	PFNMAP_INSERT_MIXED = 2,	/* VM_MIXEDMAP, vm_insert_page() in ->mmap, like test_hmm */
	/*
	 * VM_PFNMAP, ->huge_fault inserting PUD and PMD leaves where the address,
	 * the pfn and the VMA allow, else PTEs, like vfio-pci since 6.12. Only
	 * kernels with CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP: elsewhere SET_CONFIG
	 * fails with EOPNOTSUPP.
	 */
	PFNMAP_INSERT_HUGE = 3,
	/*
	 * Like sgx_vepc (arch/x86/kernel/cpu/sgx/virt.c): VM_PFNMAP | VM_IO |
	 * VM_DONTCOPY, ->fault backs a page index on its first fault and, when the
	 * index is already backed, returns VM_FAULT_NOPAGE without inserting.
	 */
	PFNMAP_INSERT_VEPC = 4,
	PFNMAP_INSERT_NR
};

/* What the driver's vm_ops->mremap does; NONE leaves the hook unset. */
enum pfnmap_mremap_hook {
	PFNMAP_MREMAP_NONE = 0,
	PFNMAP_MREMAP_TRACK = 1,	/* count the call, record the new start */
	PFNMAP_MREMAP_REFUSE = 2,	/* return -EINVAL, like resctrl pseudo-lock */
	PFNMAP_MREMAP_NR
};

/* What the driver's split hook (->may_split, ->split before 5.11) does. */
enum pfnmap_split_hook {
	PFNMAP_SPLIT_ALLOW = 0,		/* count the call, allow the split */
	PFNMAP_SPLIT_REFUSE = 1,	/* count the call, return -EINVAL */
	PFNMAP_SPLIT_NR
};

/* pfnmap_config.flags */
#define PFNMAP_CFG_KEEP_DONTEXPAND	0x1	/* else VM_DONTEXPAND is cleared */
/*
 * vm_ops->access through generic_access_phys(), as /dev/mem has it, for
 * shared mappings; on a private (COW) mapping the module refuses the access.
 */
#define PFNMAP_CFG_ACCESS_PHYS		0x2
/*
 * A hazard, for showing what the kernel does, never for use: with
 * ACCESS_PHYS, generic_access_phys() on COW mappings too. After a write has
 * COWed a page, its PTE points at anonymous RAM, which generic_access_phys()
 * hands to ioremap_prot(): x86 WARNs "ioremap on RAM"
 * (docs/findings/generic-access-phys-cow.md).
 */
#define PFNMAP_CFG_UNSAFE_ACCESS_COW	0x4
#define PFNMAP_CFG_ALL_FLAGS		(PFNMAP_CFG_KEEP_DONTEXPAND | PFNMAP_CFG_ACCESS_PHYS | \
					 PFNMAP_CFG_UNSAFE_ACCESS_COW)

struct pfnmap_config {
	__u32 size;		/* sizeof(struct pfnmap_config) */
	__u32 insert;		/* enum pfnmap_insert */
	__u32 mremap_hook;	/* enum pfnmap_mremap_hook */
	__u32 split_hook;	/* enum pfnmap_split_hook */
	__u32 flags;		/* PFNMAP_CFG_* */
	__u32 reserved;		/* must be zero */
};

#define PFNMAP_CONFIG_SIZE_VER0		24	/* the first published size */

/* Where the region lives; see the module parameters. */
enum pfnmap_region_kind {
	PFNMAP_REGION_PAGES = 0,	/* kernel pages allocated at load */
	PFNMAP_REGION_MEMMAP = 1,	/* a memmap=-reserved physical range */
	PFNMAP_REGION_PCI = 2,		/* a PCI memory BAR: MMIO, no struct page */
	PFNMAP_REGION_NR
};

/* A kind's name, as the module's debugfs "region" file and the probe spell it. */
static inline const char *pfnmap_region_kind_name(__u32 kind)
{
	switch (kind) {
	case PFNMAP_REGION_PAGES:
		return "pages";
	case PFNMAP_REGION_MEMMAP:
		return "memmap";
	case PFNMAP_REGION_PCI:
		return "pci";
	}
	return "unknown";
}

struct pfnmap_info {
	__u32 size;		/* sizeof(struct pfnmap_info), set by the caller */
	__u32 abi_version;	/* PFNMAP_DEV_ABI_VERSION */
	__u32 region_kind;	/* enum pfnmap_region_kind */
	__u32 region_has_pages;	/* struct pages back the region: mixed can map it */
	__u64 region_size;	/* bytes; mmap offsets run from 0 to region_size */
};

#define PFNMAP_INFO_SIZE_VER0		24

/* Indexes into pfnmap_counters.count. */
enum pfnmap_counter {
	PFNMAP_CNT_OPENS = 0,
	PFNMAP_CNT_RELEASES,
	PFNMAP_CNT_MMAPS,
	PFNMAP_CNT_VM_OPENS,
	PFNMAP_CNT_VM_CLOSES,
	PFNMAP_CNT_MREMAPS,
	PFNMAP_CNT_SPLIT_HOOK_CALLS,	/* ->may_split (->split) asked; a split may ask twice */
	PFNMAP_CNT_FAULTS,
	PFNMAP_CNT_OUT_OF_REGION_FAULTS,
	PFNMAP_CNT_LIVE_VMAS,
	/* Added after VER0: leaves ->huge_fault inserted, vepc faults that inserted nothing */
	PFNMAP_CNT_PMD_FAULTS,
	PFNMAP_CNT_PUD_FAULTS,
	PFNMAP_CNT_NOPAGE_FAULTS,
	PFNMAP_CNT_NR
};

#define PFNMAP_COUNTER_NAMES {						\
	"opens", "releases", "mmaps", "vm_opens", "vm_closes", "mremaps",	\
	"split_hook_calls", "faults", "out_of_region_faults", "live_vmas",	\
	"pmd_faults", "pud_faults", "nopage_faults"				\
}

struct pfnmap_counters {
	__u32 size;		/* sizeof(struct pfnmap_counters), set by the caller */
	__u32 nr_counters;	/* PFNMAP_CNT_NR, set by the module */
	__u64 last_mremap_start;	/* new vm_start seen by the last ->mremap */
	__u64 count[PFNMAP_CNT_NR];
};

/* Counters are only ever added at the end; VER0 held the first ten. */
#define PFNMAP_COUNTERS_SIZE_VER0	96

/* Which page-table level maps an address (pfnmap_pt_query.level). */
enum pfnmap_pt_level {
	PFNMAP_PT_NONE = 0,	/* no entry: an access would fault */
	PFNMAP_PT_PTE = 1,
	PFNMAP_PT_PMD = 2,	/* a huge (leaf) PMD */
	PFNMAP_PT_PUD = 3,	/* a huge (leaf) PUD */
	PFNMAP_PT_NR
};

/*
 * PFNMAP_IOC_PT_QUERY: how the calling process's page tables map @addr, read
 * without walking through the VMA (/proc/self/smaps would split, for a
 * special VMA zap, a huge PUD leaf). Works for any mapping, not only
 * /dev/pfnmap's: the probe asks it about vfio and /dev/mem mappings too.
 */
struct pfnmap_pt_query {
	__u32 size;		/* sizeof(struct pfnmap_pt_query), set by the caller */
	__u32 level;		/* out: enum pfnmap_pt_level */
	__u64 addr;		/* in: a user address */
	__u64 pfn;		/* out: the pfn mapped at addr (0 with PFNMAP_PT_NONE) */
	__u64 entry;		/* out: the raw entry at that level */
};

#define PFNMAP_PT_QUERY_SIZE_VER0	32

#define PFNMAP_IOC_MAGIC	'P'
/* The size bits of these numbers are the current structures'; see the top. */
#define PFNMAP_IOC_GET_INFO	_IOWR(PFNMAP_IOC_MAGIC, 0, struct pfnmap_info)
#define PFNMAP_IOC_SET_CONFIG	_IOW(PFNMAP_IOC_MAGIC, 1, struct pfnmap_config)
#define PFNMAP_IOC_GET_CONFIG	_IOWR(PFNMAP_IOC_MAGIC, 2, struct pfnmap_config)
/* Counters of this open file (and of the VMAs made from it). */
#define PFNMAP_IOC_FILE_COUNTERS _IOWR(PFNMAP_IOC_MAGIC, 3, struct pfnmap_counters)
/* Counters of the whole device since load. */
#define PFNMAP_IOC_DEV_COUNTERS	_IOWR(PFNMAP_IOC_MAGIC, 4, struct pfnmap_counters)
#define PFNMAP_IOC_PT_QUERY	_IOWR(PFNMAP_IOC_MAGIC, 5, struct pfnmap_pt_query)

/*
 * The region holds, at every 8-byte aligned offset, this value: userspace can
 * tell from any word which region offset it really reads.
 */
#define PFNMAP_PATTERN_MAGIC	0x50464e4d00000000ULL	/* "PFNM" */

static inline __u64 pfnmap_pattern_word(__u64 region_offset)
{
	return PFNMAP_PATTERN_MAGIC ^ region_offset;
}

#endif /* _UAPI_PFNMAP_DEV_H */
