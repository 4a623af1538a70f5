// SPDX-License-Identifier: GPL-2.0
/*
 * The module's ABI: every bad input gets an errno (and a pr_warn, which is no
 * line of concern), never a splat. Each operation records the errno so the
 * expectations pin it; the kernel log check of every case covers the rest.
 * They run on the "abi" mapping: the plain personality, opened and configured
 * by mapping_open(); most of them map nothing (OP_MAPS_ITSELF).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mapping.h"
#include "ops.h"

#define PFNMAP_MODULE_NAME	"pfnmap_dev"
#define PFNMAP_MISC_DEV		"/sys/class/misc/pfnmap/dev"
#define BAD_ENUM_VALUE		99

static void ioctl_case(struct op_ctx *ctx, unsigned long request, void *arg)
{
	int r;

	op_begin(ctx);
	r = ioctl(ctx->fd, request, arg);
	set_ret(ctx, r == 0, errno);
}

void op_abi_unknown_ioctl(struct op_ctx *ctx)
{
	struct pfnmap_config cfg = ctx->c->mapping->config;

	/* The right magic and a plausible layout: only the number is unknown. */
	ioctl_case(ctx, _IOWR(PFNMAP_IOC_MAGIC, 0x7f, struct pfnmap_config), &cfg);
}

/* SET_CONFIG with the plain config but one member replaced by @value. */
static void config_case(struct op_ctx *ctx, size_t member_offset, uint32_t value)
{
	struct pfnmap_config cfg = ctx->c->mapping->config;

	cfg.size = sizeof(cfg);
	memcpy((char *)&cfg + member_offset, &value, sizeof(value));
	ioctl_case(ctx, PFNMAP_IOC_SET_CONFIG, &cfg);
}

#define CONFIG_CASE(ctx, member, value) \
	config_case(ctx, offsetof(struct pfnmap_config, member), value)

/* One SET_CONFIG member broken, as the row's argument says (enum abi_config_breakage). */
void op_abi_config_member(struct op_ctx *ctx)
{
	uint32_t unknown = ~(uint32_t)PFNMAP_CFG_ALL_FLAGS;

	switch ((enum abi_config_breakage)ctx->arg) {
	case ABI_CFG_BAD_INSERT:
		CONFIG_CASE(ctx, insert, BAD_ENUM_VALUE);
		break;
	case ABI_CFG_BAD_MREMAP_HOOK:
		CONFIG_CASE(ctx, mremap_hook, BAD_ENUM_VALUE);
		break;
	case ABI_CFG_BAD_SPLIT_HOOK:
		CONFIG_CASE(ctx, split_hook, BAD_ENUM_VALUE);
		break;
	case ABI_CFG_UNKNOWN_FLAG:
		/* The lowest bit the ABI does not define, next to a valid one. */
		CONFIG_CASE(ctx, flags, PFNMAP_CFG_KEEP_DONTEXPAND | (unknown & -unknown));
		break;
	case ABI_CFG_RESERVED:
		CONFIG_CASE(ctx, reserved, 1);
		break;
	case ABI_CFG_BAD_SIZE:
		CONFIG_CASE(ctx, size, sizeof(struct pfnmap_config) + 4);
		break;
	case ABI_CFG_ACCESS_PHYS:
		/* generic_access_phys() would ioremap RAM: refused at SET_CONFIG. */
		CONFIG_CASE(ctx, flags, PFNMAP_CFG_KEEP_DONTEXPAND | PFNMAP_CFG_ACCESS_PHYS);
		break;
	}
}

/* The window is mapped: a different config is refused, the old one stays. */
void op_abi_config_after_mmap(struct op_ctx *ctx)
{
	struct pfnmap_config want = ctx->c->mapping->config, got, other = {
		.size = sizeof(other),
		.insert = PFNMAP_INSERT_FAULT,
		.mremap_hook = PFNMAP_MREMAP_TRACK,
		.split_hook = PFNMAP_SPLIT_REFUSE,
	};

	want.size = sizeof(want);
	ioctl_case(ctx, PFNMAP_IOC_SET_CONFIG, &other);
	memset(&got, 0, sizeof(got));
	got.size = sizeof(got);
	if (ioctl(ctx->fd, PFNMAP_IOC_GET_CONFIG, &got) < 0)
		set_field_errno(ctx->res, FIELD_CONFIG, errno);
	else
		set_field(ctx->res, FIELD_CONFIG,
			  memcmp(&got, &want, sizeof(got)) ? "changed" : "kept");
}

/* mmap of the window's length at @offset; unmapped again if it succeeded. */
static void mmap_case(struct op_ctx *ctx, void *p, int err)
{
	set_ret(ctx, p != MAP_FAILED, err);
	if (p != MAP_FAILED) {
		own_range(ctx, p, ctx->len);
		note_add(ctx->res, "mapped at %p", p);
	}
}

