/*
 * docker.c - Docker Engine API paths and response parsers (see docker.h).
 *
 * The daemon's answers are Go structs marshalled to JSON: fields may be
 * absent, null (an empty slice or map), or zero values ("0001-01-01T00:00:00Z"
 * for times).  Every getter here accepts all three and falls back to the
 * record's documented "unknown" value; a wrong type where an object is
 * required (a service that is not an object) is an error naming the field.
 */
#include "docker.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http.h"
#include "xalloc.h"

#define V "/v" DOCKER_API_VERSION

/* ---- paths ------------------------------------------------------------- */

char *
docker_ping_path(void)
{
	return xstrdup("/_ping");
}

char *
docker_info_path(void)
{
	return xstrdup(V "/info");
}

char *
docker_version_path(void)
{
	return xstrdup(V "/version");
}

char *
docker_services_path(void)
{
	return xstrdup(V "/services?status=true");
}

/* new: V + "/" + what + "/" + encoded id + rest */
static char *
object_path(const char *what, const char *id, const char *rest)
{
	char *enc = http_urlencode(id != NULL ? id : "");
	char *p = xasprintf(V "/%s/%s%s", what, enc, rest);

	free(enc);
	return p;
}

char *
docker_service_path(const char *id)
{
	return object_path("services", id, "");
}

char *
docker_tasks_path(const char *service, bool running_only)
{
	json_t *f = json_object();
	char *js, *enc, *p;

	if (service != NULL)
		json_object_set_new(f, "service", json_pack("[s]", service));
	if (running_only)
		json_object_set_new(f, "desired-state", json_pack("[s]", "running"));
	if (json_object_size(f) == 0) {
		json_decref(f);
		return xstrdup(V "/tasks");
	}
	js = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(f);
	if (js == NULL)
		return xstrdup(V "/tasks");
	enc = http_urlencode(js);
	free(js);
	p = xasprintf(V "/tasks?filters=%s", enc);
	free(enc);
	return p;
}

char *
docker_containers_path(bool all)
{
	return xstrdup(all ? V "/containers/json?all=1" : V "/containers/json");
}

char *
docker_container_path(const char *id)
{
	return object_path("containers", id, "/json");
}

char *
docker_stats_path(const char *id)
{
	return object_path("containers", id, "/stats?stream=false&one-shot=true");
}

/* ---- errors ------------------------------------------------------------ */

static bool
ok_status(long status)
{
	return status >= 200 && status <= 299;
}

static enum docker_fail
classify(long status, const char *msg)
{
	if (strstr(msg, "not a swarm manager") != NULL)
		return DOCKER_FAIL_NOT_MANAGER;
	if (strstr(msg, "update out of sequence") != NULL)
		return DOCKER_FAIL_OUT_OF_SEQUENCE;
	if (strstr(msg, "does not have a previous spec") != NULL)
		return DOCKER_FAIL_NO_PREVIOUS;
	if (status == 404 && strcmp(msg, "page not found") == 0)
		return DOCKER_FAIL_UNSUPPORTED;
	if (status == 404)
		return DOCKER_FAIL_NOT_FOUND;
	return DOCKER_FAIL_OTHER;
}

enum docker_fail
docker_parse_error(long status, const char *body, size_t len, struct err *e)
{
	json_t *root = NULL, *m;
	char snip[64];
	enum docker_fail f;

	if (ok_status(status))
		return DOCKER_FAIL_NONE;
	if (body == NULL)
		len = 0;
	if (len > 0)
		root = json_loadb(body, len, 0, NULL);
	m = json_object_get(root, "message");
	if (json_is_string(m)) {
		const char *msg = json_string_value(m);

		f = classify(status, msg);
		err_set(e, status == 401 || status == 403 ? ERR_AUTH : ERR_BACKEND, "docker: %s%s",
			msg, *msg == '\0' ? "(empty message)" : "");
		json_decref(root);
		return f;
	}
	json_decref(root);
	http_body_excerpt(body, len, 40, 0, snip, sizeof snip);
	if (status == 401 || status == 403)
		err_set(e, ERR_AUTH,
			"docker: HTTP %ld (body starts with '%s') — check the TLS client "
			"certificate (DOCKER_CERT_PATH) or the proxy in front of the daemon",
			status, snip);
	else if (len == 0)
		err_set(e, ERR_HTTP,
			"docker: HTTP %ld with an empty body — check [docker] host points "
			"at the Docker API",
			status);
	else
		err_set(e, ERR_PARSE,
			"docker: HTTP %ld with a non-JSON body (starts with '%s') — "
			"check [docker] host points at the Docker API",
			status, snip);
	return status == 404 ? DOCKER_FAIL_UNSUPPORTED : DOCKER_FAIL_OTHER;
}

