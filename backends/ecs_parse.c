/*
 * ecs_parse.c - the envelope of every ECS answer (see ecs.h and
 * ecs_internal.h): errors, the JSON object, the readers the parsers share,
 * and the ListServices / ListTasks / ListTaskDefinitions and
 * DescribeServices parsers.  DescribeTasks and DescribeTaskDefinition are
 * in ecs_tasks.c.
 *
 * ECS (the JSON 1.1 protocol) leaves out what is unset: a missing member
 * reads as its zero value, and a member of the wrong type reads as absent
 * rather than failing the page.  Only a record that is not an object, or
 * has no ARN, fails it: a table drawn with a hole in it would mislead.
 *
 * An error answer's "__type" is a shape name, sometimes with the model's
 * namespace before a '#' ("com.amazonaws.ecs#ClusterNotFoundException")
 * and sometimes with a URL after a ':'; both are cut off, as the SDKs do.
 */
#include "ecs.h"
#include "ecs_internal.h"
#include "aws_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http.h"
#include "xalloc.h"

#define MAX_EVENTS 100
#define MAX_MESSAGE 300 /* of ECS's message in ours, so the advice still fits */

/* ---- readers ------------------------------------------------------------------- */

char *
ecs_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return xstrdup(s != NULL ? s : "");
}

long
ecs_num(const json_t *o, const char *key, long dflt)
{
	json_t *j = json_object_get(o, key);
	double d;

	if (json_is_integer(j))
		return (long)json_integer_value(j);
	if (!json_is_real(j))
		return dflt;
	d = json_real_value(j);
	return d >= -2e18 && d <= 2e18 ? (long)d : dflt;
}

double
ecs_when(const json_t *o, const char *key)
{
	json_t *j = json_object_get(o, key);
	double d;

	if (json_is_string(j))
		return aws_time(json_string_value(j));
	if (!json_is_number(j))
		return 0;
	d = json_number_value(j);
	return d > 0 && d < 1e11 ? d : 0;
}

char *
ecs_arn_tail(const char *arn)
{
	const char *slash;

	if (arn == NULL)
		return xstrdup("");
	slash = strrchr(arn, '/');
	return xstrdup(slash != NULL ? slash + 1 : arn);
}

/* ---- errors ---------------------------------------------------------------------- */

struct advice {
	const char *type;
	enum err_code code;
	bool throttled;
	const char *tip; /* NULL: ECS's message says enough */
};

static const char creds_tip[] =
	"check the AWS credentials ([ecs] profile, AWS_PROFILE or the "
	"AWS_ACCESS_KEY_ID variables; aws sts get-caller-identity tests them)";
static const char expired_tip[] = "the session token has expired: renew the credentials (aws sso "
				  "login, the credential_process, or new AWS_* variables)";
static const char throttle_tip[] = "ECS is throttling the requests: opsdeck backs off; raise "
				   "[general] refresh if it lasts";
static const char server_tip[] = "an error on AWS's side: retried at the next refresh";