void op_abi_mmap_beyond_region(struct op_ctx *ctx)
{
	uint64_t off = ctx->env->info.region_size - (WINDOW / 2) * ctx->ps;
	void *p;

	op_begin(ctx);
	p = mmap(arena_slot(ctx, SLOT_WINDOW), ctx->len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, ctx->fd, (off_t)off);
	mmap_case(ctx, p, errno);
}

/*
 * A page offset near ULONG_MAX >> PAGE_SHIFT: the core's overflow checks
 * (pgoff + pages, file_mmap_ok) let it through to the driver, whose offset
 * lies far beyond the region. The raw syscall, so no libc off_t check
 * interferes; mmap2 (32-bit) takes the offset in 4096-byte units.
 */
void op_abi_mmap_offset_overflow(struct op_ctx *ctx)
{
	unsigned int shift = (unsigned int)__builtin_ctzl(ctx->ps);
	unsigned long pgoff = (ULONG_MAX >> shift) - 2 * WINDOW;
	long r;

	op_begin(ctx);
#ifdef SYS_mmap2
	r = syscall(SYS_mmap2, arena_slot(ctx, SLOT_WINDOW), ctx->len,
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, ctx->fd,
		    pgoff << (shift - 12));
#else
	r = syscall(SYS_mmap, arena_slot(ctx, SLOT_WINDOW), ctx->len,
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, ctx->fd,
		    pgoff << shift);
#endif
	mmap_case(ctx, r == -1 ? MAP_FAILED : (void *)r, errno);
}

/* vfio-style fault insertion cannot COW: the module refuses MAP_PRIVATE at mmap. */
void op_abi_fault_map_private(struct op_ctx *ctx)
{
	struct pfnmap_config cfg = ctx->c->mapping->config;
	void *p;

	cfg.size = sizeof(cfg);
	cfg.insert = PFNMAP_INSERT_FAULT;
	if (ioctl(ctx->fd, PFNMAP_IOC_SET_CONFIG, &cfg) < 0) {
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "config:%s", errno_name(errno));
		return;
	}
	op_begin(ctx);
	p = mapping_map(ctx, arena_slot(ctx, SLOT_WINDOW), true);
	mmap_case(ctx, p, errno);
}

void op_abi_info_bad_size(struct op_ctx *ctx)
{
	struct pfnmap_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info) - 8;
	ioctl_case(ctx, PFNMAP_IOC_GET_INFO, &info);
}

void op_abi_counters_bad_size(struct op_ctx *ctx)
{
	struct pfnmap_counters c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c) + 8;
	ioctl_case(ctx, PFNMAP_IOC_FILE_COUNTERS, &c);
}

/* Is @fd the module's misc device (and not, say, a test double)? */
static bool is_module_device(int fd)
{
	char *text = read_text_file(PFNMAP_MISC_DEV);
	unsigned int maj, min;
	struct stat st;
	bool ok;

	ok = text && sscanf(text, "%u:%u", &maj, &min) == 2 && !fstat(fd, &st) &&
	     S_ISCHR(st.st_mode) && st.st_rdev == makedev(maj, min);
	free(text);
	return ok;
}

/*
 * Unload while a mapping exists: the fd is closed, so only the VMA holds the
 * file and through it the module (the parent closed its own fd for this
 * case: OP_SOLE_DEVICE_USER). delete_module must refuse, the module stay.
 */
void op_abi_unload_busy(struct op_ctx *ctx)
{
	struct case_result *res = ctx->res;
	bool ours = is_module_device(ctx->fd);
	int fd;
	long r;

	op_begin(ctx);
	/* The file's counters die with the mapping's last reference: none after. */
	res->have_file_counters = false;
	close(ctx->fd);
	ctx->fd = -1;
	if (!ours) {
		/* Never unload a module this run did not map from. */
		set_field(res, FIELD_RET, "ENODEV");
		note_add(res, "%s is not %s: delete_module not tried",
			 ctx->env->device_path, PFNMAP_MISC_DEV);
	} else {
		r = syscall(SYS_delete_module, PFNMAP_MODULE_NAME, O_NONBLOCK);
		set_ret(ctx, r == 0, errno);
		if (!r)
			note_add(res, "delete_module succeeded with a live mapping");
	}
	fd = open(ctx->env->device_path, O_RDWR | O_CLOEXEC);
	set_field(res, FIELD_LOADED, fd >= 0 ? "yes" : "no");
	if (fd >= 0)
		close(fd);
	read_window(ctx, FIELD_OLD, ctx->addr);
}
