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
		/* Below PFNMAP_CONFIG_SIZE_VER0; a bigger size is the ABI growing (op_abi_size). */
		CONFIG_CASE(ctx, size, 8);
		break;
	case ABI_CFG_ACCESS_PHYS:
		/* generic_access_phys() would ioremap RAM: refused at SET_CONFIG. */
		CONFIG_CASE(ctx, flags, PFNMAP_CFG_KEEP_DONTEXPAND | PFNMAP_CFG_ACCESS_PHYS);
		break;
	case ABI_CFG_HUGE:
		/* Not bad input where the kernel has huge pfnmap; EOPNOTSUPP elsewhere. */
		CONFIG_CASE(ctx, insert, PFNMAP_INSERT_HUGE);
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

/*
 * MAP_SHARED of a file opened read-only: do_mmap() clears VM_SHARED (and
 * VM_MAYWRITE) but keeps VM_MAYSHARE. Nothing can COW, so vmf_insert_pfn()
 * is safe and the fault personality must serve it, as it does on 7.2's
 * selftests/mm/pfnmap (O_RDONLY, PROT_READ, MAP_SHARED).
 */
void op_abi_fault_map_shared_rdonly(struct op_ctx *ctx)
{
	struct pfnmap_config cfg = ctx->c->mapping->config;
	char *at = arena_slot(ctx, SLOT_WINDOW);
	int fd = open(ctx->env->device_path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0) {
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "open:%s", errno_name(errno));
		return;
	}
	cfg.size = sizeof(cfg);
	cfg.insert = PFNMAP_INSERT_FAULT;
	if (ioctl(fd, PFNMAP_IOC_SET_CONFIG, &cfg) < 0) {
		set_outcome_kind(ctx->res, OUTCOME_SETUP, "config:%s", errno_name(errno));
		close(fd);
		return;
	}
	set_range(ctx, RANGE_OLD, at, WINDOW);
	op_begin(ctx);
	p = mmap(at, ctx->len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
		 (off_t)ctx->obj_offset);
	set_ret(ctx, p != MAP_FAILED, errno);
	close(fd);	/* the VMA holds the file */
	if (p == MAP_FAILED)
		return;
	own_range(ctx, p, ctx->len);
	read_window(ctx, FIELD_OLD, p);
}

/* A command number as a later ABI's header would spell it: the size bits for @size. */
static unsigned long ioc_with_size(unsigned long cmd, size_t size)
{
	return (cmd & ~(unsigned long)IOCSIZE_MASK) | ((unsigned long)size << _IOC_SIZESHIFT);
}

#define LATER_TAIL	8	/* bytes a later ABI added to a structure */

/*
 * An output ioctl's structure as the uapi header's rule says it must come
 * back: the module's part as @want (size = the bytes it filled), the
 * caller's tail zeroed.
 */
static void output_kept(struct op_ctx *ctx, const unsigned char *buf, size_t ksize,
			const void *want)
{
	uint32_t size;
	size_t i;
	bool tail_zero = true;

	memcpy(&size, buf, sizeof(size));
	for (i = ksize; i < ksize + LATER_TAIL; i++)
		tail_zero &= !buf[i];
	if (size != ksize)
		note_add(ctx->res, "size came back as %u, want %zu", size, ksize);
	if (!tail_zero)
		note_add(ctx->res, "the caller's tail was not zeroed");
	if (want && memcmp(buf + sizeof(size), (const char *)want + sizeof(size),
			   ksize - sizeof(size)))
		note_add(ctx->res, "the known part differs");
	set_field(ctx->res, FIELD_CONFIG,
		  size == ksize && tail_zero &&
		  (!want || !memcmp(buf + sizeof(size), (const char *)want + sizeof(size),
				    ksize - sizeof(size))) ? "kept" : "changed");
}

/* The size rules of the uapi header, one per row (enum abi_size_case). */
void op_abi_size(struct op_ctx *ctx)
{
	union {
		struct pfnmap_config config;
		struct pfnmap_info info;
		struct pfnmap_counters counters;
		unsigned char bytes[sizeof(struct pfnmap_counters) + LATER_TAIL];
	} u;
	struct pfnmap_config want = ctx->c->mapping->config;
	uint32_t size;
	int r;

	want.size = sizeof(want);
	memset(&u, 0, sizeof(u));
	switch ((enum abi_size_case)ctx->arg) {
	case ABI_SIZE_SET_CONFIG_BIGGER:
	case ABI_SIZE_SET_CONFIG_TAIL_SET:
		u.config = want;
		u.config.split_hook = PFNMAP_SPLIT_REFUSE;	/* visible in GET_CONFIG */
		size = sizeof(u.config) + LATER_TAIL;
		u.config.size = size;
		if (ctx->arg == ABI_SIZE_SET_CONFIG_TAIL_SET)
			u.bytes[sizeof(u.config) + LATER_TAIL - 1] = 1;
		op_begin(ctx);
		r = ioctl(ctx->fd, ioc_with_size(PFNMAP_IOC_SET_CONFIG, size), &u);
		set_ret(ctx, r == 0, errno);
		if (r || ctx->arg == ABI_SIZE_SET_CONFIG_TAIL_SET)
			return;
		want.split_hook = PFNMAP_SPLIT_REFUSE;
		memset(&u, 0xff, sizeof(u));
		u.config.size = sizeof(u.config) + LATER_TAIL;
		if (ioctl(ctx->fd, ioc_with_size(PFNMAP_IOC_GET_CONFIG, size), &u) < 0)
			set_field_errno(ctx->res, FIELD_CONFIG, errno);
		else
			output_kept(ctx, u.bytes, sizeof(u.config), &want);
		return;
	case ABI_SIZE_GET_CONFIG_SMALL:
		u.config.size = 8;
		op_begin(ctx);
		r = ioctl(ctx->fd, PFNMAP_IOC_GET_CONFIG, &u);
		set_ret(ctx, r == 0, errno);
		return;
	case ABI_SIZE_GET_CONFIG_BIGGER:
	case ABI_SIZE_INFO_BIGGER:
	case ABI_SIZE_COUNTERS_BIGGER: {
		static const unsigned long cmds[] = {
			[ABI_SIZE_GET_CONFIG_BIGGER] = PFNMAP_IOC_GET_CONFIG,
			[ABI_SIZE_INFO_BIGGER] = PFNMAP_IOC_GET_INFO,
			[ABI_SIZE_COUNTERS_BIGGER] = PFNMAP_IOC_FILE_COUNTERS,
		};
		static const size_t sizes[] = {
			[ABI_SIZE_GET_CONFIG_BIGGER] = sizeof(struct pfnmap_config),
			[ABI_SIZE_INFO_BIGGER] = sizeof(struct pfnmap_info),
			[ABI_SIZE_COUNTERS_BIGGER] = sizeof(struct pfnmap_counters),
		};
		size_t ksize = sizes[ctx->arg];

		memset(&u, 0xff, sizeof(u));
		size = (uint32_t)(ksize + LATER_TAIL);
		memcpy(u.bytes, &size, sizeof(size));
		op_begin(ctx);
		r = ioctl(ctx->fd, ioc_with_size(cmds[ctx->arg], size), &u);
		set_ret(ctx, r == 0, errno);
		if (!r)
			output_kept(ctx, u.bytes, ksize,
				    ctx->arg == ABI_SIZE_GET_CONFIG_BIGGER ? &want : NULL);
		return;
	}
	}
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
	c.size = PFNMAP_COUNTERS_SIZE_VER0 - 8;
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
