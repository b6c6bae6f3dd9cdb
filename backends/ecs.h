/*
 * ecs.h - the Amazon ECS API (JSON 1.1 protocol) for services, tasks and
 * deployments: request bodies, pure response parsers, the rollout state in
 * Swarm's words, and the UpdateService bodies of the three actions.
 *
 * Every call is POST / with "X-Amz-Target: AmazonEC2ContainerServiceV20141113.
 * <Operation>" and "Content-Type: application/x-amz-json-1.1" (ecs_headers),
 * signed with SigV4 by libcurl (struct http_endpoint.aws_sigv4).  Reads are
 * the List* and Describe* operations (ecs_is_read sees only the path "/": the
 * caller declares each request; UpdateService is never declared a read).
 * An error answer {"__type": "...#ServiceNotFoundException", "message": ".."}
 * is reported verbatim: "ecs: ServiceNotFoundException: ..."; a
 * ThrottlingException sets *throttled so the poller backs off.  Times are
 * unix seconds as double (ECS sends epoch seconds with fractions).  Strings
 * in records are owned and never NULL ("" when absent).
 */
#ifndef OPSDECK_BACKENDS_ECS_H
#define OPSDECK_BACKENDS_ECS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"

/*
 * The two headers of an operation: out[0] = "X-Amz-Target: AmazonEC2Container
 * ServiceV20141113.<operation>" written into target (borrowed; 96 bytes fit
 * every operation; too small a buffer gets "" and ECS refuses the call),
 * out[1] = "Content-Type: application/x-amz-json-1.1" (static).
 */
void ecs_headers(const char *operation, const char *out[2], char *target, size_t target_len);

/* ECS's allow-list for struct http_endpoint.is_read: POST / (the caller declares reads). */
bool ecs_is_read(enum http_method method, const char *path);

/*
 * ---- request bodies (new JSON strings) --------------------------------------
 * cluster NULL or "" = the account's default cluster; next_token NULL or ""
 * = the first page.  The Describe* builders return NULL when n is 0 or over
 * ECS's limit (a caller's bug: split the ARNs into batches).
 */

char *ecs_list_services_body(const char *cluster, const char *next_token); /* maxResults 100 */
char *ecs_describe_services_body(const char *cluster, const char *const *arns, size_t n); /* n <= 10 */
char *ecs_list_tasks_body(const char *cluster, const char *service, const char *next_token);
/* ListTasks with desiredStatus STOPPED: the tasks ECS stopped in the last hour or so (why they died). */
char *ecs_list_stopped_tasks_body(const char *cluster, const char *service, const char *next_token);
char *ecs_describe_tasks_body(const char *cluster, const char *const *arns, size_t n); /* n <= 100 */
char *ecs_list_task_definitions_body(const char *family, const char *next_token); /* ACTIVE, newest first */
char *ecs_describe_task_definition_body(const char *task_definition);
char *ecs_update_scale_body(const char *cluster, const char *service, long desired);
char *ecs_update_restart_body(const char *cluster, const char *service); /* forceNewDeployment */
char *ecs_update_task_definition_body(const char *cluster, const char *service,
				      const char *task_definition);

/* ---- records -------------------------------------------------------------------- */

struct ecs_deployment {
	char *id;
	char *status;          /* "PRIMARY", "ACTIVE", "INACTIVE" */
	char *task_definition; /* ARN */
	char *rollout_state;   /* "IN_PROGRESS", "COMPLETED", "FAILED", "" */
	char *rollout_reason;
	long desired, running, pending, failed;
	double created, updated;
};

struct ecs_event {
	char *id;
	double created;
	char *message; /* "(service orders) has reached a steady state." */
};

struct ecs_service {
	char *arn, *name, *cluster_arn;
	char *status;          /* "ACTIVE", "DRAINING", "INACTIVE" */
	long desired, running, pending;
	char *launch_type;     /* "FARGATE", "EC2", or the capacity provider strategy's first */
	char *task_definition; /* ARN */
	char *family_revision; /* "orders:41" from the ARN */
	struct ecs_deployment *deployments; /* PRIMARY first */
	size_t ndeployments;
	struct ecs_event *events; /* newest first, at most 100 as ECS keeps them */
	size_t nevents;
	char **target_groups;  /* loadBalancers[].targetGroupArn */
	size_t ntarget_groups;
	bool circuit_breaker_rollback; /* deploymentCircuitBreaker.rollback enabled */
	double created;
};

