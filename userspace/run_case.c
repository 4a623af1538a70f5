// SPDX-License-Identifier: GPL-2.0
/*
 * Running one case: fork a child that builds the mapping, runs the operation
 * and writes a struct case_result into a pipe; the parent waits with a
 * deadline, kills the child's process group if it hangs, and then checks what
 * only it can check once the child is gone: the device counters balance and
 * the kernel log.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mapping.h"
#include "op_ctx.h"
#include "readback.h"
#include "run_case.h"

/* ---- the child ------------------------------------------------------------ */

static uint64_t window_offset(const struct probe_env *env, const struct case_def *c,
			      size_t ps)
{
	/*
	 * Each case gets its own slot of the region, 16 pages apart, so the 12
	 * pages a grown mapping could reach still lie inside the region and a
	 * case never reads what the previous one left behind.
	 */
	uint64_t slot = 16 * ps, nslots = env->info.region_size / slot;

	if (nslots == 0)
		return 0;
	return (c->index % nslots) * slot;
}

/* Outcome fields that are file counter deltas: mremap_calls and oor. */
static void counter_fields(const struct case_def *c, struct case_result *res)
{
	static const struct {
		enum outcome_field field;
		enum pfnmap_counter counter;
	} map[] = {
		{ FIELD_MREMAP_CALLS, PFNMAP_CNT_MREMAPS },
		{ FIELD_OOR, PFNMAP_CNT_OUT_OF_REGION_FAULTS },
	};
	char buf[24];
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		enum pfnmap_counter k = map[i].counter;

		if (!(c->op->fields & (1U << map[i].field)) || !res->have_file_counters)
			continue;
		/* Without the hook the count is 0 by construction: say "-", not "0". */
		if (k == PFNMAP_CNT_MREMAPS &&
		    c->mapping->config.mremap_hook == PFNMAP_MREMAP_NONE)
			continue;
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)(res->file_after.count[k] - res->file_before.count[k]));
		set_field(res, map[i].field, buf);
	}
}

/*
 * The real drivers' pattern fills REAL_REGION_BYTES: one 16-page slot per
 * case, in turn; an aligned mapping has the one slot at offset 0, and so
 * has a DRM buffer, which is the case's own.
 */
static uint64_t real_window_offset(const struct case_def *c, size_t ps)
{
	uint64_t slot = 16 * ps;

	if (c->mapping->axis[REAL_ALIGN] != REAL_UNALIGNED || c->mapping->kind == MAP_KIND_REAL_DRM)
		return 0;
	return (c->index % (REAL_REGION_BYTES / slot)) * slot;
}

/* The unit the operations count in: a page, or a bigger one for real.vfio.2m and .1g. */
static size_t case_unit(const struct case_def *c, size_t page_size)
{
	if (c->mapping->family != FAMILY_REAL)
		return page_size;
	switch (c->mapping->axis[REAL_ALIGN]) {
	case REAL_2M: return REAL_UNIT_2M;
	case REAL_1G: return REAL_UNIT_1G;
	default: return page_size;
	}
}

static void case_child(const struct probe_env *env, const struct case_def *c,
		       struct case_result *res)
{
	struct op_ctx ctx;
	size_t ps = case_unit(c, env->page_size), reserve, align;
	char step[32] = "";
	enum page_class cls[PROBE_WINDOW_PAGES];
	char buf[PROBE_FIELD_LEN];
	void *arena;
	int err, i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.env = env;
	ctx.c = c;
	ctx.ps = ps;
	ctx.fd = -1;
	ctx.res = res;
	ctx.len = PROBE_WINDOW_PAGES * ps;
	ctx.arg = c->op->arg;
	if (mapping_on_region(c->mapping))
		ctx.obj_offset = c->op->flags & OP_AT_REGION_END ?
				 env->info.region_size - ctx.len : window_offset(env, c, ps);
	if (c->mapping->family == FAMILY_REAL)
		ctx.obj_offset = real_window_offset(c, ps);

	/*
	 * Reserve address space, then give it back: now every slot is known
	 * free. With a unit bigger than a page the window (and every slot,
	 * SLOT_DEST included, 16 units on) is aligned to the window's size.
	 */
	align = ps > env->page_size ? WINDOW * ps : 0;
	reserve = ARENA_PAGES * ps + align;
	arena = mmap(align ? NULL : ARENA_HINT, reserve, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		set_outcome_kind(res, OUTCOME_SETUP, "arena:%s", errno_name(errno));
		return;
	}
	munmap(arena, reserve);
	ctx.arena = arena;
	if (align)
		ctx.arena = (char *)((((uintptr_t)arena + SLOT_WINDOW * ps + align - 1) &
				      ~(uintptr_t)(align - 1)) - SLOT_WINDOW * ps);

