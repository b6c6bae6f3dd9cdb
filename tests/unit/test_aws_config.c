/*
 * test_aws_config.c - resolving a profile of the AWS shared files as the
 * CLI does (tests/fixtures/ecs/aws, see tests/fixtures/ecs/README): which
 * profile, region precedence, environment keys against a named profile,
 * static keys, credential_process, role_arn with source_profile (and its
 * loops), endpoint_url, malformed files with file:line, missing profiles,
 * long lines; no secret in any message.  The reader's details,
 * credential_process output and STS are in test_aws_config_sts.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_config.h"

#define AWS TESTS_DIR "/fixtures/ecs/aws/"

/* ---- a fake environment ------------------------------------------------------------ */

static const char *fake_env[16][2];

static void
env_reset(void)
{
	memset(fake_env, 0, sizeof fake_env);
}

static void
env_set(const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (fake_env[i][0] == NULL || strcmp(fake_env[i][0], name) == 0) {
			fake_env[i][0] = name;
			fake_env[i][1] = value;
			return;
		}
	fail_msg("fake environment full");
}

static char *
fake_getenv(const char *name)
{
	size_t i;

	for (i = 0; i < 16 && fake_env[i][0] != NULL; i++)
		if (strcmp(fake_env[i][0], name) == 0)
			return (char *)fake_env[i][1];
	return NULL;
}

/* The fixtures' files, and nothing else from the environment. */
static int
setup(void **state)
{
	(void)state;
	env_reset();
	env_set("AWS_CONFIG_FILE", AWS "config");
	env_set("AWS_SHARED_CREDENTIALS_FILE", AWS "credentials");
	return 0;
}

/* ---- no secret in any message -------------------------------------------------------- */

static const char *const secrets[] = {
	"defaultSecretExample", "devSecretExample", "selfSecretKeyExample", "configSecretExample",
	"onlyCredsSecret",      "shadowSecret",     "ignoreSecret",         "homeSecret",
	"weird/5555",           "IQoJb3JpZ2luX2Vj", "wJalrXUtnFEMI",        "envSecret",
};

static void
no_secret(const struct err *e)
{
	size_t i;

	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(e->msg, secrets[i]) != NULL)
			fail_msg("secret %s in message: %s", secrets[i], e->msg);
}

static void
resolve_ok(const char *profile, const char *region, struct aws_profile *p)
{
	struct err e;

	err_set(&e, ERR_IO, "stale");
	if (aws_profile_resolve(profile, region, fake_getenv, "/nonexistent", p, &e) != 0)
		fail_msg("resolve %s: %s", profile ? profile : "(null)", e.msg);
	no_secret(&e);
}

static void
resolve_fails(const char *profile, const char *want, struct err *e)
{
	struct aws_profile p;

	err_clear(e);
	assert_int_equal(aws_profile_resolve(profile, NULL, fake_getenv, "/nonexistent", &p, e),
			 -1);
	assert_int_equal(e->code, ERR_CONFIG);
	assert_null(p.name);
	assert_null(p.creds.secret_access_key);
	no_secret(e);
	if (want != NULL)
		assert_string_equal(e->msg, want);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 8192);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 8191, f);
	fclose(f);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

/* ---- which profile, region ---------------------------------------------------------------- */

static void
test_default_profile_from_home(void **state)
{
	struct aws_profile p;
	struct err e;

	(void)state;
	env_reset();
	assert_int_equal(aws_profile_resolve(NULL, NULL, fake_getenv, AWS "home", &p, &e), 0);
	assert_int_equal(e.code, ERR_OK);
	assert_string_equal(p.name, "default");
	assert_string_equal(p.region, "eu-north-1"); /* CRLF lines */
	assert_int_equal(p.kind, AWS_CREDS_STATIC);
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLEHOME00001");
	assert_string_equal(p.creds.secret_access_key, "homeSecret/88888888888888888888888888");
	assert_null(p.creds.session_token);
	assert_string_equal(p.creds.source, "profile default");
	assert_null(p.endpoint_url);
	assert_null(p.sts_endpoint_url);
	aws_profile_done(&p);
	assert_null(p.name);
	aws_profile_done(&p);
	/* HOME when home is NULL */
	env_set("HOME", AWS "home");
	assert_int_equal(aws_profile_resolve(NULL, NULL, fake_getenv, NULL, &p, &e), 0);
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLEHOME00001");
	aws_profile_done(&p);
}

