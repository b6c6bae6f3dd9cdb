/*
 * k8s_endpoint_exec.c - the exec credential plugin of a kubeconfig user,
 * run as client-go runs it and driven from the loop; see k8s_endpoint.h.
 *
 * Like the ssh tunnel it is forked and exec'd directly (no shell) in a
 * session of its own, its pipes non-blocking, reaped with WNOHANG, killed
 * at its deadline and when opsdeck stops (and by the kernel should
 * opsdeck die first: PR_SET_PDEATHSIG).  Its stdin is /dev/null: opsdeck
 * owns the terminal, so a plugin is never interactive.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

#include "k8s_endpoint_internal.h"
#include "parse.h"
#include "xalloc.h"

extern char **environ;

#define EXEC_OUT_MAX (1024 * 1024) /* an ExecCredential is a few KiB */

static void
free_strv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* SIGKILL to the plugin's session, then reap it. */
void
k8s_endpoint_exec_kill(struct k8s_endpoint *k)
{
	int st;

	if (k->pid > 0) {
		kill(-k->pid, SIGKILL);
		kill(k->pid, SIGKILL);
		while (waitpid(k->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	k->pid = -1;
	if (k->out_fd >= 0)
		close(k->out_fd);
	if (k->err_fd >= 0)
		close(k->err_fd);
	k->out_fd = k->err_fd = -1;
}

static void
end_line(struct k8s_endpoint *k)
{
	size_t i, n = k->plen;

	while (n > 0 && (k->partial[n - 1] == '\r' || k->partial[n - 1] == ' '))
		n--;
	k->plen = 0;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		k->last[i] = (unsigned char)k->partial[i] < 0x20 || k->partial[i] == 0x7f
				     ? '?'
				     : k->partial[i];
	k->last[n] = '\0';
}

/* Read what the pipes hold.  Returns false once both are closed. */
static bool
drain(struct k8s_endpoint *k)
{
	char b[4096];
	ssize_t n, i;

	while (k->out_fd >= 0) {
		n = read(k->out_fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			close(k->out_fd);
			k->out_fd = -1;
			break;
		}
		if (k->out.len + (size_t)n > EXEC_OUT_MAX)
			k->out_too_big = true;
		else
			buf_append(&k->out, b, (size_t)n);
	}
	while (k->err_fd >= 0) {
		n = read(k->err_fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			end_line(k);
			close(k->err_fd);
			k->err_fd = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (b[i] == '\n')
				end_line(k);
			else if (k->plen < sizeof k->partial - 1)
				k->partial[k->plen++] = b[i];
		}
	}
	return k->out_fd >= 0 || k->err_fd >= 0;
}

/* In the child, between fork and exec. */
static void
exec_child(pid_t parent, int out_w, int err_w, char **argv, char **envp)
{
	static const int sigs[] = { SIGPIPE, SIGINT,   SIGTERM, SIGHUP, SIGCHLD,
				    SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT };
	static const char msg[] = "cannot execute the plugin: ";
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
	environ = envp;
	execvp(argv[0], argv);
	fd = errno;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0 ||
	    write(STDERR_FILENO, strerror(fd), strlen(strerror(fd))) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		_exit(127);
	_exit(127);
}

/* new: the plugin's environment: ours, the kubeconfig's env, KUBERNETES_EXEC_INFO. */
static char **
exec_envp(const struct k8s_endpoint *k)
{
	size_t n = 0, m = 0, i, j;
	char **v;

	while (environ[n] != NULL)
		n++;
	while (k->exec_env[m] != NULL)
		m++;
	v = xcalloc(n + m + 2, sizeof *v);
	for (i = 0, j = 0; i < n; i++) {
		size_t nl = strcspn(environ[i], "=");
		size_t x;
		bool replaced = strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21) == 0;

		for (x = 0; x < m && !replaced; x++)
			replaced = strncmp(k->exec_env[x], environ[i], nl + 1) == 0;
		if (!replaced)
			v[j++] = xstrdup(environ[i]);
	}
	for (i = 0; k->exec_env[i] != NULL; i++)
		v[j++] = xstrdup(k->exec_env[i]);
	v[j++] = xasprintf("KUBERNETES_EXEC_INFO={\"kind\":\"ExecCredential\",\"apiVersion\":"
			   "\"%s\",\"spec\":{\"interactive\":false}}",
			   k->exec_api);
	v[j] = NULL;
	return v;
}

int
k8s_endpoint_exec_start(struct k8s_endpoint *k, struct err *e)
{
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	pid_t parent = getpid();
	char **envp;

	if (k->exec_api[0] == '\0')
		return err_set(
			e, ERR_CONFIG,
			"kubernetes: the exec plugin of context '%s' has no apiVersion — set "
			"users[].user.exec.apiVersion (client.authentication.k8s.io/v1) in "
			"the kubeconfig",
			k->context);
	if (pipe(out) < 0 || pipe(errp) < 0) {
		err_set(e, ERR_IO, "kubernetes: cannot create a pipe for the exec plugin: %s",
			strerror(errno));
		goto fail;
	}
	envp = exec_envp(k);
	fflush(NULL);
	k->pid = fork();
	if (k->pid < 0) {
		err_set(e, ERR_IO, "kubernetes: cannot start the exec plugin of context '%s': %s",
			k->context, strerror(errno));
		free_strv(envp);
		goto fail;
	}
	if (k->pid == 0) {
		close(out[0]);
		close(errp[0]);
		exec_child(parent, out[1], errp[1], k->exec_argv, envp);
	}
	free_strv(envp);
	close(out[1]);
	close(errp[1]);
	k->out_fd = out[0];
	k->err_fd = errp[0];
	fcntl(k->out_fd, F_SETFD, FD_CLOEXEC);
	fcntl(k->err_fd, F_SETFD, FD_CLOEXEC);
	fcntl(k->out_fd, F_SETFL, fcntl(k->out_fd, F_GETFL) | O_NONBLOCK);
	fcntl(k->err_fd, F_SETFL, fcntl(k->err_fd, F_GETFL) | O_NONBLOCK);
	buf_reset(&k->out);
	k->out_too_big = false;
	k->plen = 0;
	k->last[0] = '\0';
	k->deadline = k8s_endpoint_mono() + (double)k->exec_timeout_ms / 1000.0;
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
	k->pid = -1;
	return -1;
}

/* The plugin exited with status st: take its credential, or say why not. */
static void
exec_finish(struct k8s_endpoint *k, int st)
{
	struct kube_exec_credential c;
	const char *cmd = k->exec_argv[0];
	struct err pe;

	memset(&c, 0, sizeof c);
	k->failed = true;
	if (WIFSIGNALED(st)) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s' was killed by signal "
			"%d%s%s",
			cmd, k->context, WTERMSIG(st), k->last[0] ? ": " : "", k->last);
	} else if (WEXITSTATUS(st) == 127 && strncmp(k->last, "cannot execute", 14) == 0) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: %s '%.100s' (the exec plugin of context '%s') — install it "
			"or fix users[].user.exec.command in the kubeconfig",
			k->last, cmd, k->context);
	} else if (WEXITSTATUS(st) != 0) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s' exited (%d)%s%s", cmd,
			k->context, WEXITSTATUS(st), k->last[0] ? ": " : "", k->last);
	} else if (k->out_too_big) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s' printed more than %d "
			"KiB",
			cmd, k->context, EXEC_OUT_MAX / 1024);
	} else if (kubeconfig_parse_exec_credential(k->out.data ? k->out.data : "", k->out.len, &c,
						    &pe) < 0) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s': %s", cmd, k->context,
			pe.msg);
	} else if ((c.token == NULL || c.token[0] == '\0') &&
		   (c.client_cert_data == NULL || c.client_key_data == NULL)) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s' gave neither a token "
			"nor a client certificate and key",
			cmd, k->context);
	} else if (c.client_cert_data != NULL && c.client_key_data != NULL &&
		   (k8s_endpoint_write_private(k, "exec-client.crt", c.client_cert_data,
					       strlen(c.client_cert_data), &k->xcert_file,
					       &k->err) < 0 ||
		    k8s_endpoint_write_private(k, "exec-client.key", c.client_key_data,
					       strlen(c.client_key_data), &k->xkey_file,
					       &k->err) < 0)) {
		/* k->err says which file */
	} else {
		k8s_endpoint_drop_credential(k);
		if (c.token != NULL && c.token[0] != '\0')
			k->token = xstrdup(c.token);
		k->expires = c.expires;
		k->obtained = k8s_endpoint_mono();
		k->stale = c.expires > 0 && c.expires <= (double)time(NULL);
		k->have_cred = true;
		k->failed = false;
		k->gen++;
		k8s_endpoint_sync(k);
	}
	if (k->out.data != NULL)
		explicit_bzero(k->out.data, k->out.len);
	buf_reset(&k->out);
	kubeconfig_exec_credential_done(&c);
}

