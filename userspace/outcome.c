// SPDX-License-Identifier: GPL-2.0
/*
 * The outcome vocabulary (see outcome.h). Every word a case can report is
 * spelled here once; expectations.txt, probe.json and the report use these
 * words and --describe lists them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "outcome.h"

static const char *const write_values[] = { "ok", "lost", "sigbus", "sigsegv", "hang", NULL };
static const char *const loaded_values[] = { "yes", "no", NULL };
static const char *const pat_values[] = { "same", "leaked", "freed", NULL };
/* enum pfnmap_pt_level, in its order: pt_level_name() indexes this. */
const char *const pt_level_values[] = { "none", "pte", "pmd", "pud", NULL };

const struct field_def outcome_fields[FIELD_NR] = {
	[FIELD_RET] = { "ret", KIND_RESULT,
		"the call under test: ok, short (a partial read) or its errno", NULL },
	[FIELD_OLD] = { "old", KIND_PAGES,
		"what the original range reads afterwards, page by page", NULL },
	[FIELD_NEW] = { "new", KIND_PAGES,
		"what the new range reads afterwards, page by page", NULL },
	[FIELD_TARGET] = { "target", KIND_TARGET,
		"the mapping that stood at a FIXED destination, page by page", NULL },
	[FIELD_WRITE] = { "write", KIND_ENUM,
		"one word written and read back: ok (and restored), lost, or the signal",
		write_values },
	[FIELD_CHILD] = { "child", KIND_PAGES_LIST,
		"what a forked child reads in each range", NULL },
	[FIELD_READ] = { "read", KIND_PAGES,
		"what /proc/self/mem or process_vm_readv returned, page by page", NULL },
	[FIELD_CONFIG] = { "config", KIND_CONFIG,
		"what GET_CONFIG (or another output ioctl) left in the caller's structure: kept "
		"(the known part right, size = the bytes the module filled, the caller's tail "
		"zeroed), changed, or its errno", NULL },
	[FIELD_LOADED] = { "loaded", KIND_ENUM,
		"/dev/pfnmap still opens after delete_module", loaded_values },
	[FIELD_CLOSED] = { "closed", KIND_CLOSED,
		"which munmap made the driver see ->close (old, new, *N for N times)", NULL },
	[FIELD_LIVE] = { "live", KIND_COUNT,
		"the file's live VMAs after both munmaps", NULL },
	[FIELD_OOR] = { "oor", KIND_COUNT,
		"faults the driver refused because the page lies beyond its region", NULL },
	[FIELD_MREMAP_CALLS] = { "mremap_calls", KIND_COUNT,
		"calls of the driver's ->mremap ('-' for personalities without the hook)", NULL },
	[FIELD_PAT] = { "pat", KIND_ENUM,
		"x86 PAT memtype entries over the region after the case vs before",
		pat_values, "x86" },
	[FIELD_MEMTYPE] = { "memtype", KIND_MEMTYPE,
		"x86 PAT memtypes of the entries over the mapped physical range, or none "
		"(then vmf_insert_pfn maps it UC-, lookup_memtype's default for non-RAM)", NULL,
		"x86" },
	[FIELD_LEVEL_BEFORE] = { "level_before", KIND_ENUM,
		"the page-table level mapping the range's first address right before the "
		"operation (after the case touched it): none, pte, pmd (a huge PMD leaf) or pud",
		pt_level_values },
	[FIELD_LEVEL_OLD] = { "level_old", KIND_ENUM,
		"the level at the old range's first address right after the operation, "
		"before anything touches it", pt_level_values },
	[FIELD_LEVEL_NEW] = { "level_new", KIND_ENUM,
		"the level at the new range's first address right after the operation, "
		"before anything touches it", pt_level_values },
	[FIELD_LEVEL_CHILD] = { "level_child", KIND_ENUM,
		"the level at the mapping's first address in a forked child, before the "
		"child touches it", pt_level_values },
	[FIELD_REFAULTS] = { "refaults", KIND_COUNT,
		"faults the driver served (PTE, PMD and PUD) while the case read the ranges "
		"after the operation: 0 when every entry survived it", NULL },
	[FIELD_LOG] = { "log", KIND_LOG,
		"the kernel log lines of concern the case caused, each as WARNING:<file>:<line> "
		"(or its first words), or none", NULL },
};

const char *const field_kind_names[KIND_NR] = {
	[KIND_RESULT] = "result", [KIND_PAGES] = "pages", [KIND_TARGET] = "target",
	[KIND_PAGES_LIST] = "pages_list", [KIND_ENUM] = "enum", [KIND_CLOSED] = "closed",
	[KIND_COUNT] = "count", [KIND_CONFIG] = "config", [KIND_MEMTYPE] = "memtype",
	[KIND_LOG] = "log",
};