static void
test_default_profile_from_files(void **state)
{
	struct aws_profile p;

	(void)state;
	resolve_ok(NULL, NULL, &p);
	assert_string_equal(p.name, "default");
	assert_string_equal(p.region, "eu-west-1");
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLEDEFAULT01");
	aws_profile_done(&p);
}

static void
test_named_profile_long_token(void **state)
{
	struct aws_profile p;
	char *tok = slurp(AWS "dev_session_token");

	(void)state;
	resolve_ok("dev", NULL, &p);
	assert_string_equal(p.name, "dev");
	assert_string_equal(p.region, "eu-central-1");
	assert_int_equal(p.kind, AWS_CREDS_STATIC);
	assert_string_equal(p.creds.access_key_id, "ASIAEXAMPLEDEV000001");
	assert_string_equal(p.creds.source, "profile dev");
	/* a session token far longer than libinih's 200-byte lines, whole */
	assert_true(strlen(tok) > 1000);
	assert_string_equal(p.creds.session_token, tok);
	aws_profile_done(&p);
	free(tok);
}

static void
test_aws_profile_and_env_keys(void **state)
{
	struct aws_profile p;

	(void)state;
	env_set("AWS_PROFILE", "dev");
	resolve_ok(NULL, NULL, &p);
	assert_string_equal(p.name, "dev");
	assert_string_equal(p.creds.access_key_id, "ASIAEXAMPLEDEV000001");
	aws_profile_done(&p);
	/* environment keys beat AWS_PROFILE (it names no profile explicitly) ... */
	env_set("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEENV000001");
	env_set("AWS_SECRET_ACCESS_KEY", "envSecret/000");
	env_set("AWS_SESSION_TOKEN", "envToken");
	resolve_ok(NULL, NULL, &p);
	assert_string_equal(p.name, "dev");
	assert_string_equal(p.region, "eu-central-1"); /* the profile still gives the region */
	assert_int_equal(p.kind, AWS_CREDS_STATIC);
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLEENV000001");
	assert_string_equal(p.creds.session_token, "envToken");
	assert_string_equal(p.creds.source, "environment");
	aws_profile_done(&p);
	/* ... but not a profile named explicitly ([ecs] profile) */
	resolve_ok("dev", NULL, &p);
	assert_string_equal(p.creds.access_key_id, "ASIAEXAMPLEDEV000001");
	assert_string_equal(p.creds.source, "profile dev");
	aws_profile_done(&p);
	/* AWS_PROFILE naming a missing profile fails even with keys in the environment */
	env_set("AWS_PROFILE", "nope");
	{
		struct err e;

		resolve_fails(NULL, NULL, &e);
		assert_non_null(strstr(e.msg, "profile nope not found"));
		assert_non_null(strstr(e.msg, "check AWS_PROFILE"));
	}
}

static void
test_partial_env_keys(void **state)
{
	struct err e;

	(void)state;
	env_set("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEENV000001");
	resolve_fails(NULL,
		      "aws: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not — set both, "
		      "or unset it to use a profile",
		      &e);
}

static void
test_region_precedence(void **state)
{
	struct aws_profile p;

	(void)state;
	resolve_ok("dev", NULL, &p);
	assert_string_equal(p.region, "eu-central-1");
	aws_profile_done(&p);
	env_set("AWS_DEFAULT_REGION", "ap-south-1");
	resolve_ok("dev", NULL, &p);
	assert_string_equal(p.region, "ap-south-1");
	aws_profile_done(&p);
	env_set("AWS_REGION", "us-west-2");
	resolve_ok("dev", NULL, &p);
	assert_string_equal(p.region, "us-west-2");
	aws_profile_done(&p);
	resolve_ok("dev", "eu-south-2", &p);
	assert_string_equal(p.region, "eu-south-2");
	aws_profile_done(&p);
	resolve_ok("dev", "", &p); /* an empty override is none */
	assert_string_equal(p.region, "us-west-2");
	aws_profile_done(&p);
}

/* ---- the two files' section names --------------------------------------------------------- */

