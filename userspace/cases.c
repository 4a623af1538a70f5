// SPDX-License-Identifier: GPL-2.0
/*
 * The case table: which operation runs on which mapping.
 *
 * - Controls (no module): every operation that means something for them.
 * - All 36 device personalities dev.<insert>.<dx|nodx>.<mremap>.<split> run
 *   every mremap operation: the table does not hand-pick.
 * - dev.<insert>.dx.none.allow (the plain driver) runs the other operations.
 * - dev.<insert>.dx.none.allow.access (vm_ops->access = generic_access_phys)
 *   runs the two operations that read from "outside" the mapping.
 * - All 36 personalities run the what-if follow-ups of dontunmap and grow.
 * - "abi" (the plain remap personality) runs the module ABI operations; it
 *   comes last, and unload_busy last of all: should the module ever unload,
 *   no other case is lost.
 *
 * The table is built once at start-up and is read-only afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "probe.h"

static const char *const mremap_ops[] = {
	"move", "grow_inplace", "grow_maymove", "shrink", "dontunmap",
	"dontunmap_fixed", "dontunmap_resize", "partial_move", "multi_vma_move",
};

/* Operations for the plain driver personality and the controls. */
static const char *const other_ops[] = {
	"map_verify", "map_private", "fork_read", "madvise_dontneed",
	"madvise_free", "madvise_cold", "madvise_pageout", "madvise_wipeonfork",
	"madvise_populate_read", "mprotect", "mlock", "uffd_register",
	"procmem", "process_vm_readv",
};

static const char *const access_ops[] = { "procmem", "process_vm_readv" };

static const char *const whatif_ops[] = {
	"dontunmap_fork", "dontunmap_munmap", "grow_touch",
};

static const char *const abi_ops[] = {
	"unknown_ioctl", "config_bad_insert", "config_bad_mremap_hook",
	"config_bad_split_hook", "config_unknown_flag", "config_reserved",
	"config_bad_size", "config_access_phys_pages", "config_after_mmap",
	"mmap_beyond_region", "mmap_offset_overflow", "fault_map_private",
	"info_bad_size", "counters_bad_size", "unload_busy",
};

static const char *const insert_names[PFNMAP_INSERT_NR] = { "remap", "fault", "mixed" };
static const char *const mremap_names[PFNMAP_MREMAP_NR] = { "none", "track", "refuse" };
static const char *const split_names[PFNMAP_SPLIT_NR] = { "allow", "refuse" };

#define NR_CONTROLS	4
#define NR_PERSONALITIES (PFNMAP_INSERT_NR * 2 * PFNMAP_MREMAP_NR * PFNMAP_SPLIT_NR)
#define NR_MAPPINGS	(NR_CONTROLS + NR_PERSONALITIES + PFNMAP_INSERT_NR + 1)

static struct mapping_def mappings[NR_MAPPINGS];

const struct operation_def *operation_find(const char *name)
{
	size_t i;

	for (i = 0; i < nr_operations; i++)
		if (!strcmp(operations[i].name, name))
			return &operations[i];
	return NULL;
}

static void build_mappings(void)
{
	static const struct { const char *name; enum mapping_kind kind; } controls[] = {
		{ "anon-private", MAP_KIND_ANON_PRIVATE },
		{ "anon-shared", MAP_KIND_ANON_SHARED },
		{ "memfd", MAP_KIND_MEMFD },
		{ "tmpfs-file", MAP_KIND_TMPFS_FILE },
	};
	unsigned int n = 0, ins, dx, mr, sp;

	for (n = 0; n < NR_CONTROLS; n++) {
		snprintf(mappings[n].name, sizeof(mappings[n].name), "%s", controls[n].name);
		mappings[n].kind = controls[n].kind;
	}
	for (ins = 0; ins < PFNMAP_INSERT_NR; ins++)
		for (dx = 0; dx < 2; dx++)
			for (mr = 0; mr < PFNMAP_MREMAP_NR; mr++)
				for (sp = 0; sp < PFNMAP_SPLIT_NR; sp++, n++) {
					struct mapping_def *m = &mappings[n];

					snprintf(m->name, sizeof(m->name), "dev.%s.%s.%s.%s",
						 insert_names[ins], dx ? "nodx" : "dx",
						 mremap_names[mr], split_names[sp]);
					m->kind = MAP_KIND_DEVICE;
					m->config.size = sizeof(m->config);
					m->config.insert = ins;
					m->config.mremap_hook = mr;
					m->config.split_hook = sp;
					m->config.flags = dx ? 0 : PFNMAP_CFG_KEEP_DONTEXPAND;
				}
	for (ins = 0; ins < PFNMAP_INSERT_NR; ins++, n++) {
		struct mapping_def *m = &mappings[n];

		snprintf(m->name, sizeof(m->name), "dev.%s.dx.none.allow.access",
			 insert_names[ins]);
		m->kind = MAP_KIND_DEVICE;
		m->config.size = sizeof(m->config);
		m->config.insert = ins;
		m->config.flags = PFNMAP_CFG_KEEP_DONTEXPAND | PFNMAP_CFG_ACCESS_PHYS;
	}
	snprintf(mappings[n].name, sizeof(mappings[n].name), "abi");
	mappings[n].kind = MAP_KIND_DEVICE;
	mappings[n].config.size = sizeof(mappings[n].config);
	mappings[n].config.insert = PFNMAP_INSERT_REMAP;
	mappings[n].config.flags = PFNMAP_CFG_KEEP_DONTEXPAND;
}

