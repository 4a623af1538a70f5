// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checks.h"
#include "log_concern.h"
#include "readback.h"

/* "phys 0x..." from the module's debugfs region file; 0 when it cannot be read. */
static uint64_t region_base_pfn(size_t page)
{
	char buf[256], *at;
	ssize_t n;
	int fd = open("/sys/kernel/debug/pfnmap_dev/region", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	at = strstr(buf, "phys ");
	return at ? strtoull(at + strlen("phys "), NULL, 0) / page : 0;
}

int read_region_info(int fd, struct region_info *info)
{
	struct pfnmap_info raw = { .size = sizeof(raw) };
	long page = sysconf(_SC_PAGESIZE);

	if (ioctl(fd, PFNMAP_IOC_GET_INFO, &raw))
		return -errno;
	info->kind = raw.region_kind;
	info->has_pages = raw.region_has_pages;
	info->pages = raw.region_size / (uint64_t)page;
	info->base_pfn = region_base_pfn((size_t)page);
	return 0;
}

int read_dev_counters(int fd, struct pfnmap_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	return ioctl(fd, PFNMAP_IOC_DEV_COUNTERS, c) ? -errno : 0;
}

static long meminfo_kb(const char *key)
{
	char buf[4096], *at;
	ssize_t n;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	at = strstr(buf, key);
	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

long memfree_kb(void)
{
	return meminfo_kb("MemFree:");
}

long memtotal_kb(void)
{
	return meminfo_kb("MemTotal:");
}

bool kernel_has_kasan(void)
{
	char record[1024];
	bool found = false;
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return false;
	while (!found && ((n = read(fd, record, sizeof(record) - 1)) > 0 || (n < 0 && errno == EPIPE))) {
		if (n <= 0)
			continue;
		record[n] = '\0';
		found = strstr(record, "KernelAddressSanitizer initialized") != NULL;
	}
	close(fd);
	return found;
}

int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* A record is "prio,seq,time,flags;text\n" followed by " KEY=value" lines. */
unsigned int kmsg_lines_of_concern(int fd, FILE *out, unsigned int *lost)
{
	char record[8192];
	unsigned int concern = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	for (;;) {
		char *text, *end;

		n = read(fd, record, sizeof(record) - 1);
		if (n < 0 && errno == EPIPE) {
			(*lost)++;	/* overwritten before we read it: go on with the next */
			continue;
		}
		if (n <= 0)
			break;
		record[n] = '\0';
		text = strchr(record, ';');
		if (!text)
			continue;
		text++;
		end = strchr(text, '\n');
		if (end)
			*end = '\0';
		if (log_line_of_concern(text)) {
			if (concern < 20)
				fprintf(out, "  kernel: %s\n", text);
			concern++;
		}
	}
	return concern;
}

long region_pattern_pages(const char *device, const struct region_info *info, size_t page)
{
	size_t npages = (size_t)info->pages, i;
	enum page_class *cls = calloc(npages, sizeof(*cls));
	long good = 0;
	void *addr;
	int fd;

	if (!cls)
		return -ENOMEM;
	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(cls);
		return -errno;
	}
	addr = mmap(NULL, npages * page, PROT_READ, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED) {
		good = -errno;
	} else {
		classify_pages(addr, npages, 0, page, cls);
		for (i = 0; i < npages; i++)
			good += cls[i] == PAGE_PATTERN;
		munmap(addr, npages * page);
	}
	close(fd);
	free(cls);
	return good;
}