static void
test_profile_prefix_per_file(void **state)
{
	struct aws_profile p;
	struct err e;

	(void)state;
	/* [only-creds] in the credentials file is a profile; in the config file it is not */
	resolve_ok("only-creds", NULL, &p);
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLEONLYCRED1"); /* key in capitals */
	assert_string_equal(p.creds.secret_access_key, "onlyCredsSecret/44444444444444444444444");
	assert_null(p.region);
	aws_profile_done(&p);
	/* [profile weird] in the credentials file is a profile named "profile weird" */
	resolve_ok("profile weird", NULL, &p);
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLEWEIRD0001");
	aws_profile_done(&p);
	resolve_fails("weird", NULL, &e);
	assert_string_equal(e.msg,
			    "aws: profile weird not found: neither [profile weird] in " AWS
			    "config nor [weird] in " AWS "credentials — check [ecs] profile");
	/* [preview] is no profile either */
	resolve_fails("preview", NULL, &e);
	/* [profile "quoted name"] */
	err_set(&e, ERR_IO, "stale");
	assert_int_equal(aws_profile_resolve("quoted name", NULL, fake_getenv, "/", &p, &e), 0);
	assert_string_equal(p.region, "sa-east-1");
	assert_int_equal(p.kind, AWS_CREDS_NONE);
	aws_profile_done(&p);
}

static void
test_no_credentials_is_none(void **state)
{
	struct aws_profile p;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(aws_profile_resolve("empty", NULL, fake_getenv, "/", &p, &e), 0);
	assert_int_equal(p.kind, AWS_CREDS_NONE);
	assert_string_equal(p.region, "ca-central-1");
	assert_null(p.creds.access_key_id);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "aws: no credentials for profile empty: looked at " AWS
				   "config [profile empty] and " AWS "credentials [empty] "
				   "(aws_access_key_id, credential_process, role_arn) — run aws "
				   "configure");
	aws_profile_done(&p);
	/* no files at all, nothing in the environment: the default profile has nothing */
	env_reset();
	err_clear(&e);
	assert_int_equal(aws_profile_resolve(NULL, NULL, fake_getenv, "/nonexistent", &p, &e), 0);
	assert_int_equal(p.kind, AWS_CREDS_NONE);
	assert_string_equal(p.name, "default");
	assert_null(p.region);
	assert_non_null(strstr(e.msg, "looked at AWS_ACCESS_KEY_ID, /nonexistent/.aws/config "
				      "[default] and /nonexistent/.aws/credentials [default]"));
	assert_non_null(strstr(e.msg, "run aws configure or set [ecs] profile"));
	aws_profile_done(&p);
	/* ... but a missing named profile fails */
	resolve_fails("dev", NULL, &e);
}

/* ---- credential_process, the order of sources ----------------------------------------------- */

static void
test_credential_process(void **state)
{
	struct aws_profile p;

	(void)state;
	resolve_ok("proc", NULL, &p);
	assert_int_equal(p.kind, AWS_CREDS_PROCESS);
	assert_string_equal(p.process,
			    "/usr/local/bin/vault-aws-creds --role ops --format \"json\"");
	assert_string_equal(p.region, "ap-southeast-2");
	assert_null(p.creds.access_key_id);
	aws_profile_done(&p);
	/* the credentials file's keys beat a credential_process ... */
	resolve_ok("proc-shadowed", NULL, &p);
	assert_int_equal(p.kind, AWS_CREDS_STATIC);
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLESHADOW001");
	assert_null(p.process);
	aws_profile_done(&p);
	/* ... which beats the config file's keys */
	resolve_ok("keys-in-config", NULL, &p);
	assert_int_equal(p.kind, AWS_CREDS_PROCESS);
	assert_string_equal(p.process, "/usr/local/bin/process-beats-config-keys");
	aws_profile_done(&p);
}

/* ---- role_arn ---------------------------------------------------------------------------------- */

static void
test_assume_role(void **state)
{
	struct aws_profile p;
	char *tok = slurp(AWS "dev_session_token");

	(void)state;
	resolve_ok("ops", NULL, &p);
	assert_int_equal(p.kind, AWS_CREDS_ASSUME);
	assert_string_equal(p.role_arn, "arn:aws:iam::210987654321:role/ops-readonly");
	assert_string_equal(p.role_session_name, "oncall");
	assert_string_equal(p.external_id, "opsdeck-7f3a");
	assert_int_equal(p.duration_seconds, 1800);
	assert_string_equal(p.region, "us-east-1");
	/* the source profile's keys, token and all */
	assert_string_equal(p.creds.access_key_id, "ASIAEXAMPLEDEV000001");
	assert_string_equal(p.creds.session_token, tok);
	assert_string_equal(p.creds.source, "profile dev");
	assert_null(p.sts_endpoint_url);
	aws_profile_done(&p);
	/* a profile that is its own source uses its keys for the role, not as the answer */
	resolve_ok("self", NULL, &p);
	assert_int_equal(p.kind, AWS_CREDS_ASSUME);
	assert_string_equal(p.role_arn, "arn:aws:iam::123456789012:role/deploy");
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLESELF00001");
	assert_string_equal(p.role_session_name, "opsdeck");
	assert_null(p.external_id);
	assert_int_equal(p.duration_seconds, 3600);
	aws_profile_done(&p);
	free(tok);
}

