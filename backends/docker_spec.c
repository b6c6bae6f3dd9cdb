/*
 * docker_spec.c - the Docker backend's mutating requests (service updates
 * built from the service as it was read), the rows made of containers, the
 * read-only allow-list and the small value helpers the parsers share
 * (image tags, RFC 3339 times, CPU % from two samples).  See docker.h.
 *
 * Why the builders take the raw JSON of GET /services/{id}: an update
 * replaces the whole Spec, so every field opsdeck does not model (mounts,
 * secrets, constraints, labels, fields newer daemons add) must go back
 * exactly as read.  Parsing into a struct and writing it out again would
 * drop them.
 */
#include "docker.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "parse.h"
#include "xalloc.h"

double
docker_parse_time(const char *s)
{
	double t;

	/* Docker writes a T between date and time: anything else is not its time. */
	if (s == NULL || strlen(s) < 11 || (s[10] != 'T' && s[10] != 't'))
		return 0;
	/* 0 for unknown: a bad time, Go's zero time, anything before 1971. */
	return parse_rfc3339(s, &t) == 0 && t >= 31536000.0 ? t : 0;
}

char *
docker_image_tag(const char *image)
{
	const char *at, *colon, *slash, *p;
	size_t n;

	if (image == NULL || *image == '\0')
		return xstrdup("");
	/* A bare image id (a container whose tag moved on): short, as docker ps shows it. */
	if (strncmp(image, "sha256:", 7) == 0 && strchr(image, '@') == NULL)
		return xasprintf("sha256:%.12s", image + 7);
	at = strchr(image, '@');
	n = at != NULL ? (size_t)(at - image) : strlen(image);
	colon = NULL;
	slash = NULL;
	for (p = image; p < image + n; p++) {
		if (*p == ':')
			colon = p;
		else if (*p == '/')
			slash = p;
	}
	/* a ':' before the last '/' is a registry port, not a tag */
	if (colon != NULL && (slash == NULL || colon > slash) && colon + 1 < image + n)
		return xstrndup(colon + 1, (size_t)(image + n - colon - 1));
	if (at != NULL) {
		const char *dg = strchr(at + 1, ':');

		dg = dg != NULL ? dg + 1 : at + 1;
		return xasprintf("sha256:%.12s", dg);
	}
	return xstrdup("latest");
}

/* ---- CPU % ------------------------------------------------------------ */

double
docker_cpu_percent(const struct docker_stats *prev, const struct docker_stats *cur)
{
	double cpu, sys, wall;

	if (prev == NULL || cur == NULL || !prev->has_cpu || !cur->has_cpu)
		return NAN;
	if (cur->cpu_total < prev->cpu_total)
		return NAN;
	cpu = (double)(cur->cpu_total - prev->cpu_total);
	if (prev->cpu_system > 0 && cur->cpu_system > prev->cpu_system && cur->online_cpus > 0) {
		sys = (double)(cur->cpu_system - prev->cpu_system);
		return cpu / sys * cur->online_cpus * 100.0;
	}
	wall = cur->read - prev->read;
	if (prev->read > 0 && wall > 0)
		return cpu / (wall * 1e9) * 100.0;
	return NAN;
}

/* ---- update answers -------------------------------------------------- */

int
docker_parse_update(long status, const char *body, size_t len, char **warnings,
		    enum docker_fail *fail, struct err *e)
{
	json_t *root, *w;
	struct buf b;
	size_t i;
	enum docker_fail f;

