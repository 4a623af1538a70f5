// SPDX-License-Identifier: GPL-2.0
/*
 * Setting up the real.* family (real.h): the vfio-pci BAR and the /dev/mem
 * range, each filled with the module's pattern once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "evidence.h"
#include "readback.h"
#include "real.h"

/* memparse(): a number with an optional K, M or G suffix. */
static uint64_t parse_size(const char *s, char **end)
{
	uint64_t v = strtoull(s, end, 0);

	switch (**end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; (*end)++; break;
	default: break;
	}
	return v;
}

int memmap_ranges(const char *cmdline, uint64_t *base, uint64_t *size, int max)
{
	const char *p = cmdline;
	int n = 0;

	while ((p = strstr(p, "memmap=")) != NULL) {
		if (p != cmdline && p[-1] != ' ') {
			p++;
			continue;
		}
		p += strlen("memmap=");
		/* One option may list several ranges: memmap=16M$0x8000000,4M$0x9000000 */
		for (;;) {
			char *end;
			uint64_t sz = parse_size(p, &end), at;

			if (end == p || *end != '$')
				break;
			p = end + 1;
			at = parse_size(p, &end);
			if (end == p)
				break;
			if (n < max) {
				base[n] = at;
				size[n] = sz;
			}
			n++;
			p = end;
			if (*p != ',')
				break;
			p++;
		}
	}
	return n;
}

/* Map @len bytes of @fd at @off shared, write the pattern, unmap: 0 or -errno. */
static int fill_through_mapping(int fd, uint64_t off, size_t len, size_t ps)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);

	if (p == MAP_FAILED)
		return -errno;
	fill_pattern(p, len / ps, 0, ps);
	munmap(p, len);
	return 0;
}

static void setup_vfio(struct real_env *re, size_t ps, bool whole_bar)
{
	unsigned long fill = whole_bar ? REAL_VFIO_FILL_1G : REAL_VFIO_FILL_BYTES;
	char why[96];
	int err = vfio_bar_open(REAL_IVSHMEM_VENDOR, REAL_IVSHMEM_DEVICE, REAL_IVSHMEM_BAR,
				&re->vfio, why, sizeof(why));

	if (!err && re->vfio.size < fill) {
		snprintf(why, sizeof(why), "BAR %d of %#llx bytes is smaller than %#lx",
			 REAL_IVSHMEM_BAR, (unsigned long long)re->vfio.size, fill);
		vfio_bar_close(&re->vfio);
		err = -ENOSPC;
	}
	if (!err) {
		err = fill_through_mapping(re->vfio.device_fd, re->vfio.offset, fill, ps);
		if (err) {
			snprintf(why, sizeof(why), "mmap of the BAR: %s", strerror(-err));
			vfio_bar_close(&re->vfio);
		}
	}
	re->vfio_ok = !err;
	if (err)
		snprintf(re->vfio_why, sizeof(re->vfio_why),
			 "vfio-pci: %.60s; " REAL_HOWTO, why);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static void setup_devmem(struct real_env *re, const struct region_phys *module_region, size_t ps)
{
	uint64_t base[8], size[8];
	char *cmdline = read_text_file("/proc/cmdline");
	int n = cmdline ? memmap_ranges(cmdline, base, size, 8) : 0, i, fd, err;

	free(cmdline);
	re->devmem_ok = false;
	for (i = 0; i < n && i < 8; i++) {
		if (module_region->valid && module_region->listed &&
		    overlaps(base[i], size[i], module_region->phys, module_region->size))
			continue;
		if (size[i] < REAL_REGION_BYTES)
			continue;
		re->devmem_phys = base[i];
		re->devmem_size = size[i];
		break;
	}
	if (i >= n || i >= 8) {
		snprintf(re->devmem_why, sizeof(re->devmem_why),
			 "no memmap= range of 2M+ outside the module's region; " REAL_HOWTO);
		return;
	}
	fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(re->devmem_why, sizeof(re->devmem_why),
			 "open /dev/mem: %s (CONFIG_DEVMEM?)", strerror(errno));
		return;
	}
	err = fill_through_mapping(fd, re->devmem_phys, REAL_REGION_BYTES, ps);
	close(fd);
	if (err) {
		snprintf(re->devmem_why, sizeof(re->devmem_why),
			 "mmap /dev/mem at the memmap= range: %s (IO_STRICT_DEVMEM?)",
			 strerror(-err));
		return;
	}
	re->devmem_ok = true;
}

static void setup_drm(struct real_env *re, size_t ps)
{
	struct drm_dumb probe;
	char why[96];
	int err = drm_dumb_open(REAL_DRM_CARD, REAL_DRM_PAGES * ps, &probe, why, sizeof(why));

	drm_driver_name(REAL_DRM_CARD, re->drm_driver, sizeof(re->drm_driver));
	drm_dumb_close(&probe);
	re->drm_ok = !err;
	if (err)
		snprintf(re->drm_why, sizeof(re->drm_why),
			 "%.64s; a kernel with bochs-drm: the drm flavor (--kernels 7.2+drm)", why);
}

void real_setup(struct real_env *re, const struct region_phys *module_region, size_t ps,
		bool whole_bar)
{
	memset(re, 0, sizeof(*re));
	re->vfio.container_fd = re->vfio.group_fd = re->vfio.device_fd = -1;
	setup_vfio(re, ps, whole_bar);
	setup_devmem(re, module_region, ps);
	setup_drm(re, ps);
}

void real_teardown(struct real_env *re)
{
	vfio_bar_close(&re->vfio);
	re->vfio_ok = false;
}
