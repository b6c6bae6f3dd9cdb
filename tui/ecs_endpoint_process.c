/*
 * ecs_endpoint_process.c - a profile's credential_process, run as the AWS
 * CLI runs it and driven from the loop; see ecs_endpoint.h.
 *
 * The CLI hands the command line to a shell (sh -c), so quoting and
 * variables in ~/.aws/config mean what they mean there.  The child gets
 * opsdeck's environment, stdin from /dev/null (opsdeck owns the terminal:
 * a process is never interactive), its stdout captured (the credentials:
 * wiped once read), its stderr's last line kept for a message.  It runs
 * in a session of its own, its pipes non-blocking, reaped with WNOHANG,
 * killed at its deadline and when opsdeck stops (and by the kernel should
 * opsdeck die first: PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "ecs_endpoint_internal.h"
#include "parse.h"
#include "xalloc.h"

#define OUT_MAX (64 * 1024) /* credentials are a few KiB */

void
ecs_endpoint_process_kill(struct ecs_endpoint *x)
{
	int st;

	if (x->pid > 0) {
		kill(-x->pid, SIGKILL);
		kill(x->pid, SIGKILL);
		while (waitpid(x->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	x->pid = -1;
	if (x->out_fd >= 0)
		close(x->out_fd);
	if (x->err_fd >= 0)
		close(x->err_fd);
	x->out_fd = x->err_fd = -1;
}

static void
end_line(struct ecs_endpoint *x)
{
	size_t i, n = x->plen;

	while (n > 0 && (x->partial[n - 1] == '\r' || x->partial[n - 1] == ' '))
		n--;
	x->plen = 0;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		x->last[i] = (unsigned char)x->partial[i] < 0x20 || x->partial[i] == 0x7f
				     ? '?'
				     : x->partial[i];
	x->last[n] = '\0';
}

/* Read what the pipes hold. */
static void
drain(struct ecs_endpoint *x)
{
	char b[4096];
	ssize_t n, i;

	while (x->out_fd >= 0) {
		n = read(x->out_fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			close(x->out_fd);
			x->out_fd = -1;
			break;
		}
		if (x->out.len + (size_t)n > OUT_MAX)
			x->out_too_big = true;
		else
			buf_append(&x->out, b, (size_t)n);
		explicit_bzero(b, (size_t)n);
	}
	while (x->err_fd >= 0) {
		n = read(x->err_fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			end_line(x);
			close(x->err_fd);
			x->err_fd = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (b[i] == '\n')
				end_line(x);
			else if (x->plen < sizeof x->partial - 1)
				x->partial[x->plen++] = b[i];
		}
	}
}

/* In the child, between fork and exec. */
static void
child(pid_t parent, int out_w, int err_w, const char *command)
{
	static const int sigs[] = { SIGPIPE, SIGINT,   SIGTERM, SIGHUP, SIGCHLD,
				    SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT };
	static const char msg[] = "cannot execute /bin/sh: ";
	sigset_t none;
	size_t i;
	int fd;

	setsid();
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent)
		_exit(1);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	dup2(out_w, STDOUT_FILENO);
	dup2(err_w, STDERR_FILENO);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	fd = errno;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0 ||
	    write(STDERR_FILENO, strerror(fd), strlen(strerror(fd))) < 0)
		_exit(127);
	_exit(127);
}

int
ecs_endpoint_process_start(struct ecs_endpoint *x, struct err *e)
{
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	pid_t parent = getpid();

	if (pipe(out) < 0 || pipe(errp) < 0) {
		err_set(e, ERR_IO, "ecs: cannot create a pipe for the credential_process: %s",
			strerror(errno));
		goto fail;
	}
	fflush(NULL);
	x->pid = fork();
	if (x->pid < 0) {
		err_set(e, ERR_IO,
			"ecs: cannot start the credential_process of profile %s (cluster '%s'): %s",
			x->profile, x->context, strerror(errno));
		goto fail;
	}
	if (x->pid == 0) {
		close(out[0]);
		close(errp[0]);
		child(parent, out[1], errp[1], x->process);
	}
	close(out[1]);
	close(errp[1]);
	x->out_fd = out[0];
	x->err_fd = errp[0];
	fcntl(x->out_fd, F_SETFD, FD_CLOEXEC);
	fcntl(x->err_fd, F_SETFD, FD_CLOEXEC);
	fcntl(x->out_fd, F_SETFL, fcntl(x->out_fd, F_GETFL) | O_NONBLOCK);
	fcntl(x->err_fd, F_SETFL, fcntl(x->err_fd, F_GETFL) | O_NONBLOCK);
	buf_reset(&x->out);
	x->out_too_big = false;
	x->plen = 0;
	x->last[0] = '\0';
	x->deadline = ecs_endpoint_mono() + (double)x->process_timeout_ms / 1000.0;
	return 0;
fail:
	if (out[0] >= 0) {
		close(out[0]);
		close(out[1]);
	}
	if (errp[0] >= 0) {
		close(errp[0]);
		close(errp[1]);
	}
	x->pid = -1;
	return -1;
}

/* The process exited with status st: take its credentials, or say why not. */
static void
finish(struct ecs_endpoint *x, int st)
{
	struct aws_creds c;
	struct err pe;
	const char *sep = x->last[0] ? ": " : "";

	memset(&c, 0, sizeof c);
	x->failed = true;
	if (WIFSIGNALED(st))
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s') was killed by "
			"signal %d%s%s",
			x->profile, x->context, WTERMSIG(st), sep, x->last);
	else if (WEXITSTATUS(st) != 0)
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s') exited (%d)%s%s "
			"— fix credential_process in the AWS config",
			x->profile, x->context, WEXITSTATUS(st), sep, x->last);
	else if (x->out_too_big)
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s') printed more "
			"than "
			"%d KiB",
			x->profile, x->context, OUT_MAX / 1024);
	else if (aws_parse_process_output(x->out.data ? x->out.data : "", x->out.len, &c, &pe) < 0)
		err_set(&x->err, ERR_AUTH,
			"ecs: the credential_process of profile %s (cluster '%s'): %s", x->profile,
			x->context, pe.msg);
	else
		ecs_endpoint_take(x, &c); /* clears failed */
	aws_creds_done(&c);
	if (x->out.data != NULL)
		explicit_bzero(x->out.data, x->out.len);
	buf_reset(&x->out);
}

bool
ecs_endpoint_process_tick(struct ecs_endpoint *x)
{
	int st;
	pid_t r;

	if (x->pid <= 0)
		return false;
	drain(x);
	r = waitpid(x->pid, &st, WNOHANG);
	if (r == x->pid) {
		x->pid = -1;
		/* what is left in the pipes; a grandchild may keep them open */
		drain(x);
		if (x->out_fd >= 0)
			close(x->out_fd);
		if (x->err_fd >= 0) {
			end_line(x);
			close(x->err_fd);
		}
		x->out_fd = x->err_fd = -1;
		finish(x, st);
		return true;
	}
	if (ecs_endpoint_mono() >= x->deadline) {
		char took[32];

		ecs_endpoint_process_kill(x);
		if (x->out.data != NULL)
			explicit_bzero(x->out.data, x->out.len);
		buf_reset(&x->out);
		x->failed = true;
		format_duration_ms(x->process_timeout_ms, took, sizeof took);
		err_set(&x->err, ERR_TIMEOUT,
			"ecs: the credential_process of profile %s (cluster '%s') did not answer "
			"within %s%s%s",
			x->profile, x->context, took, x->last[0] ? ": " : "", x->last);
		return true;
	}
	return false;
}
