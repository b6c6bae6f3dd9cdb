/*
 * ecs_endpoint.c - an ECS cluster as a connection; see ecs_endpoint.h.
 *
 * Credentials are the only part that changes while opsdeck runs, and each
 * change bumps a generation number: a request remembers the generation it
 * was sent with, so an "expired" answer to old credentials only asks for
 * a retry, while one to the current credentials drops them.  However many
 * requests were in flight, that is one renewal per rejected credential.
 *
 * Temporary credentials are renewed a few minutes before they expire,
 * while the old ones are still used: requests wait (ECS_CRED_PENDING) only
 * when there are none yet or they have expired.  An AssumeRole call goes
 * through http like every other request; a credential_process runs as a
 * child (ecs_endpoint_process.c).
 */
#include "ecs_endpoint.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ecs.h"
#include "ecs_endpoint_internal.h"
#include "setup.h"
#include "xalloc.h"

#define MIN_USE_S 1.0 /* credentials are used at least this long */

double
ecs_endpoint_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Point ep at the credentials held now. */
static void
sync_ep(struct ecs_endpoint *x)
{
	const struct aws_creds *c = x->kind == AWS_CREDS_STATIC ? &x->keys
				    : x->have_cur               ? &x->cur
								: NULL;

	wipe_free(x->token_header);
	x->token_header = NULL;
	x->ep.username = c != NULL ? c->access_key_id : NULL;
	x->ep.password = c != NULL ? c->secret_access_key : NULL;
	if (c != NULL && c->session_token != NULL && c->session_token[0] != '\0')
		x->token_header = xasprintf("X-Amz-Security-Token: %s", c->session_token);
	x->hdrs[0] = x->token_header;
	x->ep.headers = x->hdrs;
	x->ep.nheaders = x->token_header != NULL ? 1 : 0;
}

void
ecs_endpoint_drop(struct ecs_endpoint *x)
{
	aws_creds_done(&x->cur);
	memset(&x->cur, 0, sizeof x->cur);
	x->have_cur = false;
	sync_ep(x);
}

void
ecs_endpoint_take(struct ecs_endpoint *x, struct aws_creds *c)
{
	double now = (double)time(NULL);

	aws_creds_done(&x->cur);
	x->cur = *c;
	memset(c, 0, sizeof *c);
	x->have_cur = true;
	x->obtained = ecs_endpoint_mono();
	x->obtained_wall = now;
	x->stale = x->cur.expires > 0 && x->cur.expires <= now;
	x->failed = false;
	x->gen++;
	sync_ep(x);
}

/* The cluster's name: the last part of an ARN "arn:...:cluster/NAME", else cluster itself. */
static char *
cluster_name(const char *cluster)
{
	const char *slash = strrchr(cluster, '/');

	if (strncmp(cluster, "arn:", 4) == 0 && slash != NULL && slash[1] != '\0')
		return xstrdup(slash + 1);
	return xstrdup(cluster);
}

static bool
sts_is_read(enum http_method method, const char *path)
{
	/* AssumeRole changes nothing: read-only mode lets it out. */
	return method == HTTP_POST && strcmp(path, "/") == 0;
}

