/* SPDX-License-Identifier: GPL-2.0 */
/* Building the mapping under test: the object behind it and the window. */
#ifndef PFNMAP_MAPPING_H
#define PFNMAP_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include "op_ctx.h"

/* 0 or -errno with @step naming what failed. */
int mapping_open(struct op_ctx *ctx, char *step, size_t steplen);
void *mapping_map(struct op_ctx *ctx, void *at, bool private_map);
void mapping_close(struct op_ctx *ctx);

#endif
