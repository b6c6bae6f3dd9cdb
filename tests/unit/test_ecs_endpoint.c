/*
 * test_ecs_endpoint.c - tui/ecs_endpoint: an ECS cluster's connection and
 * its credentials, against the scripted ECS/STS server
 * (ecs_test_server.h) and a fake environment:
 *
 *   - the endpoint: https://ecs.REGION.amazonaws.com unless endpoint_url,
 *     signed "aws:amz:REGION:ecs", a cluster's name from its ARN, the
 *     backend "ecs NAME"; no region or no credentials fail, naming what to
 *     set and never a secret;
 *   - static keys from the environment: the session token as
 *     X-Amz-Security-Token, nothing to renew on an "expired" answer;
 *   - credential_process: run through sh -c without blocking (PENDING,
 *     then READY), kept until a few minutes before its Expiration (renewed
 *     early while the old keys still serve), run again after
 *     ExpiredTokenException (once per generation), an already-expired
 *     answer used for a second; a failing or hanging process FAILED with
 *     its stderr's last line or its deadline, no secret in the message;
 *   - AssumeRole: one STS call signed for "sts" with the source profile's
 *     keys, form-encoded; the role's temporary keys and session token on
 *     the ECS requests; AccessDenied reported without a secret;
 *   - read-only mode lets List*, Describe* and AssumeRole out, never
 *     UpdateService;
 *   - row ids: both ARN forms split, anything else refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ecs.h"
#include "ecs_endpoint.h"
#include "xalloc.h"
#include "ecs_test_server.h"

static struct http *
new_http(void)
{
	struct err e;
	struct http *h = http_new(&e);

	assert_non_null(h);
	return h;
}

static bool
has_header(const struct http_endpoint *ep, const char *prefix)
{
	size_t i;

	for (i = 0; i < ep->nheaders; i++)
		if (strncmp(ep->headers[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static bool
expired(struct ecs_endpoint *x, unsigned gen, const char *body)
{
	return ecs_endpoint_expired(x, gen, 400, body, strlen(body));
}

/* ---- resolution ------------------------------------------------------------------- */

static void
test_static_environment(void **state)
{
	struct ecs_endpoint_settings s;
	struct ecs_endpoint *x;
	const struct http_endpoint *ep;
	struct ecs_request r;
	struct err e;

	(void)state;
	es_env_static();
	memset(&s, 0, sizeof s);
	s.cluster = "arn:aws:ecs:eu-west-1:123456789012:cluster/prod-eu";
	s.region = "eu-west-1";
	s.getenv_fn = es_getenv;
	s.home = es_dir;
	x = ecs_endpoint_new(&s, &e);
	if (x == NULL)
		fail_msg("%s", e.msg);
	assert_string_equal(ecs_endpoint_cluster(x), s.cluster);
	assert_string_equal(ecs_endpoint_context(x), "prod-eu");
	assert_string_equal(ecs_endpoint_backend(x), "ecs prod-eu");
	assert_string_equal(ecs_endpoint_region(x), "eu-west-1");
	assert_string_equal(ecs_endpoint_url(x), "https://ecs.eu-west-1.amazonaws.com");
	ep = ecs_endpoint_http(x);
	assert_string_equal(ep->aws_sigv4, "aws:amz:eu-west-1:ecs");
	assert_string_equal(ep->username, "AKIDSTATIC");
	assert_string_equal(ep->password, "s3cr3t-static-never-shown");
	assert_int_equal(ep->nheaders, 0);
	assert_null(ep->bearer_token);
	assert_int_equal(ecs_endpoint_credentials(x, NULL, 0, &e), ECS_CRED_READY);
	ecs_endpoint_request(x, "DescribeServices", &r);
	assert_int_equal(r.ep.nheaders, 2);
	assert_string_equal(r.ep.headers[0],
			    "X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeServices");
	assert_string_equal(r.ep.headers[1], "Content-Type: application/x-amz-json-1.1");
	/* nothing to renew */
	assert_false(expired(x, ecs_endpoint_generation(x),
			     "{\"__type\":\"ExpiredTokenException\",\"message\":\"expired\"}"));
	ecs_endpoint_free(x);

	/* a session token travels as a header; endpoint_url wins */
	es_setenv("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLETOKEN");
	x = es_endpoint("shop", NULL);
	assert_string_equal(ecs_endpoint_url(x), es_url);
	ep = ecs_endpoint_http(x);
	assert_int_equal(ep->nheaders, 1);
	assert_string_equal(ep->headers[0], "X-Amz-Security-Token: FwoGZXIvYXdzEXAMPLETOKEN");
	ecs_endpoint_request(x, "ListServices", &r);
	assert_int_equal(r.ep.nheaders, 3);
	assert_true(has_header(&r.ep, "X-Amz-Security-Token: "));
	ecs_endpoint_free(x);
}

