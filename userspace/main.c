// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap-probe: what do mremap() and friends do to a driver's VM_PFNMAP /
 * VM_MIXEDMAP mapping on this kernel, compared with ordinary mappings?
 *
 * KTAP on stdout, kselftest exit codes (0 all passed, 1 something failed,
 * 4 everything skipped), optional JSON document with all the evidence.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "case.h"
#include "evidence.h"
#include "expect.h"
#include "output.h"
#include "run_case.h"

#define TMPFS_MAGIC_NR	0x01021994
#define MAX_CASE_GLOBS	64
#define DEFAULT_TIMEOUT	10

struct options {
	const char *globs[MAX_CASE_GLOBS];
	int nr_globs;
	const char *json_path;
	const char *expect_path;
	const char *device_path;
	const char *release;	/* judge as if running this kernel */
	const char *variant;	/* what-if kernel variant; NULL: stock */
	const char *arch;	/* judge as if on this architecture */
	bool list, describe, verbose;
	bool hazards;		/* run the hazard family */
	bool require_device;	/* an unusable device fails its cases */
	bool require_real;	/* an unusable vfio or /dev/mem fails its cases */
	bool require_drm;	/* an unusable DRM card fails the real.drm cases */
	int timeout_sec;
};

static void usage(FILE *f)
{
	fputs("usage: pfnmap-probe [options]\n"
	      "  --list              print the case ids and exit\n"
	      "  --describe          print the vocabulary (families, operations,\n"
	      "                      outcome fields and values) as JSON and exit\n"
	      "  --require-device    device cases fail instead of skipping when\n"
	      "                      the device is missing or unusable\n"
	      "  --require-real      real.vfio and real.devmem cases fail instead of\n"
	      "                      skipping when their driver is missing or unusable\n"
	      "                      (a --real boot)\n"
	      "  --require-drm       real.drm cases fail instead of skipping when there\n"
	      "                      is no DRM card making dumb buffers (a kernel\n"
	      "                      built with bochs-drm)\n"
	      "  --case GLOB         run only cases whose id matches (repeatable)\n"
	      "  --json PATH         write one JSON document with every case\n"
	      "  --expect PATH       expectations file (default: expectations.txt\n"
	      "                      next to the executable, if there is one)\n"
	      "  --device PATH       the pfnmap device (default /dev/pfnmap)\n"
	      "  --timeout SEC       per-case limit before the case is killed (10)\n"
	      "  --kernel-release R  judge outcomes as if the kernel were R\n"
	      "  --arch ARCH         judge outcomes as if the kernel were ARCH's\n"
	      "                      (default: this machine's, by uname -m)\n"
	      "  --variant NAME      the kernel is what-if variant NAME: expectation\n"
	      "                      lines qualified @NAME apply (default: stock)\n"
	      "  --hazards           also run the hazard.* cases, which make the kernel\n"
	      "                      WARN or worse on purpose (best in a boot of their own)\n"
	      "  -v, --verbose       explain every case in KTAP diagnostics\n"
	      "Case ids are <mapping>:<operation>. Exit: 0 pass, 1 fail, 2 usage or no\n"
	      "case selected, 4 all skipped.\n",
	      f);
}