struct ecs_endpoint *
ecs_endpoint_new(const struct ecs_endpoint_settings *s, struct err *e)
{
	struct ecs_endpoint *x;
	struct aws_profile p;
	const char *home = s->home != NULL ? s->home : getenv("HOME");
	char *(*env)(const char *) = s->getenv_fn != NULL ? s->getenv_fn : getenv;
	const char *url;
	size_t n;

	memset(&p, 0, sizeof p);
	err_clear(e);
	if (aws_profile_resolve(s->profile, s->region, env, home, &p, e) < 0) {
		err_prefix(e, "ecs: cluster '%s'", s->cluster);
		return NULL;
	}
	if (p.kind == AWS_CREDS_NONE) {
		char why[ERR_MSG_MAX];

		snprintf(why, sizeof why, "%s", e->msg[0] ? e->msg : "nothing found");
		err_set(e, ERR_CONFIG,
			"ecs: no AWS credentials for cluster '%s' (%s) — set AWS_ACCESS_KEY_ID and "
			"AWS_SECRET_ACCESS_KEY, or [ecs] profile naming a profile with keys, a "
			"credential_process or a role_arn",
			s->cluster, why);
		aws_profile_done(&p);
		return NULL;
	}
	err_clear(e);
	if (p.region == NULL || p.region[0] == '\0') {
		err_set(e, ERR_CONFIG,
			"ecs: no AWS region for cluster '%s' (profile %s) — set [ecs] region, "
			"AWS_REGION, or region in the profile",
			s->cluster, p.name != NULL ? p.name : "default");
		aws_profile_done(&p);
		return NULL;
	}
	x = xcalloc(1, sizeof *x);
	child_run_init(&x->run);
	x->cluster = xstrdup(s->cluster);
	x->context = cluster_name(s->cluster);
	x->backend = xasprintf("ecs %s", x->context);
	x->region = xstrdup(p.region);
	x->profile = xstrdup(p.name != NULL ? p.name : "default");
	url = s->endpoint_url != NULL && s->endpoint_url[0] != '\0' ? s->endpoint_url
	      : p.endpoint_url != NULL && p.endpoint_url[0] != '\0' ? p.endpoint_url
								    : NULL;
	x->url = url != NULL ? xstrdup(url) : xasprintf("https://ecs.%s.amazonaws.com", x->region);
	n = strlen(x->url);
	while (n > 0 && x->url[n - 1] == '/')
		x->url[--n] = '\0';
	if (strncmp(x->url, "https://", 8) != 0 && strncmp(x->url, "http://", 7) != 0) {
		char *red = http_url_redact(x->url);

		err_set(e, ERR_CONFIG,
			"ecs: the endpoint '%.200s' of cluster '%s' is not an http:// or https:// "
			"URL — fix [ecs] endpoint_url or the profile's endpoint_url",
			red, x->context);
		free(red);
		aws_profile_done(&p);
		ecs_endpoint_free(x);
		return NULL;
	}
	x->sigv4 = xasprintf("aws:amz:%s:ecs", x->region);
	x->kind = p.kind;
	x->keys = p.creds;
	memset(&p.creds, 0, sizeof p.creds);
	switch (p.kind) {
	case AWS_CREDS_PROCESS:
		x->process = xstrdup(p.process);
		x->source = xasprintf("the credential_process of profile %s", x->profile);
		break;
	case AWS_CREDS_ASSUME:
		x->role_arn = xstrdup(p.role_arn);
		x->session_name = xstrdup(p.role_session_name);
		x->external_id = xstrdup(p.external_id);
		x->duration_s = p.duration_seconds;
		x->sts_url = p.sts_endpoint_url != NULL && p.sts_endpoint_url[0] != '\0'
				     ? xstrdup(p.sts_endpoint_url)
				     : xasprintf("https://sts.%s.amazonaws.com", x->region);
		n = strlen(x->sts_url);
		while (n > 0 && x->sts_url[n - 1] == '/')
			x->sts_url[--n] = '\0';
		x->sts_sigv4 = xasprintf("aws:amz:%s:sts", x->region);
		x->source = xasprintf("role %s (profile %s)", x->role_arn, x->profile);
		break;
	default:
		x->source = xstrdup(x->keys.source != NULL ? x->keys.source : "static keys");
		break;
	}
	x->process_timeout_ms =
		s->process_timeout_ms > 0 ? s->process_timeout_ms : ECS_PROCESS_TIMEOUT_MS;
	x->auth_hint = xasprintf("check the AWS credentials of cluster '%s' (%s) and their IAM "
				 "permissions",
				 x->context, x->source);
	x->url_key = xstrdup("[ecs] endpoint_url (or the profile's endpoint_url)");
	x->ep.name = "ecs";
	x->ep.url = x->url;
	x->ep.timeout_ms = s->timeout_ms;
	x->ep.max_body = s->max_body;
	x->ep.auth_hint = x->auth_hint;
	x->ep.is_read = ecs_is_read;
	x->ep.url_key = x->url_key;
	x->ep.aws_sigv4 = x->sigv4;
	sync_ep(x);
	aws_profile_done(&p);
	return x;
}

void
ecs_endpoint_free(struct ecs_endpoint *x)
{
	if (x == NULL)
		return;
	child_run_done(&x->run);
	aws_creds_done(&x->cur);
	aws_creds_done(&x->keys);
	wipe_free(x->token_header);
	free(x->cluster);
	free(x->context);
	free(x->backend);
	free(x->region);
	free(x->profile);
	free(x->url);
	free(x->sigv4);
	free(x->auth_hint);
	free(x->url_key);
	free(x->source);
	free(x->role_arn);
	free(x->session_name);
	free(x->external_id);
	free(x->sts_url);
	free(x->sts_sigv4);
	free(x->process);
	free(x);
}

/* ---- AssumeRole ------------------------------------------------------------ */

