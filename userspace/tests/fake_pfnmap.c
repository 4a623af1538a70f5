// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD stand-in for /dev/pfnmap, for hosts that cannot load the module.
 *
 * Opening FAKE_PFNMAP_PATH (default /dev/pfnmap-fake) returns a memfd filled
 * with the region pattern; the PFNMAP_IOC_* ioctls answer from counters kept
 * in memory shared across fork, so the probe's parent sees the children's
 * opens and releases. It is a memfd, not a PFNMAP mapping: outcomes differ
 * from the real module. What it checks is the probe's own plumbing (config,
 * window offsets, pattern, counters, balance, JSON), not the kernel.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pfnmap_dev_uapi.h"

#define FAKE_REGION_SIZE	(1UL << 20)
#define FAKE_MAX_FDS		1024

/* Shared across fork: the device-wide counters. */
struct fake_state {
	struct pfnmap_counters dev;
};

static struct fake_state *state;

/*
 * Per process (copied by fork): which fds are fake files, and who opened
 * them. Closing an inherited copy is not a release, like a real file whose
 * other reference lives on in the parent.
 */
static pid_t opener[FAKE_MAX_FDS];
static unsigned char mapped[FAKE_MAX_FDS];
static struct pfnmap_config config[FAKE_MAX_FDS];

static void fake_init(void)
{
	if (state)
		return;
	state = mmap(NULL, sizeof(*state), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (state == MAP_FAILED)
		abort();
	memset(state, 0, sizeof(*state));
	state->dev.nr_counters = PFNMAP_CNT_NR;
}

__attribute__((constructor)) static void fake_ctor(void)
{
	fake_init();
}

static const char *fake_path(void)
{
	const char *p = getenv("FAKE_PFNMAP_PATH");

	return p ? p : "/dev/pfnmap-fake";
}

static int fake_open(void)
{
	int fd = memfd_create("pfnmap-fake", MFD_CLOEXEC);
	uint64_t *buf;
	size_t i;

	if (fd < 0 || fd >= FAKE_MAX_FDS || ftruncate(fd, FAKE_REGION_SIZE)) {
		if (fd >= 0)
			close(fd);
		errno = EMFILE;
		return -1;
	}
	buf = mmap(NULL, FAKE_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED) {
		close(fd);
		return -1;
	}
	for (i = 0; i < FAKE_REGION_SIZE / 8; i++)
		buf[i] = pfnmap_pattern_word(i * 8);
	munmap(buf, FAKE_REGION_SIZE);
	__atomic_fetch_add(&state->dev.count[PFNMAP_CNT_OPENS], 1, __ATOMIC_SEQ_CST);
	opener[fd] = getpid();
	mapped[fd] = 0;
	memset(&config[fd], 0, sizeof(config[fd]));
	config[fd].size = sizeof(config[fd]);
	config[fd].flags = PFNMAP_CFG_KEEP_DONTEXPAND;
	return fd;
}

int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	fake_init();
	if (!real_open)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	if (!strcmp(path, fake_path()))
		return fake_open();
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return real_open(path, flags, mode);
}

int close(int fd)
{
	static int (*real_close)(int);

	if (!real_close)
		real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	if (state && fd >= 0 && fd < FAKE_MAX_FDS && opener[fd]) {
		if (opener[fd] == getpid())
			__atomic_fetch_add(&state->dev.count[PFNMAP_CNT_RELEASES], 1,
					   __ATOMIC_SEQ_CST);
		opener[fd] = 0;
	}
	return real_close(fd);
}

/* The config freezes at the first mmap, as in the module. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
	void *p;

	if (!real_mmap)
		real_mmap = (void *(*)(void *, size_t, int, int, int, off_t))
			dlsym(RTLD_NEXT, "mmap");
	p = real_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && fd >= 0 && fd < FAKE_MAX_FDS && opener[fd])
		mapped[fd] = 1;
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

/*
 * The uapi header's size rules, as the module applies them: the size member
 * at least the first ABI's and at most a page; an input's unknown tail must
 * be zero; an output is written up to the smaller size, the rest zeroed, its
 * size member set to what was filled.
 */
static int fake_user_size(const void *arg, uint32_t ver0, uint32_t *usize)
{
	memcpy(usize, arg, sizeof(*usize));
	if (*usize < ver0 || *usize > 4096) {
		errno = *usize < ver0 ? EINVAL : E2BIG;
		return -1;
	}
	return 0;
}

