/*
 * ecs.c - the ECS backend's headers, read allow-list, request bodies,
 * rollout state and rollback target (see ecs.h).  The parsers are in
 * ecs_parse.c and ecs_tasks.c.
 *
 * Bodies are built with jansson, never by pasting strings: a service or
 * cluster name is the user's text and must not be able to change the
 * JSON around it.  jansson keeps the members in the order set here.
 */
#include "ecs.h"
#include "ecs_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "xalloc.h"

#define TARGET_PREFIX "AmazonEC2ContainerServiceV20141113."
#define MAX_DESCRIBE_SERVICES 10
#define MAX_DESCRIBE_TASKS 100
#define PAGE 100

void
ecs_headers(const char *operation, const char *out[2], char *target, size_t target_len)
{
	int n = -1;

	if (target_len > 0)
		n = snprintf(target, target_len, "X-Amz-Target: " TARGET_PREFIX "%s",
			     operation != NULL ? operation : "");
	if ((n < 0 || (size_t)n >= target_len) && target_len > 0)
		target[0] = '\0';
	out[0] = target;
	out[1] = "Content-Type: application/x-amz-json-1.1";
}

/*
 * Every ECS call is POST /: the path cannot tell a Describe from an
 * UpdateService, so this only says the shape is ECS's and leaves the
 * decision to what the caller declares (http_submit's is_read).
 */
bool
ecs_is_read(enum http_method method, const char *path)
{
	return method == HTTP_POST && path != NULL && strcmp(path, "/") == 0;
}

/* ---- bodies ---------------------------------------------------------------------- */

/* new: the compact JSON of o (stolen). */
static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	char *out;

	json_decref(o);
	if (s == NULL)
		return NULL;
	out = xstrdup(s);
	free(s);
	return out;
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL && *v != '\0')
		json_object_set_new(o, key, json_string(v));
}

static json_t *
with_cluster(const char *cluster)
{
	json_t *o = json_object();

	set_str(o, "cluster", cluster);
	return o;
}

/* new: an array of n strings, or NULL when n is 0, over max, or one is NULL. */
static json_t *
strings(const char *const *s, size_t n, size_t max)
{
	json_t *a;
	size_t i;

	if (s == NULL || n == 0 || n > max)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++) {
		json_t *v = s[i] != NULL ? json_string(s[i]) : NULL;

		if (v == NULL) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, v);
	}
	return a;
}

char *
ecs_list_services_body(const char *cluster, const char *next_token)
{
	json_t *o = with_cluster(cluster);

	set_str(o, "nextToken", next_token);
	json_object_set_new(o, "maxResults", json_integer(PAGE));
	return dump(o);
}

char *
ecs_describe_services_body(const char *cluster, const char *const *arns, size_t n)
{
	json_t *o, *a = strings(arns, n, MAX_DESCRIBE_SERVICES);

	if (a == NULL)
		return NULL;
	o = with_cluster(cluster);
	json_object_set_new(o, "services", a);
	return dump(o);
}

static char *
list_tasks(const char *cluster, const char *service, const char *next_token, bool stopped)
{
	json_t *o = with_cluster(cluster);

	set_str(o, "serviceName", service);
	if (stopped)
		json_object_set_new(o, "desiredStatus", json_string("STOPPED"));
	set_str(o, "nextToken", next_token);
	json_object_set_new(o, "maxResults", json_integer(PAGE));
	return dump(o);
}

char *
ecs_list_tasks_body(const char *cluster, const char *service, const char *next_token)
{
	return list_tasks(cluster, service, next_token, false);
}

char *
ecs_list_stopped_tasks_body(const char *cluster, const char *service, const char *next_token)
{
	return list_tasks(cluster, service, next_token, true);
}

char *
ecs_describe_tasks_body(const char *cluster, const char *const *arns, size_t n)
{
	json_t *o, *a = strings(arns, n, MAX_DESCRIBE_TASKS);

	if (a == NULL)
		return NULL;
	o = with_cluster(cluster);
	json_object_set_new(o, "tasks", a);
	return dump(o);
}

char *
ecs_list_task_definitions_body(const char *family, const char *next_token)
{
	json_t *o = json_object();

	set_str(o, "familyPrefix", family);
	json_object_set_new(o, "status", json_string("ACTIVE"));
	json_object_set_new(o, "sort", json_string("DESC"));
	set_str(o, "nextToken", next_token);
	json_object_set_new(o, "maxResults", json_integer(PAGE));
	return dump(o);
}

char *
ecs_describe_task_definition_body(const char *task_definition)
{
	json_t *o = json_object();

	json_object_set_new(o, "taskDefinition",
			    json_string(task_definition != NULL ? task_definition : ""));
	return dump(o);
}

static json_t *
update(const char *cluster, const char *service)
{
	json_t *o = with_cluster(cluster);

	json_object_set_new(o, "service", json_string(service != NULL ? service : ""));
	return o;
}

char *
ecs_update_scale_body(const char *cluster, const char *service, long desired)
{
	json_t *o = update(cluster, service);

	json_object_set_new(o, "desiredCount", json_integer(desired));
	return dump(o);
}