static void
test_resolve_failures(void **state)
{
	struct ecs_endpoint_settings s;
	struct err e;

	(void)state;
	memset(&s, 0, sizeof s);
	s.cluster = "shop";
	s.getenv_fn = es_getenv;
	s.home = es_dir;
	/* no region anywhere */
	es_env_static();
	es_setenv("AWS_REGION", "");
	es_setenv("AWS_DEFAULT_REGION", "");
	assert_null(ecs_endpoint_new(&s, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "no AWS region for cluster 'shop'"));
	assert_non_null(strstr(e.msg, "[ecs] region"));
	assert_null(strstr(e.msg, "s3cr3t"));
	/* no credentials anywhere */
	es_env_clear();
	es_setenv("AWS_REGION", "us-east-1");
	es_setenv("AWS_CONFIG_FILE", "/nonexistent/opsdeck-test/config");
	es_setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/opsdeck-test/credentials");
	assert_null(ecs_endpoint_new(&s, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "no AWS credentials for cluster 'shop'"));
	assert_non_null(strstr(e.msg, "AWS_ACCESS_KEY_ID"));
	/* an endpoint that is no URL */
	es_env_static();
	s.endpoint_url = "ftp://ecs.example";
	assert_null(ecs_endpoint_new(&s, &e));
	assert_non_null(strstr(e.msg, "not an http:// or https:// URL"));
}

/* ---- credential_process ------------------------------------------------------------- */

static int
calls(void)
{
	char path[160];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/calls", es_dir);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgetc(f) != EOF)
		n++;
	fclose(f);
	return n;
}

/* A credential_process printing keys that expire in `life` seconds (negative: expired). */
static struct ecs_endpoint *
process_endpoint(long life, const char *extra)
{
	char script[1024], config[512], when[32];
	time_t t = time(NULL) + life;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(script, sizeof script,
		 "#!/bin/sh\nprintf x >>'%s/calls'\n%s\n"
		 "printf '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": "
		 "\"proc-secret-never-shown\", \"SessionToken\": \"proc-token-never-shown\", "
		 "\"Expiration\": \"%s\"}'\n",
		 es_dir, extra, when);
	es_file("proc.sh", script);
	snprintf(config, sizeof config,
		 "[profile proc]\nregion = us-east-1\ncredential_process = sh '%s/proc.sh' "
		 "--flag \"a b\"\n",
		 es_dir);
	es_env_clear();
	es_setenv("AWS_CONFIG_FILE", es_file("config", config));
	es_setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/opsdeck-test/credentials");
	unlink(es_file("calls", ""));
	return es_endpoint("shop", "proc");
}

struct wait {
	struct ecs_endpoint *x;
	struct http *h;
	enum ecs_cred st;
	struct err e;
};

static bool
not_pending(void *ud)
{
	struct wait *w = ud;

	ecs_endpoint_tick(w->x);
	w->st = ecs_endpoint_credentials(w->x, w->h, (double)time(NULL), &w->e);
	return w->st != ECS_CRED_PENDING;
}