const char *
docker_fail_name(enum docker_fail f)
{
	switch (f) {
	case DOCKER_FAIL_NONE:
		return "none";
	case DOCKER_FAIL_NOT_MANAGER:
		return "not a manager";
	case DOCKER_FAIL_OUT_OF_SEQUENCE:
		return "out of sequence";
	case DOCKER_FAIL_NO_PREVIOUS:
		return "no previous spec";
	case DOCKER_FAIL_NOT_FOUND:
		return "not found";
	case DOCKER_FAIL_UNSUPPORTED:
		return "unsupported";
	case DOCKER_FAIL_OTHER:
		break;
	}
	return "other";
}

enum want { WANT_OBJECT, WANT_ARRAY, WANT_EITHER };

/*
 * Load a 2xx answer's JSON (new), or NULL with e (and *fail) filled: the
 * daemon's error for other statuses, what arrived for bodies that are not
 * JSON of the wanted kind.
 */
static json_t *
load(long status, const char *body, size_t len, enum want want, const char *what,
     enum docker_fail *fail, struct err *e)
{
	json_error_t jerr;
	json_t *root;
	char snip[64];
	enum docker_fail f;

	if (fail != NULL)
		*fail = DOCKER_FAIL_NONE;
	if (body == NULL)
		len = 0;
	if (!ok_status(status)) {
		f = docker_parse_error(status, body, len, e);
		if (fail != NULL)
			*fail = f;
		return NULL;
	}
	if (fail != NULL)
		*fail = DOCKER_FAIL_OTHER;
	root = len > 0 ? json_loadb(body, len, 0, &jerr) : NULL;
	if (root == NULL) {
		http_body_excerpt(body, len, 40, 0, snip, sizeof snip);
		err_set(e, ERR_PARSE,
			"docker: %s: HTTP %ld with a body that is not JSON (starts with "
			"'%s') — check [docker] host points at the Docker API",
			what, status, snip);
		return NULL;
	}
	if ((want == WANT_ARRAY && !json_is_array(root)) ||
	    (want == WANT_OBJECT && !json_is_object(root)) ||
	    (!json_is_array(root) && !json_is_object(root))) {
		err_set(e, ERR_PARSE, "docker: %s: expected a JSON %s", what,
			want == WANT_ARRAY    ? "array"
			: want == WANT_OBJECT ? "object"
					      : "array or object");
		json_decref(root);
		return NULL;
	}
	if (fail != NULL)
		*fail = DOCKER_FAIL_NONE;
	return root;
}

/* ---- getters ----------------------------------------------------------- */

/* borrowed: root.k1.k2... (NULL-terminated key list); NULL when any step is missing. */
static json_t *
get(const json_t *root, ...)
{
	va_list ap;
	const char *k;
	json_t *j = (json_t *)root;

	va_start(ap, root);
	while (j != NULL && (k = va_arg(ap, const char *)) != NULL)
		j = json_object_get(j, k);
	va_end(ap);
	return j;
}

/* new: the string j, or "" */
static char *
str(const json_t *j)
{
	return xstrdup(json_is_string(j) ? json_string_value(j) : "");
}