	if (warnings != NULL)
		*warnings = NULL;
	if (fail != NULL)
		*fail = DOCKER_FAIL_NONE;
	if (body == NULL)
		len = 0;
	if (status < 200 || status > 299) {
		f = docker_parse_error(status, body, len, e);
		if (fail != NULL)
			*fail = f;
		return -1;
	}
	root = len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		if (fail != NULL)
			*fail = DOCKER_FAIL_OTHER;
		return err_set(e, ERR_PARSE,
			       "docker: service update: HTTP %ld without the "
			       "expected JSON object — the outcome is unknown, check the service",
			       status);
	}
	buf_init(&b);
	json_array_foreach(json_object_get(root, "Warnings"), i, w)
	{
		if (!json_is_string(w))
			continue;
		if (b.len > 0)
			buf_puts(&b, "; ");
		buf_puts(&b, json_string_value(w));
	}
	if (warnings != NULL && b.len > 0)
		*warnings = buf_steal(&b);
	buf_done(&b);
	json_decref(root);
	return 0;
}

/* ---- mutating requests ------------------------------------------------- */

void
docker_request_done(struct docker_request *r)
{
	if (r == NULL)
		return;
	free(r->path);
	free(r->body);
	memset(r, 0, sizeof *r);
}

/*
 * Read a service as GET /services/{id} returned it.  Returns a copy of its
 * Spec (new) with *id (new) and *version, or NULL with e filled.
 */
static json_t *
read_service(const char *json, size_t len, char **id, unsigned long long *version, struct err *e)
{
	json_t *root, *spec, *v;

	*id = NULL;
	*version = 0;
	root = json != NULL && len > 0 ? json_loadb(json, len, 0, NULL) : NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		err_set(e, ERR_PARSE,
			"docker: the service to update is not a JSON object "
			"(GET /services/{id} answers one)");
		return NULL;
	}
	spec = json_object_get(root, "Spec");
	v = json_object_get(json_object_get(root, "Version"), "Index");
	if (!json_is_string(json_object_get(root, "ID")) || !json_is_object(spec) ||
	    !json_is_integer(v) || json_integer_value(v) < 0) {
		json_decref(root);
		err_set(e, ERR_PARSE,
			"docker: the service to update lacks ID, Version.Index or Spec");
		return NULL;
	}
	*id = xstrdup(json_string_value(json_object_get(root, "ID")));
	*version = (unsigned long long)json_integer_value(v);
	spec = json_deep_copy(spec);
	json_decref(root);
	if (spec == NULL) {
		free(*id);
		*id = NULL;
		err_set(e, ERR_NOMEM, "docker: out of memory copying a service spec");
	}
	return spec;
}

/* borrowed: obj[key], created as an empty object if absent or not an object. */
static json_t *
child(json_t *obj, const char *key)
{
	json_t *c = json_object_get(obj, key);

	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(obj, key, c);
	}
	return c;
}

/* Fill out with POST .../update?version=N[extra] and spec as the body; steals spec and id. */
static int
finish(char *id, unsigned long long version, const char *extra, json_t *spec,
       struct docker_request *out, struct err *e)
{
	char *enc, *body = json_dumps(spec, JSON_COMPACT);

	json_decref(spec);
	if (body == NULL) {
		free(id);
		return err_set(e, ERR_NOMEM, "docker: cannot write the service spec");
	}
	enc = http_urlencode(id);
	out->method = HTTP_POST;
	out->path = xasprintf("/v" DOCKER_API_VERSION "/services/%s/update?version=%llu%s", enc,
			      version, extra);
	out->body = xstrdup(body);
	free(body); /* jansson's allocator, not ours */
	free(enc);
	free(id);
	return 0;
}

int
docker_scale_request(const char *service_json, size_t len, long replicas,
		     struct docker_request *out, struct err *e)
{
	char *id;
	unsigned long long version;
	json_t *spec, *rep;

