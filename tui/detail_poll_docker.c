#include "detail_poll_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void
detail_poll_docker_drop(struct detail_poll *p)
{
	docker_tasks_free(p->tasks, p->ntasks);
	p->tasks = NULL;
	p->ntasks = 0;
	p->have_tasks = false;
	docker_services_free(p->svc, p->nsvc);
	p->svc = NULL;
	p->nsvc = 0;
	docker_containers_free(p->ctrs, p->nctrs);
	p->ctrs = NULL;
	p->nctrs = 0;
}

bool
detail_poll_is_swarm(const struct detail_poll *p)
{
	return strcmp(p->kind, "swarm") == 0;
}

/* /containers/json?all=1 filtered by labels (n "key=value" strings). */
static char *
containers_path(const char *const *labels, size_t n)
{
	json_t *f, *arr;
	char *js, *enc, *path;
	size_t i;

	if (n == 0)
		return docker_containers_path(true);
	f = json_object();
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(labels[i]));
	json_object_set_new(f, "label", arr);
	js = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(f);
	enc = http_urlencode(js != NULL ? js : "{}");
	free(js);
	path = xasprintf("/v" DOCKER_API_VERSION "/containers/json?all=1&filters=%s", enc);
	free(enc);
	return path;
}

void
detail_poll_docker_start_runtime(struct detail_poll *p)
{
	char *labels[2] = { NULL, NULL };
	size_t n = 0;

	detail_poll_docker_drop(p);
	if (detail_poll_is_swarm(p)) {
		detail_poll_submit(p, R_RUNTIME, K_TASKS,
				   docker_tasks_path(p->runtime_name, false));
		detail_poll_submit(p, R_RUNTIME, K_SERVICE, docker_service_path(p->runtime_name));
		labels[n++] = xasprintf("com.docker.swarm.service.name=%s", p->runtime_name);
	} else if (strcmp(p->kind, "compose") == 0) {
		const char *slash = strchr(p->runtime_id, '/');

		if (slash != NULL)
			labels[n++] = xasprintf("com.docker.compose.project=%.*s",
						(int)(slash - p->runtime_id), p->runtime_id);
		labels[n++] = xasprintf("com.docker.compose.service=%s", p->runtime_name);
	}
	detail_poll_submit(p, R_RUNTIME, K_CONTAINERS,
			   containers_path((const char *const *)labels, n));
	free(labels[0]);
	free(labels[1]);
}

void
detail_poll_docker_start_stats(struct detail_poll *p)
{
	size_t i, to = p->vis_to < p->d.ninst ? p->vis_to : p->d.ninst;
	size_t n = 0;

	for (i = p->vis_from; i < to && n < DP_MAX_VISIBLE; i++) {
		const struct detail_instance *in = &p->d.inst[i];
		struct dp_req *rq;

		if (in->container_id[0] == '\0')
			continue;
		n++;
		rq = detail_poll_submit(p, R_STATS, K_INSPECT,
					docker_container_path(in->container_id));
		if (rq != NULL)
			snprintf(rq->cid, sizeof rq->cid, "%s", in->container_id);
		if (strcmp(in->state, "running") != 0)
			continue; /* a stopped container has no CPU to sample */
		rq = detail_poll_submit(p, R_STATS, K_STATS, docker_stats_path(in->container_id));
		if (rq != NULL)
			snprintf(rq->cid, sizeof rq->cid, "%s", in->container_id);
	}
}

