// SPDX-License-Identifier: GPL-2.0
/* /proc/<pid>/smaps VmFlags parsing and range lookup; kernel log lines as outcome words. */
#include "evidence.h"
#include "unit.h"

static const char sample[] =
	"55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1234   /usr/bin/cat\n"
	"Size:                  8 kB\n"
	"KernelPageSize:        4 kB\n"
	"VmFlags: rd mr mw me dw sd \n"
	"7f0000000000-7f0000008000 rw-s 00000000 00:05 77     /dev/pfnmap\n"
	"Size:                 32 kB\n"
	"Rss:                   0 kB\n"
	"THPeligible:    0\n"
	"VmFlags: rd wr sh mr mw me ms io pf dc de dd\n"
	"7f0000008000-7f000000a000 rw-p 00000000 00:00 0 \n"
	"Size:                  8 kB\n"
	"VmFlags: rd wr mr mw me ac\n"
	"7f0000010000-7f0000011000 ---p 00000000 00:00 0\n"
	"Size:                  4 kB\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n"
	"VmFlags: ex\n";

void test_smaps(void)
{
	struct vma_info v[8];
	char buf[PROBE_FLAGS_LEN];
	int nr = smaps_parse(sample, v, 8);

	CHECK(nr == 5);
	CHECK(v[0].start == 0x55d0c0a00000UL && v[0].end == 0x55d0c0a02000UL);
	CHECK_STR(v[0].flags, "rd mr mw me dw sd");
	CHECK_STR(v[1].flags, "rd wr sh mr mw me ms io pf dc de dd");
	CHECK_STR(v[2].flags, "rd wr mr mw me ac");
	CHECK_STR(v[3].flags, "");		/* no VmFlags line (old kernels) */
	CHECK_STR(v[4].flags, "ex");

	vmflags_for_range(v, nr, 0x7f0000000000UL, 0x8000, buf, sizeof(buf));
	CHECK_STR(buf, "rd wr sh mr mw me ms io pf dc de dd");
	/* a range spanning two VMAs lists both, in address order */
	vmflags_for_range(v, nr, 0x7f0000006000UL, 0x4000, buf, sizeof(buf));
	CHECK_STR(buf, "rd wr sh mr mw me ms io pf dc de dd | rd wr mr mw me ac");
	/* nothing there */
	vmflags_for_range(v, nr, 0x7f000000a000UL, 0x6000, buf, sizeof(buf));
	CHECK_STR(buf, "-");
	/* end is exclusive */
	vmflags_for_range(v, nr, 0x7f0000008000UL - 0x1000, 0x1000, buf, sizeof(buf));
	CHECK_STR(buf, "rd wr sh mr mw me ms io pf dc de dd");

	/* limits: max respected, malformed text rejected, empty is fine */
	CHECK(smaps_parse(sample, v, 2) == 2);
	CHECK(smaps_parse("VmFlags: rd\n", v, 8) == -1);
	CHECK(smaps_parse("", v, 8) == 0);
	CHECK(smaps_parse("1000-2000 r--p 0 0:0 0\nVmFlags: rd", v, 8) == 1);
	CHECK_STR(v[0].flags, "rd");

	/* Reading stops at the first VMA at or above the limit, seen whole lines at a time. */
	{
		size_t scanned = 0;

		CHECK(smaps_past(sample, &scanned, 0x7f0000008000UL));
		scanned = 0;
		/* a VMA starting right at the limit is past it: the ranges end there */
		CHECK(smaps_past(sample, &scanned, 0xffffffffff600000UL));
		scanned = 0;
		CHECK(!smaps_past(sample, &scanned, 0xffffffffff601000UL));
		CHECK(scanned == sizeof(sample) - 1);
		scanned = 0;
		/* a header cut short is not read as one: 7f00 is no VMA at 0x7f00 */
		CHECK(!smaps_past("7f0000000000-7f0000008000 rw-s 0 0:5 77\n7f00", &scanned,
				  0x7f0000000001UL));
		CHECK(scanned == 40);
		CHECK(smaps_past("7f0000000000-7f0000008000 rw-s 0 0:5 77\n7f0000010000-7f0000011000 ---p\n",
				 &scanned, 0x7f0000000001UL));
	}

	/* Log words: the WARNING's location in both wordings, anything else by its first words. */
	log_word("WARNING: arch/x86/mm/ioremap.c:216 at __ioremap_caller.constprop.0+0x8c/0x252, "
		 "CPU#0: pfnmap-probe/30", buf, sizeof(buf));
	CHECK_STR(buf, "WARNING:arch/x86/mm/ioremap.c:216");
	log_word("WARNING: CPU: 0 PID: 93 at arch/x86/mm/ioremap.c:217 __ioremap_caller+0x2f1/0x340",
		 buf, sizeof(buf));
	CHECK_STR(buf, "WARNING:arch/x86/mm/ioremap.c:217");
	log_word("BUG: Bad rss-counter state mm:0000 type:MM_ANONPAGES val:+1", buf, sizeof(buf));
	CHECK_STR(buf, "BUG:_Bad_rss-counter_state_mm_type:MM_ANONPAGES");
	{
		char lines[2][PROBE_KMSG_LEN] = {
			"WARNING: CPU: 0 PID: 1 at mm/memory.c:12 f+0x1/0x2",
			"x86/PAT: pfnmap-probe:3 freeing invalid memtype [mem 0x1-0x2]",
		};

		log_words(lines, 0, buf, sizeof(buf));
		CHECK_STR(buf, "none");
		log_words(lines, 2, buf, sizeof(buf));
		CHECK_STR(buf, "WARNING:mm/memory.c:12+x86/PAT:_pfnmap-probe_freeing_invalid_memtype");
	}
	/* The pid differs from run to run, the source line does not. */
	log_word("x86/PAT: pfnmap-probe:45 freeing invalid memtype [mem 0x80192000-0x80195fff]",
		 buf, sizeof(buf));
	CHECK_STR(buf, "x86/PAT:_pfnmap-probe_freeing_invalid_memtype");
	/* The hashed pointer and the entry differ from boot to boot: the word stops before them. */
	log_word("mm/pgtable-generic.c:44: bad pud 0000000041a1ec18(80000000800002f7)",
		 buf, sizeof(buf));
	CHECK_STR(buf, "mm/pgtable-generic.c:44:_bad_pud");
}
