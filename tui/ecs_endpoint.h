/*
 * ecs_endpoint.h - one Amazon ECS cluster made into a connection: the
 * regional endpoint, SigV4 signing, and credentials that may change while
 * opsdeck runs.
 *
 * The profile is resolved as the AWS CLI resolves it (aws_config.h), with
 * [ecs] profile / region / endpoint_url taking precedence.  Requests go to
 * endpoint_url, else https://ecs.REGION.amazonaws.com, POST / signed by
 * libcurl ("aws:amz:REGION:ecs").  Credentials:
 *
 *   - static keys (the environment, or the profile's): used as they are;
 *   - credential_process: run as the CLI runs it (sh -c COMMAND, stdin
 *     from /dev/null, stdout captured, stderr's last line kept for the
 *     message), without blocking the loop, killed at its deadline; its
 *     answer is kept until a few minutes before its Expiration;
 *   - role_arn + source_profile: STS AssumeRole through http (POST /,
 *     form body, signed "aws:amz:REGION:sts"), kept likewise.
 *
 * An answer saying the credentials expired (ExpiredTokenException, "the
 * security token included in the request is expired") drops temporary
 * credentials once per generation: the request is sent again with new
 * ones.  Secrets (the secret access key, the session token) live only in
 * the endpoint's password and token header, never in a message, an argv,
 * the screen or the audit log, and are wiped when replaced and at free.
 *
 * Call order: x = ecs_endpoint_new(&settings, &e); before each request
 * ecs_endpoint_credentials(x, http, wall, &e) (PENDING: a process or STS
 * call is under way, ask again after a tick); then ecs_endpoint_submit()
 * (or ecs_endpoint_request() + http_submit()), noting
 * ecs_endpoint_generation(x); on an error answer ecs_endpoint_expired()
 * says whether to retry once; ecs_endpoint_tick() from the loop;
 * ecs_endpoint_free(x) after the http that ran its STS calls is freed (or
 * while none is under way).
 *
 * ECS runtime rows (model.h runtime_state of kind "ecs"):
 *   rt.context      = ecs_endpoint_context(x): the cluster's name ("shop"),
 *                     also for a cluster configured by ARN;
 *   rt.runtime_name = the ECS service's name ("orders");
 *   rt.id           = the service's ARN as ECS gives it
 *                     ("arn:aws:ecs:REGION:ACCOUNT:service/shop/orders");
 *                     ecs_row_id_parse() splits it;
 *   rt.version      = the task definition's "family:revision" ("orders:41").
 * Find the connection of a row with ecs_endpoint_of(setup, rt.context).
 */
#ifndef OPSDECK_TUI_ECS_ENDPOINT_H
#define OPSDECK_TUI_ECS_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"

/* How long a credential_process may run before it is killed. */
#define ECS_PROCESS_TIMEOUT_MS 30000L
/* Temporary credentials are renewed this long before they expire (less for short ones). */
#define ECS_REFRESH_MARGIN_S 300.0

/* What to connect.  Plain record, strings borrowed for the call only. */
struct ecs_endpoint_settings {
	const char *cluster;              /* a cluster name or ARN (required) */
	const char *profile;              /* NULL = AWS_PROFILE, else "default" */
	const char *region;               /* NULL = AWS_REGION, AWS_DEFAULT_REGION, the profile's */
	const char *endpoint_url;         /* NULL = the profile's, else the regional endpoint */
	long timeout_ms;                  /* deadline of each request */
	size_t max_body;                  /* largest answer */
	long process_timeout_ms;          /* 0 = ECS_PROCESS_TIMEOUT_MS */
	char *(*getenv_fn)(const char *); /* NULL = getenv */
	const char *home;                 /* NULL = $HOME */
};

enum ecs_cred {
	ECS_CRED_READY,   /* send now */
	ECS_CRED_PENDING, /* a credential_process or an AssumeRole is under way */
	ECS_CRED_FAILED,  /* no credentials: the error says why (no secret in it) */
};

struct ecs_endpoint; /* opaque */

/*
 * new: the connection to settings->cluster.  Fails with ERR_CONFIG when the
 * profile does not resolve (aws_config.h), no region is known, the
 * endpoint URL is not http(s)://, or no credentials are found (the message
 * says where it looked).  Nothing is run or sent yet.
 */