bool
k8s_endpoint_tick(struct k8s_endpoint *k)
{
	int st;
	pid_t r;

	if (k == NULL || k->pid <= 0)
		return false;
	drain(k);
	r = waitpid(k->pid, &st, WNOHANG);
	if (r == k->pid) {
		k->pid = -1;
		/* what is left in the pipes; a grandchild may keep them open */
		drain(k);
		if (k->out_fd >= 0)
			close(k->out_fd);
		if (k->err_fd >= 0) {
			end_line(k);
			close(k->err_fd);
		}
		k->out_fd = k->err_fd = -1;
		exec_finish(k, st);
		return true;
	}
	if (k8s_endpoint_mono() >= k->deadline) {
		char took[32];

		k8s_endpoint_exec_kill(k);
		k->failed = true;
		format_duration_ms(k->exec_timeout_ms, took, sizeof took);
		err_set(&k->err, ERR_TIMEOUT,
			"kubernetes: the exec plugin '%.100s' of context '%s' did not answer "
			"within "
			"%s%s%s",
			k->exec_argv[0], k->context, took, k->last[0] ? ": " : "", k->last);
		return true;
	}
	return false;
}

long
k8s_endpoint_next_due_ms(const struct k8s_endpoint *k)
{
	return k != NULL && k->pid > 0 ? 20 : -1;
}

