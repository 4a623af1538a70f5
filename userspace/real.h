/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real.* family's objects: real in-kernel drivers in the guest, set up
 * once by main() and mapped by every case child. vfio-pci (no-IOMMU) on the
 * BAR of QEMU's ivshmem-plain device, and /dev/mem over a memmap= range that
 * the module does not claim. Their first REAL_REGION_BYTES are filled with
 * the module's pattern at setup, through a mapping of the same driver, so
 * that the page classes mean what they mean for /dev/pfnmap. A DRM dumb
 * buffer is made, and filled, by each case (mapping.c): setup only checks
 * that the card makes them.
 */
#ifndef PFNMAP_REAL_H
#define PFNMAP_REAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pat.h"
#include "real_drm.h"
#include "real_vfio.h"

/* QEMU's ivshmem-plain: PCI 1af4:1110, its shared memory is BAR 2. */
#define REAL_IVSHMEM_VENDOR	0x1af4
#define REAL_IVSHMEM_DEVICE	0x1110
#define REAL_IVSHMEM_BAR	2
/* Each object's part the cases use: 32 case slots of 16 pages (4 KiB pages). */
#define REAL_REGION_BYTES	(2UL << 20)
/* A case's DRM dumb buffer: one slot, the window and room to grow. */
#define REAL_DRM_PAGES		16
/*
 * real.vfio.2m: a "page" of the operations is a PMD, real.vfio.1g: an eighth
 * of a PUD, so that the window is one PUD leaf; both use one slot, at offset 0.
 */
#define REAL_UNIT_2M		(2UL << 20)
#define REAL_UNIT_1G		(128UL << 20)
#define REAL_VFIO_FILL_BYTES	(16 * REAL_UNIT_2M)
#define REAL_VFIO_FILL_1G	(8 * REAL_UNIT_1G)
#define REAL_HOWTO		"boot with ./run-qemu.sh --real"

struct real_env {
	bool vfio_ok;
	struct vfio_bar vfio;
	char vfio_why[128];		/* why not, when !vfio_ok */
	bool devmem_ok;
	uint64_t devmem_phys, devmem_size;	/* the memmap= range /dev/mem maps */
	char devmem_why[128];
	bool drm_ok;			/* REAL_DRM_CARD makes dumb buffers */
	char drm_driver[32];		/* the driver bound to it */
	char drm_why[128];
};

/*
 * Open what the real drivers need and fill the pattern. @module_region is
 * the module's region: a memmap= range it claims is not /dev/mem's.
 */
void real_setup(struct real_env *re, const struct region_phys *module_region, size_t ps,
		bool whole_bar);
void real_teardown(struct real_env *re);

/*
 * The memmap=<size>$<base> ranges of a kernel command line, in order; fills
 * at most @max of @base/@size and returns how many there are. For tests.
 */
int memmap_ranges(const char *cmdline, uint64_t *base, uint64_t *size, int max);

#endif
