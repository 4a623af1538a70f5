// SPDX-License-Identifier: GPL-2.0
/* The module's debugfs region file and x86 pat_memtype_list counting. */
#include "pat.h"
#include "unit.h"

static const char memtype_list[] =
	"PAT memtype list:\n"
	"PAT: [mem 0x00000000000a0000-0x00000000000c0000] uncached-minus\n"
	"PAT: [mem 0x000000000ffff000-0x0000000010000000] write-back\n"	/* ends at base */
	"PAT: [mem 0x0000000010000000-0x0000000010008000] uncached-minus\n"
	"PAT: [mem 0x0000000010ff0000-0x0000000011000000] uncached-minus\n"
	"PAT: [mem 0x0000000011000000-0x0000000011001000] write-combining\n"	/* starts at end */
	"PAT: [mem 0x000000000f000000-0x0000000012000000] uncached-minus\n"	/* covers it */
	"garbage [mem nonsense]\n"
	"PAT: [mem 0x00000000fd000000-0x00000000fe000000] write-combining";	/* no newline */

void test_pat(void)
{
	struct region_phys r;

	CHECK(region_parse("kind memmap\nphys 0x0000000010000000\nsize 0x1000000\n", &r));
	CHECK(r.valid && r.listed);
	CHECK(r.phys == 0x10000000 && r.size == 0x1000000);
	CHECK(region_parse("kind pages\nphys 0x00000001234f0000\nsize 0x100000", &r));
	CHECK(r.valid && !r.listed && r.phys == 0x1234f0000ULL && r.size == 0x100000);
	/* A PCI BAR is not RAM either: PAT lists its memtype. */
	CHECK(region_parse("kind pci\nphys 0x00000000fc000000\nsize 0x100000\n", &r));
	CHECK(r.valid && r.listed);
	CHECK(!region_parse("kind pages\nsize 0x100000\n", &r));
	CHECK(!r.valid);
	CHECK(!region_parse("kind pages\nphys 0x1000\nsize 0x0\n", &r));
	CHECK(!region_parse("", &r));

	CHECK(pat_count_overlaps(memtype_list, 0x10000000, 0x1000000) == 3);
	CHECK(pat_count_overlaps(memtype_list, 0xfd800000, 0x1000) == 1);
	CHECK(pat_count_overlaps(memtype_list, 0x20000000, 0x1000) == 0);
	CHECK(pat_count_overlaps("", 0, 0x1000) == 0);

	{
		char buf[96];

		CHECK(pat_memtypes(memtype_list, 0x10000000, 0x1000000, buf, sizeof(buf)) == 3);
		CHECK_STR(buf, "uncached-minus");
		CHECK(pat_memtypes(memtype_list, 0xfd800000, 0x1000, buf, sizeof(buf)) == 1);
		CHECK_STR(buf, "write-combining");
		CHECK(pat_memtypes(memtype_list, 0x10fff000, 0x2000, buf, sizeof(buf)) == 3);
		CHECK_STR(buf, "uncached-minus+write-combining");
		CHECK(pat_memtypes(memtype_list, 0x20000000, 0x1000, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, "none");
		CHECK(pat_memtypes_range(0x1000, 0, buf, sizeof(buf)) == -1);
	}

	CHECK_STR(pat_verdict(1, 1), "same");
	CHECK_STR(pat_verdict(0, 0), "same");
	CHECK_STR(pat_verdict(1, 2), "leaked");
	CHECK_STR(pat_verdict(2, 1), "freed");
	CHECK_STR(pat_verdict(-1, 1), "-");
	CHECK_STR(pat_verdict(1, -1), "-");
}
