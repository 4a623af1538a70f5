// SPDX-License-Identifier: GPL-2.0
/*
 * Building the mapping under test: the four controls (no module needed), the
 * /dev/pfnmap personalities and the real drivers (real.h). The controls hold the same position-
 * dependent pattern as the device region, so "pattern" means the same thing
 * for both: pfnmap_pattern_word(object offset) at every 8-byte word.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapping.h"
#include "readback.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC		0x0001U
#endif

/* Write the pattern into a file so both shared and private maps of it see it. */
static int file_fill_pattern(int fd, size_t len, size_t ps)
{
	char *buf = malloc(len);
	ssize_t w;

	if (!buf)
		return -ENOMEM;
	fill_pattern(buf, len / ps, 0, ps);
	w = pwrite(fd, buf, len, 0);
	free(buf);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

static int open_tmpfs_file(const struct op_ctx *ctx)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/pfnmap-probe.XXXXXX", ctx->env->tmpfs_dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	unlink(path);	/* the file lives exactly as long as fd and its mappings */
	return fd;
}

static int open_device(struct op_ctx *ctx, char *step, size_t steplen)
{
	struct pfnmap_config cfg = ctx->c->mapping->config;
	int fd = open(ctx->env->device_path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(step, steplen, "open");
		return -errno;
	}
	cfg.size = sizeof(cfg);
	if (ioctl(fd, PFNMAP_IOC_SET_CONFIG, &cfg) < 0) {
		int err = -errno;

		snprintf(step, steplen, "config");
		close(fd);
		return err;
	}
	return fd;
}

/*
 * A dumb buffer of the case's own, filled with the pattern through a mapping
 * of it: the window is then a fresh mapping of a buffer already populated.
 */
static int open_drm_buffer(struct op_ctx *ctx, char *step, size_t steplen)
{
	size_t len = REAL_DRM_PAGES * ctx->ps;
	struct drm_dumb b;
	char why[96];
	void *p;
	int err = drm_dumb_open(REAL_DRM_CARD, len, &b, why, sizeof(why));

	if (err) {
		snprintf(step, steplen, "dumb");
		return err;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, (off_t)b.offset);
	if (p == MAP_FAILED) {
		err = -errno;
		snprintf(step, steplen, "fill");
		drm_dumb_close(&b);
		return err;
	}
	fill_pattern(p, REAL_DRM_PAGES, 0, ctx->ps);
	munmap(p, len);
	ctx->fd = b.fd;
	ctx->map_base = b.offset;
	return 0;
}

/*
 * Create the object behind the mapping (file, memfd, device file); anonymous
 * mappings have none. Returns 0 or -errno with @step naming what failed.
 */
int mapping_open(struct op_ctx *ctx, char *step, size_t steplen)
{
	size_t len = PROBE_WINDOW_PAGES * ctx->ps;
	int fd = -1, err;

	ctx->fd = -1;
	switch (ctx->c->mapping->kind) {
	case MAP_KIND_ANON_PRIVATE:
	case MAP_KIND_ANON_SHARED:
		return 0;
	case MAP_KIND_MEMFD:
		snprintf(step, steplen, "memfd");
		fd = memfd_create("pfnmap-probe", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		break;
	case MAP_KIND_TMPFS_FILE:
		snprintf(step, steplen, "tmpfile");
		fd = open_tmpfs_file(ctx);
		if (fd < 0)
			return fd;
		if (!ctx->env->tmpfs_dir_is_tmpfs)
			note_add(ctx->res, "%s is not tmpfs; file control runs on it anyway",
				 ctx->env->tmpfs_dir);
		break;
	case MAP_KIND_DEVICE:
		fd = open_device(ctx, step, steplen);
		if (fd < 0)
			return fd;
		ctx->fd = fd;
		return 0;
	case MAP_KIND_DEVMEM:
	case MAP_KIND_REAL_DEVMEM:
		snprintf(step, steplen, "open");
		fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		ctx->fd = fd;
		/* /dev/mem offsets are physical addresses: the module's region, or the other range. */
		ctx->map_base = ctx->c->mapping->kind == MAP_KIND_DEVMEM ?
				ctx->env->region.phys : ctx->env->real.devmem_phys;
		return 0;
	case MAP_KIND_REAL_VFIO:
		/* The group opens once: every case maps the device fd main() opened. */
		snprintf(step, steplen, "dup");
		fd = fcntl(ctx->env->real.vfio.device_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		ctx->fd = fd;
		/* The BAR's offset from VFIO_DEVICE_GET_REGION_INFO. */
		ctx->map_base = ctx->env->real.vfio.offset;
		return 0;
	case MAP_KIND_REAL_DRM:
		return open_drm_buffer(ctx, step, steplen);
	}
	snprintf(step, steplen, "fill");
	if (ftruncate(fd, (off_t)len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = file_fill_pattern(fd, len, ctx->ps);
	if (err) {
		close(fd);
		return err;
	}
	ctx->fd = fd;
	return 0;
}

/*
 * Map the window at @at (which must be free). Anonymous mappings are filled
 * with the pattern here; everything else already holds it. Returns the
 * address or MAP_FAILED with errno set.
 */
void *mapping_map(struct op_ctx *ctx, void *at, bool private_map)
{
	size_t len = PROBE_WINDOW_PAGES * ctx->ps;
	int flags = MAP_FIXED_NOREPLACE | (private_map ? MAP_PRIVATE : MAP_SHARED);
	off_t off = 0;
	void *p;

	switch (ctx->c->mapping->kind) {
	case MAP_KIND_ANON_PRIVATE:
		flags = MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case MAP_KIND_ANON_SHARED:
		flags |= MAP_ANONYMOUS;
		break;
	case MAP_KIND_MEMFD:
	case MAP_KIND_TMPFS_FILE:
		break;
	default:
		/* Objects with a window inside: the same window in every case of the mapping. */
		off = (off_t)(ctx->map_base + ctx->obj_offset);
		break;
	}
	p = mmap(at, len, PROT_READ | PROT_WRITE, flags,
		 ctx->c->mapping->kind <= MAP_KIND_ANON_SHARED ? -1 : ctx->fd, off);
	if (p == MAP_FAILED)
		return p;
	if (p != at) {
		/* A kernel older than 4.17 ignores NOREPLACE: treat as failure. */
		munmap(p, len);
		errno = EEXIST;
		return MAP_FAILED;
	}
	own_range(ctx, p, len);
	if (ctx->c->mapping->kind <= MAP_KIND_ANON_SHARED)
		fill_pattern(p, PROBE_WINDOW_PAGES, 0, ctx->ps);
	return p;
}

void mapping_close(struct op_ctx *ctx)
{
	if (ctx->fd >= 0)
		close(ctx->fd);
	ctx->fd = -1;
}
