/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfnmap-probe: shared types.
 *
 * A case is <mapping>:<operation>. The parent process walks the case table,
 * forks one child per case (run_case.c), and the child builds the mapping,
 * runs the operation and reports a struct case_result back over a pipe. The
 * parent adds what only it can see safely (kernel log lines, device-wide
 * counter balance after the child is gone), computes the canonical outcome
 * string and compares it with the expectations.
 */
#ifndef PFNMAP_PROBE_H
#define PFNMAP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pat.h"
#include "pfnmap_dev_uapi.h"

#define PROBE_WINDOW_PAGES	8	/* pages per mapping under test */
#define PROBE_ID_LEN		64
#define PROBE_FIELD_LEN		96
#define PROBE_FLAGS_LEN		200
#define PROBE_NOTE_LEN		320
#define PROBE_KMSG_MAX		8
#define PROBE_KMSG_LEN		240

/* ---- mappings ---------------------------------------------------------- */

enum mapping_kind {
	MAP_KIND_ANON_PRIVATE,
	MAP_KIND_ANON_SHARED,
	MAP_KIND_MEMFD,
	MAP_KIND_TMPFS_FILE,
	MAP_KIND_DEVICE,
};

struct mapping_def {
	char name[PROBE_ID_LEN];	/* "anon-private", "dev.remap.dx.none.allow" */
	enum mapping_kind kind;
	struct pfnmap_config config;	/* device personalities only */
};

/* ---- operations -------------------------------------------------------- */

/*
 * Outcome fields, in the fixed order in which they appear in the outcome
 * string. Each operation declares which of them it reports; a reported field
 * that does not apply in a particular run (e.g. "new" after a failed move
 * without MREMAP_FIXED, where no new address exists) reads "-".
 *
 * Vocabulary (keep it small; expectations.txt is written in it):
 *   ret     ok | <errno name> (EINVAL, EFAULT, EIO, ...) | short (partial read)
 *   old     what the original range reads afterwards, page by page
 *   new     what the new range reads afterwards, page by page
 *   target  dontunmap_fixed: the pre-existing mapping at the destination,
 *           page by page: intact (still the marker) | unmapped (SIGSEGV) |
 *           replaced (now shows the moved data) | zero | sigbus | other
 *   write   ok (a written word read back and was restored) | lost (it read
 *           back different) | sigbus | sigsegv
 *   child   what a forked child reads in the range, page by page
 *   read    what /proc/self/mem or process_vm_readv returned, page by page
 *   config  abi:config_after_mmap: GET_CONFIG after the refused change:
 *           kept (the old config) | changed | <errno name>
 *   loaded  abi:unload_busy: /dev/pfnmap still opens after delete_module:
 *           yes | no
 *   closed  dontunmap_munmap: which munmap made the driver see ->close:
 *           "old+new", "old", "new", "none"; a range closed N > 1 times
 *           reads "old*N"
 *   live    dontunmap_munmap: the file's live_vmas counter after both
 *           munmaps (0 when every VMA the driver saw opened was closed)
 *   oor     grow_touch: out_of_region_faults counter delta (faults ->fault
 *           refused because the page lies beyond the region)
 *   mremap_calls  what-if ops: the file's mremaps counter delta (calls of
 *           the driver's ->mremap); "-" for personalities without the hook
 *   pat     what-if ops: x86 PAT memtype entries overlapping the region,
 *           after the case vs before: same | leaked | freed; "-" when the
 *           region is kernel pages (never listed) or the list is unreadable
 *
 * Page classes (old/new/child/read): pattern (the right data for that object
 * offset) | zero | marker (the probe's filler for anon helper mappings) |
 * other (wrong data) | sigbus | sigsegv. A range whose pages all agree is one
 * word ("pattern"); otherwise a run-length form: "pattern*2+sigsegv*4+pattern*2".
 *
 * A case that cannot produce fields has a one-field outcome instead:
 *   setup=<step>:<errno>   building the mapping failed
 *   crash=<signal name>    the case child died (outside a guarded read)
 *   timeout                the case child was killed after --timeout
 *   lost-result            the child exited without reporting
 */
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
	FIELD_NR
};

