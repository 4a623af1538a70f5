// SPDX-License-Identifier: GPL-2.0
/* The canonical outcome string and the case table's shape. */
#include <stdlib.h>

#include "arch.h"
#include "case.h"
#include "unit.h"

void test_outcome(void)
{
	struct case_def *table, *c = NULL, *munmap_case = NULL;
	struct case_result res;
	char buf[512];
	size_t n = case_table_build(&table), i, dev_mremap = 0, multi = 0, whatif = 0, abi = 0;
	size_t real = 0;

	CHECK(n > 400);
	for (i = 0; i < n; i++) {
		if (!strcmp(table[i].id, "dev.mixed.nodx.refuse.allow:dontunmap_fixed"))
			c = &table[i];
		if (!strcmp(table[i].id, "dev.fault.nodx.track.refuse:dontunmap_munmap"))
			munmap_case = &table[i];
		if (strstr(table[i].id, ":dontunmap_fork") || strstr(table[i].id, ":grow_touch"))
			whatif++;
		if (!strncmp(table[i].id, "abi:", 4))
			abi++;
		if (!strncmp(table[i].id, "dev.", 4) && strstr(table[i].id, ":move"))
			dev_mremap++;
		if (strstr(table[i].id, ":multi_vma_move"))
			multi++;
		if (!strncmp(table[i].id, "real.", 5))
			real++;
	}
	CHECK(dev_mremap == 48);	/* every personality, no .access ones */
	CHECK(multi == 56);		/* 48 personalities + 4 controls + 4 real mappings (not 1g) */
	/*
	 * 585 when the table became rows; then memtype (6), procmem_cow (5), 7 ABI size/rdonly
	 * rows; then the vepc insert style (163), the huge family (4 x 11), config_huge, and
	 * grow_unmap_tail (48 personalities); then the real family (72); then real.drm and
	 * partial_move_cold on the real family (27); then dontunmap_partial(_cold) on it (8).
	 */
	CHECK(n == 966);
	/*
	 * vfio unaligned and 2m, devmem, drm: the 23 mapping-level rows, partial_move_cold and
	 * dontunmap_partial(_cold) each; vfio 1g: 3 huge_*
	 */
	CHECK(real == 107);
	CHECK(whatif == 96);		/* 2 of the 3 what-if ops x 48 personalities */
	CHECK(abi == 23);
	/* The ABI cases come last, unload_busy last of all. */
	CHECK_STR(table[n - 1].id, "abi:unload_busy");
	CHECK(table[n - 1].op->flags & OP_SOLE_DEVICE_USER);
	CHECK(operation_find("grow_touch")->flags & OP_AT_REGION_END);
	CHECK(operation_find("grow_touch")->run == operation_find("grow_maymove")->run);
	CHECK(operation_find("madvise_cold")->arg == 20);	/* MADV_COLD */
	CHECK(operation_find("unknown_ioctl")->flags & OP_MAPS_ITSELF);
	CHECK(!(operation_find("dontunmap")->flags & OP_MAPS_ITSELF));
	CHECK(c != NULL && munmap_case != NULL);
	if (!c || !munmap_case) {
		free(table);
		return;
	}

	/* New fields follow the old ones in the fixed order. */
	memset(&res, 0, sizeof(res));
	set_field(&res, FIELD_PAT, "same");
	set_field(&res, FIELD_RET, "ok");
	set_field(&res, FIELD_MREMAP_CALLS, "1");
	set_field(&res, FIELD_CLOSED, "old+new");
	set_field(&res, FIELD_LIVE, "0");
	set_field(&res, FIELD_OOR, "9");	/* not a field of this op */
	outcome_build(munmap_case->op->fields, &res, buf, sizeof(buf));
	CHECK_STR(buf, "ret=ok closed=old+new live=0 mremap_calls=1 pat=same");

	memset(&res, 0, sizeof(res));
	set_field(&res, FIELD_RET, "EINVAL");
	set_field(&res, FIELD_OLD, "pattern");
	set_field(&res, FIELD_NEW, "ignored: not an output of this operation");
	outcome_build(c->op->fields, &res, buf, sizeof(buf));
	CHECK_STR(buf, "ret=EINVAL old=pattern target=-");
	set_field(&res, FIELD_TARGET, "unmapped");
	outcome_build(c->op->fields, &res, buf, sizeof(buf));
	CHECK_STR(buf, "ret=EINVAL old=pattern target=unmapped");
	set_outcome_kind(&res, OUTCOME_SETUP, "mmap:%s", "EINVAL");
	outcome_build(c->op->fields, &res, buf, sizeof(buf));
	CHECK_STR(buf, "setup=mmap:EINVAL");
	CHECK_STR(errno_name(22), "EINVAL");
	CHECK_STR(errno_name(9999), "E9999");
	free(table);
}

/* Fields of some architectures only: named right, absent elsewhere, dropped from expectations. */
/* @outcome as it is compared on @arch: without the fields @arch lacks. */
static const char *on_arch(const char *arch, const char *outcome, char *buf, size_t len)
{
	copy_str(buf, len, outcome);
	outcome_drop_fields(buf, ~outcome_fields_on(arch));
	return buf;
}

void test_outcome_arch(void)
{
	char buf[128];
	int f;

	for (f = 0; f < FIELD_NR; f++) {
		const char *p = outcome_fields[f].arches;

		while (p && *p) {
			size_t n = strcspn(p, ",");

			CHECK(arch_known(p, n));
			p += n + (p[n] == ',');
		}
	}
	CHECK(outcome_fields_on("x86") & F(PAT));
	CHECK(outcome_fields_on("x86") & F(MEMTYPE));
	CHECK(!(outcome_fields_on("arm64") & F(PAT)));
	CHECK(!(outcome_fields_on("arm64") & F(MEMTYPE)));
	CHECK(outcome_fields_on("arm64") & F(RET));
	CHECK_STR(arch_of_machine("aarch64"), "arm64");
	CHECK_STR(arch_of_machine("x86_64"), "x86");
	CHECK(arch_of_machine("riscv64") == NULL);

	CHECK_STR(on_arch("arm64", "ret=ok old=pattern mremap_calls=1 pat=same", buf, sizeof(buf)),
		  "ret=ok old=pattern mremap_calls=1");
	CHECK_STR(on_arch("arm64", "pat=leaked memtype=write-back ret=ok", buf, sizeof(buf)), "ret=ok");
	/* Only whole names: "pattern" is no "pat=" field. */
	CHECK_STR(on_arch("x86", "ret=ok old=pattern pat=same", buf, sizeof(buf)),
		  "ret=ok old=pattern pat=same");
	CHECK_STR(on_arch("arm64", "setup=mmap:EINVAL", buf, sizeof(buf)), "setup=mmap:EINVAL");
}
