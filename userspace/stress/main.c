// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap-stress: several processes x several threads drive random operation
 * sequences over every /dev/pfnmap personality, reproducible from a seed.
 * Pass: no kernel log line of concern, the device's counters balanced, the
 * region still holding its pattern, MemFree back within a bound, no read that
 * contradicts what the VMA says it maps, rmmod refused while in use.
 * Exit 0 pass, 1 a check failed, 2 it could not run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "stress.h"
#include "worker.h"

#define GRACE_SECONDS	30	/* after the deadline, before workers are killed */

/* Everything measured, for the summary and its key=value copy. */
struct result {
	double seconds;
	struct proc_stats total;
	unsigned int splats;
	unsigned int kmsg_lost;		/* log records overwritten before we read them */
	struct pfnmap_counters before, after;
	bool opens_balanced, vmas_balanced;
	long region_good;
	long memfree_before, memfree_after;
	unsigned int workers_failed, workers_hung;
	const char *first_mismatch;
	char failures[512];
};

static void usage(FILE *f)
{
	fputs("usage: pfnmap-stress [options]\n"
	      "  --seconds N         how long the workers run (default 30)\n"
	      "  --seed N            the seed (default: from the clock; printed)\n"
	      "  --procs N           worker processes (default 3)\n"
	      "  --threads N         threads per process, at least 4 (default 4)\n"
	      "  --device PATH       the pfnmap device (default /dev/pfnmap)\n"
	      "  --memfree-bound KB  allowed MemFree drop over the run (default 4096)\n"
	      "  --summary PATH      also write the figures as key=value lines\n", f);
}

static unsigned long parse_number(const char *arg, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || !*arg || *end) {
		fprintf(stderr, "pfnmap-stress: %s takes a number, not '%s'\n", what, arg);
		exit(2);
	}
	return v;
}

static const char *summary_path;
/* Added to the MemFree bound on a KASAN kernel: kernel_has_kasan(). */
static long kasan_quarantine_kb;

static void parse_args(int argc, char **argv, struct stress_opts *o)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "device", required_argument, NULL, 'd' },
		{ "memfree-bound", required_argument, NULL, 'm' },
		{ "summary", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct stress_opts){
		.seconds = 30, .procs = 3, .threads = 4, .device = "/dev/pfnmap",
		.memfree_bound_kb = 4096,
		.seed = (uint64_t)time(NULL) * 1000003ULL ^ (uint64_t)getpid(),
	};
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->seconds = parse_number(optarg, "--seconds"); break;
		case 'S': o->seed = parse_number(optarg, "--seed"); break;
		case 'p': o->procs = parse_number(optarg, "--procs"); break;
		case 't': o->threads = parse_number(optarg, "--threads"); break;
		case 'd': o->device = optarg; break;
		case 'm': o->memfree_bound_kb = (long)parse_number(optarg, "--memfree-bound"); break;
		case 'o': summary_path = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc || !o->seconds || !o->procs || o->procs > MAX_PROCS ||
	    o->threads < 4 || o->threads > MAX_THREADS) {
		fprintf(stderr, "pfnmap-stress: want --seconds > 0, 1..%d processes, 4..%d threads\n",
			MAX_PROCS, MAX_THREADS);
		exit(2);
	}
}

/*
 * Starts the workers, waits for them (killing any that outlive the grace),
 * reading the kernel log as it goes.
 */
static void run_workers(const struct stress_opts *o, const struct region_info *region,
			struct proc_stats *stats, int kmsg, struct result *res)
{
	uint64_t start = now_ns(), deadline = start + o->seconds * 1000000000ULL;
	pid_t pids[MAX_PROCS];
	unsigned int i, alive = 0;
	int status;