static void
sts_done(void *ud, const struct http_response *r)
{
	struct ecs_endpoint *x = ud;
	struct aws_creds c;
	struct err pe;

	x->sts_busy = false;
	x->sts_http = NULL;
	memset(&c, 0, sizeof c);
	if (r->err.code != ERR_OK) {
		x->failed = true;
		err_set(&x->err, r->err.code, "ecs: cannot assume role %s for cluster '%s': %s",
			x->role_arn, x->context, r->err.msg);
		return;
	}
	if (aws_parse_assume_role(r->status, r->body, r->len, &c, &pe) < 0) {
		x->failed = true;
		err_set(&x->err, ERR_AUTH,
			"ecs: cannot assume role %s for cluster '%s' (profile %s): %s — check the "
			"source profile's keys and the role's trust policy",
			x->role_arn, x->context, x->profile, pe.msg);
		aws_creds_done(&c);
		return;
	}
	ecs_endpoint_take(x, &c);
}

static int
sts_start(struct ecs_endpoint *x, struct http *http, struct err *e)
{
	struct http_endpoint ep;
	const char *hdrs[2];
	char *token = NULL, *body;
	int rc;

	memset(&ep, 0, sizeof ep);
	ep.name = "sts";
	ep.url = x->sts_url;
	ep.timeout_ms = x->ep.timeout_ms;
	ep.max_body = 1024 * 1024;
	ep.is_read = sts_is_read;
	ep.aws_sigv4 = x->sts_sigv4;
	ep.username = x->keys.access_key_id;
	ep.password = x->keys.secret_access_key;
	ep.url_key = "the profile's endpoint_url (sts)";
	hdrs[0] = "Content-Type: application/x-www-form-urlencoded; charset=utf-8";
	ep.headers = hdrs;
	ep.nheaders = 1;
	if (x->keys.session_token != NULL && x->keys.session_token[0] != '\0') {
		token = xasprintf("X-Amz-Security-Token: %s", x->keys.session_token);
		hdrs[ep.nheaders++] = token;
	}
	body = aws_assume_role_body(x->role_arn, x->session_name, x->external_id, x->duration_s);
	rc = http_submit(http, &ep, HTTP_POST, "/", body, true, sts_done, x, e);
	free(body);
	wipe_free(token);
	if (rc < 0)
		return err_prefix(e, "ecs: cannot assume role %s for cluster '%s'", x->role_arn,
				  x->context);
	x->sts_busy = true;
	x->sts_http = http;
	return 0;
}

/* ---- credentials ------------------------------------------------------------ */

/* Seconds before expiry at which temporary credentials are renewed. */
static double
margin(const struct ecs_endpoint *x)
{
	double life = x->cur.expires - x->obtained_wall;

	return life / 2 < ECS_REFRESH_MARGIN_S ? (life > 0 ? life / 2 : 0) : ECS_REFRESH_MARGIN_S;
}

static int
renew(struct ecs_endpoint *x, struct http *http, struct err *e)
{
	if (x->kind == AWS_CREDS_PROCESS)
		return ecs_endpoint_process_start(x, e);
	return sts_start(x, http, e);
}

enum ecs_cred
ecs_endpoint_credentials(struct ecs_endpoint *x, struct http *http, double wall, struct err *e)
{
	bool usable;

	if (x->kind == AWS_CREDS_STATIC)
		return ECS_CRED_READY;
	if (x->sts_busy && x->sts_http != http)
		x->sts_busy = false; /* its http is gone: that answer never comes */
	usable = x->have_cur && (x->cur.expires <= 0 || wall < x->cur.expires ||
				 (x->stale && ecs_endpoint_mono() - x->obtained < MIN_USE_S));
	if (child_run_running(&x->run) || x->sts_busy)
		return usable ? ECS_CRED_READY : ECS_CRED_PENDING;
	if (x->failed) {
		/* Reported once; the next call tries again. */
		x->failed = false;
		if (!usable) {
			if (e != NULL)
				*e = x->err;
			return ECS_CRED_FAILED;
		}
	}
	if (usable && (x->cur.expires <= 0 || x->stale || wall < x->cur.expires - margin(x)))
		return ECS_CRED_READY;
	/* Renew: early while the old ones still serve, else wait for the new. */
	if (renew(x, http, e) < 0) {
		if (usable)
			return ECS_CRED_READY;
		return ECS_CRED_FAILED;
	}
	return usable ? ECS_CRED_READY : ECS_CRED_PENDING;
}

unsigned
ecs_endpoint_generation(const struct ecs_endpoint *x)
{
	return x->gen;
}

