/*
 * kubeconfig.c - reading kubeconfig files with libyaml and merging them
 * as kubectl's loader does (see kubeconfig.h).  Resolving a context and
 * the exec plugin's answer are in kubeconfig_resolve.c.
 *
 * The YAML is walked as a document (yaml_parser_load): a kubeconfig is a
 * few small mappings, and the document API gives the whole tree with
 * positions for messages.  What kubectl reads and this does not model
 * (preferences, extensions, auth-provider, proxy-url) is ignored, as
 * unknown members are by kubectl.  A member of the wrong shape (a list
 * where a mapping belongs) is ignored too, except at the top, where a
 * file that is not a mapping is no kubeconfig.  Aliases resolve to the
 * node they name, so a file of nested aliases costs no more than its
 * nodes.
 */
#include "kubeconfig.h"
#include "kubeconfig_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "buf.h"
#include "xalloc.h"

#define MAX_FILE (4u << 20) /* kubeconfigs are kilobytes; refuse a runaway file */

/* ---- paths ------------------------------------------------------------------ */

/*
 * new: base joined with rel and cleaned as Go's filepath.Join does ("."
 * segments and repeated '/' dropped, ".." taking the segment before it);
 * rel absolute is only cleaned.  Never NULL.
 */
static char *
join_clean(const char *base, const char *rel)
{
	char *all = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", base, rel);
	char *out = xmalloc(strlen(all) + 2), *seg, *save = NULL;
	size_t n = 0;
	bool abs = all[0] == '/';

	out[0] = '\0';
	for (seg = strtok_r(all, "/", &save); seg != NULL; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			char *slash = strrchr(out, '/');

			if (n > 0 && strcmp(slash != NULL ? slash + 1 : out, "..") != 0) {
				if (slash != NULL)
					*slash = '\0';
				else
					out[0] = '\0';
				n = strlen(out);
				continue;
			}
			if (abs)
				continue; /* "/.." is "/" */
		}
		if (n > 0 || abs)
			strcat(out, "/");
		strcat(out, seg);
		n = strlen(out);
	}
	if (out[0] == '\0')
		strcpy(out, abs ? "/" : ".");
	free(all);
	return out;
}

