/*
 * ecs_endpoint_internal.h - private to tui/ecs_endpoint*.c: the endpoint's
 * state and what its files share.  ecs_endpoint.c makes the connection
 * and holds the credentials (static keys, STS AssumeRole);
 * ecs_endpoint_process.c runs a credential_process.  Nothing else
 * includes this.
 */
#ifndef OPSDECK_TUI_ECS_ENDPOINT_INTERNAL_H
#define OPSDECK_TUI_ECS_ENDPOINT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "aws_config.h"
#include "child_run.h"
#include "ecs_endpoint.h"

struct ecs_endpoint {
	struct http_endpoint ep; /* points into the fields below */
	const char *hdrs[1];     /* ep.headers: the session token's, when there is one */
	char *cluster, *context, *backend, *region, *url, *sigv4, *auth_hint, *url_key;
	char *profile; /* the profile's name, for messages */
	char *source;  /* where the credentials come from, for messages */
	enum aws_creds_kind kind;
	struct aws_creds keys; /* STATIC: the keys; ASSUME: the source profile's */
	struct aws_creds cur;  /* PROCESS / ASSUME: the temporary credentials held */
	bool have_cur;         /* cur holds credentials */
	double obtained;       /* monotonic seconds when cur arrived */
	double obtained_wall;  /* unix seconds likewise */
	bool stale;            /* cur had expired when it arrived */
	char *token_header;    /* secret: "X-Amz-Security-Token: ..." or NULL */
	unsigned gen;          /* bumped whenever the credentials change */
	/* AssumeRole */
	char *role_arn, *session_name, *external_id, *sts_url, *sts_sigv4;
	long duration_s;
	bool sts_busy;         /* an AssumeRole call is in flight */
	struct http *sts_http; /* on this http */
	/* credential_process */
	char *process; /* the command line (run through sh -c) */
	long process_timeout_ms;
	struct child_run run; /* while it runs; its stdout (secret), stderr's last line */
	/* the last renewal's failure, reported once */
	bool failed;
	struct err err;
};

/* Monotonic seconds. */
double ecs_endpoint_mono(void);
/* Take c (its strings stolen, c zeroed) as the temporary credentials held now. */
void ecs_endpoint_take(struct ecs_endpoint *x, struct aws_creds *c);
/* Wipe and forget the temporary credentials. */
void ecs_endpoint_drop(struct ecs_endpoint *x);
/* Start the credential_process.  -1 with e when it cannot start. */
int ecs_endpoint_process_start(struct ecs_endpoint *x, struct err *e);
/* Drive it: true when it ended (x->cur or x->failed set). */
bool ecs_endpoint_process_tick(struct ecs_endpoint *x);

#endif