	for (i = 0; i < o->procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(worker_main(o, region, &stats[i], i, deadline));
		if (pids[i] > 0)
			alive++;
		else
			res->workers_failed++;
	}
	while (alive) {
		bool late = now_ns() > deadline + GRACE_SECONDS * 1000000000ULL;

		for (i = 0; i < o->procs; i++) {
			pid_t got;

			if (pids[i] <= 0)
				continue;
			if (late)
				kill(pids[i], SIGKILL);
			got = waitpid(pids[i], &status, late ? 0 : WNOHANG);
			if (got != pids[i])
				continue;
			if (late || !WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "pfnmap-stress: worker %u %s %d\n", i,
					late ? "outlived the deadline; killed" :
					WIFSIGNALED(status) ? "died of signal" : "exited",
					WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
				if (late)
					res->workers_hung++;
				else
					res->workers_failed++;
			}
			pids[i] = 0;
			alive--;
		}
		res->splats += kmsg_lines_of_concern(kmsg, stdout, &res->kmsg_lost);
		if (!late && alive)
			usleep(100000);
	}
	res->seconds = (double)(now_ns() - start) / 1e9;
}

static void add_stats(struct proc_stats *sum, const struct proc_stats *s)
{
	unsigned int i;

	for (i = 0; i < OP_NR; i++) {
		sum->attempts[i] += s->attempts[i];
		sum->succeeded[i] += s->succeeded[i];
	}
	for (i = 0; i < RD_NR; i++)
		sum->reads[i] += s->reads[i];
	sum->rmmod_succeeded += s->rmmod_succeeded;
	sum->child_crashed += s->child_crashed;
	sum->slots_retired += s->slots_retired;
	sum->floating_dropped += s->floating_dropped;
}

static uint64_t delta(const struct result *res, enum pfnmap_counter c)
{
	return res->after.count[c] - res->before.count[c];
}

/* Releases run at the last fput, which an exiting task may still be doing: wait a little. */
static void check_counters(int fd, struct result *res)
{
	int tries;

	for (tries = 0; tries < 30; tries++) {
		read_dev_counters(fd, &res->after);
		res->opens_balanced = delta(res, PFNMAP_CNT_OPENS) == delta(res, PFNMAP_CNT_RELEASES);
		res->vmas_balanced = res->after.count[PFNMAP_CNT_LIVE_VMAS] ==
				     res->before.count[PFNMAP_CNT_LIVE_VMAS] &&
				     delta(res, PFNMAP_CNT_MMAPS) + delta(res, PFNMAP_CNT_VM_OPENS) ==
				     delta(res, PFNMAP_CNT_VM_CLOSES);
		if (res->opens_balanced && res->vmas_balanced)
			return;
		usleep(100000);
	}
}

static void fail(struct result *res, const char *why)
{
	size_t n = strlen(res->failures);

	snprintf(res->failures + n, sizeof(res->failures) - n, "%s%s", n ? "; " : "", why);
}

static void judge(const struct stress_opts *o, const struct region_info *region,
		  struct result *res)
{
	const struct proc_stats *t = &res->total;
	long drop = res->memfree_before - res->memfree_after;

	if (res->splats)
		fail(res, "kernel log lines of concern");
	if (res->kmsg_lost)
		fail(res, "kernel log records lost before they were read");
	if (!res->opens_balanced)
		fail(res, "opens != releases");
	if (!res->vmas_balanced)
		fail(res, "VMAs not balanced (live_vmas or mmaps+vm_opens != vm_closes)");
	if (res->region_good != (long)region->pages)
		fail(res, "region not intact");
	if (drop > o->memfree_bound_kb + kasan_quarantine_kb)
		fail(res, "MemFree dropped beyond the bound");
	if (t->reads[RD_MISMATCH])
		fail(res, "reads that contradict the mapping");
	if (t->rmmod_succeeded)
		fail(res, "rmmod succeeded while the device was in use");
	if (t->child_crashed)
		fail(res, "fork children crashed");
	if (res->workers_failed || res->workers_hung)
		fail(res, "workers failed or hung");
}

