// SPDX-License-Identifier: GPL-2.0
/* Architectures: the table of kernels/arch.tsv (arch_table.inc, made by the Makefile). */
#include <stdio.h>
#include <string.h>

#include "arch.h"

static const struct {
	const char *name;	/* the kernel's ARCH= name */
	const char *machine;	/* uname -m */
} arch_table[] = {
#include "arch_table.inc"
};

#define NR_ARCHES (sizeof(arch_table) / sizeof(arch_table[0]))

bool arch_known(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NR_ARCHES; i++)
		if (strlen(arch_table[i].name) == len && !strncmp(arch_table[i].name, name, len))
			return true;
	return false;
}

const char *arch_of_machine(const char *machine)
{
	size_t i;

	for (i = 0; i < NR_ARCHES; i++)
		if (!strcmp(arch_table[i].machine, machine))
			return arch_table[i].name;
	return NULL;
}

bool arch_in_list(const char *arch, const char *list)
{
	size_t len = strlen(arch);
	const char *p = list;

	if (!list)
		return true;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, arch, len))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

const char *arch_names(void)
{
	static char buf[128];
	size_t i, used = 0;

	if (buf[0])
		return buf;
	for (i = 0; i < NR_ARCHES; i++) {
		int w = snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? " " : "",
				 arch_table[i].name);

		if (w < 0 || used + (size_t)w >= sizeof(buf))
			break;
		used += (size_t)w;
	}
	return buf;
}
