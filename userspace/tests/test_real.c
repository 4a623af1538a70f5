// SPDX-License-Identifier: GPL-2.0
/* The real family: which memmap= ranges of a command line /dev/mem may use. */
#include <stdint.h>

#include "real.h"
#include "unit.h"

void test_real(void)
{
	uint64_t base[4], size[4];

	/* What run-qemu.sh --real --memmap writes: the module's range, then /dev/mem's. */
	CHECK(memmap_ranges("console=ttyS0 memmap=16M$0x8000000 vfio.enable_unsafe_noiommu_mode=1 "
			    "memmap=16M$0x9000000", base, size, 4) == 2);
	CHECK(base[0] == 0x8000000 && size[0] == 16 << 20);
	CHECK(base[1] == 0x9000000 && size[1] == 16 << 20);
	/* Several ranges in one option, K and G suffixes, decimal bases. */
	CHECK(memmap_ranges("memmap=4K$1G,2M$134217728", base, size, 4) == 2);
	CHECK(base[0] == 1ULL << 30 && size[0] == 4096);
	CHECK(base[1] == 134217728 && size[1] == 2 << 20);
	/* Only '$' reserves: '@' (usable), '#' (ACPI), '!' (pmem) ranges are not /dev/mem's. */
	CHECK(memmap_ranges("memmap=16M@0x9000000 memmap=1G!4G memmap=8M#0x1000000", base, size,
			    4) == 0);
	/* A word that merely ends in memmap= is no option. */
	CHECK(memmap_ranges("xmemmap=16M$0x9000000 memmap=exactmap", base, size, 4) == 0);
	/* More ranges than room: counted, not written past @max. */
	CHECK(memmap_ranges("memmap=1M$0x1000000,1M$0x2000000,1M$0x3000000", base, size, 1) == 3);
	CHECK(base[0] == 0x1000000);
}
