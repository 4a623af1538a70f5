// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci in no-IOMMU mode (vfio.enable_unsafe_noiommu_mode=1): the legacy
 * container/group API, which every kernel from 4.5 has (the device cdev of
 * 6.6+ needs IOMMUFD). The steps are those of
 * Documentation/driver-api/vfio.rst with VFIO_NOIOMMU_IOMMU as the type.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "real_vfio.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"

/* Copy with truncation, always terminated. */
static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static unsigned int read_hex_file(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return UINT_MAX;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? (unsigned int)strtoul(buf, NULL, 16) : UINT_MAX;
}

/* The last component of the symlink @dir/@name, or "" when there is none. */
static void link_name(const char *dir, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *slash;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	slash = strrchr(target, '/');
	copy_name(out, len, slash ? slash + 1 : target);
}

/*
 * The first device with vendor:device; 1 bound to vfio-pci (bdf and group
 * filled), 0 present under another driver or none, -1 not present at all.
 */
static int find_device(unsigned int vendor, unsigned int device, struct vfio_bar *b)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char dir[PATH_MAX], drv[64], grp[32];

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", PCI_DEVICES, e->d_name);
		if (read_hex_file(dir, "vendor") != vendor || read_hex_file(dir, "device") != device)
			continue;
		found = 0;
		link_name(dir, "driver", drv, sizeof(drv));
		link_name(dir, "iommu_group", grp, sizeof(grp));
		if (strcmp(drv, "vfio-pci") || !grp[0])
			continue;
		copy_name(b->bdf, sizeof(b->bdf), e->d_name);
		b->group = atoi(grp);
		found = 1;
		break;
	}
	closedir(d);
	return found;
}

static int fail(const char *step, char *why, size_t len)
{
	int err = errno ? errno : EIO;

	snprintf(why, len, "%s: %s", step, strerror(err));
	return -err;
}

int vfio_bar_open(unsigned int vendor, unsigned int device, unsigned int bar,
		  struct vfio_bar *b, char *why, size_t len)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[64];
	int found, err;

	memset(b, 0, sizeof(*b));
	b->container_fd = b->group_fd = b->device_fd = -1;
	found = find_device(vendor, device, b);
	if (found < 0) {
		snprintf(why, len, "no PCI device %04x:%04x", vendor, device);
		return -ENODEV;
	}
	if (!found) {
		snprintf(why, len, "PCI device %04x:%04x is not bound to vfio-pci", vendor,
			 device);
		return -ENODEV;
	}
	errno = 0;
	b->container_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (b->container_fd < 0)
		return fail("open /dev/vfio/vfio", why, len);
	if (ioctl(b->container_fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		err = fail("VFIO_GET_API_VERSION", why, len);
		goto out;
	}
	if (ioctl(b->container_fd, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) <= 0) {
		errno = ENOTSUP;
		err = fail("VFIO_CHECK_EXTENSION(VFIO_NOIOMMU_IOMMU)", why, len);
		goto out;
	}
	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", b->group);
	b->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (b->group_fd < 0) {
		err = fail("open /dev/vfio/noiommu-<group>", why, len);
		goto out;
	}
	if (ioctl(b->group_fd, VFIO_GROUP_GET_STATUS, &status) < 0) {
		err = fail("VFIO_GROUP_GET_STATUS", why, len);
		goto out;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		err = fail("the vfio group is not viable", why, len);
		goto out;
	}
	if (ioctl(b->group_fd, VFIO_GROUP_SET_CONTAINER, &b->container_fd) < 0) {
		err = fail("VFIO_GROUP_SET_CONTAINER", why, len);
		goto out;
	}
	if (ioctl(b->container_fd, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU) < 0) {
		err = fail("VFIO_SET_IOMMU(VFIO_NOIOMMU_IOMMU)", why, len);
		goto out;
	}
	b->device_fd = ioctl(b->group_fd, VFIO_GROUP_GET_DEVICE_FD, b->bdf);
	if (b->device_fd < 0) {
		err = fail("VFIO_GROUP_GET_DEVICE_FD", why, len);
		goto out;
	}
	reg.index = VFIO_PCI_BAR0_REGION_INDEX + bar;
	if (ioctl(b->device_fd, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0) {
		err = fail("VFIO_DEVICE_GET_REGION_INFO", why, len);
		goto out;
	}
	if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP) || !reg.size) {
		errno = ENOTSUP;
		err = fail("the BAR cannot be mmap()ed (no VFIO_REGION_INFO_FLAG_MMAP)", why, len);
		goto out;
	}
	b->offset = reg.offset;
	b->size = reg.size;
	return 0;
out:
	vfio_bar_close(b);
	return err;
}

void vfio_bar_close(struct vfio_bar *b)
{
	if (b->device_fd >= 0)
		close(b->device_fd);
	if (b->group_fd >= 0)
		close(b->group_fd);
	if (b->container_fd >= 0)
		close(b->container_fd);
	b->container_fd = b->group_fd = b->device_fd = -1;
}
