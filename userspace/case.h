/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a case is: a mapping (a family and its axes) and an operation. The
 * operations are declared once, as designated rows of one table in cases.c,
 * each saying which mappings it applies to; the case list is derived from it.
 */
#ifndef PFNMAP_CASE_H
#define PFNMAP_CASE_H

#include <stdbool.h>
#include <stddef.h>

#include "outcome.h"
#include "pat.h"
#include "real.h"
#include "pfnmap_dev_uapi.h"

#define PROBE_WINDOW_PAGES	8	/* pages per mapping under test */
#define PROBE_ID_LEN		64
#define MAX_AXES		5

enum mapping_family {
	FAMILY_CTL, FAMILY_DEV, FAMILY_HAZARD, FAMILY_ABI, FAMILY_HUGE, FAMILY_REAL, FAMILY_NR
};

struct axis_def {
	const char *name;
	const char *const *values;	/* NULL-terminated */
};

struct family_def {
	const char *name;
	const char *what;
	struct axis_def axes[MAX_AXES];
	unsigned int nr_axes;
};

extern const struct family_def mapping_families[FAMILY_NR];

/* The axes of the dev family, in id order: dev.<insert>.<dx>.<mremap>.<split>[.access] */
enum dev_axis { DEV_INSERT, DEV_DONTEXPAND, DEV_MREMAP_HOOK, DEV_SPLIT_HOOK, DEV_ACCESS };

/* The axes of the huge family: huge.<leaf>.<dx>, the module's huge insert style. */
enum huge_axis { HUGE_LEAF, HUGE_DONTEXPAND };
enum huge_leaf { LEAF_PMD, LEAF_PUD, LEAF_NR };

enum mapping_kind {
	MAP_KIND_ANON_PRIVATE,
	MAP_KIND_ANON_SHARED,
	MAP_KIND_MEMFD,
	MAP_KIND_TMPFS_FILE,
	MAP_KIND_DEVICE,
	MAP_KIND_DEVMEM,	/* /dev/mem over the module's memmap= region */
	MAP_KIND_REAL_VFIO,	/* vfio-pci's mapping of the ivshmem BAR (real.h) */
	MAP_KIND_REAL_DEVMEM,	/* /dev/mem over a memmap= range the module leaves alone */
	MAP_KIND_REAL_DRM,	/* a DRM dumb buffer of its own per case (real_drm.h) */
};

/* The hazard family: mappings that make the kernel misbehave, run only with --hazards. */
enum hazard_driver { HAZARD_PFNMAP_UNSAFE_COW, HAZARD_DEVMEM, HAZARD_NR };

/*
 * The real family: real.<driver>[.<align>], real in-kernel drivers (real.h):
 * vfio at every alignment, devmem and drm unaligned only.
 * align: unaligned, the window of 8 pages anywhere; 2m and 1g, the
 * operations count in units of REAL_UNIT_2M or REAL_UNIT_1G instead of pages
 * and the window (8 units) is aligned to its size, so that a driver with
 * ->huge_fault can map it with PMD leaves, or with one PUD leaf (vfio-pci,
 * 6.12+).
 */
enum real_axis { REAL_DRIVER, REAL_ALIGN };
enum real_align { REAL_UNALIGNED, REAL_2M, REAL_1G, REAL_ALIGN_NR };
enum real_driver { REAL_VFIO, REAL_DEVMEM, REAL_DRM, REAL_DRIVER_NR };

struct mapping_def {
	char id[PROBE_ID_LEN];		/* "ctl.anon-private", "dev.remap.dx.none.allow" */
	enum mapping_family family;
	unsigned char axis[MAX_AXES];	/* value index per axis of the family */
	enum mapping_kind kind;
	struct pfnmap_config config;	/* device mappings only */
};

/* Which mappings an operation applies to (operation_def.applies). */
#define ON_CTL		0x01	/* every control */
#define ON_CTL_FILE	0x02	/* the file-backed controls (memfd, tmpfs-file) */
#define ON_DEV		0x04	/* every device personality */
#define ON_DEV_PLAIN	0x08	/* dev.<insert>.dx.none.allow, one per insert style */
#define ON_DEV_ACCESS	0x10	/* dev.<insert>.dx.none.allow.access */
#define ON_ABI		0x20	/* the module-ABI mapping */
#define ON_HAZARD	0x40	/* the hazard family */
#define ON_HUGE		0x80	/* the huge family */
#define ON_REAL		0x100	/* the real family, but real.vfio.1g */
#define ON_REAL_HUGE	0x200	/* real.vfio.1g: the window is one PUD leaf */

