/*
 * docker_endpoint.c - [docker] host, else the Docker context, else the
 * default socket; see docker_endpoint.h for the rules.
 *
 * Contexts are found by reading every contexts/meta/<dir>/meta.json and
 * comparing "Name", rather than by computing <dir> (the SHA-256 of the
 * name): the store is small, and a meta.json that cannot be parsed only
 * hides its own context.  Messages show paths under $HOME as "~/...".
 */
#include "docker_endpoint.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "xalloc.h"

/* What the lookup needs besides cfg. */
struct where {
	const char *home;     /* $HOME, or NULL */
	char *dir;            /* owned: $DOCKER_CONFIG or $HOME/.docker, or NULL */
	const char *def_sock; /* the default socket */
};

/* new: path for messages, "~/..." when under $HOME. */
static char *
shown(const struct where *w, const char *path)
{
	size_t n = w->home != NULL ? strlen(w->home) : 0;

	if (n > 1 && strncmp(path, w->home, n) == 0 && path[n] == '/')
		return xasprintf("~%s", path + n);
	return xstrdup(path);
}

/* ---- endpoint text ----------------------------------------------------- */

/* "1".."65535", digits only. */
static bool
valid_port(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

static int
bad_endpoint(const char *host, const char *origin, struct err *e)
{
	return err_set(e, ERR_CONFIG,
		       "docker: endpoint '%.200s' from %s is not unix:///path, tcp://host[:port] "
		       "or ssh://[user@]host[:port] — fix it, or set [docker] host",
		       host, origin);
}

/* ssh://[user@]host[:port][/] into destination and port. */
static int
parse_ssh(struct docker_endpoint *de, const char *host, const char *origin, struct err *e)
{
	const char *rest = host + 6, *at, *h, *end, *port = NULL;
	size_t n = strlen(rest), hn, un;

	if (n > 0 && rest[n - 1] == '/')
		n--;
	at = memchr(rest, '@', n);
	h = at != NULL ? at + 1 : rest;
	un = at != NULL ? (size_t)(at - rest) : 0;
	end = rest + n;
	if (at != NULL && (un == 0 || memchr(rest, ':', un) != NULL))
		return bad_endpoint(at == NULL || un == 0 ? host : "ssh://user:…@…", origin, e);
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (close == NULL || close == h + 1)
			return bad_endpoint(host, origin, e);
		if (close + 1 < end) {
			if (close[1] != ':')
				return bad_endpoint(host, origin, e);
			port = close + 2;
		}
		h++;
		hn = (size_t)(close - h);
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		port = colon != NULL ? colon + 1 : NULL;
		hn = (size_t)((colon != NULL ? colon : end) - h);
	}
	if (hn == 0 || memchr(h, '/', hn) != NULL ||
	    (port != NULL && !valid_port(port, (size_t)(end - port))))
		return bad_endpoint(host, origin, e);
	de->kind = DOCKER_EP_SSH;
	de->ssh_dest =
		at != NULL ? xasprintf("%.*s@%.*s", (int)un, rest, (int)hn, h) : xstrndup(h, hn);
	de->ssh_port = port != NULL ? xstrndup(port, (size_t)(end - port)) : NULL;
	return 0;
}

/*
 * Parse host; a tcp:// endpoint leaves its "host:port" (port added) in
 * *hostport for the caller to choose the scheme.
 */
