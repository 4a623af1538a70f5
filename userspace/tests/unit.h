/* SPDX-License-Identifier: GPL-2.0 */
/* A few lines of test harness: count checks, report failures, never abort. */
#ifndef PFNMAP_UNIT_H
#define PFNMAP_UNIT_H

#include <stdio.h>
#include <string.h>

extern unsigned int unit_passed, unit_failed;

#define CHECK(cond) do {							\
	if (cond) {								\
		unit_passed++;							\
	} else {								\
		unit_failed++;							\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	}									\
} while (0)

#define CHECK_STR(got, want) do {						\
	const char *g_ = (got), *w_ = (want);					\
	if (g_ && w_ && !strcmp(g_, w_)) {					\
		unit_passed++;							\
	} else {								\
		unit_failed++;							\
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__,	\
			__LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");	\
	}									\
} while (0)

void test_version(void);
void test_expect(void);
void test_expect_variant(void);
void test_expect_arch(void);
void test_outcome_arch(void);
void test_smaps(void);
void test_json(void);
void test_rle(void);
void test_outcome(void);
void test_pat(void);
void test_log_concern(void);
void test_real(void);

#endif