static void print_summary(FILE *f, const struct stress_opts *o, const struct region_info *region,
			  const struct result *res)
{
	const struct proc_stats *t = &res->total;
	uint64_t ops = 0;
	unsigned int i;

	for (i = 0; i < OP_NR; i++)
		ops += t->attempts[i];
	fprintf(f, "pfnmap-stress: summary\n");
	fprintf(f, "  seconds %.1f (asked %u), seed %llu, %u processes x %u threads, region %s, %llu pages\n",
		res->seconds, o->seconds, (unsigned long long)o->seed, o->procs, o->threads,
		pfnmap_region_kind_name(region->kind),
		(unsigned long long)region->pages);
	fprintf(f, "  operations %llu (%.0f/s), succeeded/attempted per kind:\n",
		(unsigned long long)ops, ops / (res->seconds > 0 ? res->seconds : 1));
	for (i = 0; i < OP_NR; i++)
		fprintf(f, "    %-16s %9llu / %-9llu%s", op_name(i),
			(unsigned long long)t->succeeded[i], (unsigned long long)t->attempts[i],
			i % 2 ? "\n" : "");
	if (OP_NR % 2)
		fputc('\n', f);
	fprintf(f, "  reads: pattern %llu, sigbus %llu, sigsegv %llu, mismatch %llu\n",
		(unsigned long long)t->reads[RD_PATTERN], (unsigned long long)t->reads[RD_SIGBUS],
		(unsigned long long)t->reads[RD_SIGSEGV], (unsigned long long)t->reads[RD_MISMATCH]);
	if (res->first_mismatch)
		fprintf(f, "    first: %s\n", res->first_mismatch);
	fprintf(f, "  rmmod while in use: %llu refused, %llu succeeded; fork children crashed %llu;"
		" slots retired %llu; moved mappings dropped %llu\n",
		(unsigned long long)(t->attempts[OP_RMMOD] - t->succeeded[OP_RMMOD]),
		(unsigned long long)t->rmmod_succeeded, (unsigned long long)t->child_crashed,
		(unsigned long long)t->slots_retired, (unsigned long long)t->floating_dropped);
	fprintf(f, "  splats %u (kernel log lines of concern; %u log records overwritten before read)\n",
		res->splats, res->kmsg_lost);
	fprintf(f, "  counters: opens %llu releases %llu (%s); mmaps %llu vm_opens %llu vm_closes %llu"
		" live_vmas %llu (%s); mremaps %llu split_hook_calls %llu faults %llu out_of_region %llu\n",
		(unsigned long long)delta(res, PFNMAP_CNT_OPENS),
		(unsigned long long)delta(res, PFNMAP_CNT_RELEASES),
		res->opens_balanced ? "balanced" : "UNBALANCED",
		(unsigned long long)delta(res, PFNMAP_CNT_MMAPS),
		(unsigned long long)delta(res, PFNMAP_CNT_VM_OPENS),
		(unsigned long long)delta(res, PFNMAP_CNT_VM_CLOSES),
		(unsigned long long)res->after.count[PFNMAP_CNT_LIVE_VMAS],
		res->vmas_balanced ? "balanced" : "UNBALANCED",
		(unsigned long long)delta(res, PFNMAP_CNT_MREMAPS),
		(unsigned long long)delta(res, PFNMAP_CNT_SPLIT_HOOK_CALLS),
		(unsigned long long)delta(res, PFNMAP_CNT_FAULTS),
		(unsigned long long)delta(res, PFNMAP_CNT_OUT_OF_REGION_FAULTS));
	fprintf(f, "  region: %ld of %llu pages hold the pattern (%s)\n", res->region_good,
		(unsigned long long)region->pages,
		res->region_good == (long)region->pages ? "intact" : "NOT INTACT");
	fprintf(f, "  MemFree: before %ld kB, after %ld kB, drop %ld kB (bound %ld kB%s)\n",
		res->memfree_before, res->memfree_after, res->memfree_before - res->memfree_after,
		o->memfree_bound_kb + kasan_quarantine_kb,
		kasan_quarantine_kb ? " with KASAN's quarantine" : "");
	if (res->failures[0])
		fprintf(f, "pfnmap-stress: FAIL: %s\n", res->failures);
	else
		fprintf(f, "pfnmap-stress: PASS\n");
}

