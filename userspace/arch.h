/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectures, by the names kernels/arch.tsv gives them (x86, arm64): the
 * one list the runner, the expectations' ":<arch>" qualifier and the fields
 * that exist only on some architectures (outcome.c) share. The table is built
 * in from kernels/arch.tsv. A leaf.
 */
#ifndef PFNMAP_ARCH_H
#define PFNMAP_ARCH_H

#include <stdbool.h>
#include <stddef.h>

/* Whether @name (@len bytes, not terminated) names an architecture of the table. */
bool arch_known(const char *name, size_t len);

/* The architecture of a machine as uname(2) names it ("aarch64" -> "arm64"); NULL: none. */
const char *arch_of_machine(const char *machine);

/* Whether @arch is one of the comma-separated names in @list (NULL: every architecture). */
bool arch_in_list(const char *arch, const char *list);

/* The names, for messages: "x86 arm64". */
const char *arch_names(void);

#endif