static void
test_assume_role_from_environment(void **state)
{
	struct aws_profile p;
	struct err e;

	(void)state;
	resolve_fails("env-source",
		      "aws: profile env-source: credential_source = Environment, but "
		      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
		      &e);
	env_set("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEENV000001");
	env_set("AWS_SECRET_ACCESS_KEY", "envSecret/000");
	resolve_ok("env-source", NULL, &p);
	assert_int_equal(p.kind, AWS_CREDS_ASSUME);
	assert_string_equal(p.creds.source, "environment");
	assert_string_equal(p.role_arn, "arn:aws:iam::123456789012:role/from-env");
	aws_profile_done(&p);
	resolve_fails("imds-source", NULL, &e);
	assert_non_null(strstr(e.msg, "credential_source Ec2InstanceMetadata is not something "
				      "opsdeck can read"));
}

static void
test_assume_role_refused(void **state)
{
	struct err e;

	(void)state;
	resolve_fails("no-source",
		      "aws: profile no-source has role_arn but no source_profile — add "
		      "source_profile = a profile with keys",
		      &e);
	resolve_fails("loop-a",
		      "aws: profile loop-a: source_profile goes round in a loop (back to loop-a) — "
		      "end the chain at a profile with keys",
		      &e);
	resolve_fails("loop-b", NULL, &e);
	assert_non_null(strstr(e.msg, "goes round in a loop (back to loop-b)"));
	resolve_fails("chain",
		      "aws: profile chain: its source_profile ops assumes a role itself (role "
		      "chaining) — opsdeck assumes one role: set source_profile to a profile "
		      "with keys",
		      &e);
	resolve_fails("mfa", NULL, &e);
	assert_memory_equal(e.msg, "aws: profile mfa needs an MFA code (mfa_serial)", 47);
	resolve_fails("sso", NULL, &e);
	assert_non_null(strstr(e.msg, "IAM Identity Center"));
	assert_non_null(strstr(e.msg, "credential_process = aws configure export-credentials "
				      "--profile sso --format process"));
}

static void
test_assume_role_bad_values(void **state)
{
	char path[] = "/tmp/opsdeck-aws-config-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct err e;

	(void)state;
	assert_non_null(f);
	fputs("[profile long]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = k\n"
	      "duration_seconds = 99999\n"
	      "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = k\n"
	      "credential_source = Environment\n"
	      "[profile half-src]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = half\n"
	      "[profile half]\naws_access_key_id = AKIAHALF\n"
	      "[profile ghost]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nobody\n"
	      "[profile k]\naws_access_key_id = AKIAK\naws_secret_access_key = wJalrXUtnFEMI/k\n"
	      "[profile proc-src]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = p\n"
	      "[profile p]\ncredential_process = /bin/creds\n",
	      f);
	fclose(f);
	env_set("AWS_CONFIG_FILE", path);
	resolve_fails("long",
		      "aws: profile long: duration_seconds '99999' is not 900 to 43200 seconds",
		      &e);
	resolve_fails("both",
		      "aws: profile both has both source_profile and credential_source — keep one",
		      &e);
	resolve_fails("half-src", NULL, &e);
	assert_non_null(strstr(e.msg, "profile half has aws_access_key_id but no "
				      "aws_secret_access_key"));
	resolve_fails("ghost", "aws: profile ghost: source_profile nobody does not exist", &e);
	resolve_fails("proc-src", NULL, &e);
	assert_non_null(strstr(e.msg, "its source_profile p gets its keys from "
				      "credential_process"));
	remove(path);
}

/* ---- endpoint_url ------------------------------------------------------------------------------ */