/* Whether needle occurs in hay, ignoring ASCII case. */
static bool
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* Whether an error answer says the credentials (their session token) expired. */
static bool
says_expired(long status, const char *body, size_t len)
{
	json_t *root;
	const char *type = "", *msg = "";
	bool r;

	if (status != 400 && status != 403)
		return false;
	root = json_loadb(body != NULL ? body : "", len, 0, NULL);
	if (root == NULL)
		return false;
	if (json_is_string(json_object_get(root, "__type")))
		type = json_string_value(json_object_get(root, "__type"));
	if (json_is_string(json_object_get(root, "message")))
		msg = json_string_value(json_object_get(root, "message"));
	else if (json_is_string(json_object_get(root, "Message")))
		msg = json_string_value(json_object_get(root, "Message"));
	r = strstr(type, "ExpiredToken") != NULL ||
	    (contains_nocase(msg, "security token") && contains_nocase(msg, "expired"));
	json_decref(root);
	return r;
}

bool
ecs_endpoint_expired(struct ecs_endpoint *x, unsigned gen, long status, const char *body,
		     size_t len)
{
	if (!says_expired(status, body, len))
		return false;
	if (gen != x->gen)
		return true; /* renewed since that request left */
	if (x->kind == AWS_CREDS_STATIC)
		return false;
	if (x->have_cur)
		ecs_endpoint_drop(x); /* the next ecs_endpoint_credentials() renews them */
	return true;
}

bool
ecs_endpoint_tick(struct ecs_endpoint *x)
{
	return x != NULL && child_run_running(&x->run) && ecs_endpoint_process_tick(x);
}

long
ecs_endpoint_next_due_ms(const struct ecs_endpoint *x)
{
	return x != NULL && child_run_running(&x->run) ? 20 : -1;
}

/* ---- requests ------------------------------------------------------------------ */

void
ecs_endpoint_request(const struct ecs_endpoint *x, const char *operation, struct ecs_request *r)
{
	const char *two[2];
	size_t i;

	r->ep = x->ep;
	ecs_headers(operation, two, r->target, sizeof r->target);
	r->headers[0] = two[0];
	r->headers[1] = two[1];
	for (i = 0; i < x->ep.nheaders && i < 2; i++)
		r->headers[2 + i] = x->ep.headers[i];
	r->ep.headers = r->headers;
	r->ep.nheaders = 2 + i;
}

int
ecs_endpoint_submit(const struct ecs_endpoint *x, struct http *http, const char *operation,
		    const char *body, http_done_fn done, void *ud, struct err *e)
{
	struct ecs_request r;
	bool read = strncmp(operation, "List", 4) == 0 || strncmp(operation, "Describe", 8) == 0;

	ecs_endpoint_request(x, operation, &r);
	return http_submit(http, &r.ep, HTTP_POST, "/", body, read, done, ud, e);
}

/* ---- accessors ------------------------------------------------------------------ */

const char *
ecs_endpoint_cluster(const struct ecs_endpoint *x)
{
	return x->cluster;
}

const char *
ecs_endpoint_context(const struct ecs_endpoint *x)
{
	return x->context;
}

const char *
ecs_endpoint_backend(const struct ecs_endpoint *x)
{
	return x->backend;
}

const char *
ecs_endpoint_region(const struct ecs_endpoint *x)
{
	return x->region;
}

const char *
ecs_endpoint_url(const struct ecs_endpoint *x)
{
	return x->url;
}

const char *
ecs_endpoint_source(const struct ecs_endpoint *x)
{
	return x->source;
}

const struct http_endpoint *
ecs_endpoint_http(const struct ecs_endpoint *x)
{
	return &x->ep;
}

bool
ecs_row_id_parse(const char *id, char *cluster, size_t ncluster, char *service, size_t nservice)
{
	const char *s = id != NULL && strncmp(id, "arn:", 4) == 0 ? strstr(id, ":service/") : NULL;
	const char *slash;

	if (s == NULL)
		return false;
	s += 9;
	slash = strchr(s, '/');
	if (slash == NULL) { /* the older form: no cluster in the ARN */
		if (s[0] == '\0' || strlen(s) >= nservice || ncluster == 0)
			return false;
		cluster[0] = '\0';
		strcpy(service, s);
		return true;
	}
	if (slash == s || (size_t)(slash - s) >= ncluster || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL || strlen(slash + 1) >= nservice)
		return false;
	memcpy(cluster, s, (size_t)(slash - s));
	cluster[slash - s] = '\0';
	strcpy(service, slash + 1);
	return true;
}

struct ecs_endpoint *
ecs_endpoint_of(const struct setup *s, const char *context)
{
	size_t i;

	for (i = 0; s != NULL && context != NULL && i < s->necs; i++)
		if (strcmp(ecs_endpoint_context(s->ecs[i]), context) == 0)
			return s->ecs[i];
	return NULL;
}
