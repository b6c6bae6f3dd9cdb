/*
 * k8s_endpoint_exec.c - the exec credential plugin of a kubeconfig user,
 * run as client-go runs it and driven from the loop; see k8s_endpoint.h.
 *
 * Like the ssh tunnel it is exec'd directly (no shell), a child of the
 * loop (child_run.h): in a session of its own, reaped with WNOHANG, killed
 * at its deadline and when opsdeck stops.  Its stdin is /dev/null:
 * opsdeck owns the terminal, so a plugin is never interactive.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "k8s_endpoint_internal.h"
#include "parse.h"
#include "xalloc.h"

#define EXEC_OUT_MAX (1024 * 1024) /* an ExecCredential is a few KiB */

/*
 * What the plugin gets over our environment: the kubeconfig's env
 * (borrowed), then KUBERNETES_EXEC_INFO (owned: free v[n - 1], then v).
 */
static char **
exec_env(const struct k8s_endpoint *k, size_t *n)
{
	size_t m = 0;
	char **v;

	while (k->exec_env[m] != NULL)
		m++;
	v = xcalloc(m + 2, sizeof *v);
	memcpy(v, k->exec_env, m * sizeof *v);
	v[m] = xasprintf("KUBERNETES_EXEC_INFO={\"kind\":\"ExecCredential\",\"apiVersion\":"
			 "\"%s\",\"spec\":{\"interactive\":false}}",
			 k->exec_api);
	*n = m + 1;
	return v;
}

int
k8s_endpoint_exec_start(struct k8s_endpoint *k, struct err *e)
{
	struct child_run_spec s;
	char **env;
	size_t n;
	int r;

	if (k->exec_api[0] == '\0')
		return err_set(
			e, ERR_CONFIG,
			"kubernetes: the exec plugin of context '%s' has no apiVersion — set "
			"users[].user.exec.apiVersion (client.authentication.k8s.io/v1) in "
			"the kubeconfig",
			k->context);
	env = exec_env(k, &n);
	memset(&s, 0, sizeof s);
	s.argv = k->exec_argv;
	s.env = env;
	s.what = "the plugin";
	s.out_max = EXEC_OUT_MAX;
	s.timeout_ms = k->exec_timeout_ms;
	r = child_run_start(&k->run, &s);
	if (r == CHILD_RUN_NO_PIPE)
		err_set(e, ERR_IO, "kubernetes: cannot create a pipe for the exec plugin: %s",
			strerror(errno));
	else if (r == CHILD_RUN_NO_FORK)
		err_set(e, ERR_IO, "kubernetes: cannot start the exec plugin of context '%s': %s",
			k->context, strerror(errno));
	free(env[n - 1]);
	free(env);
	return r == CHILD_RUN_STARTED ? 0 : -1;
}

/* The plugin exited with status st: take its credential, or say why not. */
static void
exec_finish(struct k8s_endpoint *k, int st)
{
	struct kube_exec_credential c;
	const char *cmd = k->exec_argv[0];
	const char *last = k->run.last;
	struct err pe;

	memset(&c, 0, sizeof c);
	k->failed = true;
	if (WIFSIGNALED(st)) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s' was killed by signal "
			"%d%s%s",
			cmd, k->context, WTERMSIG(st), last[0] ? ": " : "", last);
	} else if (WEXITSTATUS(st) == 127 && strncmp(last, "cannot execute", 14) == 0) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: %s '%.100s' (the exec plugin of context '%s') — install it "
			"or fix users[].user.exec.command in the kubeconfig",
			last, cmd, k->context);
	} else if (WEXITSTATUS(st) != 0) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s' exited (%d)%s%s", cmd,
			k->context, WEXITSTATUS(st), last[0] ? ": " : "", last);
	} else if (k->run.out_too_big) {
		err_set(&k->err, ERR_AUTH,
			"kubernetes: the exec plugin '%.100s' of context '%s' printed more than %d "
			"KiB",
			cmd, k->context, EXEC_OUT_MAX / 1024);
	} else if (kubeconfig_parse_exec_credential(k->run.out.data ? k->run.out.data : "",
						    k->run.out.len, &c, &pe) < 0) {
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
	child_run_wipe_out(&k->run);
	kubeconfig_exec_credential_done(&c);
}

bool
k8s_endpoint_tick(struct k8s_endpoint *k)
{
	char took[32];

	if (k == NULL)
		return false;
	switch (child_run_poll(&k->run)) {
	case CHILD_RUN_EXITED:
		exec_finish(k, k->run.status);
		return true;
	case CHILD_RUN_TIMED_OUT:
		k->failed = true;
		format_duration_ms(k->exec_timeout_ms, took, sizeof took);
		err_set(&k->err, ERR_TIMEOUT,
			"kubernetes: the exec plugin '%.100s' of context '%s' did not answer "
			"within "
			"%s%s%s",
			k->exec_argv[0], k->context, took, k->run.last[0] ? ": " : "", k->run.last);
		return true;
	case CHILD_RUN_BUSY:
		break;
	}
	return false;
}

long
k8s_endpoint_next_due_ms(const struct k8s_endpoint *k)
{
	return k != NULL && child_run_running(&k->run) ? 20 : -1;
}

enum k8s_cred
k8s_endpoint_wait(struct k8s_endpoint *k, long timeout_ms, int also_fd, struct err *e)
{
	double deadline = k8s_endpoint_mono() + (double)timeout_ms / 1000.0;
	struct timespec ts;
	enum k8s_cred st;

	for (;;) {
		struct pollfd fds[3];
		nfds_t n;
		double left;

		clock_gettime(CLOCK_REALTIME, &ts);
		st = k8s_endpoint_credentials(k, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, e);
		left = deadline - k8s_endpoint_mono();
		if (st != K8S_CRED_PENDING || left <= 0)
			break;
		n = child_run_pollfds(&k->run, fds);
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
