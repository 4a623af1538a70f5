// SPDX-License-Identifier: GPL-2.0
/* Host-side unit tests of the probe's pure parts. */
#include "unit.h"

unsigned int unit_passed, unit_failed;

int main(void)
{
	test_version();
	test_expect();
	test_expect_variant();
	test_expect_arch();
	test_outcome_arch();
	test_smaps();
	test_json();
	test_rle();
	test_outcome();
	test_pat();
	test_log_concern();
	test_real();
	printf("unit: %u passed, %u failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