static enum ecs_cred
wait_credentials(struct ecs_endpoint *x, struct http *h, struct err *e)
{
	struct wait w = { x, h, ECS_CRED_PENDING, { 0, "" } };

	assert_true(es_run_until(h, x, not_pending, &w));
	*e = w.e;
	return w.st;
}

static void
test_process(void **state)
{
	struct http *h = new_http();
	struct ecs_endpoint *x = process_endpoint(3600, "");
	const struct http_endpoint *ep;
	unsigned gen;
	struct err e;

	(void)state;
	assert_string_equal(ecs_endpoint_source(x), "the credential_process of profile proc");
	assert_null(ecs_endpoint_http(x)->username);
	assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e), ECS_CRED_PENDING);
	assert_true(ecs_endpoint_next_due_ms(x) > 0);
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_READY);
	assert_int_equal(calls(), 1);
	ep = ecs_endpoint_http(x);
	assert_string_equal(ep->username, "ASIAPROC");
	assert_string_equal(ep->password, "proc-secret-never-shown");
	assert_string_equal(ep->headers[0], "X-Amz-Security-Token: proc-token-never-shown");
	/* kept: asking again runs nothing */
	assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e), ECS_CRED_READY);
	assert_int_equal(ecs_endpoint_next_due_ms(x), -1);
	assert_int_equal(calls(), 1);
	/* ExpiredTokenException: dropped once, the process runs again */
	gen = ecs_endpoint_generation(x);
	assert_false(expired(x, gen,
			     "{\"__type\":\"ServiceNotFoundException\",\"message\":\"Service not "
			     "found.\"}"));
	assert_true(
		expired(x, gen,
			"{\"__type\":\"ExpiredTokenException\",\"message\":\"The security token "
			"included in the request is expired\"}"));
	/* a second answer of that generation */
	assert_true(expired(x, gen, "{\"__type\":\"com.amazonaws.ecs#ExpiredTokenException\"}"));
	assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e), ECS_CRED_PENDING);
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_READY);
	assert_int_equal(calls(), 2);
	assert_true(ecs_endpoint_generation(x) != gen);
	ecs_endpoint_free(x);
	http_free(h);
}

static void
test_process_renewed_early(void **state)
{
	struct http *h = new_http();
	struct ecs_endpoint *x = process_endpoint(4, "");
	unsigned gen;
	struct err e;
	double until;

	(void)state;
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_READY);
	gen = ecs_endpoint_generation(x);
	/* 4 s of life: renewed once half is gone, while the keys still serve */
	until = poller_mono_now() + 10;
	while (calls() < 2 && poller_mono_now() < until) {
		assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e),
				 ECS_CRED_READY);
		ecs_endpoint_tick(x);
		usleep(20000);
	}
	assert_int_equal(calls(), 2);
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_READY);
	assert_true(ecs_endpoint_generation(x) != gen);
	ecs_endpoint_free(x);

	/* already expired on arrival: used for a second, then renewed */
	x = process_endpoint(-60, "");
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_READY);
	assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e), ECS_CRED_READY);
	assert_int_equal(calls(), 1);
	ecs_endpoint_free(x);
	http_free(h);
}

static void
test_process_failures(void **state)
{
	struct http *h = new_http();
	struct ecs_endpoint *x;
	struct err e;

	(void)state;
	x = process_endpoint(3600, "echo 'the SSO session has expired' >&2; echo noise; exit 3");
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_FAILED);
	assert_int_equal(e.code, ERR_AUTH);
	assert_non_null(strstr(e.msg, "credential_process of profile proc (cluster 'shop') "
				      "exited (3): the SSO session has expired"));
	assert_null(strstr(e.msg, "never-shown"));
	/* reported once; the next ask runs it again */
	assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e), ECS_CRED_PENDING);
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_FAILED);
	assert_int_equal(calls(), 2);
	ecs_endpoint_free(x);

	x = process_endpoint(3600, "echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'; exit 0");
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_FAILED);
	assert_non_null(strstr(e.msg, "credential_process of profile proc"));
	assert_null(strstr(e.msg, "never-shown"));
	ecs_endpoint_free(x);
	http_free(h);
}

