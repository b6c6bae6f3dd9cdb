/*
 * ssh_tunnel.c - start, watch and stop the ssh that forwards a local unix
 * socket to a remote Docker daemon's.
 *
 * The state comes from three facts read without blocking: whether ssh has
 * exited (waitpid WNOHANG), whether the local socket exists (ssh creates
 * it only after authenticating, so it means "listening"), and what ssh last
 * wrote to stderr.  Only lines written after the socket appeared are
 * offered as the reason of a failed request: before that, ssh's stderr
 * holds warnings ("Permanently added ... to the list of known hosts").
 */
#include "ssh_tunnel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "xalloc.h"

#define LINE_MAX_BYTES 240
#define MAX_OPTIONS 32
#define STOP_WAIT_MS 2000

struct ssh_tunnel {
	pid_t pid;    /* ssh, or -1 once reaped */
	int err_fd;   /* read end of ssh's stderr, or -1 */
	int status;   /* wait status once exited */
	bool exited;  /* reaped */
	char *dir;    /* owned: the private directory */
	char *sock;   /* owned: dir/docker.sock */
	char *url;    /* owned: unix://sock */
	char *dest;   /* owned */
	char *remote; /* owned: the remote socket */
	char partial[LINE_MAX_BYTES];
	size_t plen;
	char last[LINE_MAX_BYTES]; /* ssh's last stderr line, printable */
	bool last_when_ready;      /* last arrived while the socket existed */
	bool seen_ready;
	enum ssh_tunnel_state ticked; /* the state at the last tick */
};

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A private directory for the socket, short enough for sun_path. */
static char *
make_dir(struct err *e)
{
	struct sockaddr_un sa;
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (tmp == NULL || tmp[0] != '/' ||
	    strlen(tmp) + sizeof "/opsdeck-ssh.XXXXXX/docker.sock" > sizeof sa.sun_path)
		tmp = "/tmp";
	dir = xasprintf("%s/opsdeck-ssh.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		err_set(e, ERR_IO,
			"docker: cannot create a directory for the ssh tunnel's socket in %s: %s "
			"— set TMPDIR to a writable directory",
			tmp, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

/* Split the blank-separated options into argv; false when there are too many. */
static bool
split_options(char *text, char **argv, size_t *argc, size_t max)
{
	char *save = NULL, *w;

	if (text == NULL)
		return true;
	for (w = strtok_r(text, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		if (*argc >= max)
			return false;
		argv[(*argc)++] = w;
	}
	return true;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void
exec_child(pid_t parent, int err_w, char *const *argv, const char *program)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT };
	static const char msg[] = "cannot execute ssh: ";
	sigset_t none;
	size_t i;
	int fd;

	setsid();
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != parent)
		_exit(1); /* opsdeck is already gone */
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
	}
	dup2(err_w, STDERR_FILENO);
	/* setup runs before any connection exists; a few fds at most are open */
	for (fd = 3; fd < 256; fd++)
		close(fd);
	execvp(program, argv);
	fd = errno;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0 ||
	    write(STDERR_FILENO, strerror(fd), strlen(strerror(fd))) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		_exit(127);
	_exit(127);
}