struct ecs_endpoint *ecs_endpoint_new(const struct ecs_endpoint_settings *s, struct err *e);
/* Kill a running credential_process, wipe the secrets.  NULL-safe. */
void ecs_endpoint_free(struct ecs_endpoint *x);

/* borrowed (until free): the cluster as configured, name or ARN: what requests name. */
const char *ecs_endpoint_cluster(const struct ecs_endpoint *x);
/* borrowed: the cluster's name ("shop" also for an ARN): the rows' context. */
const char *ecs_endpoint_context(const struct ecs_endpoint *x);
/* borrowed: the model's backend name, "ecs CLUSTER". */
const char *ecs_endpoint_backend(const struct ecs_endpoint *x);
/* borrowed: the region ("eu-west-1"). */
const char *ecs_endpoint_region(const struct ecs_endpoint *x);
/* borrowed: the endpoint's URL ("https://ecs.eu-west-1.amazonaws.com"). */
const char *ecs_endpoint_url(const struct ecs_endpoint *x);
/* borrowed: where the credentials come from ("environment", "profile dev", ...); no secret. */
const char *ecs_endpoint_source(const struct ecs_endpoint *x);

/*
 * borrowed: the signed endpoint with the credentials held now (the session
 * token's header included), without an operation's headers.  Valid until
 * the next ecs_endpoint_credentials / _tick / _expired / _free.
 */
const struct http_endpoint *ecs_endpoint_http(const struct ecs_endpoint *x);

/* One operation's endpoint: ecs_endpoint_http() plus X-Amz-Target and Content-Type. */
struct ecs_request {
	struct http_endpoint ep; /* pass to http_submit(..., HTTP_POST, "/", body, ...) */
	const char *headers[4];  /* ep.headers points here */
	char target[128];
};
/* Fill r for operation ("DescribeServices"); valid as ecs_endpoint_http(). */
void ecs_endpoint_request(const struct ecs_endpoint *x, const char *operation,
			  struct ecs_request *r);
/*
 * Send operation with body (borrowed, copied by http): POST /, declared a
 * read when operation is a List* or Describe* (read-only mode refuses the
 * rest).  Call when ecs_endpoint_credentials() said READY.  Returns 0, or
 * -1 with e (done is not called), as http_submit().
 */
int ecs_endpoint_submit(const struct ecs_endpoint *x, struct http *http, const char *operation,
			const char *body, http_done_fn done, void *ud, struct err *e);

/*
 * Whether a request may be sent now (wall: unix seconds).  Starts the
 * credential_process or the AssumeRole call (on http, which must outlive
 * it) when there are no credentials yet or they are about to expire
 * (PENDING until they arrive).  FAILED fills e once; the next call tries
 * again.
 */
enum ecs_cred ecs_endpoint_credentials(struct ecs_endpoint *x, struct http *http, double wall,
				       struct err *e);
/* The credentials' generation: it changes whenever they do. */
unsigned ecs_endpoint_generation(const struct ecs_endpoint *x);
/*
 * An error answer (status, body) to a request sent with generation gen.
 * True when it says the credentials expired and a retry may succeed: they
 * changed since, or temporary ones were dropped now and will be renewed.
 * False for any other answer, and for static keys (nothing to renew).
 */
bool ecs_endpoint_expired(struct ecs_endpoint *x, unsigned gen, long status, const char *body,
			  size_t len);
/* Drive a running credential_process without blocking.  True when its state changed. */
bool ecs_endpoint_tick(struct ecs_endpoint *x);
/* Milliseconds until x wants a tick: small while a process runs, else -1 (never). */
long ecs_endpoint_next_due_ms(const struct ecs_endpoint *x);

/*
 * Split a row id (a service ARN, "arn:aws:ecs:R:A:service/CLUSTER/NAME" or
 * the older "arn:aws:ecs:R:A:service/NAME") into the caller's buffers;
 * cluster is "" for the older form.  False when id is not a service ARN.
 */
bool ecs_row_id_parse(const char *id, char *cluster, size_t ncluster, char *service,
		      size_t nservice);

struct setup;
/*
 * borrowed (valid while s lives): the connection whose context is context
 * (a "ecs" row's rt.context), or NULL when none is configured by that name.
 */
struct ecs_endpoint *ecs_endpoint_of(const struct setup *s, const char *context);

#endif