static void
test_process_deadline(void **state)
{
	struct ecs_endpoint_settings s;
	struct http *h = new_http();
	struct ecs_endpoint *x;
	struct err e;
	double t0;

	(void)state;
	x = process_endpoint(3600, "");
	ecs_endpoint_free(x);
	es_file("proc.sh", "#!/bin/sh\necho 'waiting for a browser' >&2\nexec sleep 30\n");
	memset(&s, 0, sizeof s);
	s.cluster = "shop";
	s.profile = "proc";
	s.endpoint_url = es_url;
	s.process_timeout_ms = 300;
	s.getenv_fn = es_getenv;
	s.home = es_dir;
	x = ecs_endpoint_new(&s, &e);
	assert_non_null(x);
	t0 = poller_mono_now();
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_FAILED);
	assert_true(poller_mono_now() - t0 < 5);
	assert_int_equal(e.code, ERR_TIMEOUT);
	assert_non_null(strstr(e.msg, "did not answer within 300ms: waiting for a browser"));
	ecs_endpoint_free(x);
	http_free(h);
}

/* ---- AssumeRole ------------------------------------------------------------------------ */

static void
assume_files(void)
{
	char config[512];

	es_env_clear();
	snprintf(config, sizeof config,
		 "[profile role]\nregion = us-east-1\nrole_arn = "
		 "arn:aws:iam::123456789012:role/opsdeck-operator\nsource_profile = src\n"
		 "role_session_name = opsdeck-test\n[profile src]\nregion = us-east-1\n");
	es_setenv("AWS_CONFIG_FILE", es_file("config", config));
	es_setenv("AWS_SHARED_CREDENTIALS_FILE",
		  es_file("credentials", "[src]\naws_access_key_id = AKIDSRC\n"
					 "aws_secret_access_key = src-secret-never-shown\n"));
	es_setenv("AWS_ENDPOINT_URL_STS", es_url);
}

static void
test_assume_role(void **state)
{
	static const char ok[] =
		"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId>"
		"<SecretAccessKey>role-secret-never-shown</SecretAccessKey>"
		"<SessionToken>role-token-never-shown</SessionToken>"
		"<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
		"<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/opsdeck-operator/"
		"opsdeck-test</Arn><AssumedRoleId>AROA:opsdeck-test</AssumedRoleId>"
		"</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId>"
		"</ResponseMetadata></AssumeRoleResponse>";
	struct http *h = new_http();
	struct ecs_endpoint *x;
	const struct es_req *q;
	const struct http_endpoint *ep;
	struct err e;

	(void)state;
	es_reset();
	es_route("AssumeRole", "", 200, ok);
	assume_files();
	x = es_endpoint("shop", "role");
	assert_non_null(strstr(ecs_endpoint_source(x), "opsdeck-operator"));
	assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e), ECS_CRED_PENDING);
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_READY);
	assert_int_equal(es_count("AssumeRole"), 1);
	q = es_last("AssumeRole");
	assert_non_null(strstr(q->auth, "Credential=AKIDSRC/"));
	assert_non_null(strstr(q->auth, "/us-east-1/sts/aws4_request"));
	assert_non_null(strstr(q->ctype, "application/x-www-form-urlencoded"));
	assert_non_null(strstr(q->body, "Action=AssumeRole"));
	assert_non_null(strstr(q->body, "opsdeck-operator"));
	assert_string_equal(q->token, "");
	ep = ecs_endpoint_http(x);
	assert_string_equal(ep->username, "ASIAROLE");
	assert_string_equal(ep->headers[0], "X-Amz-Security-Token: role-token-never-shown");
	/* kept until it expires */
	assert_int_equal(ecs_endpoint_credentials(x, h, (double)time(NULL), &e), ECS_CRED_READY);
	assert_int_equal(es_count("AssumeRole"), 1);
	ecs_endpoint_free(x);

	/* refused */
	es_reset();
	es_route("AssumeRole", "", 403,
		 "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>"
		 "User: arn:aws:iam::123456789012:user/opsdeck is not authorized to perform: "
		 "sts:AssumeRole</Message></Error><RequestId>2</RequestId></ErrorResponse>");
	x = es_endpoint("shop", "role");
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_FAILED);
	assert_non_null(strstr(e.msg, "cannot assume role "
				      "arn:aws:iam::123456789012:role/opsdeck-operator"));
	assert_non_null(strstr(e.msg, "AccessDenied"));
	assert_null(strstr(e.msg, "never-shown"));
	ecs_endpoint_free(x);
	http_free(h);
}