/* new: the string j, or NULL */
static char *
str_or_null(const json_t *j)
{
	return json_is_string(j) ? xstrdup(json_string_value(j)) : NULL;
}

static long
num(const json_t *j, long dflt)
{
	double d;

	if (json_is_integer(j))
		return (long)json_integer_value(j);
	if (!json_is_real(j))
		return dflt;
	d = json_real_value(j);
	return d >= -2e18 && d <= 2e18 ? (long)d : dflt;
}

static unsigned long long
unum(const json_t *j)
{
	double d;

	if (json_is_integer(j))
		return json_integer_value(j) > 0 ? (unsigned long long)json_integer_value(j) : 0;
	if (!json_is_real(j))
		return 0;
	d = json_real_value(j);
	/* jansson reads integers above INT64_MAX as reals */
	return d > 0 && d < 1.8e19 ? (unsigned long long)d : 0;
}

static double
time_of(const json_t *j)
{
	return json_is_string(j) ? docker_parse_time(json_string_value(j)) : 0;
}

/* ---- info / version ---------------------------------------------------- */

void
docker_info_done(struct docker_info *i)
{
	if (i == NULL)
		return;
	free(i->name);
	free(i->server_version);
	free(i->swarm_state);
	free(i->node_id);
	memset(i, 0, sizeof *i);
}

int
docker_parse_info(long status, const char *body, size_t len, struct docker_info *out, struct err *e)
{
	json_t *root;

	memset(out, 0, sizeof *out);
	root = load(status, body, len, WANT_OBJECT, "/info", NULL, e);
	if (root == NULL)
		return -1;
	out->name = str(get(root, "Name", NULL));
	out->server_version = str(get(root, "ServerVersion", NULL));
	out->swarm_state = str(get(root, "Swarm", "LocalNodeState", NULL));
	out->node_id = str(get(root, "Swarm", "NodeID", NULL));
	out->swarm_manager = strcmp(out->swarm_state, "active") == 0 &&
			     json_is_true(get(root, "Swarm", "ControlAvailable", NULL));
	out->containers = num(get(root, "Containers", NULL), -1);
	out->containers_running = num(get(root, "ContainersRunning", NULL), -1);
	json_decref(root);
	return 0;
}

void
docker_version_done(struct docker_version *v)
{
	if (v == NULL)
		return;
	free(v->version);
	free(v->api_version);
	free(v->min_api_version);
	free(v->os);
	memset(v, 0, sizeof *v);
}

int
docker_parse_version(long status, const char *body, size_t len, struct docker_version *out,
		     struct err *e)
{
	json_t *root, *c;
	size_t i;

	memset(out, 0, sizeof *out);
	root = load(status, body, len, WANT_OBJECT, "/version", NULL, e);
	if (root == NULL)
		return -1;
	if (!json_is_string(get(root, "ApiVersion", NULL))) {
		json_decref(root);
		return err_set(e, ERR_PARSE,
			       "docker: /version has no ApiVersion — not a Docker "
			       "API? check [docker] host");
	}
	out->version = str(get(root, "Version", NULL));
	out->api_version = str(get(root, "ApiVersion", NULL));
	out->min_api_version = str(get(root, "MinAPIVersion", NULL));
	out->os = str(get(root, "Os", NULL));
	json_array_foreach(get(root, "Components", NULL), i, c)
	{
		const char *name = json_string_value(json_object_get(c, "Name"));

		if (name != NULL && strstr(name, "Podman") != NULL)
			out->podman = true;
	}
	json_decref(root);
	return 0;
}

/* ---- services ---------------------------------------------------------- */

static void
service_done(struct docker_service *s)
{
	free(s->id);
	free(s->name);
	free(s->image);
	free(s->tag);
	free(s->update_state);
	free(s->update_message);
	free(s->previous_image);
	free(s->previous_tag);
}

void
docker_services_free(struct docker_service *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		service_done(&s[i]);
	free(s);
}