enum k8s_cred
k8s_endpoint_wait(struct k8s_endpoint *k, long timeout_ms, int also_fd, struct err *e)
{
	double deadline = k8s_endpoint_mono() + (double)timeout_ms / 1000.0;
	struct timespec ts;
	enum k8s_cred st;

	for (;;) {
		struct pollfd fds[3];
		nfds_t n = 0;
		double left;

		clock_gettime(CLOCK_REALTIME, &ts);
		st = k8s_endpoint_credentials(k, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, e);
		left = deadline - k8s_endpoint_mono();
		if (st != K8S_CRED_PENDING || left <= 0)
			break;
		if (k->out_fd >= 0)
			fds[n++] = (struct pollfd){ k->out_fd, POLLIN, 0 };
		if (k->err_fd >= 0)
			fds[n++] = (struct pollfd){ k->err_fd, POLLIN, 0 };
		if (also_fd >= 0)
			fds[n++] = (struct pollfd){ also_fd, POLLIN, 0 };
		/* the exit is no fd event when a grandchild holds the pipes: look every 20 ms */
		if (poll(fds, n, left < 0.02 ? (int)(left * 1000) + 1 : 20) > 0 && also_fd >= 0 &&
		    (fds[n - 1].revents & POLLIN))
			break;
		k8s_endpoint_tick(k);
	}
	if (st == K8S_CRED_PENDING)
		err_set(e, ERR_TIMEOUT,
			"kubernetes: the exec plugin of context '%s' has not answered yet",
			k->context);
	return st;
}
