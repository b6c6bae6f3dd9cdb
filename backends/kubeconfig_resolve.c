/*
 * kubeconfig_resolve.c - one context of the merged kubeconfig resolved
 * into a connection's settings, the *-data fields' base64, and the
 * ExecCredential a client-go exec plugin prints (see kubeconfig.h).
 *
 * Messages name files, contexts, clusters, users and fields, never a
 * value: a token, a password or a key must not reach the status line, a
 * log or a snapshot.  That is also why the JSON parser's own text (which
 * quotes the input near the error) is left out of exec plugin errors.
 */
#include "kubeconfig.h"
#include "kubeconfig_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "k8s_internal.h"
#include "xalloc.h"

/* ---- base64 ------------------------------------------------------------------------ */

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

void
kubeconfig_decode(const char *s, struct kc_data *d)
{
	size_t n = strlen(s), i, o = 0, pad = 0, q = 0;
	unsigned long acc = 0;
	char *out = xmalloc(n / 4 * 3 + 4);

	memset(d, 0, sizeof *d);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || pad > 0)
			goto bad; /* not the alphabet, or data after padding */
		acc = acc << 6 | (unsigned long)v;
		if (++q == 4) {
			out[o++] = (char)(acc >> 16);
			out[o++] = (char)(acc >> 8);
			out[o++] = (char)acc;
			acc = 0;
			q = 0;
		}
	}
	/* what is left: 2 symbols make a byte, 3 two; 1 is never whole */
	if (q == 1 || pad > 2 || (pad > 0 && q + pad != 4))
		goto bad;
	if (q == 2) {
		out[o++] = (char)(acc >> 4);
	} else if (q == 3) {
		out[o++] = (char)(acc >> 10);
		out[o++] = (char)(acc >> 2);
	}
	out[o] = '\0';
	d->bytes = out;
	d->len = o;
	return;
bad:
	free(out);
	d->bad = true;
	d->bad_at = i;
}

/* ---- queries ------------------------------------------------------------------------ */

const char *
kubeconfig_current_context(const struct kubeconfig *k)
{
	return k != NULL ? k->current_context : NULL;
}

const char *const *
kubeconfig_contexts(const struct kubeconfig *k, size_t *n)
{
	static const char *const none[] = { NULL };

	*n = k != NULL ? k->ncontexts : 0;
	return *n > 0 ? k->context_names : none;
}

/* ---- resolve ------------------------------------------------------------------------ */

static const struct kc_context *
find_context(const struct kubeconfig *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->ncontexts; i++)
		if (strcmp(k->contexts[i].name, name) == 0)
			return &k->contexts[i];
	return NULL;
}

static const struct kc_cluster *
find_cluster(const struct kubeconfig *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nclusters; i++)
		if (strcmp(k->clusters[i].name, name) == 0)
			return &k->clusters[i];
	return NULL;
}

static const struct kc_user *
find_user(const struct kubeconfig *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nusers; i++)
		if (strcmp(k->users[i].name, name) == 0)
			return &k->users[i];
	return NULL;
}

/* The files read, for messages. */
static const char *
files_of(const struct kubeconfig *k)
{
	return k->files != NULL ? k->files : "the kubeconfig";
}

/* "a", "b", "c" (at most 400 bytes, then "...") into out. */
static void
context_list(const struct kubeconfig *k, char *out, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < k->ncontexts; i++)
		buf_printf(&b, "%s\"%s\"", i ? ", " : "", k->contexts[i].name);
	if (b.len >= n)
		snprintf(out, n, "%.*s...", (int)(n - 4), b.data);
	else
		snprintf(out, n, "%s", b.data);
	buf_done(&b);
}

static int
bad_data(const char *ctx, const char *what, const char *name, const char *field, const char *file,
	 size_t at, struct err *e)
{
	return err_set(e, ERR_CONFIG,
		       "kubeconfig: context \"%s\": %s of %s \"%s\" (%s) is not valid base64 "
		       "(at byte %zu) — paste it again, e.g. from base64 -w0 FILE",
		       ctx, field, what, name, file, at);
}

/*
 * What client-go checks of an exec plugin before running it: a command,
 * an apiVersion it speaks, an interactiveMode it knows.  client-go also
 * insists on interactiveMode for v1; opsdeck does not: it never gives a
 * plugin the terminal, so an absent mode reads as IfAvailable would.
 */