/* new: the absolute directory of file (relative to the working directory). */
static char *
dir_of(const char *file)
{
	char cwd[4096], *abs, *slash;

	if (file[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		abs = join_clean("/", file);
	else
		abs = join_clean(cwd, file);
	slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return abs;
}

/* ---- YAML readers ---------------------------------------------------------------- */

struct doc {
	yaml_document_t *d;
	const char *dir;
};

static yaml_node_t *
node(const struct doc *y, int id)
{
	return yaml_document_get_node(y->d, id);
}

/* The value of key in mapping m (borrowed), or NULL. */
static yaml_node_t *
member(const struct doc *y, yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *p;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(y, p->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
			return node(y, p->value);
	}
	return NULL;
}

/* Whether a scalar is YAML's null (a plain "", "~", "null"). */
static bool
is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return n->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* new: the scalar value of key, NULL when absent, null or not a scalar. */
static char *
text(const struct doc *y, yaml_node_t *m, const char *key)
{
	yaml_node_t *n = member(y, m, key);

	if (n == NULL || n->type != YAML_SCALAR_NODE || is_null(n))
		return NULL;
	/* a NUL inside the scalar would cut it short silently: keep it whole or not at all */
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL)
		return NULL;
	return xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
}

/* new: as text, a relative path resolved against the file's directory. */
static char *
path(const struct doc *y, yaml_node_t *m, const char *key)
{
	char *s = text(y, m, key), *p;

	if (s == NULL || s[0] == '/' || s[0] == '\0')
		return s;
	p = join_clean(y->dir, s);
	free(s);
	return p;
}

/* YAML 1.1's true, as Go's yaml.v2 reads it. */
static bool
truth(const struct doc *y, yaml_node_t *m, const char *key)
{
	static const char *const yes[] = { "true", "yes", "on", "y" };
	char *s = text(y, m, key);
	bool v = false;
	size_t i;

	for (i = 0; s != NULL && i < sizeof yes / sizeof yes[0]; i++)
		if (strcasecmp(s, yes[i]) == 0)
			v = true;
	free(s);
	return v;
}

static void
data(const struct doc *y, yaml_node_t *m, const char *key, struct kc_data *d)
{
	char *s = text(y, m, key);

	if (s != NULL)
		kubeconfig_decode(s, d);
	free(s);
}

/* ---- entries ----------------------------------------------------------------------- */

static void
read_cluster(const struct doc *y, yaml_node_t *c, struct kc_cluster *out)
{
	out->server = text(y, c, "server");
	out->ca_file = path(y, c, "certificate-authority");
	data(y, c, "certificate-authority-data", &out->ca);
	out->insecure = truth(y, c, "insecure-skip-tls-verify");
	out->tls_server_name = text(y, c, "tls-server-name");
}

static void
read_exec(const struct doc *y, yaml_node_t *x, struct kc_user *u)
{
	yaml_node_t *args = member(y, x, "args"), *env = member(y, x, "env");
	yaml_node_item_t *it;
	char *cmd = text(y, x, "command");

	u->has_exec = true;
	/* a bare name is looked up in PATH; only a path is relative to the file */
	if (cmd != NULL && strchr(cmd, '/') != NULL && cmd[0] != '/') {
		u->exec_command = join_clean(y->dir, cmd);
		free(cmd);
	} else {
		u->exec_command = cmd;
	}
	u->exec_api_version = text(y, x, "apiVersion");
	u->exec_interactive = text(y, x, "interactiveMode");
	if (args != NULL && args->type == YAML_SEQUENCE_NODE) {
		u->exec_args = xcalloc(
			(size_t)(args->data.sequence.items.top - args->data.sequence.items.start) +
				1,
			sizeof *u->exec_args);
		for (it = args->data.sequence.items.start; it < args->data.sequence.items.top;
		     it++) {
			yaml_node_t *a = node(y, *it);

			if (a != NULL && a->type == YAML_SCALAR_NODE &&
			    memchr(a->data.scalar.value, '\0', a->data.scalar.length) == NULL)
				u->exec_args[u->exec_nargs++] = xstrndup(
					(const char *)a->data.scalar.value, a->data.scalar.length);
		}
	}
	if (env != NULL && env->type == YAML_SEQUENCE_NODE) {
		u->exec_env = xcalloc(
			(size_t)(env->data.sequence.items.top - env->data.sequence.items.start) + 1,
			sizeof *u->exec_env);
		for (it = env->data.sequence.items.start; it < env->data.sequence.items.top; it++) {
			char *name = text(y, node(y, *it), "name");
			char *value = text(y, node(y, *it), "value");

			if (name != NULL && *name != '\0')
				u->exec_env[u->exec_nenv++] =
					xasprintf("%s=%s", name, value != NULL ? value : "");
			free(name);
			free(value);
		}
	}
}

static void
read_user(const struct doc *y, yaml_node_t *u, struct kc_user *out)
{
	yaml_node_t *x = member(y, u, "exec");

	out->token = text(y, u, "token");
	out->token_file = path(y, u, "tokenFile");
	out->cert_file = path(y, u, "client-certificate");
	out->key_file = path(y, u, "client-key");
	data(y, u, "client-certificate-data", &out->cert);
	data(y, u, "client-key-data", &out->key);
	out->username = text(y, u, "username");
	out->password = text(y, u, "password");
	if (x != NULL && x->type == YAML_MAPPING_NODE)
		read_exec(y, x, out);
}

static void
read_context(const struct doc *y, yaml_node_t *c, struct kc_context *out)
{
	out->cluster = text(y, c, "cluster");
	out->user = text(y, c, "user");
	out->ns = text(y, c, "namespace");
}

/*
 * Each named entry of the list key (clusters, users, contexts) whose name
 * no earlier entry has: its body (under inner) handed to add.
 */
static void
each_named(const struct doc *y, yaml_node_t *root, const char *key, const char *inner,
	   void (*add)(struct kubeconfig *, const struct doc *, const char *, yaml_node_t *,
		       const char *),
	   struct kubeconfig *k, const char *file)
{
	yaml_node_t *list = member(y, root, key);
	yaml_node_item_t *it;

	if (list == NULL || list->type != YAML_SEQUENCE_NODE)
		return;
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		yaml_node_t *entry = node(y, *it);
		char *name = text(y, entry, "name");

		if (name != NULL)
			add(k, y, name, member(y, entry, inner), file);
		free(name);
	}
}