	memset(out, 0, sizeof *out);
	if (replicas < 0)
		return err_set(e, ERR_USAGE, "docker: cannot scale to %ld replicas", replicas);
	spec = read_service(service_json, len, &id, &version, e);
	if (spec == NULL)
		return -1;
	rep = json_object_get(json_object_get(spec, "Mode"), "Replicated");
	if (!json_is_object(rep)) {
		const char *name = json_string_value(json_object_get(spec, "Name"));

		err_set(e, ERR_USAGE,
			"docker: %s is not a replicated service (%s): only "
			"replicated services can be scaled",
			name != NULL ? name : id,
			json_is_object(json_object_get(json_object_get(spec, "Mode"), "Global"))
				? "global: one task per node"
				: "no replica count");
		json_decref(spec);
		free(id);
		return -1;
	}
	json_object_set_new(rep, "Replicas", json_integer(replicas));
	return finish(id, version, "", spec, out, e);
}

int
docker_restart_request(const char *service_json, size_t len, struct docker_request *out,
		       struct err *e)
{
	char *id;
	unsigned long long version;
	json_t *spec, *tt, *fu;

	memset(out, 0, sizeof *out);
	spec = read_service(service_json, len, &id, &version, e);
	if (spec == NULL)
		return -1;
	tt = child(spec, "TaskTemplate");
	fu = json_object_get(tt, "ForceUpdate");
	json_object_set_new(tt, "ForceUpdate",
			    json_integer((json_is_integer(fu) ? json_integer_value(fu) : 0) + 1));
	return finish(id, version, "", spec, out, e);
}

int
docker_rollback_request(const char *service_json, size_t len, struct docker_request *out,
			struct err *e)
{
	char *id;
	unsigned long long version;
	json_t *spec;

	memset(out, 0, sizeof *out);
	spec = read_service(service_json, len, &id, &version, e);
	if (spec == NULL)
		return -1;
	return finish(id, version, "&rollback=previous", spec, out, e);
}

int
docker_image_request(const char *service_json, size_t len, const char *image,
		     struct docker_request *out, struct err *e)
{
	char *id;
	unsigned long long version;
	json_t *spec;

	memset(out, 0, sizeof *out);
	if (image == NULL || *image == '\0')
		return err_set(e, ERR_USAGE, "docker: no image given");
	spec = read_service(service_json, len, &id, &version, e);
	if (spec == NULL)
		return -1;
	json_object_set_new(child(child(spec, "TaskTemplate"), "ContainerSpec"), "Image",
			    json_string(image));
	return finish(id, version, "", spec, out, e);
}

int
docker_container_restart_request(const char *id, int timeout_s, struct docker_request *out)
{
	char *enc = http_urlencode(id != NULL ? id : "");

	memset(out, 0, sizeof *out);
	out->method = HTTP_POST;
	out->path = xasprintf("/v" DOCKER_API_VERSION "/containers/%s/restart?t=%d", enc,
			      timeout_s < 0 ? 0 : timeout_s);
	free(enc);
	return 0;
}

/* ---- rows made of containers ------------------------------------------- */

void
docker_groups_free(struct docker_group *g, size_t n)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(g[i].name);
		free(g[i].project);
		free(g[i].image);
		free(g[i].tag);
		free(g[i].members);
	}
	free(g);
}

static int
group_cmp(const void *a, const void *b)
{
	const struct docker_group *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = strcmp(x->project, y->project);
	if (c == 0)
		c = (int)x->kind - (int)y->kind;
	return c;
}

size_t
docker_group_containers(const struct docker_container *c, size_t n, bool have_services,
			struct docker_group **out)
{
	struct docker_group *g = NULL;
	size_t ng = 0, cap = 0, i, k;