static int
check_exec(const char *ctx, const struct kc_user *u, struct err *e)
{
	const char *api = u->exec_api_version, *mode = u->exec_interactive;

	if (u->exec_command == NULL || *u->exec_command == '\0')
		return err_set(e, ERR_CONFIG,
			       "kubeconfig: context \"%s\": user \"%s\" (%s): exec has no command",
			       ctx, u->name, u->origin);
	if (api == NULL || (strcmp(api, "client.authentication.k8s.io/v1") != 0 &&
			    strcmp(api, "client.authentication.k8s.io/v1beta1") != 0))
		return err_set(e, ERR_CONFIG,
			       "kubeconfig: context \"%s\": user \"%s\" (%s): exec apiVersion "
			       "\"%s\" — use client.authentication.k8s.io/v1 or v1beta1",
			       ctx, u->name, u->origin, api != NULL ? api : "");
	if (mode != NULL && strcmp(mode, "Never") != 0 && strcmp(mode, "IfAvailable") != 0 &&
	    strcmp(mode, "Always") != 0)
		return err_set(e, ERR_CONFIG,
			       "kubeconfig: context \"%s\": user \"%s\" (%s): exec interactiveMode "
			       "\"%s\" — use Never, IfAvailable or Always",
			       ctx, u->name, u->origin, mode);
	return 0;
}

int
kubeconfig_resolve(const struct kubeconfig *k, const char *context, struct kube_target *t,
		   struct err *e)
{
	const struct kc_context *c;
	const struct kc_cluster *cl;
	const struct kc_user *u = NULL;
	char known[420];

	memset(t, 0, sizeof *t);
	if (k == NULL)
		return err_set(e, ERR_CONFIG, "kubeconfig: not loaded");
	if (context == NULL || *context == '\0')
		context = k->current_context;
	if (context == NULL)
		return err_set(e, ERR_CONFIG,
			       "kubeconfig: no current-context in %s — choose one with kubectl "
			       "config use-context NAME, or name the context in opsdeck's "
			       "configuration",
			       files_of(k));
	c = find_context(k, context);
	if (c == NULL) {
		context_list(k, known, sizeof known);
		return err_set(e, ERR_CONFIG,
			       "kubeconfig: context \"%s\" not found in %s; known: %s", context,
			       files_of(k), k->ncontexts ? known : "none");
	}
	if (c->cluster == NULL || *c->cluster == '\0')
		return err_set(e, ERR_CONFIG, "kubeconfig: context \"%s\" (%s) names no cluster",
			       c->name, c->origin);
	cl = find_cluster(k, c->cluster);
	if (cl == NULL)
		return err_set(e, ERR_CONFIG,
			       "kubeconfig: context \"%s\" uses cluster \"%s\", which no file "
			       "defines (%s)",
			       c->name, c->cluster, files_of(k));
	if (cl->server == NULL || *cl->server == '\0')
		return err_set(e, ERR_CONFIG,
			       "kubeconfig: cluster \"%s\" (%s) has no server — add server: "
			       "https://HOST:6443",
			       cl->name, cl->origin);
	if (c->user != NULL && *c->user != '\0') {
		u = find_user(k, c->user);
		if (u == NULL)
			return err_set(e, ERR_CONFIG,
				       "kubeconfig: context \"%s\" uses user \"%s\", which no file "
				       "defines (%s)",
				       c->name, c->user, files_of(k));
	}
	if (cl->ca.bad)
		return bad_data(c->name, "cluster", cl->name, "certificate-authority-data",
				cl->origin, cl->ca.bad_at, e);
	if (u != NULL && u->cert.bad)
		return bad_data(c->name, "user", u->name, "client-certificate-data", u->origin,
				u->cert.bad_at, e);
	if (u != NULL && u->key.bad)
		return bad_data(c->name, "user", u->name, "client-key-data", u->origin,
				u->key.bad_at, e);
	t->context = c->name;
	t->cluster = cl->name;
	t->user = u != NULL ? u->name : NULL;
	t->server = cl->server;
	t->namespace = c->ns != NULL && *c->ns != '\0' ? c->ns : NULL;
	t->ca_file = cl->ca_file;
	t->ca_data = cl->ca.bytes;
	t->ca_data_len = cl->ca.len;
	t->insecure = cl->insecure;
	t->tls_server_name = cl->tls_server_name;
	if (u == NULL)
		return 0;
	t->token = u->token;
	t->token_file = u->token_file;
	t->client_cert_file = u->cert_file;
	t->client_key_file = u->key_file;
	t->client_cert_data = u->cert.bytes;
	t->client_cert_data_len = u->cert.len;
	t->client_key_data = u->key.bytes;
	t->client_key_data_len = u->key.len;
	t->username = u->username;
	t->password = u->password;
	t->has_exec = u->has_exec;
	if (u->has_exec) {
		if (check_exec(c->name, u, e) < 0) {
			memset(t, 0, sizeof *t);
			return -1;
		}
		t->exec.command = u->exec_command;
		t->exec.args = (const char *const *)u->exec_args;
		t->exec.nargs = u->exec_nargs;
		t->exec.env = (const char *const *)u->exec_env;
		t->exec.nenv = u->exec_nenv;
		t->exec.api_version = u->exec_api_version;
		t->exec.interactive_never =
			u->exec_interactive != NULL && strcmp(u->exec_interactive, "Never") == 0;
	}
	return 0;
}

