// SPDX-License-Identifier: GPL-2.0
/* Expectation lines and last-match-wins lookup. */
#include <stdlib.h>

#include "expect.h"
#include "unit.h"

static const char *lookup(const struct expect_set *set, const char *id, const struct kver *k,
			  const char *variant, const char *region)
{
	struct expect_run run = { .kernel = *k, .variant = variant, .region = region };

	return expect_lookup(set, id, &run);
}

static const char *lookup_on(const struct expect_set *set, const char *id, const struct kver *k,
			     const char *variant, const char *arch)
{
	struct expect_run run = { .kernel = *k, .variant = variant, .arch = arch };

	return expect_lookup(set, id, &run);
}

static void add(struct expect_set *set, const char *line, int lineno)
{
	char err[160];

	CHECK(expect_add_line(set, line, lineno, err, sizeof(err)));
}

void test_expect(void)
{
	struct expectation e;
	struct expect_set set = { 0 };
	struct kver k510, k61, k618;
	char err[160];

	CHECK(expect_parse_line("", &e, err, sizeof(err)) == 0);
	CHECK(expect_parse_line("   # comment", &e, err, sizeof(err)) == 0);
	CHECK(expect_parse_line("\n", &e, err, sizeof(err)) == 0);
	CHECK(expect_parse_line("dev.*:move", &e, err, sizeof(err)) == -1);
	CHECK(expect_parse_line("dev.*:move *", &e, err, sizeof(err)) == -1);
	CHECK(expect_parse_line("dev.*:move 6.1 ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(strstr(err, "range") != NULL);

	CHECK(expect_parse_line("  dev.*:move\t>=5.13,<6.17   ret=ok  old=sigsegv \tnew=pattern \r\n",
				&e, err, sizeof(err)) == 1);
	CHECK_STR(e.glob, "dev.*:move");
	CHECK_STR(e.range, ">=5.13,<6.17");
	CHECK_STR(e.outcome, "ret=ok old=sigsegv new=pattern");
	expect_clear(&e);

	kver_parse("5.10.223", &k510);
	kver_parse("6.1.176", &k61);
	kver_parse("6.18.44-fc", &k618);

	add(&set, "# general first", 1);
	add(&set, "*:dontunmap * ret=EINVAL old=pattern", 2);
	add(&set, "anon-private:dontunmap * ret=ok old=zero new=pattern", 3);
	add(&set, "anon-shared:dontunmap >=5.13 ret=ok old=pattern new=pattern", 4);
	add(&set, "memfd:* <6.17 ret=memfd-old", 5);
	CHECK(set.nr == 4);

	CHECK_STR(lookup(&set, "dev.remap.dx.none.allow:dontunmap", &k618, NULL, NULL),
		  "ret=EINVAL old=pattern");
	CHECK_STR(lookup(&set, "anon-private:dontunmap", &k510, NULL, NULL),
		  "ret=ok old=zero new=pattern");
	CHECK_STR(lookup(&set, "anon-shared:dontunmap", &k510, NULL, NULL),
		  "ret=EINVAL old=pattern");
	CHECK_STR(lookup(&set, "anon-shared:dontunmap", &k61, NULL, NULL),
		  "ret=ok old=pattern new=pattern");
	/* the later memfd:* line wins over *:dontunmap where its range holds */
	CHECK_STR(lookup(&set, "memfd:dontunmap", &k61, NULL, NULL), "ret=memfd-old");
	CHECK_STR(lookup(&set, "memfd:dontunmap", &k618, NULL, NULL), "ret=EINVAL old=pattern");
	CHECK(lookup(&set, "memfd:move", &k618, NULL, NULL) == NULL);
	CHECK(lookup(&set, "anon-private:move", &k61, NULL, NULL) == NULL);

	/* A malformed line is an error naming the problem. */
	CHECK(!expect_add_line(&set, "x:y >=6 ", 9, err, sizeof(err)));
	expect_free(&set);
	CHECK(set.nr == 0 && set.items == NULL);
}

/* "<range>@<variant-glob>": qualified lines apply only to their variant, and win there. */
void test_expect_variant(void)
{
	struct expectation e;
	struct expect_set set = { 0 };
	struct kver k612, k72, k510;
	char err[160];

	CHECK(expect_parse_line("dev.*:dontunmap >=6.12@relax-pfnmap ret=ok old=sigbus",
				&e, err, sizeof(err)) == 1);
	CHECK_STR(e.range, ">=6.12");
	CHECK_STR(e.variant, "relax-pfnmap");
	CHECK_STR(e.outcome, "ret=ok old=sigbus");
	expect_clear(&e);
	CHECK(expect_parse_line("a:b * ret=ok", &e, err, sizeof(err)) == 1);
	CHECK(e.variant == NULL);
	expect_clear(&e);
	CHECK(expect_parse_line("a:b *@ ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(strstr(err, "variant") != NULL);
	CHECK(expect_parse_line("a:b *@a@b ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(expect_parse_line("a:b >=6.1x@v ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(strstr(err, "range") != NULL);
	CHECK(expect_parse_line("a:b @v ret=ok", &e, err, sizeof(err)) == -1);

	CHECK(variant_name_ok("relax-pfnmap"));
	CHECK(variant_name_ok("v2.1_x+y"));
	CHECK(!variant_name_ok(""));
	CHECK(!variant_name_ok("relax*"));
	CHECK(!variant_name_ok("a b"));

	kver_parse("6.12.117", &k612);
	kver_parse("7.2.13", &k72);
	kver_parse("5.10.223", &k510);
	/* A qualified line first: it still beats the unqualified lines below it. */
	add(&set, "dev.*:dontunmap *@relax-* ret=any-relax", 1);
	add(&set, "dev.*:dontunmap * ret=EINVAL", 2);
	add(&set, "dev.fault.*:dontunmap * ret=EINVAL-fault", 3);
	add(&set, "dev.remap.*:dontunmap >=7@relax-pfnmap ret=ok-remap-7", 4);
	add(&set, "dev.remap.*:dontunmap =6.12@relax-pfnmap ret=ok-remap-612", 5);
	CHECK(set.nr == 5);

	/* No variant: qualified lines never apply. */
	CHECK_STR(lookup(&set, "dev.remap.x:dontunmap", &k72, NULL, NULL), "ret=EINVAL");
	CHECK_STR(lookup(&set, "dev.remap.x:dontunmap", &k72, "", NULL), "ret=EINVAL");
	CHECK_STR(lookup(&set, "dev.fault.x:dontunmap", &k612, NULL, NULL), "ret=EINVAL-fault");
	/* A variant: the last matching qualified line wins, by version too. */
	CHECK_STR(lookup(&set, "dev.remap.x:dontunmap", &k72, "relax-pfnmap", NULL),
		  "ret=ok-remap-7");
	CHECK_STR(lookup(&set, "dev.remap.x:dontunmap", &k612, "relax-pfnmap", NULL),
		  "ret=ok-remap-612");
	CHECK_STR(lookup(&set, "dev.fault.x:dontunmap", &k612, "relax-pfnmap", NULL),
		  "ret=any-relax");
	CHECK_STR(lookup(&set, "dev.remap.x:dontunmap", &k612, "relax-dontunmap", NULL),
		  "ret=any-relax");
	/* No qualified line matches: back to the unqualified lines. */
	CHECK_STR(lookup(&set, "dev.remap.x:dontunmap", &k510, "other", NULL), "ret=EINVAL");
	CHECK_STR(lookup(&set, "dev.fault.x:dontunmap", &k72, "other", NULL), "ret=EINVAL-fault");
	CHECK(lookup(&set, "dev.remap.x:move", &k72, "relax-pfnmap", NULL) == NULL);
	expect_free(&set);

	/* %region: a line for one kind of module region, below the general line it refines. */
	CHECK(expect_parse_line("a:b *%pci ret=ok", &e, err, sizeof(err)) == 1);
	CHECK_STR(e.range, "*");
	CHECK_STR(e.region, "pci");
	CHECK(e.variant == NULL);
	expect_clear(&e);
	CHECK(expect_parse_line("a:b >=6.12@relax-*%memmap ret=ok", &e, err, sizeof(err)) == 1);
	CHECK_STR(e.range, ">=6.12");
	CHECK_STR(e.variant, "relax-*");
	CHECK_STR(e.region, "memmap");
	expect_clear(&e);
	CHECK(expect_parse_line("a:b *%bar ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(strstr(err, "region") != NULL);
	CHECK(expect_parse_line("a:b *% ret=ok", &e, err, sizeof(err)) == -1);
	add(&set, "dev.*:memtype * ret=ok memtype=write-back", 1);
	add(&set, "dev.*:memtype *%pci ret=ok memtype=uncached-minus", 2);
	add(&set, "dev.*:memtype *@relax-pfnmap ret=relax", 3);
	CHECK_STR(lookup(&set, "dev.remap.x:memtype", &k72, NULL, "memmap"), "ret=ok memtype=write-back");
	CHECK_STR(lookup(&set, "dev.remap.x:memtype", &k72, NULL, "pci"),
		  "ret=ok memtype=uncached-minus");
	CHECK_STR(lookup(&set, "dev.remap.x:memtype", &k72, NULL, NULL), "ret=ok memtype=write-back");
	/* The variant's tier beats a region line of the unqualified tier. */
	CHECK_STR(lookup(&set, "dev.remap.x:memtype", &k72, "relax-pfnmap", "pci"), "ret=relax");
	expect_free(&set);
}

/* ":<arch>" qualifies a line for one architecture; "@<arch>" is refused (it names a variant). */
void test_expect_arch(void)
{
	struct expect_set set = { 0 };
	struct expectation e;
	struct kver k72;
	char err[160];

	CHECK(expect_parse_line("a:b *:arm64 ret=ok", &e, err, sizeof(err)) == 1);
	CHECK_STR(e.range, "*");
	CHECK_STR(e.arch, "arm64");
	CHECK(e.variant == NULL);
	expect_clear(&e);
	CHECK(expect_parse_line("a:b >=6.12@relax-*:arm64 ret=ok", &e, err, sizeof(err)) == 1);
	CHECK_STR(e.range, ">=6.12");
	CHECK_STR(e.variant, "relax-*");
	CHECK_STR(e.arch, "arm64");
	expect_clear(&e);
	/* Both qualifiers: the architecture, then the region. */
	CHECK(expect_parse_line("a:b <7@x:arm64%pci ret=ok", &e, err, sizeof(err)) == 1);
	CHECK_STR(e.range, "<7");
	CHECK_STR(e.variant, "x");
	CHECK_STR(e.arch, "arm64");
	CHECK_STR(e.region, "pci");
	expect_clear(&e);
	CHECK(expect_parse_line("a:b *:arm46 ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(strstr(err, "unknown architecture \"arm46\"") != NULL);
	CHECK(expect_parse_line("a:b *: ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(expect_parse_line("a:b *@arm64 ret=ok", &e, err, sizeof(err)) == -1);
	CHECK(strstr(err, "an architecture is \":arm64\"") != NULL);

	kver_parse("7.2.13", &k72);
	add(&set, "dev.*:grow * ret=EFAULT pat=same", 1);
	add(&set, "dev.*:grow *:arm64 ret=EFAULT-arm64", 2);
	add(&set, "dev.*:grow *@relax-pfnmap ret=ok pat=leaked", 3);
	add(&set, "dev.*:grow *@relax-pfnmap:arm64 ret=ok-arm64", 4);
	CHECK_STR(lookup_on(&set, "dev.x:grow", &k72, NULL, "x86"), "ret=EFAULT pat=same");
	CHECK_STR(lookup_on(&set, "dev.x:grow", &k72, NULL, "arm64"), "ret=EFAULT-arm64");
	/* No architecture given: qualified lines never apply. */
	CHECK_STR(lookup_on(&set, "dev.x:grow", &k72, NULL, NULL), "ret=EFAULT pat=same");
	CHECK_STR(lookup_on(&set, "dev.x:grow", &k72, "relax-pfnmap", "x86"),
		  "ret=ok pat=leaked");
	CHECK_STR(lookup_on(&set, "dev.x:grow", &k72, "relax-pfnmap", "arm64"), "ret=ok-arm64");
	expect_free(&set);
}