	err = mapping_open(&ctx, step, sizeof(step));
	if (err) {
		set_outcome_kind(res, OUTCOME_SETUP, "%s:%s", step, errno_name(-err));
		return;
	}
	ctx.addr = arena_slot(&ctx, SLOT_WINDOW);
	ctx.ranges[RANGE_OLD].start = (uintptr_t)ctx.addr;
	ctx.ranges[RANGE_OLD].len = ctx.len;
	if (!(c->op->flags & OP_MAPS_ITSELF)) {
		bool private_map = c->mapping->kind == MAP_KIND_ANON_PRIVATE;

		if (mapping_map(&ctx, ctx.addr, private_map) == MAP_FAILED) {
			set_outcome_kind(res, OUTCOME_SETUP, "mmap:%s", errno_name(errno));
			mapping_close(&ctx);
			return;
		}
		/*
		 * Read everything once: fault-style mappings get their PTEs
		 * now, so mremap has real page tables to move; and the
		 * evidence shows what the mapping held before the operation.
		 */
		classify_pages(ctx.addr, PROBE_WINDOW_PAGES, ctx.obj_offset, ps, cls);
		rle_format(cls, PROBE_WINDOW_PAGES, NAMES_PAGES, buf, sizeof(buf));
		snprintf(res->before, sizeof(res->before), "%s", buf);
	}

	if (c->mapping->family == FAMILY_REAL)
		note_levels(&ctx, "before");
	c->op->run(&ctx);
	if (c->mapping->family == FAMILY_REAL)
		note_levels(&ctx, "after the reads");

	if (ctx.began) {
		vmflags_snapshot(ctx.ranges, res->vmflags_after);
		if (res->have_file_counters && !res->counters_final) {
			err = counters_read(ctx.fd, PFNMAP_IOC_FILE_COUNTERS,
					    &res->file_after);
			if (err) {
				res->have_file_counters = false;
				note_add(res, "FILE_COUNTERS after: %s", errno_name(-err));
			}
		}
	}
	counter_fields(c, res);
	res->mremap_start_moved = -1;
	if (res->have_file_counters && ctx.expect_mremap_start &&
	    res->file_after.count[PFNMAP_CNT_MREMAPS] !=
	    res->file_before.count[PFNMAP_CNT_MREMAPS])
		res->mremap_start_moved =
			res->file_after.last_mremap_start == ctx.expect_mremap_start;

	/* Unmap exactly what the case made, then the whole arena, then close. */
	for (i = ctx.nr_owned - 1; i >= 0; i--)
		munmap((void *)ctx.owned[i].start, ctx.owned[i].len);
	if (munmap(ctx.arena, ARENA_PAGES * ps))
		note_add(res, "cleanup munmap: %s", errno_name(errno));
	mapping_close(&ctx);
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

/* ---- the parent ------------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read the report; false on timeout. */
static bool read_report(int fd, struct case_result *res, size_t *got, long deadline)
{
	char *p = (char *)res;

	*got = 0;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t r;
		int pr;

		if (left <= 0)
			return false;
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return pr == 0 ? false : true;
		r = read(fd, p + *got, sizeof(*res) - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return true;	/* EOF: the child is done */
		*got += (size_t)r;
		if (*got == sizeof(*res))
			return true;
	}
}

#define KILL_GRACE_MS	2000

/*
 * Reap @pid by @deadline; false if it is still running then. A pidfd turns
 * this into one poll(); kernels before 5.3 get a short sleep loop instead.
 */
static bool wait_child(pid_t pid, int *status, long deadline)
{
#ifdef SYS_pidfd_open
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pidfd >= 0) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		long left;
		int r;

		do {
			left = deadline - now_ms();
			r = poll(&pfd, 1, left > 0 ? (int)left : 0);
		} while (r < 0 && errno == EINTR);
		close(pidfd);
		if (r <= 0)
			return false;
	}
#endif
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		struct timespec ts = { 0, 2 * 1000 * 1000 };

		if (r == pid || (r < 0 && errno != EINTR))
			return true;
		if (now_ms() >= deadline)
			return false;
		nanosleep(&ts, NULL);
	}
}

static const char *signal_name(int sig)
{
	static char other[16];

	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGKILL: return "SIGKILL";
	case SIGABRT: return "SIGABRT";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGTRAP: return "SIGTRAP";
	case SIGSYS: return "SIGSYS";
	default: break;
	}
	snprintf(other, sizeof(other), "SIG%d", sig);
	return other;
}