static void
add_cluster(struct kubeconfig *k, const struct doc *y, const char *name, yaml_node_t *body,
	    const char *file)
{
	struct kc_cluster *c;

	for (size_t i = 0; i < k->nclusters; i++)
		if (strcmp(k->clusters[i].name, name) == 0)
			return; /* an earlier file (or entry) defined it: it wins */
	k->clusters = xrealloc(k->clusters, (k->nclusters + 1) * sizeof *k->clusters);
	c = memset(&k->clusters[k->nclusters++], 0, sizeof *c);
	c->name = xstrdup(name);
	c->origin = xstrdup(file);
	read_cluster(y, body, c);
}

static void
add_user(struct kubeconfig *k, const struct doc *y, const char *name, yaml_node_t *body,
	 const char *file)
{
	struct kc_user *u;

	for (size_t i = 0; i < k->nusers; i++)
		if (strcmp(k->users[i].name, name) == 0)
			return;
	k->users = xrealloc(k->users, (k->nusers + 1) * sizeof *k->users);
	u = memset(&k->users[k->nusers++], 0, sizeof *u);
	u->name = xstrdup(name);
	u->origin = xstrdup(file);
	read_user(y, body, u);
}

static void
add_context(struct kubeconfig *k, const struct doc *y, const char *name, yaml_node_t *body,
	    const char *file)
{
	struct kc_context *c;
	size_t i;

	for (i = 0; i < k->ncontexts; i++)
		if (strcmp(k->contexts[i].name, name) == 0)
			return;
	k->contexts = xrealloc(k->contexts, (k->ncontexts + 1) * sizeof *k->contexts);
	c = memset(&k->contexts[k->ncontexts++], 0, sizeof *c);
	c->name = xstrdup(name);
	c->origin = xstrdup(file);
	read_context(y, body, c);
	free(k->context_names);
	k->context_names = xcalloc(k->ncontexts + 1, sizeof *k->context_names);
	for (i = 0; i < k->ncontexts; i++)
		k->context_names[i] = k->contexts[i].name;
}

int
kubeconfig_merge_yaml(struct kubeconfig *k, const char *yaml, size_t len, const char *name,
		      const char *dir, struct err *e)
{
	yaml_parser_t parser;
	yaml_document_t d;
	yaml_node_t *root;
	struct doc y = { &d, dir };
	char *cur;

	if (!yaml_parser_initialize(&parser))
		return err_set(e, ERR_NOMEM, "kubeconfig: %s: cannot start the YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&parser, &d)) {
		err_set(e, ERR_CONFIG,
			"kubeconfig: %s:%lu:%lu: %s%s%s — fix the file or leave it "
			"out of KUBECONFIG",
			name, (unsigned long)parser.problem_mark.line + 1,
			(unsigned long)parser.problem_mark.column + 1,
			parser.problem != NULL ? parser.problem : "not YAML",
			parser.context != NULL ? " " : "",
			parser.context != NULL ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&d);
	if (root == NULL || (root->type == YAML_SCALAR_NODE && is_null(root))) {
		yaml_document_delete(
			&d); /* an empty file is an empty config, as kubectl reads it */
		return 0;
	}
	if (root->type != YAML_MAPPING_NODE) {
		err_set(e, ERR_CONFIG,
			"kubeconfig: %s:%lu:%lu: not a kubeconfig (the top is not a mapping of "
			"clusters, users and contexts)",
			name, (unsigned long)root->start_mark.line + 1,
			(unsigned long)root->start_mark.column + 1);
		yaml_document_delete(&d);
		return -1;
	}
	each_named(&y, root, "clusters", "cluster", add_cluster, k, name);
	each_named(&y, root, "users", "user", add_user, k, name);
	each_named(&y, root, "contexts", "context", add_context, k, name);
	cur = text(&y, root, "current-context");
	if (k->current_context == NULL && cur != NULL && *cur != '\0')
		k->current_context = cur;
	else
		free(cur);
	yaml_document_delete(&d);
	return 0;
}

/* ---- files ----------------------------------------------------------------------------- */

/* new: the file's bytes, or NULL with errno set (EFBIG when over MAX_FILE). */
static char *
slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;
	int err;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > MAX_FILE) {
			fclose(f);
			buf_done(&b);
			errno = EFBIG;
			return NULL;
		}
	}
	err = ferror(f) ? errno : 0;
	fclose(f);
	if (err != 0) {
		buf_done(&b);
		errno = err;
		return NULL;
	}
	*len = b.len;
	return buf_steal(&b);
}