static const struct advice advices[] = {
	{ "ClusterNotFoundException", ERR_BACKEND, false,
	  "set [ecs] cluster to a cluster of this account and region (aws ecs list-clusters)" },
	{ "ServiceNotFoundException", ERR_BACKEND, false,
	  "the service is gone or in another cluster: refresh the list" },
	{ "ServiceNotActiveException", ERR_BACKEND, false,
	  "the service is being deleted or was deleted: refresh the list" },
	{ "AccessDeniedException", ERR_AUTH, false,
	  "the credentials' IAM policy does not allow this call" },
	{ "AccessDenied", ERR_AUTH, false, "the credentials' IAM policy does not allow this call" },
	{ "UnrecognizedClientException", ERR_AUTH, false, creds_tip },
	{ "InvalidClientTokenId", ERR_AUTH, false, creds_tip },
	{ "MissingAuthenticationTokenException", ERR_AUTH, false, creds_tip },
	{ "MissingAuthenticationToken", ERR_AUTH, false, creds_tip },
	{ "IncompleteSignature", ERR_AUTH, false, creds_tip },
	{ "IncompleteSignatureException", ERR_AUTH, false, creds_tip },
	{ "InvalidSignatureException", ERR_AUTH, false,
	  "the secret key does not match the access key, or the system clock is off: check the "
	  "credentials and the time" },
	{ "SignatureDoesNotMatch", ERR_AUTH, false,
	  "the secret key does not match the access key: check the credentials" },
	{ "ExpiredTokenException", ERR_AUTH, false, expired_tip },
	{ "ExpiredToken", ERR_AUTH, false, expired_tip },
	{ "RequestExpired", ERR_AUTH, false,
	  "the request's time is too far from AWS's: check the system clock" },
	{ "ThrottlingException", ERR_BACKEND, true, throttle_tip },
	{ "Throttling", ERR_BACKEND, true, throttle_tip },
	{ "TooManyRequestsException", ERR_BACKEND, true, throttle_tip },
	{ "RequestLimitExceeded", ERR_BACKEND, true, throttle_tip },
	{ "ServerException", ERR_BACKEND, false, server_tip },
	{ "InternalFailure", ERR_BACKEND, false, server_tip },
	{ "ServiceUnavailable", ERR_BACKEND, false, server_tip },
	{ "ServiceUnavailableException", ERR_BACKEND, false, server_tip },
};

static const struct advice *
advice_of(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof advices / sizeof advices[0]; i++)
		if (strcmp(advices[i].type, type) == 0)
			return &advices[i];
	return NULL;
}

/* The shape name of an error code (into out): "ns#Name:url" gives "Name". */
static void
sanitize_type(const char *raw, char *out, size_t n)
{
	const char *hash;
	size_t len = strcspn(raw, ":");

	hash = memchr(raw, '#', len);
	if (hash != NULL) {
		len -= (size_t)(hash + 1 - raw);
		raw = hash + 1;
	}
	if (len >= n)
		len = n - 1;
	memcpy(out, raw, len);
	out[len] = '\0';
}

/* The error's message: "message", or "Message" as some services spell it. */
static const char *
message_of(const json_t *root)
{
	const char *m = json_string_value(json_object_get(root, "message"));

	if (m == NULL)
		m = json_string_value(json_object_get(root, "Message"));
	return m;
}

int
ecs_parse_error(long status, const char *body, size_t len, bool *throttled, struct err *e)
{
	json_t *root = NULL;
	const char *raw, *m;
	const struct advice *a;
	char type[96], snip[80];
	enum err_code code = status == 401 || status == 403 ? ERR_AUTH : ERR_BACKEND;
	int rc;

	if (throttled != NULL)
		*throttled = status == 429;
	if (body == NULL)
		len = 0;
	if (len > 0)
		root = json_loadb(body, len, 0, NULL);
	raw = json_string_value(json_object_get(root, "__type"));
	if (raw == NULL)
		raw = json_string_value(json_object_get(root, "code"));
	if (json_is_object(root) && raw != NULL) {
		sanitize_type(raw, type, sizeof type);
		if (type[0] == '\0')
			snprintf(type, sizeof type, "HTTP %ld", status);
		a = advice_of(type);
		if (a != NULL) {
			code = a->code;
			if (throttled != NULL && a->throttled)
				*throttled = true;
		}
		m = message_of(root);
		if (m == NULL || *m == '\0')
			m = "(no message)";
		if (a != NULL && a->tip != NULL)
			rc = err_set(e, code, "ecs: %s: %.*s — %s", type, MAX_MESSAGE, m, a->tip);
		else
			rc = err_set(e, code, "ecs: %s: %.*s", type, MAX_MESSAGE, m);
		json_decref(root);
		return rc;
	}
	json_decref(root);
	if (status <= 0)
		return err_set(e, ERR_HTTP,
			       "ecs: no answer — check [ecs] region and that the ECS endpoint is "
			       "reachable");
	http_body_excerpt(body, len, 60, 0, snip, sizeof snip);
	if (snip[0] == '\0')
		return err_set(e, code == ERR_AUTH ? ERR_AUTH : ERR_HTTP,
			       "ecs: HTTP %ld%s with an empty body — %s", status,
			       http_status_reason(status),
			       status == 429 ? throttle_tip
					     : "check [ecs] region and endpoint_url point at ECS");
	return err_set(e, code == ERR_AUTH ? ERR_AUTH : ERR_HTTP,
		       "ecs: HTTP %ld%s (body starts with '%s') — %s", status,
		       http_status_reason(status), snip,
		       status == 429 ? throttle_tip
				     : "check [ecs] region and endpoint_url point at ECS");
}