static int
parse_host(struct docker_endpoint *de, const char *host, const char *origin, bool tls,
	   char **hostport, struct err *e)
{
	*hostport = NULL;
	if (strncmp(host, "unix://", 7) == 0) {
		if (host[7] != '/' || host[8] == '\0')
			return bad_endpoint(host, origin, e);
		de->kind = DOCKER_EP_UNIX;
		de->url = xstrdup(host);
		return 0;
	}
	if (strncmp(host, "ssh://", 6) == 0)
		return parse_ssh(de, host, origin, e);
	if (strncmp(host, "tcp://", 6) == 0) {
		const char *h = host + 6, *after;
		size_t n = strlen(h);

		if (n > 0 && h[n - 1] == '/')
			n--;
		if (n == 0 || memchr(h, '/', n) != NULL || memchr(h, '@', n) != NULL)
			return bad_endpoint(host, origin, e);
		after = h;
		if (*h == '[') {
			after = memchr(h, ']', n);
			if (after == NULL)
				return bad_endpoint(host, origin, e);
		}
		de->kind = DOCKER_EP_TCP;
		if (memchr(after, ':', n - (size_t)(after - h)) != NULL)
			*hostport = xstrndup(h, n);
		else
			*hostport = xasprintf("%.*s:%s", (int)n, h, tls ? "2376" : "2375");
		return 0;
	}
	return bad_endpoint(host, origin, e);
}

/* ---- TLS files --------------------------------------------------------- */

/*
 * Take ca.pem, cert.pem and key.pem from dir, each when it exists (as the
 * docker command does).  A certificate without its key is an error, and
 * so is a directory with none of them when need_one.
 */
static int
tls_files(struct docker_endpoint *de, const struct where *w, const char *dir, bool need_one,
	  const char *hint, struct err *e)
{
	static const char *const names[3] = { "ca.pem", "cert.pem", "key.pem" };
	char *path[3], *s1 = NULL, *s2 = NULL;
	bool have[3];
	int i, rc = 0;

	for (i = 0; i < 3; i++) {
		path[i] = xasprintf("%s/%s", dir, names[i]);
		have[i] = access(path[i], R_OK) == 0;
		if (!have[i] && errno != ENOENT && rc == 0) {
			s1 = shown(w, path[i]);
			rc = err_set(e, ERR_CONFIG, "docker: cannot read %s (%s) — %s", s1,
				     strerror(errno), hint);
		}
	}
	if (rc == 0 && have[1] != have[2]) {
		s1 = shown(w, path[have[1] ? 1 : 2]);
		s2 = shown(w, path[have[1] ? 2 : 1]);
		rc = err_set(e, ERR_CONFIG, "docker: %s is there but %s is missing — %s", s1, s2,
			     hint);
	} else if (rc == 0 && need_one && !have[0] && !have[1]) {
		s1 = shown(w, dir);
		rc = err_set(e, ERR_CONFIG,
			     "docker: none of ca.pem, cert.pem and key.pem in %s — %s", s1, hint);
	}
	if (rc == 0) {
		de->ca_file = have[0] ? path[0] : (free(path[0]), NULL);
		de->cert_file = have[1] ? path[1] : (free(path[1]), NULL);
		de->key_file = have[2] ? path[2] : (free(path[2]), NULL);
	} else {
		for (i = 0; i < 3; i++)
			free(path[i]);
	}
	free(s1);
	free(s2);
	return rc;
}

/* ---- [docker] host ----------------------------------------------------- */

static int
from_config(struct docker_endpoint *de, const struct config *cfg, const struct where *w,
	    const char *host, struct err *e)
{
	enum config_source src = config_source(cfg, CFG_DOCKER_HOST);
	bool tls = config_bool(cfg, CFG_DOCKER_TLS_VERIFY);
	const char *cert_path = config_str(cfg, CFG_DOCKER_CERT_PATH);
	char *hostport;
	int rc;

	de->origin = xstrdup(src == CFG_SRC_FLAG  ? "--docker"
			     : src == CFG_SRC_ENV ? "DOCKER_HOST"
						  : "[docker] host");
	if (parse_host(de, host, de->origin, tls, &hostport, e) < 0)
		return -1;
	if (de->kind != DOCKER_EP_TCP)
		return 0;
	de->url = xasprintf("%s://%s", tls ? "https" : "http", hostport);
	free(hostport);
	if (!tls)
		return 0;
	if (cert_path != NULL && cert_path[0] != '\0')
		rc = tls_files(de, w, cert_path, true,
			       "set [docker] cert_path (DOCKER_CERT_PATH) to the directory holding "
			       "ca.pem, cert.pem and key.pem",
			       e);
	else if (w->dir != NULL)
		rc = tls_files(de, w, w->dir, false,
			       "set [docker] cert_path (DOCKER_CERT_PATH) to the directory holding "
			       "ca.pem, cert.pem and key.pem",
			       e);
	else
		rc = 0;
	return rc;
}