/* How the reaped case child ended: it must _exit(0) after its report. */
static void child_ended(int status, struct case_report *rep)
{
	if (WIFSIGNALED(status))
		snprintf(rep->child_exit, sizeof(rep->child_exit), "%s",
			 signal_name(WTERMSIG(status)));
	else
		snprintf(rep->child_exit, sizeof(rep->child_exit), "exit %d",
			 WEXITSTATUS(status));
	rep->checks[CHECK_EXIT_CLEAN] = WIFEXITED(status) && !WEXITSTATUS(status);
}

static void check_balance(const struct pfnmap_counters *before,
			  const struct pfnmap_counters *after,
			  struct case_report *rep)
{
	int64_t *d = rep->dev_delta;
	int i;

	for (i = 0; i < PFNMAP_CNT_NR; i++)
		d[i] = (int64_t)(after->count[i] - before->count[i]);
	rep->have_dev_delta = true;
	rep->checks[CHECK_BALANCED] = 1;
	if (d[PFNMAP_CNT_OPENS] != d[PFNMAP_CNT_RELEASES]) {
		rep->checks[CHECK_BALANCED] = 0;
		snprintf(rep->balance_note, sizeof(rep->balance_note),
			 "opens +%lld but releases +%lld", (long long)d[PFNMAP_CNT_OPENS],
			 (long long)d[PFNMAP_CNT_RELEASES]);
	} else if (d[PFNMAP_CNT_LIVE_VMAS]) {
		rep->checks[CHECK_BALANCED] = 0;
		snprintf(rep->balance_note, sizeof(rep->balance_note),
			 "live_vmas changed by %lld", (long long)d[PFNMAP_CNT_LIVE_VMAS]);
	} else if (d[PFNMAP_CNT_VM_OPENS] + d[PFNMAP_CNT_MMAPS] != d[PFNMAP_CNT_VM_CLOSES]) {
		rep->checks[CHECK_BALANCED] = 0;
		snprintf(rep->balance_note, sizeof(rep->balance_note),
			 "vm_opens +%lld + mmaps +%lld != vm_closes +%lld",
			 (long long)d[PFNMAP_CNT_VM_OPENS], (long long)d[PFNMAP_CNT_MMAPS],
			 (long long)d[PFNMAP_CNT_VM_CLOSES]);
	}
}

/* PAT entries over the device region now; -1 when there is nothing to count. */
static int pat_count(const struct run_ctx *run, const struct case_def *c)
{
	if (!mapping_on_region(c->mapping))
		return -1;
	return pat_count_region(&run->env->region);
}

void run_case(struct run_ctx *run, const struct case_def *c,
	      struct case_report *rep)
{
	struct pfnmap_counters dev_before, dev_after;
	bool have_dev = false, reopen = false, warn_reset = true;
	long start = now_ms();
	int pfd[2], status = 0, nr_total = 0;
	size_t got = 0;
	pid_t pid;
	bool finished, unkillable = false;
	long deadline;

	memset(rep, 0, sizeof(*rep));
	rep->checks[CHECK_BALANCED] = -1;
	rep->checks[CHECK_KMSG_CLEAN] = run->kmsg_fd >= 0 ? 1 : -1;
	rep->checks[CHECK_EXIT_CLEAN] = -1;

	if (c->mapping->kind == MAP_KIND_DEVICE && run->dev_counters_fd >= 0)
		have_dev = !counters_read(run->dev_counters_fd, PFNMAP_IOC_DEV_COUNTERS,
					  &dev_before);
	rep->pat_before = pat_count(run, c);
	/* A WARN_ONCE that fired in an earlier case must fire again for this one. */
	if (c->op->fields & F(LOG))
		warn_reset = warn_once_reset();
	/*
	 * No seek to the end of /dev/kmsg here: the fd sits at the end since the
	 * previous case was collected, and a line the kernel prints late (say
	 * "Bad rss-counter" at a deferred mmdrop) is then blamed on the next
	 * case instead of being lost.
	 */

	fflush(NULL);	/* the child must not flush our buffered output again */
	if (pipe(pfd) < 0) {
		set_outcome_kind(&rep->res, OUTCOME_SETUP, "pipe:%s", errno_name(errno));
		return;
	}
	/* Our fd holds the module too: let go of it while the case runs. */
	if ((c->op->flags & OP_SOLE_DEVICE_USER) && run->dev_counters_fd >= 0) {
		close(run->dev_counters_fd);
		run->dev_counters_fd = -1;
		reopen = true;
	}
	pid = fork();
	if (pid < 0) {
		set_outcome_kind(&rep->res, OUTCOME_SETUP, "fork:%s", errno_name(errno));
		close(pfd[0]);
		close(pfd[1]);
		if (reopen)
			run->dev_counters_fd = open(run->env->device_path, O_RDWR | O_CLOEXEC);
		return;
	}
	if (pid == 0) {
		struct case_result res;

		/* Own process group: a timeout kills grandchildren too. */
		setpgid(0, 0);
		close(pfd[0]);
		if (run->kmsg_fd >= 0)
			close(run->kmsg_fd);
		if (run->dev_counters_fd >= 0)
			close(run->dev_counters_fd);
		memset(&res, 0, sizeof(res));
		case_child(run->env, c, &res);
		res.magic = CASE_RESULT_MAGIC;
		write_all(pfd[1], &res, sizeof(res));
		_exit(0);
	}
	setpgid(pid, pid);	/* also here: no race with the child's own call */
	close(pfd[1]);