json_t *
ecs_load(long status, const char *body, size_t len, const char *what, bool *throttled,
	 struct err *e)
{
	json_t *root;
	char snip[64];

	if (throttled != NULL)
		*throttled = false;
	if (body == NULL)
		len = 0;
	if (status < 200 || status > 299) {
		ecs_parse_error(status, body, len, throttled, e);
		return NULL;
	}
	root = len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		http_body_excerpt(body, len, 40, 0, snip, sizeof snip);
		err_set(e, ERR_PARSE,
			"ecs: %s: HTTP %ld with a body that is not a JSON object (starts with "
			"'%s') — check [ecs] endpoint_url points at ECS",
			what, status, snip);
		return NULL;
	}
	return root;
}

/* ---- List* ----------------------------------------------------------------------- */

/* The ARN list of a List* answer (borrowed), and its name in *key. */
static json_t *
arn_list(json_t *root, const char **key)
{
	static const char *const known[] = { "serviceArns", "taskArns", "taskDefinitionArns",
					     "clusterArns" };
	const char *k;
	json_t *v;
	size_t i, n;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		v = json_object_get(root, known[i]);
		if (v != NULL) {
			*key = known[i];
			return v;
		}
	}
	json_object_foreach(root, k, v)
	{
		n = strlen(k);
		if (n > 4 && strcmp(k + n - 4, "Arns") == 0) {
			*key = k;
			return v;
		}
	}
	return NULL;
}

int
ecs_parse_arns(long status, const char *body, size_t len, char ***arns, size_t *n,
	       char **next_token, bool *throttled, struct err *e)
{
	json_t *root, *list, *v;
	const char *key = NULL;
	size_t i, count;
	char **out;

	*arns = NULL;
	*n = 0;
	*next_token = NULL;
	root = ecs_load(status, body, len, "List", throttled, e);
	if (root == NULL)
		return -1;
	list = arn_list(root, &key);
	if (!json_is_array(list) && !json_is_null(list)) {
		err_set(e, ERR_PARSE,
			"ecs: the answer has no serviceArns, taskArns or taskDefinitionArns list "
			"— check [ecs] endpoint_url points at ECS");
		json_decref(root);
		return -1;
	}
	count = json_array_size(list);
	out = xcalloc(count + 1, sizeof *out);
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v) || json_string_value(v)[0] == '\0') {
			err_set(e, ERR_PARSE, "ecs: %s[%zu] is not an ARN", key, i);
			ecs_arns_free(out, i);
			json_decref(root);
			return -1;
		}
		out[i] = xstrdup(json_string_value(v));
	}
	*next_token = ecs_str(root, "nextToken");
	*arns = out;
	*n = count;
	json_decref(root);
	return 0;
}

void
ecs_arns_free(char **arns, size_t n)
{
	size_t i;

	if (arns == NULL)
		return;
	for (i = 0; i < n; i++)
		free(arns[i]);
	free(arns);
}

/* ---- failures[] -------------------------------------------------------------------- */

void
ecs_failures_warn(const json_t *root, const char *what, struct err *e)
{
	json_t *f = json_object_get(root, "failures"), *first;
	const char *arn, *reason, *detail;
	size_t n = json_array_size(f);

	if (n == 0)
		return;
	first = json_array_get(f, 0);
	arn = json_string_value(json_object_get(first, "arn"));
	reason = json_string_value(json_object_get(first, "reason"));
	detail = json_string_value(json_object_get(first, "detail"));
	err_set(e, ERR_BACKEND, "ecs: %s: %zu failure%s, the first %s: %s%s%s%s", what, n,
		n == 1 ? "" : "s", arn != NULL ? arn : "(no ARN)",
		reason != NULL ? reason : "(no reason)", detail != NULL ? " (" : "",
		detail != NULL ? detail : "", detail != NULL ? ")" : "");
}

