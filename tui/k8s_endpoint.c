/*
 * k8s_endpoint.c - a kubeconfig context as a connection; see k8s_endpoint.h.
 *
 * Credentials are the only part that changes while opsdeck runs, and each
 * change bumps a generation number: a request remembers the generation it
 * was sent with, so a 401 on an old token only asks for a retry, while a
 * 401 on the current one drops it (exec) or reads the file again
 * (tokenFile).  That is client-go's rule, and it bounds the renewals to
 * one per rejected credential however many requests were in flight.
 *
 * The exec plugin runs like the ssh tunnel: forked and exec'd directly (no
 * shell) in a session of its own, its pipes non-blocking, reaped with
 * WNOHANG from the loop, killed at its deadline and when opsdeck stops.
 * While it runs, requests wait (K8S_CRED_PENDING) instead of going out
 * without a token.
 */
#include "k8s_endpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "k8s.h"
#include "k8s_endpoint_internal.h"
#include "setup.h"
#include "xalloc.h"

#define TOKEN_FILE_MAX (64 * 1024)
#define EXEC_MIN_USE_S 1.0 /* a credential is used at least this long */

double
k8s_endpoint_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
k8s_endpoint_wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
free_strv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* ---- private files ------------------------------------------------------- */

static int
make_dir(struct k8s_endpoint *k, struct err *e)
{
	const char *tmp = getenv("TMPDIR");

	if (k->dir != NULL)
		return 0;
	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	k->dir = xasprintf("%s/opsdeck-k8s.XXXXXX", tmp);
	if (mkdtemp(k->dir) == NULL) { /* mkdtemp makes it 0700 */
		err_set(e, ERR_IO,
			"kubernetes: cannot create a private directory for the TLS files of "
			"context '%s' in %s: %s — set TMPDIR to a writable directory",
			k->context, tmp, strerror(errno));
		free(k->dir);
		k->dir = NULL;
		return -1;
	}
	return 0;
}

/*
 * Write len bytes of data to DIR/name, 0600, through a temporary name and
 * rename(), so curl never reads half a file.  *path gets the file name
 * (new, unless it already holds it).
 */