static int
parse_service(const json_t *j, struct docker_service *s, struct err *e)
{
	const json_t *spec = get(j, "Spec", NULL), *mode, *prev;

	if (!json_is_object(j) || !json_is_object(spec) || !json_is_string(get(j, "ID", NULL)))
		return err_set(e, ERR_PARSE, "docker: a service without ID or Spec in /services");
	s->id = str(get(j, "ID", NULL));
	s->name = str(get(spec, "Name", NULL));
	s->version = unum(get(j, "Version", "Index", NULL));
	s->image = str(get(spec, "TaskTemplate", "ContainerSpec", "Image", NULL));
	s->tag = docker_image_tag(s->image);
	mode = get(spec, "Mode", NULL);
	s->replicas = -1;
	if (json_is_object(json_object_get(mode, "Replicated"))) {
		s->mode = DOCKER_MODE_REPLICATED;
		/* Replicas is omitted when 0 */
		s->replicas = num(get(mode, "Replicated", "Replicas", NULL), 0);
	} else if (json_is_object(json_object_get(mode, "Global"))) {
		s->mode = DOCKER_MODE_GLOBAL;
	} else {
		s->mode = DOCKER_MODE_OTHER;
	}
	s->running = num(get(j, "ServiceStatus", "RunningTasks", NULL), -1);
	s->desired = num(get(j, "ServiceStatus", "DesiredTasks", NULL), -1);
	s->force_update = num(get(spec, "TaskTemplate", "ForceUpdate", NULL), 0);
	s->update_state = str(get(j, "UpdateStatus", "State", NULL));
	s->update_message = str(get(j, "UpdateStatus", "Message", NULL));
	s->update_started = time_of(get(j, "UpdateStatus", "StartedAt", NULL));
	s->update_completed = time_of(get(j, "UpdateStatus", "CompletedAt", NULL));
	s->created = time_of(get(j, "CreatedAt", NULL));
	s->updated = time_of(get(j, "UpdatedAt", NULL));
	prev = get(j, "PreviousSpec", NULL);
	s->has_previous = json_is_object(prev);
	s->previous_image = str(get(prev, "TaskTemplate", "ContainerSpec", "Image", NULL));
	s->previous_tag =
		*s->previous_image != '\0' ? docker_image_tag(s->previous_image) : xstrdup("");
	return 0;
}

static int
service_cmp(const void *a, const void *b)
{
	const struct docker_service *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->id, y->id);
}

int
docker_parse_services(long status, const char *body, size_t len, struct docker_service **out,
		      size_t *n, enum docker_fail *fail, struct err *e)
{
	json_t *root, *j;
	struct docker_service *s;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	if (fail != NULL)
		*fail = DOCKER_FAIL_NONE;
	/* /services is an array, /services/{id} one object */
	root = load(status, body, len, WANT_EITHER, "/services", fail, e);
	if (root == NULL)
		return -1;
	if (json_is_object(root)) {
		json_t *a = json_array();

		json_array_append_new(a, root);
		root = a;
	}
	cnt = json_array_size(root);
	s = xcalloc(cnt + 1, sizeof *s);
	json_array_foreach(root, i, j)
	{
		if (parse_service(j, &s[i], e) < 0) {
			docker_services_free(s, i + 1);
			json_decref(root);
			if (fail != NULL)
				*fail = DOCKER_FAIL_OTHER;
			return -1;
		}
	}
	json_decref(root);
	qsort(s, cnt, sizeof *s, service_cmp);
	*out = s;
	*n = cnt;
	return 0;
}

/* ---- tasks ------------------------------------------------------------- */

void
docker_tasks_free(struct docker_task *t, size_t n)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(t[i].id);
		free(t[i].service_id);
		free(t[i].node_id);
		free(t[i].desired_state);
		free(t[i].state);
		free(t[i].message);
		free(t[i].error);
		free(t[i].container_id);
		free(t[i].image);
	}
	free(t);
}

static int
task_cmp(const void *a, const void *b)
{
	const struct docker_task *x = a, *y = b;
	int c = strcmp(x->service_id, y->service_id);

	if (c != 0)
		return c;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->slot == 0 && (c = strcmp(x->node_id, y->node_id)) != 0)
		return c;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
