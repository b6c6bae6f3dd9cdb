#include "docker_action.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum step { STEP_READ, STEP_UPDATE, STEP_CONTAINER };

#define CONTAINER_STOP_SECONDS 5 /* ?t= of a container restart: SIGKILL after this */

struct docker_action {
	struct http *http;
	struct http_endpoint ep;
	char *url, *name_field; /* owned copies behind ep */
	char *runtime_name;
	enum op_kind op;
	long replicas;
	docker_action_done_fn done;
	void *ud;
	enum step step;
	int attempts;
	bool cancelled;
	bool busy;  /* a request is in flight: free after its callback */
	char **ids; /* containers to restart, in order (STEP_CONTAINER) */
	size_t nids, next_id;
};

const char *
op_kind_name(enum op_kind k)
{
	static const char *const names[OP_KIND_COUNT] = { "scale", "restart", "rollback" };

	return (int)k >= 0 && k < OP_KIND_COUNT ? names[k] : "?";
}

static void
free_ids(struct docker_action *a)
{
	size_t i;

	for (i = 0; i < a->nids; i++)
		free(a->ids[i]);
	free(a->ids);
	a->ids = NULL;
	a->nids = 0;
}

static void
finish(struct docker_action *a, struct docker_action_result *r)
{
	r->attempts = a->attempts;
	if (!a->cancelled)
		a->done(a->ud, r);
	free_ids(a);
	free(a->url);
	free(a->name_field);
	free(a->runtime_name);
	free(a);
}

static void on_answer(void *ud, const struct http_response *resp);

static int
send_read(struct docker_action *a, struct err *e)
{
	char *path = docker_service_path(a->runtime_name);
	int rc;

	a->step = STEP_READ;
	rc = http_submit(a->http, &a->ep, HTTP_GET, path, NULL, true, on_answer, a, e);
	free(path);
	a->busy = rc == 0;
	return rc;
}

static int
send_update(struct docker_action *a, const char *service_json, size_t len, struct err *e)
{
	struct docker_request rq;
	int rc;

	memset(&rq, 0, sizeof rq);
	switch (a->op) {
	case OP_SCALE:
		rc = docker_scale_request(service_json, len, a->replicas, &rq, e);
		break;
	case OP_RESTART:
		rc = docker_restart_request(service_json, len, &rq, e);
		break;
	default:
		rc = docker_rollback_request(service_json, len, &rq, e);
		break;
	}
	if (rc < 0)
		return -1;
	a->step = STEP_UPDATE;
	rc = http_submit(a->http, &a->ep, rq.method, rq.path, rq.body, false, on_answer, a, e);
	docker_request_done(&rq);
	a->busy = rc == 0;
	if (rc == 0)
		a->attempts++; /* counts updates sent, not refused locally */
	return rc;
}

/* Restart the next container of the list. */
static int
send_container(struct docker_action *a, struct err *e)
{
	struct docker_request rq;
	int rc;

	docker_container_restart_request(a->ids[a->next_id], CONTAINER_STOP_SECONDS, &rq);
	a->step = STEP_CONTAINER;
	rc = http_submit(a->http, &a->ep, rq.method, rq.path, NULL, false, on_answer, a, e);
	docker_request_done(&rq);
	a->busy = rc == 0;
	if (rc == 0)
		a->attempts++;
	return rc;
}

