/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A DRM dumb buffer, as any KMS client gets one: CREATE_DUMB on the card's
 * primary node, MAP_DUMB for the fake offset, mmap() of the node at it. A
 * leaf: it depends on nothing else of the probe.
 */
#ifndef PFNMAP_REAL_DRM_H
#define PFNMAP_REAL_DRM_H

#include <stddef.h>
#include <stdint.h>

#define REAL_DRM_CARD	"/dev/dri/card0"

struct drm_dumb {
	int fd;			/* the card's node; -1 when not open */
	uint32_t handle;
	uint64_t offset;	/* mmap offset of the buffer on fd */
	uint64_t size;		/* bytes, at least what was asked for */
};

/*
 * Open @card and create a dumb buffer of at least @bytes (32 bpp, 4 KiB
 * rows). Returns 0, or -errno with @why naming the failing step (no varying
 * details: it serves as a skip reason).
 */
int drm_dumb_open(const char *card, size_t bytes, struct drm_dumb *out, char *why, size_t len);
/* Closing the node frees the buffer once no mapping holds it. */
void drm_dumb_close(struct drm_dumb *b);
/* The name of the driver bound to @card ("bochs-drm"), or "" when unknown. */
void drm_driver_name(const char *card, char *out, size_t len);

#endif
