// SPDX-License-Identifier: GPL-2.0
/*
 * GEM SHMEM maps the wrong buffer pages after a VMA split
 * (docs/findings/drm-shmem-split-vma.md).
 *
 * A dumb buffer of 8 pages on a GEM SHMEM driver (bochs-drm from 7.x,
 * virtio-gpu, cirrus, ast, ...), each page filled with its own index; mmap
 * it and, before touching it, either mremap pages 2..5 elsewhere or munmap
 * pages 0..1; then read. Every page must still hold its own index. On an
 * affected kernel the pages that fault in a VMA which does not start at the
 * buffer's first page hold the buffer's first pages instead.
 *
 *   gcc -O2 -static -o drm-shmem-split drm-shmem-split.c
 *   ./drm-shmem-split [/dev/dri/card0]      exit 0 correct, 1 wrong pages, 2 setup failed
 *
 * In QEMU: ./run-qemu.sh --kernels 7.2+drm --include drm-shmem-split --exec drm-shmem-split
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

struct drm_mode_create_dumb {
	uint32_t height, width, bpp, flags;
	uint32_t handle, pitch;
	uint64_t size;
};

struct drm_mode_map_dumb {
	uint32_t handle, pad;
	uint64_t offset;
};

#define DRM_IOCTL_MODE_CREATE_DUMB	_IOWR('d', 0xB2, struct drm_mode_create_dumb)
#define DRM_IOCTL_MODE_MAP_DUMB		_IOWR('d', 0xB3, struct drm_mode_map_dumb)
#define PAGES	8

static long ps;

/* A fresh, untouched mapping of the buffer, filled beforehand through another mapping. */
static char *map_buffer(int fd, uint64_t offset)
{
	char *p = mmap(NULL, PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);

	return p == MAP_FAILED ? NULL : p;
}

/* How many of @n pages at @p do not hold their index (buffer page @first on). */
static int wrong_pages(const char *what, const char *p, int first, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		int got = *(const volatile uint32_t *)(p + i * ps);

		printf("%s: page %d holds %d%s\n", what, first + i, got,
		       got == first + i ? "" : "  <-- wrong page");
		bad += got != first + i;
	}
	return bad;
}

int main(int argc, char **argv)
{
	const char *card = argc > 1 ? argv[1] : "/dev/dri/card0";
	struct drm_mode_create_dumb create = { .width = 1024, .height = PAGES, .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	char *p, *dest;
	int fd, i, bad = 0;

	ps = sysconf(_SC_PAGESIZE);
	fd = open(card, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		perror(card);
		return 2;
	}
	map.handle = create.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0 || !(p = map_buffer(fd, map.offset))) {
		perror("map dumb");
		return 2;
	}
	for (i = 0; i < PAGES; i++)
		*(uint32_t *)(p + i * ps) = i;
	munmap(p, PAGES * ps);

	/* 1. mremap pages 2..5 of an untouched mapping elsewhere, then read them there. */
	p = map_buffer(fd, map.offset);
	dest = mmap(NULL, 4 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!p || dest == MAP_FAILED ||
	    mremap(p + 2 * ps, 4 * ps, 4 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, dest) == MAP_FAILED) {
		perror("mremap");
		return 2;
	}
	bad += wrong_pages("mremap'ed piece", dest, 2, 4);
	bad += wrong_pages("tail left behind", p + 6 * ps, 6, 2);
	munmap(p, PAGES * ps);
	munmap(dest, 4 * ps);

	/* 2. munmap the first two pages of an untouched mapping, then read the rest. */
	p = map_buffer(fd, map.offset);
	if (!p || munmap(p, 2 * ps)) {
		perror("munmap");
		return 2;
	}
	bad += wrong_pages("after munmap of pages 0-1", p + 2 * ps, 2, PAGES - 2);
	printf("%s: %d wrong page(s)\n", bad ? "FAIL" : "ok", bad);
	return bad ? 1 : 0;
}