static bool is_abi(const struct mapping_def *m)
{
	return !strcmp(m->name, "abi");
}

static bool is_plain_personality(const struct mapping_def *m)
{
	return m->kind == MAP_KIND_DEVICE &&
	       m->config.flags == PFNMAP_CFG_KEEP_DONTEXPAND &&
	       m->config.mremap_hook == PFNMAP_MREMAP_NONE &&
	       m->config.split_hook == PFNMAP_SPLIT_ALLOW;
}

/* map_private means nothing for anonymous controls: it would be anon-private. */
static bool control_wants(const struct mapping_def *m, const char *op)
{
	if (!strcmp(op, "map_private"))
		return m->kind == MAP_KIND_MEMFD || m->kind == MAP_KIND_TMPFS_FILE;
	return true;
}

static void add_case(struct case_def *table, size_t *n, const struct mapping_def *m,
		     const char *op_name)
{
	const struct operation_def *op = operation_find(op_name);
	struct case_def *c = &table[*n];

	if (!op) {
		fprintf(stderr, "pfnmap-probe: internal: no operation %s\n", op_name);
		abort();
	}
	c->mapping = m;
	c->op = op;
	c->index = (unsigned int)*n;
	snprintf(c->id, sizeof(c->id), "%s:%s", m->name, op->name);
	(*n)++;
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

size_t case_table_build(struct case_def **out)
{
	size_t max = NR_MAPPINGS * (ARRAY_SIZE(mremap_ops) + ARRAY_SIZE(other_ops) +
				    ARRAY_SIZE(whatif_ops)) + ARRAY_SIZE(abi_ops);
	struct case_def *table = calloc(max, sizeof(*table));
	size_t n = 0, i, k;

	if (!table)
		return 0;
	build_mappings();
	for (i = 0; i < NR_MAPPINGS; i++) {
		const struct mapping_def *m = &mappings[i];

		if (m->kind != MAP_KIND_DEVICE) {
			for (k = 0; k < ARRAY_SIZE(other_ops); k++)
				if (control_wants(m, other_ops[k]))
					add_case(table, &n, m, other_ops[k]);
			for (k = 0; k < ARRAY_SIZE(mremap_ops); k++)
				add_case(table, &n, m, mremap_ops[k]);
			continue;
		}
		if (is_abi(m)) {
			for (k = 0; k < ARRAY_SIZE(abi_ops); k++)
				add_case(table, &n, m, abi_ops[k]);
			continue;
		}
		if (m->config.flags & PFNMAP_CFG_ACCESS_PHYS) {
			for (k = 0; k < ARRAY_SIZE(access_ops); k++)
				add_case(table, &n, m, access_ops[k]);
			continue;
		}
		if (is_plain_personality(m))
			for (k = 0; k < ARRAY_SIZE(other_ops); k++)
				add_case(table, &n, m, other_ops[k]);
		for (k = 0; k < ARRAY_SIZE(mremap_ops); k++)
			add_case(table, &n, m, mremap_ops[k]);
		for (k = 0; k < ARRAY_SIZE(whatif_ops); k++)
			add_case(table, &n, m, whatif_ops[k]);
	}
	*out = table;
	return n;
}
