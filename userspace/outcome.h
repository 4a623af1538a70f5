/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outcome vocabulary: the one owner of what a case can report. Outcome
 * fields with their kinds and values, outcome kinds, verdicts, statuses and
 * checks live here; --describe prints them, probe.json uses them, and the
 * report and the expectations read them from there (docs/probe-json.md).
 * It depends on nothing else of the probe but the architecture names (arch.h).
 */
#ifndef PFNMAP_OUTCOME_H
#define PFNMAP_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfnmap_dev_uapi.h"

#define PROBE_SCHEMA_VERSION	2
#define PROBE_FIELD_LEN		96
#define PROBE_FLAGS_LEN		200
#define PROBE_NOTE_LEN		320

/* Outcome fields, in the fixed order in which they appear in the outcome string. */
enum outcome_field {
	FIELD_RET,
	FIELD_OLD,
	FIELD_NEW,
	FIELD_TARGET,
	FIELD_WRITE,
	FIELD_CHILD,
	FIELD_READ,
	FIELD_CONFIG,
	FIELD_LOADED,
	FIELD_CLOSED,
	FIELD_LIVE,
	FIELD_OOR,
	FIELD_MREMAP_CALLS,
	FIELD_PAT,
	FIELD_MEMTYPE,
	FIELD_LEVEL_BEFORE,
	FIELD_LEVEL_OLD,
	FIELD_LEVEL_NEW,
	FIELD_LEVEL_CHILD,
	FIELD_REFAULTS,
	FIELD_LOG,
	FIELD_NR
};

#define F(x)	(1U << FIELD_##x)

/* How a field's value is spelled (docs/probe-json.md, "Field kinds"). */
enum field_kind {
	KIND_RESULT,		/* ok | short | an errno name */
	KIND_PAGES,		/* page classes, run-length joined */
	KIND_TARGET,		/* the same over the target classes */
	KIND_PAGES_LIST,	/* pages per range joined by '/' */
	KIND_ENUM,		/* one of field_def.values */
	KIND_CLOSED,		/* none | old[*N][+new[*N]] */
	KIND_COUNT,		/* a decimal integer */
	KIND_CONFIG,		/* kept | changed | an errno name */
	KIND_MEMTYPE,		/* none | x86 PAT memtype names joined by '+' */
	KIND_LOG,		/* none | one word per kernel log line of concern, joined by '+' */
	KIND_NR
};

struct field_def {
	const char *name;
	enum field_kind kind;
	const char *meaning;
	const char *const *values;	/* KIND_ENUM: NULL-terminated */
	/*
	 * The architectures whose kernels have what the field measures (comma-separated
	 * names of kernels/arch.tsv); NULL: every one. Elsewhere the field is absent from
	 * the outcome, and from the expected outcome it is compared with.
	 */
	const char *arches;
};

extern const struct field_def outcome_fields[FIELD_NR];
/* The level words, indexed by enum pfnmap_pt_level. */
extern const char *const pt_level_values[];
extern const char *const field_kind_names[KIND_NR];

/* What kind of outcome a case has: its fields, or one word saying why not. */
enum outcome_kind {
	OUTCOME_FIELDS,
	OUTCOME_SETUP,		/* setup=<step>:<errno>: building the mapping failed */
	OUTCOME_CRASH,		/* crash=<signal>|crash=exit:<n>: the case child died */
	OUTCOME_TIMEOUT,	/* timeout: killed after --timeout */
	OUTCOME_LOST,		/* lost-result: exited without a report */
	OUTCOME_KIND_NR
};
extern const char *const outcome_kind_names[OUTCOME_KIND_NR];

enum verdict { VERDICT_EXPECTED, VERDICT_CHANGED, VERDICT_NEW, VERDICT_SKIP, VERDICT_NR };
extern const char *const verdict_names[VERDICT_NR];

enum case_status { STATUS_OK, STATUS_NOT_OK, STATUS_SKIP, STATUS_NR };
extern const char *const status_names[STATUS_NR];

/* Checks besides the outcome: each is true, false or not applicable. */
enum case_check { CHECK_BALANCED, CHECK_KMSG_CLEAN, CHECK_EXIT_CLEAN, CHECK_NR };
extern const char *const check_names[CHECK_NR];

enum range_slot { RANGE_OLD, RANGE_NEW, RANGE_TARGET, RANGE_NR };
extern const char *const range_slot_names[RANGE_NR];

/* What a case child reports back to the parent, byte for byte over a pipe. */
struct case_result {
	uint32_t magic;				/* CASE_RESULT_MAGIC: a complete report */
	char fields[FIELD_NR][PROBE_FIELD_LEN];	/* "" = not set by the op */
	enum outcome_kind kind;
	char special[PROBE_FIELD_LEN];		/* the one word unless kind is FIELDS */
	char before[PROBE_FIELD_LEN];		/* old range before the op */
	char memtype[PROBE_FIELD_LEN];		/* PAT memtypes over the window at op_begin; "" n/a */
	char vmflags_before[RANGE_NR][PROBE_FLAGS_LEN];	/* "" = not looked at */
	char vmflags_after[RANGE_NR][PROBE_FLAGS_LEN];
	bool have_file_counters;
	bool counters_final;			/* the op read file_after itself */
	struct pfnmap_counters file_before, file_after;
	int mremap_start_moved;			/* -1 unknown, 0 no, 1 yes */
	char note[PROBE_NOTE_LEN];
};
#define CASE_RESULT_MAGIC	0x50524f42u	/* "PROB" */

const char *errno_name(int err);
/* The errno names the probe knows, for --describe. */
const char *const *errno_names(size_t *nr);

void set_field(struct case_result *res, enum outcome_field f, const char *s);
void set_field_errno(struct case_result *res, enum outcome_field f, int err);
/* Replace the fields by a one-word outcome: "<kind>=<detail>" or "<kind>". */
void set_outcome_kind(struct case_result *res, enum outcome_kind kind,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void note_add(struct case_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The canonical outcome: the fields in @fields (F() bits) in the fixed field
 * order, "-" where a field does not apply; the one word for other kinds.
 */
void outcome_build(unsigned int fields, const struct case_result *res,
		   char *buf, size_t len);

/* The fields (F() bits) that exist on @arch. */
unsigned int outcome_fields_on(const char *arch);

/*
 * Drop the "<name>=<value>" words of the fields in @absent (F() bits) from a
 * canonical outcome, in place: an expected outcome as the architecture that
 * lacks those fields can report it.
 */
void outcome_drop_fields(char *outcome, unsigned int absent);

/* Copy with truncation, always terminated (snprintf("%s") warns on purpose). */
void copy_str(char *dst, size_t len, const char *src);

#endif