void
detail_poll_docker_finish_runtime(struct detail_poll *p, double now)
{
	struct detail_data *d = &p->d;
	struct detail_instance *inst = NULL;
	size_t n = 0;

	if (p->r[R_RUNTIME].failed) {
		d->runtime_err = p->r[R_RUNTIME].err;
		detail_poll_docker_drop(p);
		return;
	}
	err_clear(&d->runtime_err);
	detail_poll_set_str(&d->image, "");
	detail_poll_set_str(&d->tag, "");
	if (p->nsvc == 1) {
		const struct docker_service *s = &p->svc[0];

		detail_poll_set_str(&d->image, s->image);
		detail_poll_set_str(&d->tag, s->tag);
		detail_poll_set_str(&d->prev_image, s->previous_image);
		detail_poll_set_str(&d->prev_tag, s->previous_tag);
		detail_poll_set_str(&d->update_state, s->update_state);
		detail_poll_set_str(&d->update_message, s->update_message);
		d->update_started = s->update_started;
		d->update_completed = s->update_completed;
	}
	if (p->have_tasks) {
		const struct docker_task *best = detail_data_newest_failed(p->tasks, p->ntasks);

		detail_poll_set_str(&d->task_error, best ? best->error : "");
		d->task_error_at = best ? best->timestamp : 0;
		n = detail_data_from_tasks(p->tasks, p->ntasks, p->ctrs, p->nctrs, now, &inst);
	} else {
		char *image, *tag;

		n = detail_data_from_containers(p->ctrs, p->nctrs, p->runtime_name, p->runtime_id,
						p->context, &inst, &image, &tag);
		if (image != NULL) {
			free(d->image);
			free(d->tag);
			d->image = image;
			d->tag = tag;
		}
	}
	detail_data_instances_free(d->inst, d->ninst);
	d->inst = inst;
	d->ninst = n;
	d->have_runtime = true;
	detail_stats_apply(p->stats, p->d.inst, p->d.ninst);
	detail_poll_docker_drop(p);
}

void
detail_poll_docker_finish_stats(struct detail_poll *p, double mono)
{
	size_t i, to = p->vis_to < p->d.ninst ? p->vis_to : p->d.ninst;

	detail_stats_apply(p->stats, p->d.inst, p->d.ninst);
	/* A container sampled once is sampled again soon: CPU % needs two. */
	for (i = p->vis_from; i < to; i++) {
		const struct detail_instance *in = &p->d.inst[i];

		if (in->container_id[0] != '\0' && strcmp(in->state, "running") == 0 &&
		    isnan(in->cpu_pct) && p->r[R_STATS].next_due > mono + DP_SECOND_SAMPLE) {
			p->r[R_STATS].next_due = mono + DP_SECOND_SAMPLE;
			break;
		}
	}
}

int
detail_poll_docker_answer(struct detail_poll *p, const struct dp_req *rq,
			  const struct http_response *resp, struct err *e)
{
	enum docker_fail fail = DOCKER_FAIL_NONE;
	int rc = 0;

	switch (rq->kind) {
	case K_TASKS:
		rc = docker_parse_tasks(resp->status, resp->body, resp->len, &p->tasks, &p->ntasks,
					e);
		p->have_tasks = rc == 0;
		if (rc < 0 && resp->status == 503)
			rc = 0; /* not a manager: the containers tell */
		break;
	case K_SERVICE:
		rc = docker_parse_services(resp->status, resp->body, resp->len, &p->svc, &p->nsvc,
					   &fail, e);
		if (rc < 0 && (fail == DOCKER_FAIL_NOT_FOUND || fail == DOCKER_FAIL_NOT_MANAGER ||
			       fail == DOCKER_FAIL_UNSUPPORTED))
			rc = 0; /* gone, not a manager: no spec to show */
		break;
	case K_CONTAINERS:
		rc = docker_parse_containers(resp->status, resp->body, resp->len, &p->ctrs,
					     &p->nctrs, e);
		break;
	case K_INSPECT: {
		struct docker_container_detail dt;

		if (docker_parse_container(resp->status, resp->body, resp->len, &dt, e) == 0) {
			detail_stats_inspect(p->stats, rq->cid, &dt);
			docker_container_detail_done(&dt);
		}
		rc = 0; /* a container on another node, or gone: no stats, no failure */
		break;
	}
	case K_STATS: {
		struct docker_stats st;

		if (docker_parse_stats(resp->status, resp->body, resp->len, &st, e) == 0)
			detail_stats_sample(p->stats, rq->cid, &st);
		rc = 0;
		break;
	}
	default:
		break;
	}
	return rc;
}