char *
ecs_update_restart_body(const char *cluster, const char *service)
{
	json_t *o = update(cluster, service);

	json_object_set_new(o, "forceNewDeployment", json_true());
	return dump(o);
}

char *
ecs_update_task_definition_body(const char *cluster, const char *service,
				const char *task_definition)
{
	json_t *o = update(cluster, service);

	json_object_set_new(o, "taskDefinition",
			    json_string(task_definition != NULL ? task_definition : ""));
	return dump(o);
}

/* ---- state --------------------------------------------------------------------------- */

/* Whether an event says the deployment circuit breaker stopped a rollout. */
static bool
breaker_event(const char *m)
{
	return strstr(m, "rolling back to deployment") != NULL ||
	       strstr(m, "deployment failed") != NULL || strstr(m, "circuit breaker") != NULL;
}

/* The reason of a FAILED deployment (borrowed), else NULL. */
static const char *
failed_reason(const struct ecs_service *s)
{
	size_t i;

	for (i = 0; i < s->ndeployments; i++)
		if (strcmp(s->deployments[i].rollout_state, "FAILED") == 0 &&
		    s->deployments[i].rollout_reason[0] != '\0')
			return s->deployments[i].rollout_reason;
	return NULL;
}

/*
 * The order: a failure is reported even while ECS rolls back (the
 * rollback is itself a rolling deployment, which would otherwise read as
 * a plain "updating"); the newest event tells, because once the rollback
 * settles ECS writes "reached a steady state" after it.
 */
const char *
ecs_rollout_state(const struct ecs_service *s, const char **message)
{
	const struct ecs_deployment *primary = NULL;
	const char *msg = NULL, *state;
	size_t i, live = 0;

	for (i = 0; i < s->ndeployments; i++) {
		const char *st = s->deployments[i].status;

		if (strcmp(st, "PRIMARY") == 0 && primary == NULL)
			primary = &s->deployments[i];
		if (strcmp(st, "PRIMARY") == 0 || strcmp(st, "ACTIVE") == 0)
			live++;
	}
	if (primary != NULL && strcmp(primary->rollout_state, "FAILED") == 0) {
		state = "failed";
		msg = primary->rollout_reason;
	} else if (s->nevents > 0 && breaker_event(s->events[0].message)) {
		state = "failed";
		msg = failed_reason(s);
		if (msg == NULL)
			msg = s->events[0].message;
	} else if (live > 1 ||
		   (primary != NULL && (strcmp(primary->rollout_state, "IN_PROGRESS") == 0 ||
					primary->running != primary->desired)) ||
		   (primary == NULL && s->running != s->desired)) {
		state = "updating";
		if (primary != NULL)
			msg = primary->rollout_reason;
	} else {
		state = "completed";
	}
	if (message != NULL)
		*message = msg != NULL && *msg != '\0' ? msg : NULL;
	return state;
}

/* The family (length into *flen) and revision of an ARN or "family:revision"; -1 when none. */
static long
split(const char *arn, const char **family, size_t *flen)
{
	const char *slash, *colon, *p;
	char *end;
	long rev;

	if (arn == NULL)
		return -1;
	slash = strrchr(arn, '/');
	p = slash != NULL ? slash + 1 : arn;
	colon = strrchr(p, ':');
	if (colon == NULL || colon == p || !isdigit((unsigned char)colon[1]))
		return -1;
	errno = 0;
	rev = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || rev < 1)
		return -1;
	*family = p;
	*flen = (size_t)(colon - p);
	return rev;
}

char *
ecs_family_revision(const char *task_definition_arn)
{
	const char *slash;

	if (task_definition_arn == NULL)
		return xstrdup("");
	slash = strrchr(task_definition_arn, '/');
	return xstrdup(slash != NULL ? slash + 1 : task_definition_arn);
}

char *
ecs_previous_task_definition(const struct ecs_service *s, char *const *arns, size_t n,
			     struct err *e)
{
	const char *fam, *f;
	size_t flen, l, i;
	long cur, rev, best_rev = 0;
	const char *best = NULL;

	cur = split(s->task_definition, &fam, &flen);
	if (cur < 0) {
		err_set(e, ERR_USAGE,
			"ecs: service %s: its task definition '%s' has no revision — nothing to "
			"roll back from",
			s->name, s->task_definition);
		return NULL;
	}
	for (i = 0; arns != NULL && i < n; i++) {
		rev = split(arns[i], &f, &l);
		if (rev < 0 || rev >= cur || l != flen || memcmp(f, fam, flen) != 0)
			continue;
		if (rev > best_rev) {
			best_rev = rev;
			best = arns[i];
		}
	}
	if (best == NULL) {
		err_set(e, ERR_USAGE,
			"ecs: no previous ACTIVE revision of %.*s below %ld — register one, or "
			"pick "
			"a task definition by hand (a deregistered revision cannot be deployed)",
			(int)flen, fam, cur);
		return NULL;
	}
	return xstrdup(best);
}