static void write_summary_file(const struct stress_opts *o, const struct region_info *region,
			       const struct result *res)
{
	const struct proc_stats *t = &res->total;
	uint64_t ops = 0;
	unsigned int i;
	FILE *f;

	if (!summary_path || !(f = fopen(summary_path, "w")))
		return;
	for (i = 0; i < OP_NR; i++) {
		ops += t->attempts[i];
		fprintf(f, "op_%s=%llu/%llu\n", op_name(i), (unsigned long long)t->succeeded[i],
			(unsigned long long)t->attempts[i]);
	}
	fprintf(f, "seconds=%.1f\nseed=%llu\nprocs=%u\nthreads=%u\noperations=%llu\n"
		"reads_pattern=%llu\nreads_sigbus=%llu\nmismatches=%llu\nsplats=%u\nkmsg_lost=%u\n"
		"opens_balanced=%d\nvmas_balanced=%d\nregion_intact=%d\n"
		"memfree_before_kb=%ld\nmemfree_after_kb=%ld\nmemfree_bound_kb=%ld\npass=%d\n",
		res->seconds, (unsigned long long)o->seed, o->procs, o->threads,
		(unsigned long long)ops, (unsigned long long)t->reads[RD_PATTERN],
		(unsigned long long)t->reads[RD_SIGBUS], (unsigned long long)t->reads[RD_MISMATCH],
		res->splats, res->kmsg_lost, res->opens_balanced, res->vmas_balanced,
		res->region_good == (long)region->pages, res->memfree_before, res->memfree_after,
		o->memfree_bound_kb + kasan_quarantine_kb, !res->failures[0]);
	fclose(f);
}

int main(int argc, char **argv)
{
	struct stress_opts o;
	struct region_info region;
	struct result res;
	struct proc_stats *stats;
	unsigned int i;
	int fd, kmsg;

	parse_args(argc, argv, &o);
	memset(&res, 0, sizeof(res));
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Held for the whole run: the workers' rmmod attempts must all fail. */
	fd = open(o.device, O_RDWR | O_CLOEXEC);
	if (fd < 0 || read_region_info(fd, &region)) {
		fprintf(stderr, "pfnmap-stress: %s: %s\n", o.device, strerror(errno));
		return 2;
	}
	printf("pfnmap-stress: seed %llu, %u s, %u processes x %u threads, region %s, %llu pages\n",
	       (unsigned long long)o.seed, o.seconds, o.procs, o.threads,
	       pfnmap_region_kind_name(region.kind),
	       (unsigned long long)region.pages);
	stats = mmap(NULL, sizeof(*stats) * o.procs, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED) {
		perror("pfnmap-stress: mmap");
		return 2;
	}
	if (kernel_has_kasan()) {
		kasan_quarantine_kb = memtotal_kb() / 32;
		printf("pfnmap-stress: KASAN: MemFree may stay up to %ld kB lower (its quarantine)\n",
		       kasan_quarantine_kb);
	}
	kmsg = kmsg_open_at_end();
	read_dev_counters(fd, &res.before);
	res.memfree_before = memfree_kb();

	run_workers(&o, &region, stats, kmsg, &res);

	res.region_good = region_pattern_pages(o.device, &region, (size_t)sysconf(_SC_PAGESIZE));
	check_counters(fd, &res);
	res.memfree_after = memfree_kb();
	for (i = 0; i < o.procs; i++) {
		add_stats(&res.total, &stats[i]);
		if (!res.first_mismatch && stats[i].first_mismatch_taken)
			res.first_mismatch = stats[i].first_mismatch;
	}
	res.splats += kmsg_lines_of_concern(kmsg, stdout, &res.kmsg_lost);
	judge(&o, &region, &res);
	print_summary(stdout, &o, &region, &res);
	write_summary_file(&o, &region, &res);
	close(fd);
	return res.failures[0] ? 1 : 0;
}