	deadline = start + run->timeout_sec * 1000L;
	finished = read_report(pfd[0], &rep->res, &got, deadline);
	close(pfd[0]);
	/* A child can also hang after reporting, e.g. in exit_mmap(). */
	if (finished && !wait_child(pid, &status, deadline))
		finished = false;
	if (!finished) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (!wait_child(pid, &status, now_ms() + KILL_GRACE_MS))
			unkillable = true;
	}
	/* Grandchildren (fork_read) normally exit first; never leave any behind. */
	kill(-pid, SIGKILL);
	rep->pat_after = pat_count(run, c);
	if (reopen) {
		run->dev_counters_fd = open(run->env->device_path, O_RDWR | O_CLOEXEC);
		if (run->dev_counters_fd < 0)
			have_dev = false;
	}

	if (finished)
		child_ended(status, rep);
	if (!finished) {
		memset(&rep->res, 0, sizeof(rep->res));
		set_outcome_kind(&rep->res, OUTCOME_TIMEOUT, NULL);
		if (unkillable)
			note_add(&rep->res, "child %d did not die after SIGKILL (stuck in the kernel?)",
				 (int)pid);
	} else if (got != sizeof(rep->res) || rep->res.magic != CASE_RESULT_MAGIC) {
		memset(&rep->res, 0, sizeof(rep->res));
		if (WIFSIGNALED(status))
			set_outcome_kind(&rep->res, OUTCOME_CRASH, "%s",
					 signal_name(WTERMSIG(status)));
		else
			set_outcome_kind(&rep->res, OUTCOME_LOST, NULL);
	} else if (!rep->checks[CHECK_EXIT_CLEAN]) {
		/* The report arrived, but the child did not end as it should. */
		note_add(&rep->res, "the case child died after its report (%s)", rep->child_exit);
		if (WIFSIGNALED(status))
			set_outcome_kind(&rep->res, OUTCOME_CRASH, "%s",
					 signal_name(WTERMSIG(status)));
		else
			set_outcome_kind(&rep->res, OUTCOME_CRASH, "exit:%d",
					 WEXITSTATUS(status));
	}

	if (rep->res.kind == OUTCOME_FIELDS && (c->op->fields & F(PAT)))
		/* A region of kernel pages never shows in the list: it reads "same". */
		set_field(&rep->res, FIELD_PAT, pat_verdict(rep->pat_before, rep->pat_after));
	if (reopen && !have_dev)
		snprintf(rep->balance_note, sizeof(rep->balance_note),
			 "%s did not open again after the case", run->env->device_path);
	if (have_dev) {
		if (!counters_read(run->dev_counters_fd, PFNMAP_IOC_DEV_COUNTERS, &dev_after))
			check_balance(&dev_before, &dev_after, rep);
		else
			snprintf(rep->balance_note, sizeof(rep->balance_note),
				 "DEV_COUNTERS unreadable after the case");
	}
	rep->nr_kmsg = kmsg_collect(run->kmsg_fd, rep->kmsg, PROBE_KMSG_MAX, &nr_total);
	if (c->op->fields & F(LOG)) {
		/* The log is this case's outcome: the expectation judges it, not the check. */
		rep->checks[CHECK_KMSG_CLEAN] = -1;
		if (!warn_reset)
			note_add(&rep->res, "%s not writable: a WARN_ONCE seen before stays silent",
				 WARN_ONCE_RESET);
		if (rep->res.kind == OUTCOME_FIELDS && run->kmsg_fd >= 0) {
			char words[PROBE_FIELD_LEN];

			log_words(rep->kmsg, rep->nr_kmsg, words, sizeof(words));
			set_field(&rep->res, FIELD_LOG, words);
		}
	} else if (nr_total) {
		rep->checks[CHECK_KMSG_CLEAN] = 0;
	}
	rep->fields = c->op->fields & outcome_fields_on(run->arch);
	outcome_build(rep->fields, &rep->res, rep->outcome, sizeof(rep->outcome));
	rep->duration_ms = now_ms() - start;
}
