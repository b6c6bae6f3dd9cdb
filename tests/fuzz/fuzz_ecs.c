/*
 * fuzz_ecs.c - libFuzzer harness for the ECS parsers, the rollout state,
 * the rollback target and the request bodies.
 *
 * Every input is fed to the List*, DescribeServices, DescribeTasks and
 * DescribeTaskDefinition parsers and to the error reader under the
 * statuses ECS and proxies answer with, and the results are checked for
 * the parsers' promises: empty output and a message naming ecs on
 * failure; on success strings never NULL, PRIMARY first, events newest
 * first and at most 100, a rollout state among the three with a message
 * that is NULL or not empty, a rollback target of the service's family
 * below its revision.  The input is also a cluster, service and token for
 * the bodies, which must stay JSON objects that keep them as data.  The
 * corpus holds the fixtures verbatim, so `make test` re-checks them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ecs.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
	CHECK(strncmp(e->msg, "ecs: ", 5) == 0);
}

static void
arns(long status, const char *body, size_t len, char ***out, size_t *n)
{
	char *next;
	struct err e;
	size_t i;

	err_clear(&e);
	*out = NULL;
	*n = 0;
	if (ecs_parse_arns(status, body, len, out, n, &next, NULL, &e) < 0) {
		check_err(&e);
		CHECK(*out == NULL && *n == 0 && next == NULL);
		return;
	}
	CHECK(status >= 200 && status <= 299 && next != NULL && *out != NULL);
	for (i = 0; i < *n; i++)
		CHECK((*out)[i] != NULL && (*out)[i][0] != '\0');
	free(next);
}

static void
service(const struct ecs_service *s, char **tds, size_t ntds)
{
	const char *st, *msg;
	struct err e;
	char *prev;
	size_t k;

	CHECK(s->arn && s->arn[0] && s->name && s->cluster_arn && s->status && s->launch_type);
	CHECK(s->task_definition && s->family_revision);
	CHECK(s->ndeployments == 0 || s->deployments != NULL);
	for (k = 0; k < s->ndeployments; k++) {
		const struct ecs_deployment *d = &s->deployments[k];

		CHECK(d->id && d->status && d->task_definition && d->rollout_state &&
		      d->rollout_reason);
		CHECK(k == 0 || strcmp(d->status, "PRIMARY") != 0 ||
		      strcmp(s->deployments[0].status, "PRIMARY") == 0);
	}
	CHECK(s->nevents <= 100);
	for (k = 0; k < s->nevents; k++) {
		CHECK(s->events[k].id && s->events[k].message);
		CHECK(k == 0 || s->events[k - 1].created >= s->events[k].created);
	}
	for (k = 0; k < s->ntarget_groups; k++)
		CHECK(s->target_groups[k] != NULL && s->target_groups[k][0] != '\0');
	msg = NULL;
	st = ecs_rollout_state(s, &msg);
	CHECK(strcmp(st, "updating") == 0 || strcmp(st, "failed") == 0 ||
	      strcmp(st, "completed") == 0);
	CHECK(msg == NULL || msg[0] != '\0');
	err_clear(&e);
	prev = ecs_previous_task_definition(s, tds, ntds, &e);
	if (prev == NULL) {
		check_err(&e);
	} else {
		char *a = ecs_family_revision(prev), *b = s->family_revision;
		const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

		CHECK(ca != NULL && cb != NULL && ca - a == cb - b &&
		      memcmp(a, b, (size_t)(ca - a)) == 0);
		CHECK(strtol(ca + 1, NULL, 10) < strtol(cb + 1, NULL, 10));
		free(a);
		free(prev);
	}
}

static void
services(long status, const char *body, size_t len, char **tds, size_t ntds)
{
	struct ecs_service *s;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (ecs_parse_services(status, body, len, &s, &n, NULL, &e) < 0) {
		check_err(&e);
		CHECK(s == NULL && n == 0);
		return;
	}
	CHECK(e.code == ERR_OK || e.code == ERR_BACKEND);
	for (i = 0; i < n; i++)
		service(&s[i], tds, ntds);
	ecs_services_free(s, n);
}

static void
tasks(long status, const char *body, size_t len)
{
	struct ecs_task *t;
	struct err e;
	size_t n, i, k;

	err_clear(&e);
	if (ecs_parse_tasks(status, body, len, &t, &n, NULL, &e) < 0) {
		check_err(&e);
		CHECK(t == NULL && n == 0);
		return;
	}
	for (i = 0; i < n; i++) {
		CHECK(t[i].arn && t[i].id && t[i].last_status && t[i].desired_status);
		CHECK(t[i].health_status && t[i].stopped_reason && t[i].stop_code);
		CHECK(t[i].availability_zone && t[i].task_definition && t[i].launch_type);
		for (k = 0; k < t[i].ncontainers; k++) {
			const struct ecs_container *c = &t[i].containers[k];

			CHECK(c->name && c->last_status && c->health_status && c->reason);
			CHECK(c->has_exit_code || c->exit_code == -1);
		}
	}
	ecs_tasks_free(t, n);
}

static void
definition(long status, const char *body, size_t len)
{
	struct ecs_task_definition td;
	struct err e;

	err_clear(&e);
	if (ecs_parse_task_definition(status, body, len, &td, NULL, &e) < 0) {
		check_err(&e);
		CHECK(td.arn == NULL);
		return;
	}
	CHECK(td.arn[0] && td.family && td.status && td.images);
	ecs_task_definition_done(&td);
}

/* The body is a JSON object that holds s where it was put. */
static void
body_keeps(char *body, const char *key, const char *s)
{
	json_t *o = json_loads(body, 0, NULL);

	CHECK(json_is_object(o));
	if (s != NULL && s[0] != '\0')
		CHECK(strcmp(json_string_value(json_object_get(o, key)), s) == 0);
	json_decref(o);
	free(body);
}