static bool parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "describe", no_argument, NULL, 'D' },
		{ "require-device", no_argument, NULL, 'R' },
		{ "require-real", no_argument, NULL, 'Q' },
		{ "require-drm", no_argument, NULL, 'M' },
		{ "case", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "expect", required_argument, NULL, 'e' },
		{ "device", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "kernel-release", required_argument, NULL, 'r' },
		{ "arch", required_argument, NULL, 'A' },
		{ "variant", required_argument, NULL, 'V' },
		{ "hazards", no_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->device_path = "/dev/pfnmap";
	o->timeout_sec = DEFAULT_TIMEOUT;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': o->list = true; break;
		case 'D': o->describe = true; break;
		case 'R': o->require_device = true; break;
		case 'Q': o->require_real = true; break;
		case 'M': o->require_drm = true; break;
		case 'c':
			if (o->nr_globs == MAX_CASE_GLOBS) {
				fprintf(stderr, "pfnmap-probe: too many --case\n");
				return false;
			}
			o->globs[o->nr_globs++] = optarg;
			break;
		case 'j': o->json_path = optarg; break;
		case 'e': o->expect_path = optarg; break;
		case 'd': o->device_path = optarg; break;
		case 't':
			o->timeout_sec = atoi(optarg);
			if (o->timeout_sec <= 0) {
				fprintf(stderr, "pfnmap-probe: bad --timeout\n");
				return false;
			}
			break;
		case 'r': o->release = optarg; break;
		case 'A':
			if (!arch_known(optarg, strlen(optarg))) {
				fprintf(stderr, "pfnmap-probe: unknown --arch %s (known: %s)\n",
					optarg, arch_names());
				return false;
			}
			o->arch = optarg;
			break;
		case 'V':
			if (!variant_name_ok(optarg)) {
				fprintf(stderr, "pfnmap-probe: bad --variant %s (want [A-Za-z0-9._+-])\n",
					optarg);
				return false;
			}
			o->variant = optarg;
			break;
		case 'v': o->verbose = true; break;
		case 'H': o->hazards = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return false;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pfnmap-probe: unexpected argument %s\n", argv[optind]);
		return false;
	}
	return true;
}

static bool case_selected(const struct options *o, const struct case_def *c)
{
	int i;

	if (!o->nr_globs)
		return true;
	for (i = 0; i < o->nr_globs; i++)
		if (fnmatch(o->globs[i], c->id, 0) == 0)
			return true;
	return false;
}

static bool dir_usable(const char *dir, bool *is_tmpfs)
{
	struct statfs sfs;

	if (!dir || !*dir || access(dir, W_OK | X_OK) || statfs(dir, &sfs))
		return false;
	*is_tmpfs = (unsigned long)sfs.f_type == TMPFS_MAGIC_NR;
	return true;
}

/* The tmpfs-file control wants tmpfs; any writable directory still runs it. */
static void pick_tmpfs_dir(struct probe_env *env)
{
	const char *candidates[] = { "/dev/shm", getenv("TMPDIR"), "/tmp" };
	const char *fallback = NULL;
	size_t i;
	bool is_tmpfs;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (!dir_usable(candidates[i], &is_tmpfs))
			continue;
		if (is_tmpfs) {
			env->tmpfs_dir = candidates[i];
			env->tmpfs_dir_is_tmpfs = true;
			return;
		}
		if (!fallback)
			fallback = candidates[i];
	}
	env->tmpfs_dir = fallback ? fallback : ".";
	env->tmpfs_dir_is_tmpfs = false;
}

/*
 * Look at the device once. Returns the fd kept for device-wide counters (the
 * balance check) or -1, with @skip_reason set when device cases cannot run.
 */