docker_parse_tasks(long status, const char *body, size_t len, struct docker_task **out, size_t *n,
		   struct err *e)
{
	json_t *root, *j;
	struct docker_task *t;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	root = load(status, body, len, WANT_ARRAY, "/tasks", NULL, e);
	if (root == NULL)
		return -1;
	cnt = json_array_size(root);
	t = xcalloc(cnt + 1, sizeof *t);
	json_array_foreach(root, i, j)
	{
		if (!json_is_object(j) || !json_is_string(json_object_get(j, "ID"))) {
			docker_tasks_free(t, i);
			json_decref(root);
			return err_set(e, ERR_PARSE, "docker: a task without ID in /tasks");
		}
		t[i].id = str(get(j, "ID", NULL));
		t[i].service_id = str(get(j, "ServiceID", NULL));
		t[i].node_id = str(get(j, "NodeID", NULL));
		t[i].slot = num(get(j, "Slot", NULL), 0);
		t[i].desired_state = str(get(j, "DesiredState", NULL));
		t[i].state = str(get(j, "Status", "State", NULL));
		t[i].message = str(get(j, "Status", "Message", NULL));
		t[i].error = str(get(j, "Status", "Err", NULL));
		t[i].timestamp = time_of(get(j, "Status", "Timestamp", NULL));
		t[i].created = time_of(get(j, "CreatedAt", NULL));
		t[i].container_id = str(get(j, "Status", "ContainerStatus", "ContainerID", NULL));
		t[i].exit_code = num(get(j, "Status", "ContainerStatus", "ExitCode", NULL), 0);
		t[i].image = str(get(j, "Spec", "ContainerSpec", "Image", NULL));
	}
	json_decref(root);
	qsort(t, cnt, sizeof *t, task_cmp);
	*out = t;
	*n = cnt;
	return 0;
}

long
docker_task_restarts(const struct docker_task *t, size_t n, const char *service_id)
{
	size_t i;
	long r = 0;

	for (i = 0; i < n; i++) {
		if (service_id != NULL && strcmp(t[i].service_id, service_id) != 0)
			continue;
		if (strcmp(t[i].state, "failed") == 0 || strcmp(t[i].state, "rejected") == 0 ||
		    strcmp(t[i].state, "complete") == 0)
			r++;
	}
	return r;
}

/* ---- containers -------------------------------------------------------- */

static void
container_done(struct docker_container *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->state);
	free(c->status);
	free(c->swarm_service);
	free(c->swarm_task);
	free(c->compose_project);
	free(c->compose_service);
}

void
docker_containers_free(struct docker_container *c, size_t n)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++)
		container_done(&c[i]);
	free(c);
}

/* new: a container name without Docker's leading '/' */
static char *
name_of(const json_t *j)
{
	const char *s = json_string_value(j);

	if (s == NULL)
		return xstrdup("");
	return xstrdup(*s == '/' ? s + 1 : s);
}

int
docker_parse_containers(long status, const char *body, size_t len, struct docker_container **out,
			size_t *n, struct err *e)
{
	json_t *root, *j, *labels;
	struct docker_container *c;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	root = load(status, body, len, WANT_ARRAY, "/containers/json", NULL, e);
	if (root == NULL)
		return -1;
	cnt = json_array_size(root);
	c = xcalloc(cnt + 1, sizeof *c);
	json_array_foreach(root, i, j)
	{
		if (!json_is_object(j) || !json_is_string(json_object_get(j, "Id"))) {
			docker_containers_free(c, i);
			json_decref(root);
			return err_set(e, ERR_PARSE,
				       "docker: a container without Id in /containers/json");
		}
		c[i].id = str(get(j, "Id", NULL));
		c[i].name = name_of(json_array_get(get(j, "Names", NULL), 0));
		c[i].image = str(get(j, "Image", NULL));
		c[i].state = str(get(j, "State", NULL));
		c[i].status = str(get(j, "Status", NULL));
		c[i].created = (double)num(get(j, "Created", NULL), 0);
		labels = get(j, "Labels", NULL);
		c[i].swarm_service =
			str_or_null(json_object_get(labels, "com.docker.swarm.service.name"));
		c[i].swarm_task = str_or_null(json_object_get(labels, "com.docker.swarm.task.id"));
		c[i].compose_project =
			str_or_null(json_object_get(labels, "com.docker.compose.project"));
		c[i].compose_service =
			str_or_null(json_object_get(labels, "com.docker.compose.service"));
	}
	json_decref(root);
	*out = c;
	*n = cnt;
	return 0;
}

