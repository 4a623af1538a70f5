/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running one case: fork a child that builds the mapping, runs the operation
 * and reports a struct case_result back over a pipe. The parent adds what
 * only it can see safely (kernel log lines, device-wide counter balance after
 * the child is gone, how the child ended) and builds the canonical outcome.
 */
#ifndef PFNMAP_RUN_CASE_H
#define PFNMAP_RUN_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "case.h"
#include "evidence.h"

struct case_report {
	struct case_result res;
	char outcome[512];
	unsigned int fields;		/* F() bits the outcome has on this architecture */
	const char *expected;		/* NULL: no expectation */
	char expected_here[512];	/* expected, without fields this architecture lacks */
	enum verdict verdict;
	enum case_status status;
	char skip_reason[128];
	int checks[CHECK_NR];		/* -1 n/a, 0 failed, 1 passed */
	char balance_note[160];
	char child_exit[32];		/* how the case child ended; "" unknown */
	int pat_before, pat_after;	/* PAT entries over the region; -1 unknown */
	bool have_dev_delta;
	int64_t dev_delta[PFNMAP_CNT_NR];
	char kmsg[PROBE_KMSG_MAX][PROBE_KMSG_LEN];
	int nr_kmsg;
	long duration_ms;
};

struct run_ctx {
	const struct probe_env *env;
	int kmsg_fd;			/* -1: not readable */
	int dev_counters_fd;		/* -1: no device; reopened after OP_SOLE_DEVICE_USER */
	int timeout_sec;
	const char *arch;		/* the running kernel's (kernels/arch.tsv name) */
};

void run_case(struct run_ctx *run, const struct case_def *c,
	      struct case_report *rep);

#endif