/* ---- contexts ---------------------------------------------------------- */

/* new: currentContext of DIR/config.json, or NULL when it has none or is missing. */
static int
current_context(const struct where *w, char **name, struct err *e)
{
	char *path = xasprintf("%s/config.json", w->dir), *s;
	json_error_t je;
	json_t *root;
	const char *cur;
	struct stat st;

	*name = NULL;
	if (stat(path, &st) < 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	root = json_load_file(path, 0, &je);
	if (root == NULL || !json_is_object(root)) {
		s = shown(w, path);
		if (root == NULL)
			err_set(e, ERR_CONFIG,
				"docker: cannot read %s: %s (line %d) — fix it, or set [docker] "
				"host or context",
				s, je.text, je.line);
		else
			err_set(e, ERR_CONFIG,
				"docker: %s is not a JSON object — fix it, or set [docker] host or "
				"context",
				s);
		free(s);
		free(path);
		json_decref(root);
		return -1;
	}
	cur = json_string_value(json_object_get(root, "currentContext"));
	if (cur != NULL && cur[0] != '\0')
		*name = xstrdup(cur);
	json_decref(root);
	free(path);
	return 0;
}

/*
 * The meta.json of context name: fills *host (new, NULL when the context
 * has no Docker host), *skip and *sub (new: the <dir> under meta/ and
 * tls/).  Returns 1 when found, 0 when not.
 */
static int
find_context(const struct where *w, const char *name, char **host, bool *skip, char **sub)
{
	char *meta = xasprintf("%s/contexts/meta", w->dir);
	DIR *d = opendir(meta);
	struct dirent *de;
	int found = 0;

	*host = NULL;
	*skip = false;
	*sub = NULL;
	while (d != NULL && !found && (de = readdir(d)) != NULL) {
		char *path;
		json_t *root, *docker;
		const char *n, *h;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s/meta.json", meta, de->d_name);
		root = json_load_file(path, 0, NULL);
		free(path);
		n = json_string_value(json_object_get(root, "Name"));
		if (n != NULL && strcmp(n, name) == 0) {
			found = 1;
			docker = json_object_get(json_object_get(root, "Endpoints"), "docker");
			h = json_string_value(json_object_get(docker, "Host"));
			*host = h != NULL && h[0] != '\0' ? xstrdup(h) : NULL;
			*skip = json_is_true(json_object_get(docker, "SkipTLSVerify"));
			*sub = xstrdup(de->d_name);
		}
		json_decref(root);
	}
	if (d != NULL)
		closedir(d);
	free(meta);
	return found;
}

static int
from_context(struct docker_endpoint *de, const struct where *w, const char *name, struct err *e)
{
	char *host = NULL, *sub = NULL, *hostport = NULL, *tlsdir, *s, *hint;
	struct stat st;
	bool skip, tls;
	int rc = 0;

	de->context = xstrdup(name);
	de->origin = xasprintf("context '%s'", name);
	if (w->dir == NULL || !find_context(w, name, &host, &skip, &sub)) {
		char *store = w->dir != NULL ? xasprintf("%s/contexts", w->dir) : NULL;

		s = store != NULL ? shown(w, store) : xstrdup("~/.docker/contexts");
		err_set(e, ERR_CONFIG,
			"docker context '%s' not found in %s — run `docker context ls`, or set "
			"[docker] context or host",
			name, s);
		free(s);
		free(store);
		return -1;
	}
	if (host == NULL)
		host = xasprintf("unix://%s", w->def_sock);
	tlsdir = xasprintf("%s/contexts/tls/%s/docker", w->dir, sub);
	if (strncmp(host, "tcp://", 6) == 0 && stat(tlsdir, &st) == 0 && S_ISDIR(st.st_mode)) {
		hint = xasprintf("run `docker context inspect %s`", name);
		rc = tls_files(de, w, tlsdir, false, hint, e);
		free(hint);
	}
	/* The docker command speaks TLS when the context has TLS data or skips verifying. */
	tls = de->ca_file != NULL || de->cert_file != NULL || skip;
	if (rc == 0 && parse_host(de, host, de->origin, tls, &hostport, e) < 0) {
		rc = -1;
	} else if (rc == 0 && de->kind == DOCKER_EP_TCP) {
		de->insecure = skip;
		de->url = xasprintf("%s://%s", tls ? "https" : "http", hostport);
	}
	free(hostport);
	free(tlsdir);
	free(host);
	free(sub);
	return rc;
}

/* ---- resolve ----------------------------------------------------------- */

int
docker_endpoint_resolve(struct docker_endpoint *de, const struct config *cfg,
			char *(*getenv_fn)(const char *), const char *default_socket, struct err *e)
{
	const char *host = config_str(cfg, CFG_DOCKER_HOST);
	const char *dc = getenv_fn("DOCKER_CONFIG");
	char *name = NULL;
	struct where w;
	struct stat st;
	int rc = 0;

	memset(de, 0, sizeof *de);
	w.home = getenv_fn("HOME");
	if (w.home != NULL && w.home[0] == '\0')
		w.home = NULL;
	w.dir = dc != NULL && dc[0] != '\0' ? xstrdup(dc)
		: w.home != NULL            ? xasprintf("%s/.docker", w.home)
					    : NULL;
	w.def_sock = default_socket;

	if (host != NULL) {
		if (host[0] == '\0')
			de->origin = xstrdup("[docker] host = \"\" (Docker turned off)");
		else
			rc = from_config(de, cfg, &w, host, e);
		goto out;
	}
	if (config_str(cfg, CFG_DOCKER_CONTEXT) != NULL)
		name = xstrdup(config_str(cfg, CFG_DOCKER_CONTEXT));
	else if (w.dir != NULL && (rc = current_context(&w, &name, e)) < 0)
		goto out;
	if (name != NULL && strcmp(name, "default") != 0) {
		rc = from_context(de, &w, name, e);
		goto out;
	}
	de->context = name; /* "default" or NULL */
	name = NULL;
	de->origin = xstrdup("the default socket");
	if (stat(default_socket, &st) == 0 && S_ISSOCK(st.st_mode)) {
		de->kind = DOCKER_EP_UNIX;
		de->url = xasprintf("unix://%s", default_socket);
	}
out:
	if (rc == 0 && de->kind == DOCKER_EP_SSH) {
		const char *rs = config_str(cfg, CFG_DOCKER_SSH_SOCKET);

		if (rs == NULL || rs[0] != '/')
			rc = err_set(e, ERR_CONFIG,
				     "[docker] ssh_socket '%s' is not an absolute path — name the "
				     "Docker socket on the remote host, e.g. /var/run/docker.sock",
				     rs != NULL ? rs : "");
		else
			de->ssh_socket = xstrdup(rs);
	}
	free(name);
	free(w.dir);
	if (rc < 0)
		docker_endpoint_done(de);
	return rc;
}

void
docker_endpoint_done(struct docker_endpoint *de)
{
	if (de == NULL)
		return;
	free(de->url);
	free(de->ca_file);
	free(de->cert_file);
	free(de->key_file);
	free(de->ssh_dest);
	free(de->ssh_port);
	free(de->ssh_socket);
	free(de->context);
	free(de->origin);
	memset(de, 0, sizeof *de);
}