static void
test_endpoint_url(void **state)
{
	struct aws_profile p;

	(void)state;
	resolve_ok("local", NULL, &p);
	assert_string_equal(p.endpoint_url, "http://localhost:4566");
	assert_string_equal(p.sts_endpoint_url, "http://localhost:4566");
	assert_string_equal(p.creds.access_key_id, "test");
	aws_profile_done(&p);
	/* the services section beats the profile's endpoint_url, per service */
	resolve_ok("svc", NULL, &p);
	assert_string_equal(p.endpoint_url, "http://localhost:4566");
	assert_string_equal(p.sts_endpoint_url, "http://localhost:4567");
	aws_profile_done(&p);
	/* the environment beats both: the service's variable, then the global one */
	env_set("AWS_ENDPOINT_URL", "http://global:1");
	env_set("AWS_ENDPOINT_URL_ECS", "http://ecs:2");
	resolve_ok("svc", NULL, &p);
	assert_string_equal(p.endpoint_url, "http://ecs:2");
	assert_string_equal(p.sts_endpoint_url, "http://global:1");
	aws_profile_done(&p);
	/* ignore_configured_endpoint_urls, in the profile or the environment */
	resolve_ok("ignore", NULL, &p);
	assert_null(p.endpoint_url);
	assert_null(p.sts_endpoint_url);
	aws_profile_done(&p);
	env_set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
	resolve_ok("local", NULL, &p);
	assert_null(p.endpoint_url);
	aws_profile_done(&p);
}

/* ---- malformed files ---------------------------------------------------------------------------- */

static void
test_malformed_files(void **state)
{
	struct err e;

	(void)state;
	env_set("AWS_CONFIG_FILE", AWS "config_malformed");
	resolve_fails(NULL,
		      "aws: " AWS "config_malformed:4: neither [section], a comment (# or ;) nor "
		      "name = value — fix or remove the line",
		      &e);
	env_set("AWS_CONFIG_FILE", AWS "config_duplicate");
	resolve_fails("dev",
		      "aws: " AWS "config_duplicate:6: 'REGION' again in [profile ops] (first at "
		      "line 5) — keep one",
		      &e);
	env_set("AWS_CONFIG_FILE", AWS "config_before_section");
	resolve_fails(NULL, "aws: " AWS "config_before_section:2: a setting before any [section]",
		      &e);
	/* a pasted secret on a line of its own: named by line, never quoted */
	env_set("AWS_CONFIG_FILE", AWS "config");
	env_set("AWS_SHARED_CREDENTIALS_FILE", AWS "credentials_malformed");
	resolve_fails(NULL, NULL, &e);
	assert_memory_equal(e.msg, "aws: " AWS "credentials_malformed:4: ",
			    strlen("aws: " AWS "credentials_malformed:4: "));
	env_set("AWS_SHARED_CREDENTIALS_FILE", AWS "credentials_half");
	resolve_fails(NULL,
		      "aws: " AWS "credentials_half:1: profile default has aws_access_key_id but "
		      "no aws_secret_access_key — add it, or remove both",
		      &e);
	/* a directory where the file should be */
	env_set("AWS_SHARED_CREDENTIALS_FILE", AWS);
	resolve_fails(NULL, NULL, &e);
	assert_memory_equal(e.msg, "aws: cannot read " AWS, strlen("aws: cannot read " AWS));
}

/* ~ in AWS_CONFIG_FILE is the home given. */
static void
test_tilde_in_file_variables(void **state)
{
	struct aws_profile p;
	struct err e;

	(void)state;
	env_reset();
	env_set("AWS_CONFIG_FILE", "~/.aws/config");
	env_set("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
	assert_int_equal(aws_profile_resolve(NULL, NULL, fake_getenv, AWS "home", &p, &e), 0);
	assert_string_equal(p.creds.access_key_id, "AKIAEXAMPLEHOME00001");
	aws_profile_done(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_default_profile_from_home, setup),
		cmocka_unit_test_setup(test_default_profile_from_files, setup),
		cmocka_unit_test_setup(test_named_profile_long_token, setup),
		cmocka_unit_test_setup(test_aws_profile_and_env_keys, setup),
		cmocka_unit_test_setup(test_partial_env_keys, setup),
		cmocka_unit_test_setup(test_region_precedence, setup),
		cmocka_unit_test_setup(test_profile_prefix_per_file, setup),
		cmocka_unit_test_setup(test_no_credentials_is_none, setup),
		cmocka_unit_test_setup(test_credential_process, setup),
		cmocka_unit_test_setup(test_assume_role, setup),
		cmocka_unit_test_setup(test_assume_role_from_environment, setup),
		cmocka_unit_test_setup(test_assume_role_refused, setup),
		cmocka_unit_test_setup(test_assume_role_bad_values, setup),
		cmocka_unit_test_setup(test_endpoint_url, setup),
		cmocka_unit_test_setup(test_malformed_files, setup),
		cmocka_unit_test_setup(test_tilde_in_file_variables, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