/* ---- read-only ---------------------------------------------------------------------------- */

static void
noop(void *ud, const struct http_response *r)
{
	(void)r;
	(*(int *)ud)++;
}

static bool
two_done(void *ud)
{
	return *(int *)ud >= 2;
}

static void
test_readonly(void **state)
{
	struct http *h = new_http();
	struct ecs_endpoint *x;
	char *body;
	struct err e;
	int done = 0;

	(void)state;
	es_reset();
	es_route("ListServices", "", 200, "{\"serviceArns\":[]}");
	es_route("DescribeServices", "", 200, "{\"services\":[],\"failures\":[]}");
	es_env_static();
	x = es_endpoint("shop", NULL);
	http_set_readonly(h, true);
	body = ecs_update_scale_body("shop", "orders", 3);
	assert_int_equal(ecs_endpoint_submit(x, h, "UpdateService", body, noop, &done, &e), -1);
	assert_int_equal(e.code, ERR_READONLY);
	free(body);
	body = ecs_list_services_body("shop", NULL);
	assert_int_equal(ecs_endpoint_submit(x, h, "ListServices", body, noop, &done, &e), 0);
	free(body);
	body = ecs_describe_services_body("shop", (const char *const[]){ "orders" }, 1);
	assert_int_equal(ecs_endpoint_submit(x, h, "DescribeServices", body, noop, &done, &e), 0);
	free(body);
	assert_true(es_run_until(h, x, two_done, &done));
	assert_int_equal(es_count("UpdateService"), 0);
	ecs_endpoint_free(x);

	/* AssumeRole is a read: it may leave */
	es_route("AssumeRole", "", 403,
		 "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error>"
		 "</ErrorResponse>");
	assume_files();
	x = es_endpoint("shop", "role");
	assert_int_equal(wait_credentials(x, h, &e), ECS_CRED_FAILED);
	assert_int_equal(es_count("AssumeRole"), 1);
	ecs_endpoint_free(x);
	http_free(h);
}

static void
test_row_ids(void **state)
{
	char c[64], s[64];

	(void)state;
	assert_true(ecs_row_id_parse("arn:aws:ecs:us-east-1:123456789012:service/shop/orders", c,
				     sizeof c, s, sizeof s));
	assert_string_equal(c, "shop");
	assert_string_equal(s, "orders");
	assert_true(ecs_row_id_parse("arn:aws:ecs:us-east-1:123456789012:service/orders", c,
				     sizeof c, s, sizeof s));
	assert_string_equal(c, "");
	assert_string_equal(s, "orders");
	assert_false(ecs_row_id_parse("shop/deployment/orders", c, sizeof c, s, sizeof s));
	assert_false(
		ecs_row_id_parse("arn:aws:ecs:us-east-1:1:service/", c, sizeof c, s, sizeof s));
	assert_false(ecs_row_id_parse("arn:aws:ecs:us-east-1:1:service/a/b/c", c, sizeof c, s,
				      sizeof s));
	assert_false(ecs_row_id_parse(NULL, c, sizeof c, s, sizeof s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_environment),
		cmocka_unit_test(test_resolve_failures),
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_process_renewed_early),
		cmocka_unit_test(test_process_failures),
		cmocka_unit_test(test_process_deadline),
		cmocka_unit_test(test_assume_role),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_row_ids),
	};

	return cmocka_run_group_tests(tests, es_start, es_stop);
}
