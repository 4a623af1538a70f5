// SPDX-License-Identifier: GPL-2.0
/*
 * DRM dumb buffers (real_drm.h). The three ioctls are the stable KMS uapi of
 * include/uapi/drm/drm_mode.h, declared here so that the probe builds without
 * libdrm's headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "real_drm.h"

struct drm_mode_create_dumb {
	uint32_t height, width, bpp, flags;
	uint32_t handle, pitch;		/* out */
	uint64_t size;			/* out */
};

struct drm_mode_map_dumb {
	uint32_t handle, pad;
	uint64_t offset;		/* out */
};

#define DRM_IOCTL_BASE			'd'
#define DRM_IOCTL_MODE_CREATE_DUMB	_IOWR(DRM_IOCTL_BASE, 0xB2, struct drm_mode_create_dumb)
#define DRM_IOCTL_MODE_MAP_DUMB		_IOWR(DRM_IOCTL_BASE, 0xB3, struct drm_mode_map_dumb)

#define DUMB_ROW_BYTES	4096U
#define DUMB_BPP	32U

int drm_dumb_open(const char *card, size_t bytes, struct drm_dumb *out, char *why, size_t len)
{
	struct drm_mode_create_dumb create = {
		.width = DUMB_ROW_BYTES / (DUMB_BPP / 8),
		.height = (uint32_t)((bytes + DUMB_ROW_BYTES - 1) / DUMB_ROW_BYTES),
		.bpp = DUMB_BPP,
	};
	struct drm_mode_map_dumb map = { 0 };
	int err;

	out->fd = open(card, O_RDWR | O_CLOEXEC);
	if (out->fd < 0) {
		err = -errno;
		snprintf(why, len, "open %s: %s", card, strerror(errno));
		return err;
	}
	if (ioctl(out->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		err = -errno;
		snprintf(why, len, "DRM_IOCTL_MODE_CREATE_DUMB: %s", strerror(errno));
		goto fail;
	}
	map.handle = create.handle;
	if (ioctl(out->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0) {
		err = -errno;
		snprintf(why, len, "DRM_IOCTL_MODE_MAP_DUMB: %s", strerror(errno));
		goto fail;
	}
	out->handle = create.handle;
	out->offset = map.offset;
	out->size = create.size;
	return 0;
fail:
	close(out->fd);
	out->fd = -1;
	return err;
}

void drm_dumb_close(struct drm_dumb *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

void drm_driver_name(const char *card, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *slash;
	struct stat st;
	ssize_t n;

	out[0] = '\0';
	if (stat(card, &st) < 0 || !S_ISCHR(st.st_mode))
		return;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/driver",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(out, len, "%s", slash ? slash + 1 : target);
}