int
k8s_endpoint_write_private(struct k8s_endpoint *k, const char *name, const char *data, size_t len,
			   char **path, struct err *e)
{
	char *tmp, *dst;
	size_t off = 0;
	int fd;

	if (make_dir(k, e) < 0)
		return -1;
	dst = xasprintf("%s/%s", k->dir, name);
	tmp = xasprintf("%s/.%s.new", k->dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	while (fd >= 0 && off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (fd < 0 || off < len || close(fd) < 0 || rename(tmp, dst) < 0) {
		err_set(e, ERR_IO, "kubernetes: cannot write the %s of context '%s' to %s: %s",
			name, k->context, k->dir, strerror(errno));
		if (fd >= 0 && off < len)
			close(fd);
		unlink(tmp);
		free(tmp);
		free(dst);
		return -1;
	}
	free(tmp);
	if (*path != NULL && strcmp(*path, dst) == 0)
		free(dst);
	else {
		free(*path);
		*path = dst;
	}
	return 0;
}

/* A file of the kubeconfig's that must be readable (curl reads it later). */
static int
readable(const struct k8s_endpoint *k, const char *what, const char *path, struct err *e)
{
	if (access(path, R_OK) == 0)
		return 0;
	return err_set(e, ERR_CONFIG,
		       "kubernetes: cannot read the %s %.200s of context '%s' (%s) — fix the "
		       "kubeconfig",
		       what, path, k->context, strerror(errno));
}

/* ---- the token file ------------------------------------------------------ */

/* new (secret): the token in path, its trailing line break trimmed; NULL with e. */
static char *
read_token_file(const struct k8s_endpoint *k, const char *path, struct err *e)
{
	char *data = xmalloc(TOKEN_FILE_MAX + 1);
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && len < TOKEN_FILE_MAX) {
		ssize_t n = read(fd, data + len, TOKEN_FILE_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (fd < 0) {
		err_set(e, ERR_AUTH,
			"kubernetes: cannot read the token file %.200s of context '%s' (%s) — "
			"check "
			"users[].user.tokenFile in the kubeconfig",
			path, k->context, strerror(errno));
		free(data);
		return NULL;
	}
	close(fd);
	data[len] = '\0';
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' ' ||
			   data[len - 1] == '\t'))
		data[--len] = '\0';
	if (len == 0) {
		err_set(e, ERR_AUTH,
			"kubernetes: the token file %.200s of context '%s' is empty — check "
			"users[].user.tokenFile in the kubeconfig",
			path, k->context);
		free(data);
		return NULL;
	}
	return data;
}

/* Point ep at the credentials held now. */
void
k8s_endpoint_sync(struct k8s_endpoint *k)
{
	k->ep.bearer_token = k->token;
	k->ep.cert_file = k->xcert_file != NULL ? k->xcert_file : k->cert_file;
	k->ep.key_file = k->xcert_file != NULL ? k->xkey_file : k->key_file;
}

/* ---- new ----------------------------------------------------------------- */

static bool
has_credentials(const struct kube_target *t)
{
	return (t->token != NULL && t->token[0] != '\0') ||
	       (t->token_file != NULL && t->token_file[0] != '\0') || t->client_cert_file != NULL ||
	       t->client_cert_data != NULL || t->client_key_file != NULL ||
	       t->client_key_data != NULL || (t->username != NULL && t->username[0] != '\0') ||
	       t->has_exec;
}

static int
setup_tls(struct k8s_endpoint *k, const struct kube_target *t, struct err *e)
{
	if (t->ca_data != NULL && t->ca_data_len > 0) {
		if (k8s_endpoint_write_private(k, "ca.crt", t->ca_data, t->ca_data_len, &k->ca_file,
					       e) < 0)
			return -1;
	} else if (t->ca_file != NULL && t->ca_file[0] != '\0') {
		if (readable(k, "certificate-authority", t->ca_file, e) < 0)
			return -1;
		k->ca_file = xstrdup(t->ca_file);
	}
	if (t->client_cert_data != NULL && t->client_cert_data_len > 0) {
		if (k8s_endpoint_write_private(k, "client.crt", t->client_cert_data,
					       t->client_cert_data_len, &k->cert_file, e) < 0)
			return -1;
	} else if (t->client_cert_file != NULL && t->client_cert_file[0] != '\0') {
		if (readable(k, "client-certificate", t->client_cert_file, e) < 0)
			return -1;
		k->cert_file = xstrdup(t->client_cert_file);
	}
	if (t->client_key_data != NULL && t->client_key_data_len > 0) {
		if (k8s_endpoint_write_private(k, "client.key", t->client_key_data,
					       t->client_key_data_len, &k->key_file, e) < 0)
			return -1;
	} else if (t->client_key_file != NULL && t->client_key_file[0] != '\0') {
		if (readable(k, "client-key", t->client_key_file, e) < 0)
			return -1;
		k->key_file = xstrdup(t->client_key_file);
	}
	if ((k->cert_file == NULL) != (k->key_file == NULL))
		return err_set(e, ERR_CONFIG,
			       "kubernetes: the user of context '%s' has a client %s without its "
			       "%s — fix the kubeconfig",
			       k->context, k->cert_file ? "certificate" : "key",
			       k->cert_file ? "key" : "certificate");
	return 0;
}

static void
setup_exec(struct k8s_endpoint *k, const struct kube_exec *x)
{
	size_t i;

	k->has_exec = true;
	k->exec_argv = xcalloc(x->nargs + 2, sizeof *k->exec_argv);
	k->exec_argv[0] = xstrdup(x->command);
	for (i = 0; i < x->nargs; i++)
		k->exec_argv[i + 1] = xstrdup(x->args[i]);
	k->exec_env = xcalloc(x->nenv + 1, sizeof *k->exec_env);
	for (i = 0; i < x->nenv; i++)
		k->exec_env[i] = xstrdup(x->env[i]);
	k->exec_api = xstrdup(x->api_version != NULL ? x->api_version : "");
}

struct k8s_endpoint *
k8s_endpoint_new(const struct kubeconfig *kc, const struct k8s_endpoint_settings *s, struct err *e)
{
	struct k8s_endpoint *k;
	struct kube_target t;
	bool https;
	size_t n;

	memset(&t, 0, sizeof t);
	if (kubeconfig_resolve(kc, s->context, &t, e) < 0)
		return NULL;
	k = xcalloc(1, sizeof *k);
	child_run_init(&k->run);
	k->context = xstrdup(t.context);
	k->insecure = t.insecure;
	if (s->namespace != NULL && strcmp(s->namespace, "*") == 0)
		k->ns = NULL;
	else if (s->namespace != NULL && s->namespace[0] != '\0')
		k->ns = xstrdup(s->namespace);
	else
		k->ns = xstrdup(t.namespace != NULL && t.namespace[0] != '\0' ? t.namespace
									      : "default");
	k->backend =
		xasprintf("kubernetes %s%s", k->context, k->insecure ? " (TLS unverified)" : "");
	k->exec_timeout_ms = s->exec_timeout_ms > 0 ? s->exec_timeout_ms : K8S_EXEC_TIMEOUT_MS;
	k->server = xstrdup(t.server != NULL ? t.server : "");
	n = strlen(k->server);
	while (n > 0 && k->server[n - 1] == '/')
		k->server[--n] = '\0';
	https = strncmp(k->server, "https://", 8) == 0;
	if (!https && strncmp(k->server, "http://", 7) != 0) {
		char *red = http_url_redact(k->server);

		err_set(e, ERR_CONFIG,
			"kubernetes: the server '%.200s' of context '%s' is not an http:// or "
			"https:// URL — fix clusters[].cluster.server in the kubeconfig",
			red, k->context);
		free(red);
		goto fail;
	}
	if (!https && has_credentials(&t)) {
		err_set(e, ERR_CONFIG,
			"kubernetes: context '%s' has credentials but its server %.200s is plain "
			"http:// — opsdeck sends credentials over https:// only (as kubectl): use "
			"the https:// address",
			k->context, k->server);
		goto fail;
	}
	if (https && setup_tls(k, &t, e) < 0)
		goto fail;
	if (t.token_file != NULL && t.token_file[0] != '\0') {
		/* The file wins over a token beside it: it is what gets rotated. */
		k->token_file = xstrdup(t.token_file);
		k->token = read_token_file(k, k->token_file, e);
		if (k->token == NULL)
			goto fail;
	} else if (t.token != NULL && t.token[0] != '\0') {
		k->token = xstrdup(t.token);
	}
	if (t.username != NULL && t.username[0] != '\0') {
		k->username = xstrdup(t.username);
		k->password = xstrdup(t.password != NULL ? t.password : "");
	}
	if (t.has_exec && k->token == NULL) {
		if (t.exec.command == NULL || t.exec.command[0] == '\0') {
			err_set(e, ERR_CONFIG,
				"kubernetes: the exec plugin of context '%s' has no command — fix "
				"users[].user.exec in the kubeconfig",
				k->context);
			goto fail;
		}
		setup_exec(k, &t.exec);
	}
	k->auth_hint = xasprintf("check the user of context '%s' in the kubeconfig (token, "
				 "client certificate or exec plugin) and its RBAC permissions",
				 k->context);
	k->url_key = xasprintf("the server of context '%.40s' in the kubeconfig", k->context);
	k->ep.name = "kubernetes";
	k->ep.url = k->server;
	k->ep.ca_file = k->ca_file;
	k->ep.insecure = k->insecure;
	k->ep.username = k->username;
	k->ep.password = k->password;
	k->ep.timeout_ms = s->timeout_ms;
	k->ep.max_body = s->max_body;
	k->ep.auth_hint = k->auth_hint;
	k->ep.is_read = k8s_is_read;
	k->ep.url_key = k->url_key;
	k8s_endpoint_sync(k);
	return k;
fail:
	k8s_endpoint_free(k);
	return NULL;
}

void
k8s_endpoint_drop_credential(struct k8s_endpoint *k)
{
	k8s_endpoint_wipe_free(k->token);
	k->token = NULL;
	k->have_cred = false;
	k->expires = 0;
}

enum k8s_cred
k8s_endpoint_credentials(struct k8s_endpoint *k, double wall, struct err *e)
{
	if (!k->has_exec) {
		if (k->token_file != NULL && k->token == NULL) {
			k->token = read_token_file(k, k->token_file, e);
			if (k->token == NULL)
				return K8S_CRED_FAILED;
			k->gen++;
			k8s_endpoint_sync(k);
		}
		return K8S_CRED_READY;
	}
	if (child_run_running(&k->run))
		return K8S_CRED_PENDING;
	if (k->failed) {
		/* Reported once; the next call runs the plugin again. */
		k->failed = false;
		if (e != NULL)
			*e = k->err;
		return K8S_CRED_FAILED;
	}
	/*
	 * Kept until it expires; one that arrived expired is used for a second
	 * anyway, or a plugin with a slow clock would run again and again.
	 */
	if (k->have_cred && (k->expires <= 0 || wall < k->expires ||
			     (k->stale && k8s_endpoint_mono() - k->obtained < EXEC_MIN_USE_S)))
		return K8S_CRED_READY;
	k8s_endpoint_drop_credential(k);
	k8s_endpoint_sync(k);
	if (k8s_endpoint_exec_start(k, e) < 0)
		return K8S_CRED_FAILED;
	return K8S_CRED_PENDING;
}

unsigned
k8s_endpoint_generation(const struct k8s_endpoint *k)
{
	return k->gen;
}

bool
k8s_endpoint_unauthorized(struct k8s_endpoint *k, unsigned gen)
{
	struct err e;
	char *t;

	if (gen != k->gen)
		return true; /* already renewed since that request left */
	if (k->has_exec) {
		/* Dropped: the next k8s_endpoint_credentials() runs the plugin again. */
		if (k->have_cred) {
			k8s_endpoint_drop_credential(k);
			k8s_endpoint_sync(k);
		}
		return true;
	}
	if (k->token_file == NULL)
		return false;
	t = read_token_file(k, k->token_file, &e);
	if (t == NULL || (k->token != NULL && strcmp(t, k->token) == 0)) {
		k8s_endpoint_wipe_free(t);
		return false;
	}
	k8s_endpoint_wipe_free(k->token);
	k->token = t;
	k->gen++;
	k8s_endpoint_sync(k);
	return true;
}

/* ---- accessors and the rest ----------------------------------------------- */

const char *
k8s_endpoint_context(const struct k8s_endpoint *k)
{
	return k->context;
}

const char *
k8s_endpoint_namespace(const struct k8s_endpoint *k)
{
	return k->ns;
}

const char *
k8s_endpoint_backend(const struct k8s_endpoint *k)
{
	return k->backend;
}

bool
k8s_endpoint_insecure(const struct k8s_endpoint *k)
{
	return k->insecure;
}

const char *
k8s_endpoint_server(const struct k8s_endpoint *k)
{
	return k->server;
}

const struct http_endpoint *
k8s_endpoint_http(const struct k8s_endpoint *k)
{
	return &k->ep;
}

static void
remove_private(char *path)
{
	if (path != NULL)
		unlink(path);
	free(path);
}

void
k8s_endpoint_free(struct k8s_endpoint *k)
{
	if (k == NULL)
		return;
	child_run_done(&k->run);
	k8s_endpoint_drop_credential(k);
	k8s_endpoint_wipe_free(k->password);
	free(k->username);
	if (k->dir != NULL) {
		/* ours only: a kubeconfig's own files stay where they are */
		const char *d = k->dir;
		size_t dl = strlen(d);
		char **own[] = { &k->ca_file, &k->cert_file, &k->key_file, &k->xcert_file,
				 &k->xkey_file };
		size_t i;

		for (i = 0; i < sizeof own / sizeof own[0]; i++)
			if (*own[i] != NULL && strncmp(*own[i], d, dl) == 0 &&
			    (*own[i])[dl] == '/') {
				remove_private(*own[i]);
				*own[i] = NULL;
			}
		rmdir(k->dir);
		free(k->dir);
	}
	free(k->ca_file);
	free(k->cert_file);
	free(k->key_file);
	free(k->xcert_file);
	free(k->xkey_file);
	free(k->token_file);
	free_strv(k->exec_argv);
	free_strv(k->exec_env);
	free(k->exec_api);
	free(k->context);
	free(k->ns);
	free(k->backend);
	free(k->server);
	free(k->auth_hint);
	free(k->url_key);
	free(k);
}

char *
k8s_row_id(const char *ns, bool statefulset, const char *name)
{
	return xasprintf("%s/%s/%s", ns, statefulset ? "statefulset" : "deployment", name);
}

bool
k8s_row_id_parse(const char *id, char *ns, size_t nns, bool *statefulset, char *name, size_t nname)
{
	const char *a = id != NULL ? strchr(id, '/') : NULL, *b;
	size_t kl;

	if (a == NULL || a == id || (size_t)(a - id) >= nns)
		return false;
	b = strchr(a + 1, '/');
	if (b == NULL || b[1] == '\0' || strlen(b + 1) >= nname)
		return false;
	kl = (size_t)(b - a - 1);
	if (kl == 10 && strncmp(a + 1, "deployment", 10) == 0)
		*statefulset = false;
	else if (kl == 11 && strncmp(a + 1, "statefulset", 11) == 0)
		*statefulset = true;
	else
		return false;
	memcpy(ns, id, (size_t)(a - id));
	ns[a - id] = '\0';
	strcpy(name, b + 1);
	return true;
}

struct k8s_endpoint *
k8s_endpoint_of(const struct setup *s, const char *context)
{
	size_t i;

	for (i = 0; s != NULL && context != NULL && i < s->nk8s; i++)
		if (strcmp(k8s_endpoint_context(s->k8s[i]), context) == 0)
			return s->k8s[i];
	return NULL;
}