static void
on_answer(void *ud, const struct http_response *resp)
{
	struct docker_action *a = ud;
	struct docker_action_result r;
	char *warnings = NULL;

	a->busy = false;
	memset(&r, 0, sizeof r);
	err_clear(&r.err);
	if (a->cancelled) {
		finish(a, &r);
		return;
	}
	if (a->step == STEP_CONTAINER) {
		if (resp->err.code != ERR_OK) {
			r.err = resp->err;
			r.unknown = resp->err.code == ERR_TIMEOUT;
		} else if (resp->status / 100 != 2) {
			r.fail = docker_parse_error(resp->status, resp->body, resp->len, &r.err);
		} else if (++a->next_id < a->nids) {
			if (send_container(a, &r.err) == 0)
				return; /* the next one, only once this one runs again */
		} else {
			r.ok = true;
		}
		finish(a, &r);
		return;
	}
	if (resp->err.code != ERR_OK) {
		r.err = resp->err;
		/* The update may have reached the daemon: never guess, never retry. */
		r.unknown = a->step == STEP_UPDATE && resp->err.code == ERR_TIMEOUT;
		finish(a, &r);
		return;
	}
	if (a->step == STEP_READ) {
		if (resp->status / 100 != 2) {
			r.fail = docker_parse_error(resp->status, resp->body, resp->len, &r.err);
			finish(a, &r);
		} else if (send_update(a, resp->body, resp->len, &r.err) < 0) {
			finish(a, &r);
		}
		return;
	}
	if (docker_parse_update(resp->status, resp->body, resp->len, &warnings, &r.fail, &r.err) ==
	    0) {
		r.ok = true;
		r.warnings = warnings;
		finish(a, &r);
		free(warnings);
		return;
	}
	if (r.fail == DOCKER_FAIL_OUT_OF_SEQUENCE && a->attempts < 2) {
		/* Someone else updated it between our read and write: read again, once. */
		if (send_read(a, &r.err) == 0)
			return;
	}
	finish(a, &r);
}

struct docker_action *
docker_action_start(struct http *http, const struct http_endpoint *ep, const char *runtime_name,
		    enum op_kind op, long replicas, docker_action_done_fn done, void *ud,
		    struct err *e)
{
	struct docker_action *a = xcalloc(1, sizeof *a);

	a->http = http;
	a->ep = *ep;
	a->url = xstrdup(ep->url);
	a->name_field = xstrdup(ep->name);
	a->ep.url = a->url;
	a->ep.name = a->name_field;
	a->runtime_name = xstrdup(runtime_name);
	a->op = op;
	a->replicas = replicas;
	a->done = done;
	a->ud = ud;
	if (send_read(a, e) < 0) {
		free(a->url);
		free(a->name_field);
		free(a->runtime_name);
		free(a);
		return NULL;
	}
	return a;
}

struct docker_action *
docker_action_restart_containers(struct http *http, const struct http_endpoint *ep,
				 const char *const *ids, size_t n, docker_action_done_fn done,
				 void *ud, struct err *e)
{
	struct docker_action *a;
	size_t i;

	if (n == 0) {
		err_set(e, ERR_USAGE, "docker: no container to restart");
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	a->http = http;
	a->ep = *ep;
	a->url = xstrdup(ep->url);
	a->name_field = xstrdup(ep->name);
	a->ep.url = a->url;
	a->ep.name = a->name_field;
	/* The daemon answers once the container is back: allow its stop timeout. */
	if (a->ep.timeout_ms < (CONTAINER_STOP_SECONDS + 25) * 1000L)
		a->ep.timeout_ms = (CONTAINER_STOP_SECONDS + 25) * 1000L;
	a->runtime_name = xstrdup(ids[0]);
	a->op = OP_RESTART;
	a->done = done;
	a->ud = ud;
	a->ids = xcalloc(n, sizeof *a->ids);
	for (i = 0; i < n; i++)
		a->ids[i] = xstrdup(ids[i]);
	a->nids = n;
	if (send_container(a, e) < 0) {
		free_ids(a);
		free(a->url);
		free(a->name_field);
		free(a->runtime_name);
		free(a);
		return NULL;
	}
	return a;
}

void
docker_action_cancel(struct docker_action *a)
{
	if (a != NULL)
		a->cancelled = true; /* freed when its request answers */
}

void
docker_action_abandon(struct docker_action *a)
{
	if (a == NULL)
		return;
	free_ids(a);
	free(a->url);
	free(a->name_field);
	free(a->runtime_name);
	free(a);
}
