/*
 * ecs_endpoint_process.c - a profile's credential_process, run as the AWS
 * CLI runs it and driven from the loop; see ecs_endpoint.h.
 *
 * The CLI hands the command line to a shell (sh -c), so quoting and
 * variables in ~/.aws/config mean what they mean there.  The child, a
 * child of the loop (child_run.h), gets opsdeck's environment, stdin from
 * /dev/null (opsdeck owns the terminal: a process is never interactive),
 * its stdout captured (the credentials: wiped once read), its stderr's
 * last line kept for a message.  It runs in a session of its own, reaped
 * with WNOHANG, killed at its deadline and when opsdeck stops.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "ecs_endpoint_internal.h"
#include "parse.h"

#define OUT_MAX (64 * 1024) /* credentials are a few KiB */

int
ecs_endpoint_process_start(struct ecs_endpoint *x, struct err *e)
{
	struct child_run_spec s;
	int r;

	memset(&s, 0, sizeof s);
	s.shell = x->process;
	s.what = "/bin/sh";
	s.out_max = OUT_MAX;
	s.timeout_ms = x->process_timeout_ms;
	r = child_run_start(&x->run, &s);
	if (r == CHILD_RUN_NO_PIPE)
		err_set(e, ERR_IO, "ecs: cannot create a pipe for the credential_process: %s",
			strerror(errno));
	else if (r == CHILD_RUN_NO_FORK)
		err_set(e, ERR_IO,
			"ecs: cannot start the credential_process of profile %s (cluster '%s'): %s",
			x->profile, x->context, strerror(errno));
	return r == CHILD_RUN_STARTED ? 0 : -1;
}

/* The process exited with status st: take its credentials, or say why not. */
static void
finish(struct ecs_endpoint *x, int st)
{
	struct aws_creds c;
	struct err pe;
	const char *last = x->run.last;
	const char *sep = last[0] ? ": " : "";

	memset(&c, 0, sizeof c);
	x->failed = true;
	if (WIFSIGNALED(st))
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s') was killed by "
			"signal %d%s%s",
			x->profile, x->context, WTERMSIG(st), sep, last);
	else if (WEXITSTATUS(st) != 0)
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s') exited (%d)%s%s "
			"— fix credential_process in the AWS config",
			x->profile, x->context, WEXITSTATUS(st), sep, last);
	else if (x->run.out_too_big)
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s') printed more "
			"than "
			"%d KiB",
			x->profile, x->context, OUT_MAX / 1024);
	else if (aws_parse_process_output(x->run.out.data ? x->run.out.data : "", x->run.out.len,
					  &c, &pe) < 0)
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s'): %s", x->profile,
			x->context, pe.msg);
	else
		ecs_endpoint_take(x, &c); /* clears failed */
	aws_creds_done(&c);
	child_run_wipe_out(&x->run);
}

bool
ecs_endpoint_process_tick(struct ecs_endpoint *x)
{
	char took[32];

	switch (child_run_poll(&x->run)) {
	case CHILD_RUN_EXITED:
		finish(x, x->run.status);
		return true;
	case CHILD_RUN_TIMED_OUT: /* its stdout is wiped */
		x->failed = true;
		format_duration_ms(x->process_timeout_ms, took, sizeof took);
		err_set(&x->err, ERR_TIMEOUT,
			"ecs: the credential_process of profile %s (cluster '%s') did not answer "
			"within %s%s%s",
			x->profile, x->context, took, x->run.last[0] ? ": " : "", x->run.last);
		return true;
	case CHILD_RUN_BUSY:
		break;
	}
	return false;
}