struct ssh_tunnel *
ssh_tunnel_start(const struct ssh_tunnel_settings *s, struct err *e)
{
	const char *program = s->program != NULL ? s->program : "ssh";
	char *argv[MAX_OPTIONS + 16], *opts = xstrdup(s->options), *fwd;
	struct ssh_tunnel *t;
	size_t argc = 0;
	int p[2];
	pid_t parent = getpid();

	argv[argc++] = (char *)program;
	argv[argc++] = "-nNT";
	argv[argc++] = "-o";
	argv[argc++] = "ExitOnForwardFailure=yes";
	argv[argc++] = "-o";
	argv[argc++] = "BatchMode=yes";
	if (!split_options(opts, argv, &argc, argc + MAX_OPTIONS)) {
		free(opts);
		err_set(e, ERR_CONFIG,
			"[docker] ssh_options: more than %d arguments — put them in an ssh config "
			"file (-F FILE)",
			MAX_OPTIONS);
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->pid = -1;
	t->err_fd = -1;
	t->dest = xstrdup(s->dest);
	t->remote = xstrdup(s->remote_socket);
	t->dir = make_dir(e);
	if (t->dir == NULL) {
		free(opts);
		ssh_tunnel_free(t);
		return NULL;
	}
	t->sock = xasprintf("%s/docker.sock", t->dir);
	t->url = xasprintf("unix://%s", t->sock);
	fwd = xasprintf("%s:%s", t->sock, s->remote_socket);
	argv[argc++] = "-L";
	argv[argc++] = fwd;
	if (s->port != NULL && s->port[0] != '\0') {
		argv[argc++] = "-p";
		argv[argc++] = (char *)s->port;
	}
	argv[argc++] = "--";
	argv[argc++] = (char *)s->dest;
	argv[argc] = NULL;

	if (pipe(p) < 0) {
		err_set(e, ERR_IO, "docker: cannot create a pipe for ssh: %s", strerror(errno));
		goto fail;
	}
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0) {
		err_set(e, ERR_IO, "docker: cannot start ssh: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (t->pid == 0) {
		close(p[0]);
		exec_child(parent, p[1], argv, program);
	}
	close(p[1]);
	t->err_fd = p[0];
	free(fwd);
	free(opts);
	return t;
fail:
	free(fwd);
	free(opts);
	ssh_tunnel_free(t);
	return NULL;
}

/* Keep the finished line if it says something; control characters become '?'. */
static void
end_line(struct ssh_tunnel *t, bool ready)
{
	size_t i, n = t->plen;

	while (n > 0 && (t->partial[n - 1] == '\r' || t->partial[n - 1] == ' '))
		n--;
	t->plen = 0;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		t->last[i] = (unsigned char)t->partial[i] < 0x20 || t->partial[i] == 0x7f
				     ? '?'
				     : t->partial[i];
	t->last[n] = '\0';
	t->last_when_ready = ready;
}

static void
read_stderr(struct ssh_tunnel *t, bool ready)
{
	char b[512];
	ssize_t n, i;

	while (t->err_fd >= 0) {
		n = read(t->err_fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: nothing more for now */
		if (n == 0) {
			end_line(t, ready);
			close(t->err_fd);
			t->err_fd = -1;
			return;
		}
		for (i = 0; i < n; i++) {
			if (b[i] == '\n')
				end_line(t, ready);
			else if (t->plen < sizeof t->partial - 1)
				t->partial[t->plen++] = b[i];
		}
	}
}

static bool
socket_exists(const struct ssh_tunnel *t)
{
	struct stat st;

	return stat(t->sock, &st) == 0 && S_ISSOCK(st.st_mode);
}

enum ssh_tunnel_state
ssh_tunnel_poll(struct ssh_tunnel *t)
{
	int st;

	if (!t->exited && t->pid > 0 && waitpid(t->pid, &st, WNOHANG) == t->pid) {
		t->exited = true;
		t->status = st;
		t->pid = -1;
	}
	if (!t->exited && !t->seen_ready)
		t->seen_ready = socket_exists(t);
	read_stderr(t, t->seen_ready && !t->exited);
	if (t->exited) {
		/* what is left in the pipe; a grandchild may still hold it open */
		if (t->err_fd >= 0 && t->plen > 0)
			end_line(t, false);
		return SSH_TUNNEL_EXITED;
	}
	return t->seen_ready ? SSH_TUNNEL_READY : SSH_TUNNEL_STARTING;
}

bool
ssh_tunnel_tick(struct ssh_tunnel *t)
{
	enum ssh_tunnel_state st = ssh_tunnel_poll(t);
	bool changed = st != t->ticked;

	t->ticked = st;
	return changed;
}

enum ssh_tunnel_state
ssh_tunnel_wait(struct ssh_tunnel *t, long timeout_ms, int also_fd)
{
	double deadline = mono_ms() + (double)timeout_ms;
	enum ssh_tunnel_state st;

	for (;;) {
		struct pollfd fds[2];
		nfds_t n = 0;
		double left;

		st = ssh_tunnel_poll(t);
		left = deadline - mono_ms();
		if (st != SSH_TUNNEL_STARTING || left <= 0)
			return st;
		if (t->err_fd >= 0)
			fds[n++] = (struct pollfd){ t->err_fd, POLLIN, 0 };
		if (also_fd >= 0)
			fds[n++] = (struct pollfd){ also_fd, POLLIN, 0 };
		/* the socket's appearance is no fd event: look again every 20 ms */
		if (poll(fds, n, left < 20 ? (int)left + 1 : 20) > 0 && also_fd >= 0 &&
		    (fds[n - 1].revents & POLLIN))
			return ssh_tunnel_poll(t);
	}
}

void
ssh_tunnel_explain(struct ssh_tunnel *t, struct err *e)
{
	switch (ssh_tunnel_poll(t)) {
	case SSH_TUNNEL_STARTING:
		err_set(e, ERR_CONNECT, "docker: waiting for the ssh tunnel to %s", t->dest);
		return;
	case SSH_TUNNEL_READY:
		if (t->last_when_ready && t->last[0] != '\0')
			err_set(e, ERR_CONNECT,
				"docker: ssh to %s: %s — check that %s is the Docker socket there "
				"([docker] ssh_socket) and that the user may use it",
				t->dest, t->last, t->remote);
		return;
	case SSH_TUNNEL_EXITED:
		break;
	}
	if (WIFSIGNALED(t->status))
		err_set(e, ERR_CONNECT, "docker: ssh to %s was killed by signal %d%s%s", t->dest,
			WTERMSIG(t->status), t->last[0] != '\0' ? ": " : "", t->last);
	else if (t->last[0] != '\0')
		err_set(e, ERR_CONNECT, "docker: ssh to %s exited (%d): %s", t->dest,
			WEXITSTATUS(t->status), t->last);
	else
		err_set(e, ERR_CONNECT,
			"docker: ssh to %s exited (%d) — run `ssh %s` by hand to see why", t->dest,
			WEXITSTATUS(t->status), t->dest);
}

const char *
ssh_tunnel_url(const struct ssh_tunnel *t)
{
	return t->url;
}

const char *
ssh_tunnel_dest(const struct ssh_tunnel *t)
{
	return t->dest;
}

int
ssh_tunnel_pid(const struct ssh_tunnel *t)
{
	return t->exited ? -1 : (int)t->pid;
}

int
ssh_tunnel_fd(const struct ssh_tunnel *t)
{
	return t->exited ? -1 : t->err_fd;
}

/* SIGTERM to ssh's session, a bounded wait, then SIGKILL. */
static void
stop(struct ssh_tunnel *t)
{
	double deadline = mono_ms() + STOP_WAIT_MS;
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
	int st = 0;

	if (t->pid <= 0 || t->exited)
		return;
	kill(-t->pid, SIGTERM); /* its session: ssh and any ProxyCommand */
	kill(t->pid, SIGTERM);  /* in case it has not called setsid() yet */
	while (waitpid(t->pid, &st, WNOHANG) == 0) {
		if (mono_ms() >= deadline) {
			kill(-t->pid, SIGKILL);
			kill(t->pid, SIGKILL);
			waitpid(t->pid, &st, 0);
			break;
		}
		nanosleep(&ten_ms, NULL);
	}
	t->exited = true;
	t->status = st;
	t->pid = -1;
}

void
ssh_tunnel_free(struct ssh_tunnel *t)
{
	if (t == NULL)
		return;
	stop(t);
	if (t->err_fd >= 0)
		close(t->err_fd);
	if (t->sock != NULL)
		unlink(t->sock);
	if (t->dir != NULL)
		rmdir(t->dir);
	free(t->dir);
	free(t->sock);
	free(t->url);
	free(t->dest);
	free(t->remote);
	free(t);
}