/* ---- DescribeServices ------------------------------------------------------------------ */

static void
parse_deployment(const json_t *j, struct ecs_deployment *d)
{
	d->id = ecs_str(j, "id");
	d->status = ecs_str(j, "status");
	d->task_definition = ecs_str(j, "taskDefinition");
	d->rollout_state = ecs_str(j, "rolloutState");
	d->rollout_reason = ecs_str(j, "rolloutStateReason");
	d->desired = ecs_num(j, "desiredCount", 0);
	d->running = ecs_num(j, "runningCount", 0);
	d->pending = ecs_num(j, "pendingCount", 0);
	d->failed = ecs_num(j, "failedTasks", 0);
	d->created = ecs_when(j, "createdAt");
	d->updated = ecs_when(j, "updatedAt");
}

/* Whether a goes before b: PRIMARY first, then the newest. */
static bool
deployment_before(const struct ecs_deployment *a, const struct ecs_deployment *b)
{
	bool pa = strcmp(a->status, "PRIMARY") == 0, pb = strcmp(b->status, "PRIMARY") == 0;

	if (pa != pb)
		return pa;
	return a->created > b->created;
}

/* Stable insertion sorts: ECS's own order is kept among equals. */
static void
sort_deployments(struct ecs_deployment *d, size_t n)
{
	struct ecs_deployment t;
	size_t i, k;

	for (i = 1; i < n; i++) {
		t = d[i];
		for (k = i; k > 0 && deployment_before(&t, &d[k - 1]); k--)
			d[k] = d[k - 1];
		d[k] = t;
	}
}

static void
sort_events(struct ecs_event *ev, size_t n)
{
	struct ecs_event t;
	size_t i, k;

	for (i = 1; i < n; i++) {
		t = ev[i];
		for (k = i; k > 0 && t.created > ev[k - 1].created; k--)
			ev[k] = ev[k - 1];
		ev[k] = t;
	}
}

/* The launch type, else the capacity provider strategy's first provider, else "". */
static char *
launch_type_of(const json_t *j)
{
	const char *lt = json_string_value(json_object_get(j, "launchType"));
	json_t *cps = json_array_get(json_object_get(j, "capacityProviderStrategy"), 0);

	if (lt != NULL && *lt != '\0')
		return xstrdup(lt);
	return ecs_str(cps, "capacityProvider");
}