static int probe_device(struct probe_env *env, char *skip_reason, size_t len)
{
	struct pfnmap_counters c;
	int fd = open(env->device_path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			snprintf(skip_reason, len, "%s not present (module not loaded)",
				 env->device_path);
		else
			snprintf(skip_reason, len, "cannot open %s: %s",
				 env->device_path, strerror(errno));
		return -1;
	}
	env->device_present = true;
	memset(&env->info, 0, sizeof(env->info));
	env->info.size = sizeof(env->info);
	if (ioctl(fd, PFNMAP_IOC_GET_INFO, &env->info) < 0) {
		snprintf(skip_reason, len, "PFNMAP_IOC_GET_INFO: %s", strerror(errno));
		close(fd);
		return -1;
	}
	env->info_valid = true;
	if (env->info.abi_version != PFNMAP_DEV_ABI_VERSION) {
		snprintf(skip_reason, len, "module ABI %u, probe ABI %u",
			 env->info.abi_version, PFNMAP_DEV_ABI_VERSION);
	} else if (env->info.region_size < PROBE_WINDOW_PAGES * env->page_size) {
		snprintf(skip_reason, len, "region of %llu bytes is smaller than %d pages",
			 (unsigned long long)env->info.region_size, PROBE_WINDOW_PAGES);
	} else if (counters_read(fd, PFNMAP_IOC_DEV_COUNTERS, &c)) {
		/* Still run the cases; the balance check reports itself n/a. */
		printf("# PFNMAP_IOC_DEV_COUNTERS failed: %s; no balance checks\n",
		       strerror(errno));
		close(fd);
		return -1;
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

static const char *default_expect_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	snprintf(buf, len, "%s/expectations.txt", dirname(exe));
	return access(buf, R_OK) ? NULL : buf;
}

/* SET_CONFIG insert=huge on a fresh file: 0, or the errno of the module's refusal. */
static int huge_config_err(const struct probe_env *env)
{
	struct pfnmap_config cfg = { .size = sizeof(cfg), .insert = PFNMAP_INSERT_HUGE };
	int fd = open(env->device_path, O_RDWR | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, PFNMAP_IOC_SET_CONFIG, &cfg) < 0)
		err = errno;
	close(fd);
	return err;
}

/* The huge family needs the style and a region its leaves fit, aligned like them. */
static const char *huge_skip_reason(const struct case_def *c, const struct probe_env *env)
{
	const struct mapping_def *m = c->mapping;

	if (env->huge_config_err == EOPNOTSUPP)
		return "no huge pfnmap in this kernel (ARCH_SUPPORTS_HUGE_PFNMAP, 6.12+): "
		       "the module refuses insert=huge with EOPNOTSUPP";
	if (env->huge_config_err)
		return "SET_CONFIG insert=huge failed (see abi:config_huge)";
	if (!env->region.valid)
		return "the region's physical address is unknown (no pfnmap_dev debugfs)";
	if ((c->op->flags & OP_SPLITS_LEAF) && m->axis[HUGE_LEAF] == LEAF_PUD && !env->hazards)
		return "a hazard (a VMA split inside a PUD leaf: kernel BUG up to 7.3): "
		       "run with --huge --hazards";
	if (env->region.phys % huge_leaf_size(m) || env->info.region_size < huge_window_len(m))
		return m->axis[HUGE_LEAF] == LEAF_PUD ?
		       "huge.pud needs a region of 1 GiB on a 1 GiB boundary: ./run-qemu.sh --huge" :
		       "huge.pmd needs a region of 4 MiB on a 2 MiB boundary: ./run-qemu.sh --huge";
	return NULL;
}

static const char real_1g_hazard[] =
	"a hazard from 6.12 (moving a PUD leaf logs bad pud): run with --hazards";

/* Why a real.* case cannot run, or NULL. */
static const char *real_skip_reason(const struct case_def *c, const struct probe_env *env)
{
	if (c->mapping->axis[REAL_ALIGN] == REAL_1G && !env->hazards)
		return real_1g_hazard;
	switch (c->mapping->kind) {
	case MAP_KIND_REAL_VFIO:
		return env->real.vfio_ok ? NULL : env->real.vfio_why;
	case MAP_KIND_REAL_DRM:
		return env->real.drm_ok ? NULL : env->real.drm_why;
	default:
		return env->real.devmem_ok ? NULL : env->real.devmem_why;
	}
}