#define F(x)	(1U << FIELD_##x)

extern const char *const outcome_field_names[FIELD_NR];

struct op_ctx;
struct case_result;
typedef void (*op_fn)(struct op_ctx *ctx);	/* results go to ctx->res */

/* operation_def.flags */
#define OP_MAPS_ITSELF		0x1	/* no window is mapped before the op runs */
#define OP_AT_REGION_END	0x2	/* the window is the region's last pages */
#define OP_SOLE_DEVICE_USER	0x4	/* the parent holds no /dev/pfnmap fd meanwhile */
#define OP_PAGES_REGION_ONLY	0x8	/* skip on a memmap= region */

struct operation_def {
	const char *name;
	op_fn run;
	unsigned int fields;		/* F(RET) | F(OLD) | ... */
	const char *what;		/* one line for -v */
	unsigned int flags;		/* OP_* */
};

struct case_def {
	char id[2 * PROBE_ID_LEN];	/* "<mapping>:<operation>" */
	const struct mapping_def *mapping;
	const struct operation_def *op;
	unsigned int index;		/* position in the full table */
};

/* cases.c */
size_t case_table_build(struct case_def **out);
const struct operation_def *operation_find(const char *name);

/* ---- what a case child reports ----------------------------------------- */

enum range_slot { RANGE_OLD, RANGE_NEW, RANGE_TARGET, RANGE_NR };
extern const char *const range_slot_names[RANGE_NR];

struct case_result {
	uint32_t magic;				/* CASE_RESULT_MAGIC: a complete report */
	char fields[FIELD_NR][PROBE_FIELD_LEN];	/* "" = not set by the op */
	char special[PROBE_FIELD_LEN];		/* setup=...: replaces the fields */
	char before[PROBE_FIELD_LEN];		/* old range before the op */
	char vmflags_before[RANGE_NR][PROBE_FLAGS_LEN];	/* "" = not looked at */
	char vmflags_after[RANGE_NR][PROBE_FLAGS_LEN];
	bool have_file_counters;
	bool counters_final;			/* the op read file_after itself */
	struct pfnmap_counters file_before, file_after;
	int mremap_start_moved;			/* -1 unknown, 0 no, 1 yes */
	char note[PROBE_NOTE_LEN];
};
#define CASE_RESULT_MAGIC	0x50524f42u	/* "PROB" */

/* ---- context handed to a case child ------------------------------------- */

struct probe_env {
	const char *device_path;
	bool device_present;		/* the node opened */
	bool info_valid;		/* and answered GET_INFO */
	struct pfnmap_info info;
	struct region_phys region;	/* from the module's debugfs; PAT evidence */
	const char *tmpfs_dir;		/* where tmpfs-file controls live */
	bool tmpfs_dir_is_tmpfs;
	size_t page_size;
};

/* run_case.c */
struct case_report {
	struct case_result res;
	char outcome[512];
	const char *expected;		/* NULL: no expectation */
	const char *verdict;		/* expected | changed | new | skip */
	const char *status;		/* ok | not ok | skip */
	char skip_reason[128];
	int balanced;			/* -1 n/a, 0 no, 1 yes */
	int kmsg_clean;			/* -1 n/a (kmsg unreadable), 0, 1 */
	char balance_note[160];
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
};

void run_case(struct run_ctx *run, const struct case_def *c,
	      struct case_report *rep);
void outcome_build(const struct case_def *c, const struct case_result *res,
		   char *buf, size_t len);

/* util */
#include <string.h>
/* Copy with truncation, always terminated (snprintf("%s") warns on purpose). */
static inline void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}
const char *errno_name(int err);
void set_field(struct case_result *res, enum outcome_field f, const char *s);
void set_field_errno(struct case_result *res, enum outcome_field f, int err);
void note_add(struct case_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PFNMAP_PROBE_H */
