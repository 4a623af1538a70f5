// SPDX-License-Identifier: GPL-2.0
/* Page classification and its run-length form. */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "outcome.h"
#include "readback.h"
#include "unit.h"

static const char *fmt(const enum page_class *c, size_t n, enum class_names names)
{
	static char buf[PROBE_FIELD_LEN];

	return rle_format(c, n, names, buf, sizeof(buf));
}

/*
 * A read that never completes is PAGE_HANG after READ_HANG_MS: a page of a
 * userfaultfd-registered range that nobody serves blocks its reader in the
 * kernel until a signal comes, like a driver that answers VM_FAULT_NOPAGE
 * without inserting keeps it faulting.
 */
static void test_hang_class(size_t ps)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	enum page_class cls = PAGE_PATTERN;
	void *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	reg.range.start = (uintptr_t)p;
	reg.range.len = ps;
	CHECK(uffd >= 0 && p != MAP_FAILED);
	if (uffd < 0 || p == MAP_FAILED)
		return;
	CHECK(!ioctl(uffd, UFFDIO_API, &api) && !ioctl(uffd, UFFDIO_REGISTER, &reg));
	classify_pages(p, 1, 0, ps, &cls);
	CHECK(cls == PAGE_HANG);
	CHECK_STR(page_class_name(PAGE_HANG, NAMES_PAGES), "hang");
	CHECK_STR(probe_write_word(p), "hang");
	munmap(p, ps);
	close(uffd);
}

void test_rle(void)
{
	enum page_class same[4] = { PAGE_PATTERN, PAGE_PATTERN, PAGE_PATTERN, PAGE_PATTERN };
	enum page_class split[8] = { PAGE_PATTERN, PAGE_PATTERN, PAGE_SIGSEGV, PAGE_SIGSEGV,
				     PAGE_SIGSEGV, PAGE_SIGSEGV, PAGE_PATTERN, PAGE_PATTERN };
	enum page_class grow[12] = { 0 };
	enum page_class alt[3] = { PAGE_ZERO, PAGE_SIGBUS, PAGE_ZERO };
	enum page_class target[4] = { PAGE_MARKER, PAGE_MARKER, PAGE_SIGSEGV, PAGE_PATTERN };
	enum page_class cls[3];
	size_t ps = 4096, i;
	uint64_t *page = malloc(3 * ps);
	char small[12];

	CHECK_STR(fmt(same, 4, NAMES_PAGES), "pattern");
	CHECK_STR(fmt(same, 1, NAMES_PAGES), "pattern");
	CHECK_STR(fmt(same, 0, NAMES_PAGES), "-");
	CHECK_STR(fmt(split, 8, NAMES_PAGES), "pattern*2+sigsegv*4+pattern*2");
	for (i = 8; i < 12; i++)
		grow[i] = PAGE_SIGBUS;
	CHECK_STR(fmt(grow, 12, NAMES_PAGES), "pattern*8+sigbus*4");
	CHECK_STR(fmt(alt, 3, NAMES_PAGES), "zero*1+sigbus*1+zero*1");
	CHECK_STR(fmt(target, 4, NAMES_TARGET), "intact*2+unmapped*1+replaced*1");
	CHECK_STR(fmt(target, 2, NAMES_TARGET), "intact");
	CHECK_STR(page_class_name(PAGE_OTHER, NAMES_PAGES), "other");
	/* a short buffer truncates at a run boundary, never mid-word */
	CHECK_STR(rle_format(split, 8, NAMES_PAGES, small, sizeof(small)), "pattern*2");

	/* classify_buffer: pattern depends on the offset, not only the page */
	fill_pattern(page, 3, 0x10000, ps);
	CHECK(classify_buffer(page, ps, 0x10000) == PAGE_PATTERN);
	CHECK(classify_buffer((char *)page + ps, ps, 0x10000 + ps) == PAGE_PATTERN);
	CHECK(classify_buffer((char *)page + ps, ps, 0x10000) == PAGE_OTHER);
	CHECK(classify_buffer(page, ps, NO_PATTERN) == PAGE_OTHER);
	page[7] ^= 1;
	CHECK(classify_buffer(page, ps, 0x10000) == PAGE_OTHER);
	memset(page, 0, ps);
	CHECK(classify_buffer(page, ps, 0x10000) == PAGE_ZERO);
	fill_marker(page, 1, ps);
	CHECK(classify_buffer(page, ps, 0) == PAGE_MARKER);

	/* classify_pages on live memory, including a page that faults */
	fill_pattern(page, 3, 0, ps);
	classify_pages(page, 1, 0, ps, cls);
	CHECK(cls[0] == PAGE_PATTERN);
	classify_pages(NULL, 1, 0, ps, cls);	/* page 0 is never mapped */
	CHECK(cls[0] == PAGE_SIGSEGV);
	free(page);
	test_hang_class(ps);
}
