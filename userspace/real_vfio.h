/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vfio API, as a user of a vfio-pci device in no-IOMMU mode sees it:
 * find the PCI device bound to vfio-pci, open its group through a container
 * of type VFIO_NOIOMMU_IOMMU, get the device fd and the offset at which a
 * BAR is mmap()ed. A leaf: it depends on nothing else of the probe.
 */
#ifndef PFNMAP_REAL_VFIO_H
#define PFNMAP_REAL_VFIO_H

#include <stddef.h>
#include <stdint.h>

struct vfio_bar {
	int container_fd, group_fd, device_fd;	/* -1 when not open */
	char bdf[32];				/* "0000:00:04.0" */
	int group;				/* /dev/vfio/noiommu-<group> */
	uint64_t offset;			/* mmap offset of the BAR on device_fd */
	uint64_t size;				/* its size in bytes */
};

/*
 * Open BAR @bar of the first PCI device with @vendor:@device that is bound
 * to vfio-pci, through a no-IOMMU container. Returns 0, or -errno with @why
 * saying which step failed (without varying details, so that it can serve
 * as a skip reason counted per text).
 */
int vfio_bar_open(unsigned int vendor, unsigned int device, unsigned int bar,
		  struct vfio_bar *out, char *why, size_t len);
void vfio_bar_close(struct vfio_bar *b);

#endif