const char *const outcome_kind_names[OUTCOME_KIND_NR] = {
	[OUTCOME_FIELDS] = "fields", [OUTCOME_SETUP] = "setup", [OUTCOME_CRASH] = "crash",
	[OUTCOME_TIMEOUT] = "timeout", [OUTCOME_LOST] = "lost-result",
};

const char *const verdict_names[VERDICT_NR] = {
	[VERDICT_EXPECTED] = "expected", [VERDICT_CHANGED] = "changed",
	[VERDICT_NEW] = "new", [VERDICT_SKIP] = "skip",
};

const char *const status_names[STATUS_NR] = {
	[STATUS_OK] = "ok", [STATUS_NOT_OK] = "not ok", [STATUS_SKIP] = "skip",
};

const char *const check_names[CHECK_NR] = {
	[CHECK_BALANCED] = "balanced", [CHECK_KMSG_CLEAN] = "kmsg_clean",
	[CHECK_EXIT_CLEAN] = "exit_clean",
};

const char *const range_slot_names[RANGE_NR] = { "old", "new", "target" };

static const struct { int err; const char *name; } errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
	{ ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
	{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" },
	{ EROFS, "EROFS" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EOVERFLOW, "EOVERFLOW" },
};

#define NR_ERRNOS	(sizeof(errnos) / sizeof(errnos[0]))

const char *errno_name(int err)
{
	static char unknown[16];
	size_t i;

	for (i = 0; i < NR_ERRNOS; i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	snprintf(unknown, sizeof(unknown), "E%d", err);
	return unknown;
}

const char *const *errno_names(size_t *nr)
{
	static const char *names[NR_ERRNOS];
	size_t i;

	for (i = 0; i < NR_ERRNOS; i++)
		names[i] = errnos[i].name;
	*nr = NR_ERRNOS;
	return names;
}

void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void set_field(struct case_result *res, enum outcome_field f, const char *s)
{
	copy_str(res->fields[f], sizeof(res->fields[f]), s);
}

void set_field_errno(struct case_result *res, enum outcome_field f, int err)
{
	set_field(res, f, errno_name(err));
}

void set_outcome_kind(struct case_result *res, enum outcome_kind kind,
		      const char *fmt, ...)
{
	const char *name = outcome_kind_names[kind];
	size_t used;
	va_list ap;

	res->kind = kind;
	if (!fmt) {
		copy_str(res->special, sizeof(res->special), name);
		return;
	}
	snprintf(res->special, sizeof(res->special), "%s=", name);
	used = strlen(res->special);
	va_start(ap, fmt);
	vsnprintf(res->special + used, sizeof(res->special) - used, fmt, ap);
	va_end(ap);
}

void note_add(struct case_result *res, const char *fmt, ...)
{
	size_t used = strlen(res->note);
	va_list ap;

	if (used && used + 2 < sizeof(res->note)) {
		strcat(res->note, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(res->note + used, sizeof(res->note) - used, fmt, ap);
	va_end(ap);
}

unsigned int outcome_fields_on(const char *arch)
{
	unsigned int mask = 0;
	int f;

	for (f = 0; f < FIELD_NR; f++)
		if (arch_in_list(arch, outcome_fields[f].arches))
			mask |= 1U << f;
	return mask;
}

void outcome_drop_fields(char *outcome, unsigned int absent)
{
	char *src = outcome, *dst = outcome;

	while (*src) {
		size_t n = strcspn(src, " ");
		bool drop = false;
		int f;

		for (f = 0; f < FIELD_NR; f++) {
			size_t len = strlen(outcome_fields[f].name);

			if ((absent & (1U << f)) && n > len && src[len] == '=' &&
			    !strncmp(src, outcome_fields[f].name, len))
				drop = true;
		}
		if (!drop) {
			if (dst != outcome)
				*dst++ = ' ';
			memmove(dst, src, n);
			dst += n;
		}
		src += n;
		while (*src == ' ')
			src++;
	}
	*dst = '\0';
}

void outcome_build(unsigned int fields, const struct case_result *res,
		   char *buf, size_t len)
{
	size_t pos = 0;
	int f;

	if (res->kind != OUTCOME_FIELDS) {
		copy_str(buf, len, res->special);
		return;
	}
	buf[0] = '\0';
	for (f = 0; f < FIELD_NR; f++) {
		int w;

		if (!(fields & (1U << f)))
			continue;
		w = snprintf(buf + pos, len - pos, "%s%s=%s", pos ? " " : "",
			     outcome_fields[f].name, res->fields[f][0] ? res->fields[f] : "-");
		if (w < 0 || pos + (size_t)w >= len)
			break;
		pos += (size_t)w;
	}
}