struct kubeconfig *
kubeconfig_load(const char *paths, const char *home, struct err *e)
{
	struct kubeconfig *k = xcalloc(1, sizeof *k);
	struct buf files, missing;
	char *list, *file, *save = NULL, *bytes, *dir, **seen;
	size_t len, nseen = 0, i;

	if (paths == NULL || *paths == '\0') {
		if (home == NULL || *home == '\0') {
			free(k);
			err_set(e, ERR_CONFIG,
				"kubeconfig: no file to read — set KUBECONFIG or HOME");
			return NULL;
		}
		list = xasprintf("%s/.kube/config", home);
	} else {
		list = xstrdup(paths);
	}
	buf_init(&files);
	buf_init(&missing);
	seen = xcalloc(strlen(list) / 2 + 2, sizeof *seen);
	for (file = strtok_r(list, ":", &save); file != NULL; file = strtok_r(NULL, ":", &save)) {
		for (i = 0; i < nseen && strcmp(seen[i], file) != 0; i++)
			;
		if (i < nseen)
			continue; /* kubectl reads a file listed twice once */
		seen[nseen++] = file;
		bytes = slurp(file, &len);
		if (bytes == NULL) {
			if (errno == ENOENT || errno == ENOTDIR) {
				buf_printf(&missing, "%s%s", missing.len ? ", " : "", file);
				continue;
			}
			err_set(e, errno == EFBIG ? ERR_TOOBIG : ERR_IO, "kubeconfig: %s: %s", file,
				errno == EFBIG ? "over 4 MiB, not a kubeconfig" : strerror(errno));
			goto fail;
		}
		dir = dir_of(file);
		if (kubeconfig_merge_yaml(k, bytes, len, file, dir, e) < 0) {
			free(dir);
			free(bytes);
			goto fail;
		}
		free(dir);
		free(bytes);
		buf_printf(&files, "%s%s", files.len ? ", " : "", file);
	}
	if (files.len == 0) {
		err_set(e, ERR_CONFIG, "kubeconfig: no file found (%s) — set KUBECONFIG",
			missing.len ? missing.data : "an empty list");
		goto fail;
	}
	k->files = buf_steal(&files);
	buf_done(&missing);
	free(seen);
	free(list);
	return k;
fail:
	buf_done(&files);
	buf_done(&missing);
	free(seen);
	free(list);
	kubeconfig_free(k);
	return NULL;
}

/* ---- freeing --------------------------------------------------------------- */

/* Free a secret after overwriting it: a core dump or a reused page should not show it. */
static void
wipe(char *s, size_t n)
{
	volatile char *p = s;

	if (s == NULL)
		return;
	while (n-- > 0)
		*p++ = 0;
	free(s);
}

static void
strs_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
kubeconfig_free(struct kubeconfig *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->nclusters; i++) {
		struct kc_cluster *c = &k->clusters[i];

		free(c->name);
		free(c->origin);
		free(c->server);
		free(c->ca_file);
		free(c->tls_server_name);
		free(c->ca.bytes);
	}
	for (i = 0; i < k->nusers; i++) {
		struct kc_user *u = &k->users[i];

		free(u->name);
		free(u->origin);
		wipe(u->token, u->token != NULL ? strlen(u->token) : 0);
		free(u->token_file);
		free(u->cert_file);
		free(u->key_file);
		free(u->cert.bytes);
		wipe(u->key.bytes, u->key.len);
		free(u->username);
		wipe(u->password, u->password != NULL ? strlen(u->password) : 0);
		free(u->exec_command);
		free(u->exec_api_version);
		free(u->exec_interactive);
		strs_free(u->exec_args, u->exec_nargs);
		strs_free(u->exec_env, u->exec_nenv);
	}
	for (i = 0; i < k->ncontexts; i++) {
		free(k->contexts[i].name);
		free(k->contexts[i].origin);
		free(k->contexts[i].cluster);
		free(k->contexts[i].user);
		free(k->contexts[i].ns);
	}
	free(k->clusters);
	free(k->users);
	free(k->contexts);
	free(k->context_names);
	free(k->current_context);
	free(k->files);
	free(k);
}
