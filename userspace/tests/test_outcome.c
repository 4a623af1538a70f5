// SPDX-License-Identifier: GPL-2.0
/* The canonical outcome string and the case table's shape. */
#include <stdlib.h>

#include "probe.h"
#include "unit.h"

void test_outcome(void)
{
	struct case_def *table, *c = NULL;
	struct case_result res;
	char buf[512];
	size_t n = case_table_build(&table), i, dev_mremap = 0, multi = 0;

	CHECK(n > 400);
	for (i = 0; i < n; i++) {
		if (!strcmp(table[i].id, "dev.mixed.nodx.refuse.allow:dontunmap_fixed"))
			c = &table[i];
		if (!strncmp(table[i].id, "dev.", 4) && strstr(table[i].id, ":move"))
			dev_mremap++;
		if (strstr(table[i].id, ":multi_vma_move"))
			multi++;
	}
	CHECK(dev_mremap == 36);	/* every personality, no .access ones */
	CHECK(multi == 40);		/* 36 personalities + 4 controls */
	CHECK(c != NULL);
	if (!c)
		return;

	memset(&res, 0, sizeof(res));
	set_field(&res, FIELD_RET, "EINVAL");
	set_field(&res, FIELD_OLD, "pattern");
	set_field(&res, FIELD_NEW, "ignored: not an output of this operation");
	outcome_build(c, &res, buf, sizeof(buf));
	CHECK_STR(buf, "ret=EINVAL old=pattern target=-");
	set_field(&res, FIELD_TARGET, "unmapped");
	outcome_build(c, &res, buf, sizeof(buf));
	CHECK_STR(buf, "ret=EINVAL old=pattern target=unmapped");
	snprintf(res.special, sizeof(res.special), "setup=mmap:EINVAL");
	outcome_build(c, &res, buf, sizeof(buf));
	CHECK_STR(buf, "setup=mmap:EINVAL");
	CHECK_STR(errno_name(22), "EINVAL");
	CHECK_STR(errno_name(9999), "E9999");
	free(table);
}