static int
parse_service(const json_t *j, size_t idx, struct ecs_service *s, struct err *e)
{
	json_t *list, *v, *cb;
	size_t i, n;
	const char *arn = json_string_value(json_object_get(j, "serviceArn"));

	if (!json_is_object(j) || arn == NULL || *arn == '\0')
		return err_set(e, ERR_PARSE,
			       "ecs: DescribeServices: services[%zu] has no serviceArn", idx);
	s->arn = xstrdup(arn);
	s->name = ecs_str(j, "serviceName");
	if (s->name[0] == '\0') {
		free(s->name);
		s->name = ecs_arn_tail(arn);
	}
	s->cluster_arn = ecs_str(j, "clusterArn");
	s->status = ecs_str(j, "status");
	s->desired = ecs_num(j, "desiredCount", 0);
	s->running = ecs_num(j, "runningCount", 0);
	s->pending = ecs_num(j, "pendingCount", 0);
	s->launch_type = launch_type_of(j);
	s->task_definition = ecs_str(j, "taskDefinition");
	s->family_revision = ecs_family_revision(s->task_definition);
	s->created = ecs_when(j, "createdAt");
	cb = json_object_get(json_object_get(j, "deploymentConfiguration"),
			     "deploymentCircuitBreaker");
	s->circuit_breaker_rollback = json_is_true(json_object_get(cb, "enable")) &&
				      json_is_true(json_object_get(cb, "rollback"));

	list = json_object_get(j, "deployments");
	n = json_array_size(list);
	s->deployments = xcalloc(n + 1, sizeof *s->deployments);
	json_array_foreach(list, i, v)
	{
		if (json_is_object(v))
			parse_deployment(v, &s->deployments[s->ndeployments++]);
	}
	sort_deployments(s->deployments, s->ndeployments);
	/* a service that has no taskDefinition of its own (task sets): the PRIMARY's */
	if (s->task_definition[0] == '\0' && s->ndeployments > 0 &&
	    s->deployments[0].task_definition[0] != '\0') {
		free(s->task_definition);
		free(s->family_revision);
		s->task_definition = xstrdup(s->deployments[0].task_definition);
		s->family_revision = ecs_family_revision(s->task_definition);
	}

	list = json_object_get(j, "events");
	n = json_array_size(list);
	s->events = xcalloc(n + 1, sizeof *s->events);
	json_array_foreach(list, i, v)
	{
		if (!json_is_object(v))
			continue;
		s->events[s->nevents].id = ecs_str(v, "id");
		s->events[s->nevents].created = ecs_when(v, "createdAt");
		s->events[s->nevents].message = ecs_str(v, "message");
		s->nevents++;
	}
	sort_events(s->events, s->nevents);
	while (s->nevents > MAX_EVENTS) {
		s->nevents--;
		free(s->events[s->nevents].id);
		free(s->events[s->nevents].message);
	}

	list = json_object_get(j, "loadBalancers");
	n = json_array_size(list);
	s->target_groups = xcalloc(n + 1, sizeof *s->target_groups);
	json_array_foreach(list, i, v)
	{
		const char *tg = json_string_value(json_object_get(v, "targetGroupArn"));

		if (tg != NULL && *tg != '\0')
			s->target_groups[s->ntarget_groups++] = xstrdup(tg);
	}
	return 0;
}

int
ecs_parse_services(long status, const char *body, size_t len, struct ecs_service **out, size_t *n,
		   bool *throttled, struct err *e)
{
	json_t *root, *list, *v;
	struct ecs_service *s;
	size_t i, count;

	*out = NULL;
	*n = 0;
	err_clear(e);
	root = ecs_load(status, body, len, "DescribeServices", throttled, e);
	if (root == NULL)
		return -1;
	list = json_object_get(root, "services");
	if (list != NULL && !json_is_array(list) && !json_is_null(list)) {
		json_decref(root);
		return err_set(e, ERR_PARSE, "ecs: DescribeServices: services is not a list");
	}
	count = json_array_size(list);
	s = xcalloc(count + 1, sizeof *s);
	json_array_foreach(list, i, v)
	{
		if (parse_service(v, i, &s[i], e) < 0) {
			ecs_services_free(s, i + 1);
			json_decref(root);
			return -1;
		}
	}
	ecs_failures_warn(root, "DescribeServices", e);
	json_decref(root);
	*out = s;
	*n = count;
	return 0;
}

void
ecs_services_free(struct ecs_service *s, size_t n)
{
	size_t i, k;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(s[i].arn);
		free(s[i].name);
		free(s[i].cluster_arn);
		free(s[i].status);
		free(s[i].launch_type);
		free(s[i].task_definition);
		free(s[i].family_revision);
		for (k = 0; k < s[i].ndeployments; k++) {
			free(s[i].deployments[k].id);
			free(s[i].deployments[k].status);
			free(s[i].deployments[k].task_definition);
			free(s[i].deployments[k].rollout_state);
			free(s[i].deployments[k].rollout_reason);
		}
		free(s[i].deployments);
		for (k = 0; k < s[i].nevents; k++) {
			free(s[i].events[k].id);
			free(s[i].events[k].message);
		}
		free(s[i].events);
		for (k = 0; k < s[i].ntarget_groups; k++)
			free(s[i].target_groups[k]);
		free(s[i].target_groups);
	}
	free(s);
}