/* ---- ExecCredential ------------------------------------------------------------------- */

static void
wipe_free(char *s)
{
	volatile char *p = s;

	if (s == NULL)
		return;
	while (*p != '\0')
		*p++ = 0;
	free(s);
}

void
kubeconfig_exec_credential_done(struct kube_exec_credential *c)
{
	if (c == NULL)
		return;
	wipe_free(c->token);
	wipe_free(c->client_cert_data);
	wipe_free(c->client_key_data);
	memset(c, 0, sizeof *c);
}

/* new: a non-empty string member, else NULL */
static char *
nonempty(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

int
kubeconfig_parse_exec_credential(const char *json, size_t len, struct kube_exec_credential *out,
				 struct err *e)
{
	json_error_t jerr;
	json_t *root, *st, *exp;
	const char *kind, *api;
	int rc = -1;

	memset(out, 0, sizeof *out);
	root = json != NULL && len > 0 ? json_loadb(json, len, 0, &jerr) : NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		if (json == NULL || len == 0)
			return err_set(e, ERR_AUTH,
				       "kubeconfig: the exec plugin printed nothing — "
				       "run it by hand to see why");
		return err_set(e, ERR_AUTH,
			       "kubeconfig: the exec plugin's output is not an ExecCredential "
			       "(not a JSON object) — run it by hand to see why");
	}
	kind = json_string_value(json_object_get(root, "kind"));
	api = json_string_value(json_object_get(root, "apiVersion"));
	if (kind == NULL || strcmp(kind, "ExecCredential") != 0) {
		err_set(e, ERR_AUTH,
			"kubeconfig: the exec plugin's output has kind \"%s\", not "
			"ExecCredential",
			kind != NULL ? kind : "");
		goto done;
	}
	if (api == NULL || (strcmp(api, "client.authentication.k8s.io/v1") != 0 &&
			    strcmp(api, "client.authentication.k8s.io/v1beta1") != 0)) {
		err_set(e, ERR_AUTH,
			"kubeconfig: the exec plugin answered apiVersion \"%s\"; opsdeck reads "
			"client.authentication.k8s.io/v1 and v1beta1 — set exec.apiVersion to one",
			api != NULL ? api : "");
		goto done;
	}
	st = json_object_get(root, "status");
	if (!json_is_object(st)) {
		err_set(e, ERR_AUTH, "kubeconfig: the exec plugin's ExecCredential has no status");
		goto done;
	}
	out->token = nonempty(st, "token");
	out->client_cert_data = nonempty(st, "clientCertificateData");
	out->client_key_data = nonempty(st, "clientKeyData");
	if ((out->client_cert_data == NULL) != (out->client_key_data == NULL)) {
		err_set(e, ERR_AUTH,
			"kubeconfig: the exec plugin returned a client %s without its "
			"%s",
			out->client_cert_data != NULL ? "certificate" : "key",
			out->client_cert_data != NULL ? "key" : "certificate");
		goto done;
	}
	if (out->token == NULL && out->client_cert_data == NULL) {
		err_set(e, ERR_AUTH,
			"kubeconfig: the exec plugin returned neither a token nor a "
			"client certificate and key");
		goto done;
	}
	exp = json_object_get(st, "expirationTimestamp");
	if (exp != NULL && !json_is_null(exp)) {
		out->expires = k8s_time_of(exp);
		if (out->expires <= 0) {
			err_set(e, ERR_AUTH,
				"kubeconfig: the exec plugin's expirationTimestamp is not "
				"an RFC 3339 time");
			goto done;
		}
	}
	rc = 0;
done:
	if (rc < 0)
		kubeconfig_exec_credential_done(out);
	json_decref(root);
	return rc;
}