struct ecs_container {
	char *name, *last_status, *health_status, *reason;
	int exit_code;   /* -1 none */
	bool has_exit_code;
};

struct ecs_task {
	char *arn, *id;             /* id = the ARN's last part */
	char *last_status, *desired_status, *health_status;
	char *stopped_reason, *stop_code;
	char *availability_zone, *task_definition, *launch_type;
	double created, started, stopped;
	struct ecs_container *containers;
	size_t ncontainers;
};

struct ecs_task_definition {
	char *arn, *family;
	long revision;
	char *status;      /* "ACTIVE", "INACTIVE" */
	char *images;      /* containerDefinitions[].image joined with ", " */
	double registered; /* registeredAt */
};

/* ---- parsers ---------------------------------------------------------------------- */

/*
 * The error of a non-2xx answer: "ecs: <Type>: <message>" with advice for
 * the common ones (ClusterNotFoundException names [ecs] cluster,
 * UnrecognizedClientException / InvalidSignatureException /
 * ExpiredTokenException the credentials).  *throttled (may be NULL) is set
 * for ThrottlingException / TooManyRequestsException.  Returns -1.
 */
int ecs_parse_error(long status, const char *body, size_t len, bool *throttled, struct err *e);

/*
 * {"serviceArns": [...], "nextToken": ".."}; also ListTasks' taskArns and
 * ListTaskDefinitions' taskDefinitionArns.  *next_token (new) is "" on the
 * last page.  On failure *arns and *next_token are NULL and *n 0.
 */
int ecs_parse_arns(long status, const char *body, size_t len, char ***arns, size_t *n,
		   char **next_token, bool *throttled, struct err *e);
void ecs_arns_free(char **arns, size_t n);

/*
 * DescribeServices / DescribeTasks: the records (new array; PRIMARY
 * deployment first, events newest first), and failures[] (an ARN ECS no
 * longer knows: "MISSING") as a warning: the call returns 0 and e holds
 * ERR_BACKEND naming the first failure and how many there were; e is
 * ERR_OK when there were none.  On -1, *out is NULL and *n 0.
 */
int ecs_parse_services(long status, const char *body, size_t len, struct ecs_service **out,
		       size_t *n, bool *throttled, struct err *e);
void ecs_services_free(struct ecs_service *s, size_t n);
int ecs_parse_tasks(long status, const char *body, size_t len, struct ecs_task **out, size_t *n,
		    bool *throttled, struct err *e);
void ecs_tasks_free(struct ecs_task *t, size_t n);
int ecs_parse_task_definition(long status, const char *body, size_t len,
			      struct ecs_task_definition *out, bool *throttled, struct err *e);
void ecs_task_definition_done(struct ecs_task_definition *t);

/* ---- state ------------------------------------------------------------------------- */

/*
 * In Swarm's words for the action machinery: "updating" while more than
 * one deployment is live or the PRIMARY's rolloutState is IN_PROGRESS or
 * its running != desired (message = the PRIMARY's rolloutStateReason);
 * "failed" when the PRIMARY's rolloutState is FAILED (message = its
 * reason) or the newest event says the circuit breaker stopped a rollout
 * ("deployment failed", "rolling back to deployment"; message = the
 * FAILED deployment's reason, else that event) - checked first, so a
 * rollback under way reads "failed" until ECS reports a steady state;
 * else "completed".  Static string; *message (may be NULL) borrowed from
 * s, NULL or not empty.
 */
const char *ecs_rollout_state(const struct ecs_service *s, const char **message);

/*
 * The task definition a rollback goes to: the newest ACTIVE revision of the
 * family below the service's current one, from arns (ListTaskDefinitions,
 * any order).  New string, or NULL with e ("no previous ACTIVE revision of
 * orders").
 */
char *ecs_previous_task_definition(const struct ecs_service *s, char *const *arns, size_t n,
				   struct err *e);
/* "orders:41" from an ARN (new). */
char *ecs_family_revision(const char *task_definition_arn);

#endif