static const char *case_skip_reason(const struct case_def *c,
				    const struct probe_env *env, const char *device_skip)
{
	if (c->mapping->family == FAMILY_REAL)
		return real_skip_reason(c, env);
	if (c->mapping->family == FAMILY_HAZARD && !env->hazards)
		return "a hazard (the kernel WARNs or worse on purpose): run with --hazards";
	if (!mapping_on_region(c->mapping))
		return NULL;
	if (device_skip[0])
		return device_skip;
	if (c->mapping->kind == MAP_KIND_DEVMEM) {
		if (!env->region.valid || !env->region.listed)
			return "/dev/mem maps the module's region, not kernel pages: load it with phys_base/phys_size or pci_bar";
		if (access("/dev/mem", F_OK))
			return "no /dev/mem (a kernel without CONFIG_DEVMEM)";
		return NULL;
	}
	if (c->mapping->family == FAMILY_HUGE)
		return huge_skip_reason(c, env);
	/* vm_insert_page() needs struct pages: a PCI BAR region has none. */
	if (c->mapping->config.insert == PFNMAP_INSERT_MIXED && !env->info.region_has_pages)
		return "region has no struct pages: the mixed personality cannot map it";
	/* generic_access_phys() ioremaps: the module allows it only outside System RAM. */
	if ((c->mapping->config.flags & PFNMAP_CFG_ACCESS_PHYS) &&
	    env->info.region_kind == PFNMAP_REGION_PAGES)
		return "->access needs a memmap= or pci region (generic_access_phys cannot ioremap RAM)";
	if ((c->op->flags & OP_PAGES_REGION_ONLY) &&
	    env->info.region_kind != PFNMAP_REGION_PAGES)
		return "the region is not kernel pages: nothing to refuse";
	if ((c->op->flags & OP_NOT_RAM_REGION_ONLY) &&
	    env->info.region_kind == PFNMAP_REGION_PAGES)
		return "the region is kernel pages: PAT tracks RAM in page flags, not in its memtype list";
	return NULL;
}

/* Must this real.* case run, or may it skip for @reason? */
static bool real_case_required(const struct options *opt, const struct case_def *c,
			       const char *reason)
{
	if (c->mapping->family != FAMILY_REAL || reason == real_1g_hazard)
		return false;
	return c->mapping->kind == MAP_KIND_REAL_DRM ? opt->require_drm : opt->require_real;
}

static void judge(struct case_report *rep, const struct expect_set *set,
		  const struct case_def *c, const struct expect_run *run)
{
	const char *expected = expect_lookup(set, c->id, run);
	int i;

	rep->expected = NULL;
	if (expected) {
		/* A field this architecture lacks (x86 PAT on arm64) is no change. */
		copy_str(rep->expected_here, sizeof(rep->expected_here), expected);
		outcome_drop_fields(rep->expected_here, ~outcome_fields_on(run->arch));
		rep->expected = rep->expected_here;
	}
	if (!rep->expected)
		rep->verdict = VERDICT_NEW;
	else if (!strcmp(rep->expected, rep->outcome))
		rep->verdict = VERDICT_EXPECTED;
	else
		rep->verdict = VERDICT_CHANGED;
	/* Evidence of a kernel problem fails a case whatever its outcome. */
	rep->status = rep->verdict == VERDICT_EXPECTED ? STATUS_OK : STATUS_NOT_OK;
	for (i = 0; i < CHECK_NR; i++)
		if (rep->checks[i] == 0)
			rep->status = STATUS_NOT_OK;
}

