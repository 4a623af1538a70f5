// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "guard.h"

static _Thread_local sigjmp_buf fault_jump;
static _Thread_local volatile sig_atomic_t fault_armed;

static void fault_handler(int sig)
{
	if (!fault_armed) {
		/* A fault outside a guarded access: die of it, visibly. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_armed = 0;
	siglongjmp(fault_jump, sig);
}

void guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fault_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

static enum touch touch_of(int sig)
{
	return sig == SIGBUS ? TOUCH_SIGBUS : TOUCH_SIGSEGV;
}

enum touch guarded_copy(void *dst, const void *src, size_t len)
{
	const volatile uint64_t *from = src;
	uint64_t *to = dst;
	volatile size_t i;
	int sig;

	sig = sigsetjmp(fault_jump, 1);
	if (sig)
		return touch_of(sig);
	fault_armed = 1;
	for (i = 0; i < len / sizeof(uint64_t); i++)
		to[i] = from[i];
	fault_armed = 0;
	return TOUCH_OK;
}

enum touch guarded_touch_write(uint64_t *word)
{
	int sig;

	sig = sigsetjmp(fault_jump, 1);
	if (sig)
		return touch_of(sig);
	fault_armed = 1;
	__atomic_fetch_add(word, 0, __ATOMIC_RELAXED);
	fault_armed = 0;
	return TOUCH_OK;
}