void
docker_container_detail_done(struct docker_container_detail *d)
{
	if (d == NULL)
		return;
	free(d->id);
	free(d->name);
	free(d->state);
	free(d->health);
	memset(d, 0, sizeof *d);
}

int
docker_parse_container(long status, const char *body, size_t len,
		       struct docker_container_detail *out, struct err *e)
{
	json_t *root;

	memset(out, 0, sizeof *out);
	root = load(status, body, len, WANT_OBJECT, "/containers/{id}/json", NULL, e);
	if (root == NULL)
		return -1;
	if (!json_is_string(get(root, "Id", NULL))) {
		json_decref(root);
		return err_set(e, ERR_PARSE, "docker: /containers/{id}/json without Id");
	}
	out->id = str(get(root, "Id", NULL));
	out->name = name_of(get(root, "Name", NULL));
	out->restart_count = num(get(root, "RestartCount", NULL), 0);
	out->state = str(get(root, "State", "Status", NULL));
	out->exit_code = num(get(root, "State", "ExitCode", NULL), 0);
	out->started = time_of(get(root, "State", "StartedAt", NULL));
	out->finished = time_of(get(root, "State", "FinishedAt", NULL));
	out->health = str(get(root, "State", "Health", "Status", NULL));
	out->oom_killed = json_is_true(get(root, "State", "OOMKilled", NULL));
	json_decref(root);
	return 0;
}

/* ---- stats ------------------------------------------------------------- */

int
docker_parse_stats(long status, const char *body, size_t len, struct docker_stats *out,
		   struct err *e)
{
	json_t *root, *cpu, *mem, *usage, *inactive;
	double u;

	memset(out, 0, sizeof *out);
	out->mem_used = NAN;
	out->mem_limit = NAN;
	root = load(status, body, len, WANT_OBJECT, "stats", NULL, e);
	if (root == NULL)
		return -1;
	out->read = time_of(get(root, "read", NULL));
	cpu = get(root, "cpu_stats", NULL);
	out->cpu_total = unum(get(cpu, "cpu_usage", "total_usage", NULL));
	out->cpu_system = unum(get(cpu, "system_cpu_usage", NULL));
	out->online_cpus = (unsigned)num(get(cpu, "online_cpus", NULL), 0);
	if (out->online_cpus == 0)
		out->online_cpus =
			(unsigned)json_array_size(get(cpu, "cpu_usage", "percpu_usage", NULL));
	out->has_cpu = json_is_number(get(cpu, "cpu_usage", "total_usage", NULL)) &&
		       (out->cpu_system > 0 || out->read > 0);
	mem = get(root, "memory_stats", NULL);
	usage = get(mem, "usage", NULL);
	if (json_is_number(usage)) {
		u = (double)unum(usage);
		inactive = get(mem, "stats", "total_inactive_file", NULL);
		if (!json_is_number(inactive))
			inactive = get(mem, "stats", "inactive_file", NULL);
		if (json_is_number(inactive) && (double)unum(inactive) < u)
			u -= (double)unum(inactive);
		out->mem_used = u;
	}
	if (json_is_number(get(mem, "limit", NULL)))
		out->mem_limit = (double)unum(get(mem, "limit", NULL));
	json_decref(root);
	return 0;
}
