// SPDX-License-Identifier: GPL-2.0
/* Kernel release parsing and version-range matching. */
#include "expect.h"
#include "unit.h"

static int in(const char *release, const char *range)
{
	struct kver v;

	if (!kver_parse(release, &v))
		return -2;
	return kver_in_range(&v, range);
}

void test_version(void)
{
	struct kver v;

	CHECK(kver_parse("6.18.44-fc-v782", &v));
	CHECK(v.v[0] == 6 && v.v[1] == 18 && v.v[2] == 44 && v.given == 3);
	CHECK(kver_parse("7.3.0-rc7", &v) && v.v[0] == 7 && v.v[1] == 3 && v.v[2] == 0);
	CHECK(kver_parse("7.3-rc7", &v) && v.v[1] == 3 && v.v[2] == 0 && v.given == 2);
	CHECK(kver_parse("5.10.0-32-amd64", &v) && v.v[0] == 5 && v.v[1] == 10);
	CHECK(kver_parse("6.1.176+", &v) && v.v[2] == 176);
	CHECK(!kver_parse("linux", &v));
	CHECK(!kver_parse("", &v));

	CHECK(in("5.10.223", "*") == 1);
	CHECK(in("5.10.223", "<5.13") == 1);
	CHECK(in("5.13.0", "<5.13") == 0);
	CHECK(in("5.13.0", ">=5.13") == 1);
	CHECK(in("6.1.176", ">=5.13,<6.17") == 1);
	CHECK(in("6.12.117", ">=5.13,<6.17") == 1);
	CHECK(in("6.17.0", ">=5.13,<6.17") == 0);
	CHECK(in("6.18.44-fc-v782", ">=6.17") == 1);
	CHECK(in("7.3.0-rc7", ">=6.17") == 1);
	/* -rc suffixes are ignored: 7.3-rc7 counts as 7.3.0 */
	CHECK(in("7.3.0-rc7", "<7.3") == 0);
	CHECK(in("6.16.9", "<=6.16") == 0);	/* 6.16 means 6.16.0 */
	CHECK(in("6.16.0", "<=6.16") == 1);
	CHECK(in("6.16.9", ">6.16") == 1);
	CHECK(in("6.1.5", "=6.1") == 1);	/* = compares the parts given */
	CHECK(in("6.12.5", "=6.1") == 0);
	CHECK(in("6.1.5", "==6.1.5") == 1);
	CHECK(in("6.1.5", "=6.1.4") == 0);
	/* a numeric comparison, not a string one */
	CHECK(in("6.9.0", "<6.10") == 1);
	CHECK(in("10.0.0", ">9.99") == 1);

	CHECK(in("6.1.0", "6.1") == -1);	/* no operator */
	CHECK(in("6.1.0", ">=6.x") == -1);
	CHECK(in("6.1.0", ">=6.1,") == -1);
	CHECK(in("6.1.0", ">=6.1-rc1") == -1);
	CHECK(in("6.1.0", "<5,junk") == -1);	/* malformed even when an earlier bound fails */
}