static int fake_copy_out(void *arg, void *kbuf, uint32_t ksize, uint32_t usize)
{
	uint32_t n = ksize < usize ? ksize : usize;

	memcpy(kbuf, &n, sizeof(n));
	memcpy(arg, kbuf, n);
	if (usize > n)
		memset((char *)arg + n, 0, usize - n);
	return 0;
}

#define FAKE_NOSIZE(cmd)	((cmd) & ~(unsigned long)IOCSIZE_MASK)

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	uint32_t usize;
	void *arg;
	va_list ap;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (!state || fd < 0 || fd >= FAKE_MAX_FDS || !opener[fd])
		return real_ioctl(fd, request, arg);

	switch (FAKE_NOSIZE(request)) {
	case FAKE_NOSIZE(PFNMAP_IOC_GET_INFO): {
		struct pfnmap_info info = {
			.abi_version = PFNMAP_DEV_ABI_VERSION,
			.region_kind = PFNMAP_REGION_MEMMAP,	/* so the .access cases run too */
			.region_has_pages = 1,
			.region_size = FAKE_REGION_SIZE,
		};

		if (fake_user_size(arg, PFNMAP_INFO_SIZE_VER0, &usize))
			return -1;
		return fake_copy_out(arg, &info, sizeof(info), usize);
	}
	case FAKE_NOSIZE(PFNMAP_IOC_SET_CONFIG): {
		struct pfnmap_config cfg;
		size_t i;

		if (fake_user_size(arg, PFNMAP_CONFIG_SIZE_VER0, &usize))
			return -1;
		for (i = sizeof(cfg); i < usize; i++) {
			if (((const unsigned char *)arg)[i]) {
				errno = E2BIG;
				return -1;
			}
		}
		memset(&cfg, 0, sizeof(cfg));
		memcpy(&cfg, arg, usize < sizeof(cfg) ? usize : sizeof(cfg));
		cfg.size = sizeof(cfg);
		if (cfg.insert >= PFNMAP_INSERT_NR || cfg.mremap_hook >= PFNMAP_MREMAP_NR ||
		    cfg.split_hook >= PFNMAP_SPLIT_NR ||
		    (cfg.flags & ~PFNMAP_CFG_ALL_FLAGS) || cfg.reserved) {
			errno = EINVAL;
			return -1;
		}
		if (mapped[fd]) {
			errno = EBUSY;
			return -1;
		}
		config[fd] = cfg;
		return 0;
	}
	case FAKE_NOSIZE(PFNMAP_IOC_GET_CONFIG): {
		struct pfnmap_config cfg = config[fd];

		if (fake_user_size(arg, PFNMAP_CONFIG_SIZE_VER0, &usize))
			return -1;
		return fake_copy_out(arg, &cfg, sizeof(cfg), usize);
	}
	case FAKE_NOSIZE(PFNMAP_IOC_FILE_COUNTERS): {
		struct pfnmap_counters c;

		if (fake_user_size(arg, PFNMAP_COUNTERS_SIZE_VER0, &usize))
			return -1;
		memset(&c, 0, sizeof(c));
		c.nr_counters = PFNMAP_CNT_NR;
		c.count[PFNMAP_CNT_OPENS] = 1;
		return fake_copy_out(arg, &c, sizeof(c), usize);
	}
	case FAKE_NOSIZE(PFNMAP_IOC_DEV_COUNTERS): {
		struct pfnmap_counters c = state->dev;

		if (fake_user_size(arg, PFNMAP_COUNTERS_SIZE_VER0, &usize))
			return -1;
		return fake_copy_out(arg, &c, sizeof(c), usize);
	}
	}
	errno = ENOTTY;
	return -1;
}

/*
 * FAKE_PFNMAP_CRASH_AFTER_EXIT=1: every _exit() dies of SIGSEGV instead, so
 * a case child crashes after it has sent its complete report. The probe must
 * fail that case (crash=SIGSEGV), not take the report at its word.
 */
void _exit(int status)
{
	static void (*real_exit)(int);
	const char *crash = getenv("FAKE_PFNMAP_CRASH_AFTER_EXIT");

	if (crash && *crash == '1') {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	if (!real_exit)
		real_exit = (void (*)(int))dlsym(RTLD_NEXT, "_exit");
	real_exit(status);
	__builtin_unreachable();
}
