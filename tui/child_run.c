/*
 * child_run.c - a command run as a child of the event loop; see child_run.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "child_run.h"
#include "xalloc.h"

extern char **environ;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
child_run_init(struct child_run *c)
{
	memset(c, 0, sizeof *c);
	c->pid = -1;
	c->out_fd = c->err_fd = -1;
	buf_init(&c->out);
}

void
child_run_wipe_out(struct child_run *c)
{
	if (c->out.data != NULL)
		explicit_bzero(c->out.data, c->out.len);
	buf_reset(&c->out);
}

static void
close_pipes(struct child_run *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
}

void
child_run_kill(struct child_run *c)
{
	int st;

	if (c->pid > 0) {
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	c->pid = -1;
	close_pipes(c);
	child_run_wipe_out(c);
}

void
child_run_done(struct child_run *c)
{
	child_run_kill(c);
	buf_done(&c->out);
}

bool
child_run_running(const struct child_run *c)
{
	return c->pid > 0;
}

/* The line in partial is complete: keep it, unless it is empty. */
static void
end_line(struct child_run *c)
{
	size_t i, n = c->plen;

	while (n > 0 && (c->partial[n - 1] == '\r' || c->partial[n - 1] == ' '))
		n--;
	c->plen = 0;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		c->last[i] = (unsigned char)c->partial[i] < 0x20 || c->partial[i] == 0x7f
				     ? '?'
				     : c->partial[i];
	c->last[n] = '\0';
}

/* Read what the pipes hold; close each at its end. */
static void
drain(struct child_run *c)
{
	char b[4096];
	ssize_t n, i;

	while (c->out_fd >= 0) {
		n = read(c->out_fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			close(c->out_fd);
			c->out_fd = -1;
			break;
		}
		if (c->out.len + (size_t)n > c->out_max)
			c->out_too_big = true;
		else
			buf_append(&c->out, b, (size_t)n);
		explicit_bzero(b, (size_t)n);
	}
	while (c->err_fd >= 0) {
		n = read(c->err_fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			end_line(c);
			close(c->err_fd);
			c->err_fd = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (b[i] == '\n')
				end_line(c);
			else if (c->plen < sizeof c->partial - 1)
				c->partial[c->plen++] = b[i];
		}
	}
}

static void
put_err(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0)
		_exit(127);
}

/* In the child, between fork and exec. */
static void
in_child(pid_t parent, int out_w, int err_w, const struct child_run_spec *s, char **envp)
{
	static const int sigs[] = { SIGPIPE, SIGINT,   SIGTERM, SIGHUP, SIGCHLD,
				    SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT };
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
	if (envp != NULL)
		environ = envp;
	if (s->argv != NULL)
		execvp(s->argv[0], s->argv);
	else
		execl("/bin/sh", "sh", "-c", s->shell, (char *)NULL);
	fd = errno;
	put_err("cannot execute ");
	put_err(s->what != NULL ? s->what : s->argv != NULL ? s->argv[0] : "/bin/sh");
	put_err(": ");
	put_err(strerror(fd));
	put_err("\n");
	_exit(127);
}

/*
 * Our environment less the variables extra names, then extra: the strings
 * borrowed, the array to free.  NULL without extra.
 */
static char **
make_envp(char *const *extra)
{
	size_t n = 0, m = 0, i, j;
	char **v;

	if (extra == NULL)
		return NULL;
	while (environ[n] != NULL)
		n++;
	while (extra[m] != NULL)
		m++;
	v = xcalloc(n + m + 1, sizeof *v);
	for (i = 0, j = 0; i < n; i++) {
		size_t nl = strcspn(environ[i], "=");
		bool replaced = false;
		size_t x;

		for (x = 0; x < m && !replaced; x++)
			replaced = strncmp(extra[x], environ[i], nl + 1) == 0;
		if (!replaced)
			v[j++] = environ[i];
	}
	for (i = 0; i < m; i++)
		v[j++] = extra[i];
	v[j] = NULL;
	return v;
}

static void
nonblocking_cloexec(int fd)
{
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

enum child_run_start_result
child_run_start(struct child_run *c, const struct child_run_spec *s)
{
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	pid_t parent = getpid();
	enum child_run_start_result r;
	char **envp;
	int saved;

	if (pipe(out) < 0 || pipe(errp) < 0) {
		r = CHILD_RUN_NO_PIPE;
		goto fail;
	}
	envp = make_envp(s->env);
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		saved = errno;
		free(envp);
		errno = saved;
		r = CHILD_RUN_NO_FORK;
		goto fail;
	}
	if (c->pid == 0) {
		close(out[0]);
		close(errp[0]);
		in_child(parent, out[1], errp[1], s, envp);
	}
	free(envp);
	close(out[1]);
	close(errp[1]);
	c->out_fd = out[0];
	c->err_fd = errp[0];
	nonblocking_cloexec(c->out_fd);
	nonblocking_cloexec(c->err_fd);
	child_run_wipe_out(c);
	c->out_max = s->out_max;
	c->out_too_big = false;
	c->plen = 0;
	c->last[0] = '\0';
	c->status = 0;
	c->deadline = mono() + (double)s->timeout_ms / 1000.0;
	return CHILD_RUN_STARTED;
fail:
	saved = errno;
	if (out[0] >= 0) {
		close(out[0]);
		close(out[1]);
	}
	if (errp[0] >= 0) {
		close(errp[0]);
		close(errp[1]);
	}
	c->pid = -1;
	errno = saved;
	return r;
}

enum child_run_event
child_run_poll(struct child_run *c)
{
	int st;

	if (c->pid <= 0)
		return CHILD_RUN_BUSY;
	drain(c);
	if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
		c->pid = -1;
		c->status = st;
		/* what is left in the pipes; a grandchild may keep them open */
		drain(c);
		if (c->err_fd >= 0)
			end_line(c);
		close_pipes(c);
		return CHILD_RUN_EXITED;
	}
	if (mono() >= c->deadline) {
		child_run_kill(c);
		return CHILD_RUN_TIMED_OUT;
	}
	return CHILD_RUN_BUSY;
}

nfds_t
child_run_pollfds(const struct child_run *c, struct pollfd *fds)
{
	nfds_t n = 0;

	if (c->out_fd >= 0)
		fds[n++] = (struct pollfd){ c->out_fd, POLLIN, 0 };
	if (c->err_fd >= 0)
		fds[n++] = (struct pollfd){ c->err_fd, POLLIN, 0 };
	return n;
}