	*out = NULL;
	for (i = 0; i < n; i++) {
		enum docker_group_kind kind;
		const char *name, *project = "";
		struct docker_group *row = NULL;

		if (c[i].swarm_service != NULL) {
			if (have_services)
				continue;
			kind = DOCKER_GROUP_SWARM;
			name = c[i].swarm_service;
		} else if (c[i].compose_project != NULL && c[i].compose_service != NULL) {
			kind = DOCKER_GROUP_COMPOSE;
			name = c[i].compose_service;
			project = c[i].compose_project;
		} else {
			kind = DOCKER_GROUP_CONTAINER;
			name = *c[i].name != '\0' ? c[i].name : c[i].id;
		}
		if (kind != DOCKER_GROUP_CONTAINER)
			for (k = 0; k < ng && row == NULL; k++)
				if (g[k].kind == kind && strcmp(g[k].name, name) == 0 &&
				    strcmp(g[k].project, project) == 0)
					row = &g[k];
		if (row == NULL) {
			if (ng == cap) {
				cap = cap ? cap * 2 : 8;
				g = xrealloc(g, cap * sizeof *g);
			}
			row = &g[ng++];
			memset(row, 0, sizeof *row);
			row->kind = kind;
			row->name = xstrdup(name);
			row->project = xstrdup(project);
			row->members = xmalloc(sizeof *row->members);
			row->created = -1;
		} else {
			row->members =
				xrealloc(row->members, (row->nmembers + 1) * sizeof *row->members);
		}
		row->members[row->nmembers++] = i;
		if (strcmp(c[i].state, "running") == 0)
			row->running++;
		else if (strcmp(c[i].state, "restarting") == 0)
			row->restarting++;
		if (c[i].created > row->created) {
			row->created = c[i].created;
			free(row->image);
			row->image = xstrdup(c[i].image);
		}
	}
	for (k = 0; k < ng; k++)
		g[k].tag = docker_image_tag(g[k].image);
	if (ng > 1)
		qsort(g, ng, sizeof *g, group_cmp);
	*out = g;
	return ng;
}

/* ---- the read-only allow-list ------------------------------------------ */

/* The n-th '/'-separated segment of p is s (exactly). */
static bool
seg_is(char *const *segs, size_t i, const char *s)
{
	return strcmp(segs[i], s) == 0;
}

bool
docker_is_read(enum http_method m, const char *path)
{
	char copy[512], *segs[8], *p;
	size_t len, ns = 0;

	if (m != HTTP_GET || path == NULL || path[0] != '/')
		return false;
	len = strcspn(path, "?");
	if (len >= sizeof copy || memchr(path, '#', len) != NULL ||
	    memchr(path, '%', len) != NULL || memchr(path, '\\', len) != NULL)
		return false;
	memcpy(copy, path, len);
	copy[len] = '\0';
	/* segments; empty, "." and ".." ones make the path suspect */
	for (p = copy + 1;;) {
		char *slash = strchr(p, '/');

		if (ns == sizeof segs / sizeof segs[0])
			return false;
		if (slash != NULL)
			*slash = '\0';
		if (*p == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
			return false;
		segs[ns++] = p;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	/* an optional API version prefix: v1.41 */
	if (segs[0][0] == 'v' && isdigit((unsigned char)segs[0][1])) {
		const char *q = segs[0] + 1;

		while (isdigit((unsigned char)*q))
			q++;
		if (*q != '.' || !isdigit((unsigned char)q[1]))
			return false;
		for (q++; isdigit((unsigned char)*q); q++)
			;
		if (*q != '\0' || ns < 2)
			return false;
		memmove(segs, segs + 1, --ns * sizeof segs[0]);
	}
	switch (ns) {
	case 1:
		return seg_is(segs, 0, "_ping") || seg_is(segs, 0, "version") ||
		       seg_is(segs, 0, "info") || seg_is(segs, 0, "services") ||
		       seg_is(segs, 0, "tasks") || seg_is(segs, 0, "nodes");
	case 2:
		return seg_is(segs, 0, "services") || seg_is(segs, 0, "tasks") ||
		       seg_is(segs, 0, "nodes") ||
		       (seg_is(segs, 0, "containers") && seg_is(segs, 1, "json"));
	case 3:
		return seg_is(segs, 0, "containers") &&
		       (seg_is(segs, 2, "json") || seg_is(segs, 2, "stats") ||
			seg_is(segs, 2, "logs") || seg_is(segs, 2, "top"));
	default:
		return false;
	}
}