/* A device case that must run but cannot: a setup outcome, never a skip. */
static void device_unusable(struct case_report *rep, const char *why, const char *what)
{
	int i;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < CHECK_NR; i++)
		rep->checks[i] = -1;
	rep->pat_before = rep->pat_after = -1;
	set_outcome_kind(&rep->res, OUTCOME_SETUP, "%s:unusable", what);
	note_add(&rep->res, "%s", why);
	outcome_build(0, &rep->res, rep->outcome, sizeof(rep->outcome));
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct probe_env env;
	struct run_ctx run;
	struct expect_set expect;
	struct case_def *table;
	struct case_report *rep;
	struct utsname uts;
	struct expect_run expect_run;
	struct run_info info;
	char device_skip[200] = "", expect_buf[PATH_MAX + 32], err[600];
	const char *expect_path, *arch;
	struct run_summary sum;
	unsigned int n = 0;
	size_t nr_cases, i, nr_selected = 0;
	FILE *json = NULL;
	long start = now_ms();

	if (!parse_options(argc, argv, &opt))
		return 2;
	nr_cases = case_table_build(&table);
	if (!nr_cases) {
		fprintf(stderr, "pfnmap-probe: out of memory\n");
		return 2;
	}
	if (opt.describe) {
		describe_write(stdout);
		return 0;
	}
	for (i = 0; i < nr_cases; i++)
		nr_selected += case_selected(&opt, &table[i]);
	if (!nr_selected) {
		fprintf(stderr, "pfnmap-probe: no case matches the --case globs (see --list)\n");
		return 2;
	}
	if (opt.list) {
		for (i = 0; i < nr_cases; i++)
			if (case_selected(&opt, &table[i]))
				printf("%s\n", table[i].id);
		return 0;
	}

	uname(&uts);
	memset(&expect_run, 0, sizeof(expect_run));
	if (!kver_parse(opt.release ? opt.release : uts.release, &expect_run.kernel)) {
		fprintf(stderr, "pfnmap-probe: cannot parse kernel release %s\n",
			opt.release ? opt.release : uts.release);
		return 2;
	}
	arch = opt.arch ? opt.arch : arch_of_machine(uts.machine);
	if (!arch) {
		fprintf(stderr, "pfnmap-probe: machine %s is none of kernels/arch.tsv's (%s); "
			"say which with --arch\n", uts.machine, arch_names());
		return 2;
	}

	memset(&expect, 0, sizeof(expect));
	expect_path = opt.expect_path ? opt.expect_path :
		      default_expect_path(expect_buf, sizeof(expect_buf));
	if (expect_path && !expect_load(&expect, expect_path, err, sizeof(err))) {
		fprintf(stderr, "pfnmap-probe: expectations: %s\n", err);
		return 2;
	}

	memset(&env, 0, sizeof(env));
	env.page_size = (size_t)sysconf(_SC_PAGESIZE);
	env.device_path = opt.device_path;
	env.hazards = opt.hazards;
	pick_tmpfs_dir(&env);

	memset(&run, 0, sizeof(run));
	run.env = &env;
	run.timeout_sec = opt.timeout_sec;
	run.arch = arch;
	run.dev_counters_fd = probe_device(&env, device_skip, sizeof(device_skip));
	if (env.info_valid)
		region_read(&env.region);
	expect_run.variant = opt.variant;
	expect_run.region = env.info_valid ? pfnmap_region_kind_name(env.info.region_kind) : NULL;
	expect_run.arch = arch;
	if (env.info_valid && !device_skip[0])
		env.huge_config_err = huge_config_err(&env);
	/* real.vfio.1g maps the whole BAR: fill it only when those cases run. */
	real_setup(&env.real, &env.region, env.page_size, env.hazards);
	run.kmsg_fd = kmsg_open();

	if (opt.json_path) {
		json = fopen(opt.json_path, "we");
		if (!json) {
			fprintf(stderr, "pfnmap-probe: %s: %s\n", opt.json_path, strerror(errno));
			return 2;
		}
		info.release = uts.release;
		info.version = uts.version;
		info.env = &env;
		info.expect_path = expect_path;
		info.variant = opt.variant;
		info.arch = arch;
		info.device_unusable = device_skip[0] ? device_skip : NULL;
		info.device_required = opt.require_device;
		json_begin(json, &info);
	}

	printf("KTAP version 1\n");
	printf("1..%zu\n", nr_selected);
	printf("# pfnmap-probe: kernel %s%s%s%s%s, %s, page size %zu\n", uts.release,
	       opt.release ? ", judged as " : "", opt.release ? opt.release : "",
	       opt.variant ? ", variant " : "", opt.variant ? opt.variant : "",
	       arch, env.page_size);
	if (env.device_present && !device_skip[0])
		printf("# device %s: region %s, %llu bytes\n", env.device_path,
		       pfnmap_region_kind_name(env.info.region_kind),
		       (unsigned long long)env.info.region_size);
	else
		printf("# device cases %s: %s\n", opt.require_device ? "fail" : "skip",
		       device_skip);
	printf("# expectations: %s\n", expect_path ? expect_path :
	       "none (every outcome is new)");
	if (env.real.vfio_ok)
		printf("# real.vfio: vfio-pci %s (noiommu-%d), BAR %d of %#llx bytes at offset %#llx\n",
		       env.real.vfio.bdf, env.real.vfio.group, REAL_IVSHMEM_BAR,
		       (unsigned long long)env.real.vfio.size,
		       (unsigned long long)env.real.vfio.offset);
	if (env.real.devmem_ok)
		printf("# real.devmem: /dev/mem at %#llx, %#llx bytes (memmap=)\n",
		       (unsigned long long)env.real.devmem_phys,
		       (unsigned long long)env.real.devmem_size);
	if (env.real.drm_ok)
		printf("# real.drm: %s (%s), a dumb buffer of %d pages per case\n", REAL_DRM_CARD,
		       env.real.drm_driver[0] ? env.real.drm_driver : "driver unknown",
		       REAL_DRM_PAGES);
	if (!env.tmpfs_dir_is_tmpfs)
		printf("# no tmpfs found: tmpfs-file controls use %s\n", env.tmpfs_dir);
	if (run.kmsg_fd < 0)
		printf("# /dev/kmsg not readable: kernel log lines are not checked\n");
	if (env.info_valid && !device_skip[0]) {
		if (!(outcome_fields_on(arch) & (1U << FIELD_PAT)))
			printf("# no PAT on %s: no pat or memtype evidence\n", arch);
		else if (!env.region.valid)
			printf("# %s not readable: no PAT evidence\n", PFNMAP_REGION_DEBUGFS);
		else if (pat_count_region(&env.region) < 0)
			printf("# %s not readable: no PAT evidence\n", PAT_MEMTYPE_LIST);
		else
			printf("# PAT: region at %#llx, %d memtype entries over it\n",
			       (unsigned long long)env.region.phys,
			       pat_count_region(&env.region));
	}

	rep = malloc(sizeof(*rep));
	if (!rep)
		return 2;
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < nr_cases; i++) {
		const struct case_def *c = &table[i];
		const char *reason;

		if (!case_selected(&opt, c))
			continue;
		n++;
		reason = case_skip_reason(c, &env, device_skip);
		if (reason && real_case_required(&opt, c, reason)) {
			device_unusable(rep, reason, "real");
			judge(rep, &expect, c, &expect_run);
			rep->status = STATUS_NOT_OK;
			sum.fail++;
		} else if (reason && reason == device_skip && opt.require_device) {
			device_unusable(rep, device_skip, "device");
			judge(rep, &expect, c, &expect_run);
			rep->status = STATUS_NOT_OK;
			sum.fail++;
		} else if (reason) {
			memset(rep, 0, sizeof(*rep));
			rep->status = STATUS_SKIP;
			rep->verdict = VERDICT_SKIP;
			snprintf(rep->skip_reason, sizeof(rep->skip_reason), "%s", reason);
			summary_count_skip(&sum, reason);
		} else {
			run_case(&run, c, rep);
			judge(rep, &expect, c, &expect_run);
			if (rep->status == STATUS_OK)
				sum.pass++;
			else
				sum.fail++;
		}
		ktap_case(stdout, n, c, rep, opt.verbose);
		if (json)
			json_case(json, c, rep, n == 1);
		fflush(stdout);
	}
	printf("# pfnmap-probe: %u passed, %u failed, %u skipped in %ld ms\n",
	       sum.pass, sum.fail, sum.skip, now_ms() - start);
	for (i = 0; i < sum.nr_reasons; i++)
		printf("# skipped %u: %s\n", sum.reasons[i].count, sum.reasons[i].text);
	if (json) {
		json_end(json, now_ms() - start, &sum);
		if (fclose(json)) {
			fprintf(stderr, "pfnmap-probe: writing %s failed\n", opt.json_path);
			sum.fail++;
		}
	}
	free(rep);
	real_teardown(&env.real);
	expect_free(&expect);
	free(table);
	if (sum.fail)
		return 1;
	return sum.pass ? 0 : 4;
}