static void
bodies(const char *s)
{
	const char *one[1] = { s };
	const char *h[2];
	char target[96];
	json_t *utf8 = json_string(s);

	/* jansson refuses strings that are not UTF-8: then the member is left out */
	if (utf8 == NULL)
		return;
	json_decref(utf8);
	body_keeps(ecs_list_services_body(s, s), "nextToken", s);
	body_keeps(ecs_list_tasks_body(s, s, NULL), "serviceName", s);
	body_keeps(ecs_list_stopped_tasks_body(s, "x", s), "cluster", s);
	body_keeps(ecs_list_task_definitions_body(s, NULL), "familyPrefix", s);
	body_keeps(ecs_describe_services_body(s, one, 1), "cluster", s);
	body_keeps(ecs_describe_tasks_body(NULL, one, 1), "cluster", NULL);
	body_keeps(ecs_update_scale_body(s, s, 3), "service", s);
	body_keeps(ecs_update_restart_body("c", s), "service", s);
	body_keeps(ecs_update_task_definition_body("c", "s", s), "taskDefinition", s);
	ecs_headers(s, h, target, sizeof target);
	CHECK(h[0] == target && strlen(target) < sizeof target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 429, 502 };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *str = malloc(size + 1);
	char **tds;
	size_t i, ntds;
	bool thr;
	struct err e;

	if (size > 0)
		memcpy(body, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		arns(statuses[i], body, size, &tds, &ntds);
		services(statuses[i], body, size, tds, ntds);
		ecs_arns_free(tds, ntds);
		tasks(statuses[i], body, size);
		definition(statuses[i], body, size);
		err_clear(&e);
		thr = false;
		CHECK(ecs_parse_error(statuses[i], body, size, &thr, &e) == -1);
		check_err(&e);
		CHECK(!thr || statuses[i] != 200 || strstr(e.msg, "Throttl") != NULL ||
		      strstr(e.msg, "TooManyRequests") != NULL ||
		      strstr(e.msg, "RequestLimitExceeded") != NULL);
	}
	bodies(str);
	free(str);
	free(body);
	return 0;
}