/* operation_def.flags */
#define OP_MAPS_ITSELF		0x1	/* no window is mapped before the op runs */
#define OP_AT_REGION_END	0x2	/* the window is the region's last pages */
#define OP_SOLE_DEVICE_USER	0x4	/* the parent holds no /dev/pfnmap fd meanwhile */
#define OP_PAGES_REGION_ONLY	0x8	/* skip on a memmap= region */
#define OP_NOT_RAM_REGION_ONLY	0x10	/* skip on a region of kernel pages */
/*
 * Puts a VMA boundary inside a huge leaf: on a PUD leaf, kernels up to 7.3 BUG
 * (docs/findings/vma-split-huge-pud.md), so huge.pud runs it only with --hazards.
 */
#define OP_SPLITS_LEAF		0x20

struct op_ctx;
typedef void (*op_fn)(struct op_ctx *ctx);

struct operation_def {
	const char *name;
	op_fn run;
	long arg;			/* handed to run() as ctx->arg */
	unsigned int fields;		/* F(RET) | F(OLD) | ... */
	unsigned int applies;		/* ON_* */
	unsigned int flags;		/* OP_* */
	bool key;			/* a column of the behaviour grid */
	const char *what;		/* one line for -v and --describe */
};

extern const struct operation_def operations[];
extern const size_t nr_operations;

struct case_def {
	char id[2 * PROBE_ID_LEN];	/* "<mapping>:<operation>" */
	const struct mapping_def *mapping;
	const struct operation_def *op;
	unsigned int index;		/* position in the full table */
};

/* The applies_to names of ON_* bits, for --describe; NULL past the last. */
const char *applies_name(unsigned int bit);

/* Device, /dev/mem: mappings of the module's region, at a window offset inside it. */
static inline bool mapping_on_region(const struct mapping_def *m)
{
	return m->kind == MAP_KIND_DEVICE || m->kind == MAP_KIND_DEVMEM;
}

/*
 * Mappings that may hold huge (PMD/PUD) leaves: reading /proc/self/smaps walks
 * them and splits, for a special VMA zaps, a PUD leaf, so no VmFlags are read
 * before their operation.
 */
static inline bool mapping_has_huge_leaves(const struct mapping_def *m)
{
	return m->family == FAMILY_HUGE ||
	       (m->family == FAMILY_REAL && m->axis[REAL_ALIGN] == REAL_1G);
}

/* The huge family's leaf size: 2 MiB or 1 GiB. */
static inline size_t huge_leaf_size(const struct mapping_def *m)
{
	return m->axis[HUGE_LEAF] == LEAF_PUD ? 1UL << 30 : 2UL << 20;
}

/* huge.pmd maps two leaves, so half its window is one whole leaf; huge.pud one. */
static inline size_t huge_window_len(const struct mapping_def *m)
{
	return m->axis[HUGE_LEAF] == LEAF_PUD ? huge_leaf_size(m) : 2 * huge_leaf_size(m);
}

/* The mappings in table order; the case list derived from them and operations[]. */
size_t mapping_table(const struct mapping_def **out);
size_t case_table_build(struct case_def **out);
const struct operation_def *operation_find(const char *name);
/* The value of axis @i of @m, e.g. "remap"; NULL past the family's axes. */
const char *mapping_axis_value(const struct mapping_def *m, unsigned int i);

/* What the cases run against, set up once by main(). */
struct probe_env {
	const char *device_path;
	bool device_present;		/* the node opened */
	bool info_valid;		/* and answered GET_INFO */
	struct pfnmap_info info;
	struct region_phys region;	/* from the module's debugfs; PAT evidence */
	bool hazards;			/* --hazards: the hazard family runs */
	int huge_config_err;		/* SET_CONFIG insert=huge: 0 or the errno refusing it */
	const char *tmpfs_dir;		/* where tmpfs-file controls live */
	bool tmpfs_dir_is_tmpfs;
	size_t page_size;
	struct real_env real;		/* the real family's drivers */
};

#endif
