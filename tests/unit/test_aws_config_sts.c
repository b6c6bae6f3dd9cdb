/*
 * test_aws_config_sts.c - the shared files' reader in detail (sections,
 * separators, comments, continuations, sub-settings, long lines, BOM and
 * CRLF, errors by line), credential_process output with and without an
 * expiry and malformed, and STS AssumeRole: the form body, the XML answer,
 * ErrorResponse and malformed answers.  No secret in any message.
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
#include "aws_internal.h"

#define AWS TESTS_DIR "/fixtures/ecs/aws/"
#define T0 1795341600.0 /* 2026-11-22T10:00:00Z */

/* new: the file's bytes. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
no_secret(const struct err *e, const char *secret)
{
	if (strstr(e->msg, secret) != NULL)
		fail_msg("secret %s in message: %s", secret, e->msg);
}

/* ---- the reader -------------------------------------------------------------------------- */

static const char *
value(const struct aws_ini *ini, const char *section, const char *key)
{
	const struct aws_ini_entry *en = aws_ini_entry(aws_ini_section(ini, section), key);

	return en != NULL ? en->value : NULL;
}

static void
test_reader_syntax(void **state)
{
	static const char text[] = "\xef\xbb\xbf# comment\r\n"
				   "; another\n"
				   "[ default ]\n"
				   "region=eu-west-1\n"
				   "output : json\n"
				   "Key_With_Caps = v # not a comment in the CLI either\n"
				   "empty =\n"
				   "\n"
				   "[profile dev]\n"
				   "  region = us-east-1\n"
				   "  s3 =\n"
				   "    max_concurrent_requests = 20\n"
				   "    # a comment inside\n"
				   "    addressing_style = path\n"
				   "  ecs =\n"
				   "      endpoint_url = http://localhost:4566\n"
				   "  cli_pager = less\n"
				   "    -R\n"
				   "[services x]\n"
				   "ecs =\n"
				   "  endpoint_url = http://e:1\n"
				   "region = r";
	struct aws_ini ini;
	struct err e;

	(void)state;
	assert_int_equal(aws_ini_parse(text, strlen(text), "cfg", &ini, &e), 0);
	assert_int_equal(ini.n, 3);
	assert_string_equal(ini.sections[0].name, "default");
	assert_int_equal(ini.sections[0].line, 3);
	assert_string_equal(value(&ini, "default", "region"), "eu-west-1");
	assert_string_equal(value(&ini, "default", "output"), "json");
	assert_string_equal(value(&ini, "default", "key_with_caps"),
			    "v # not a comment in the CLI either");
	assert_string_equal(value(&ini, "default", "empty"), "");
	assert_string_equal(value(&ini, "profile dev", "region"), "us-east-1");
	assert_string_equal(value(&ini, "profile dev", "s3.max_concurrent_requests"), "20");
	assert_string_equal(value(&ini, "profile dev", "s3.addressing_style"), "path");
	assert_string_equal(value(&ini, "profile dev", "ecs.endpoint_url"),
			    "http://localhost:4566");
	assert_string_equal(value(&ini, "profile dev", "cli_pager"), "less\n-R");
	assert_string_equal(value(&ini, "services x", "ecs.endpoint_url"), "http://e:1");
	assert_string_equal(value(&ini, "services x", "region"), "r"); /* no final newline */
	assert_null(value(&ini, "profile dev", "missing"));
	assert_null(aws_ini_section(&ini, "dev"));
	aws_ini_done(&ini);
	aws_ini_done(&ini);
}

static void
test_reader_long_lines(void **state)
{
	size_t n = 200 * 1024, i;
	char *text = malloc(n + 64), *p = text;
	struct aws_ini ini;
	struct err e;

	(void)state;
	p += sprintf(p, "[default]\naws_session_token = ");
	for (i = 0; i < n; i++)
		*p++ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"[i % 38];
	strcpy(p, "\nregion = x\n");
	assert_int_equal(aws_ini_parse(text, strlen(text), "f", &ini, &e), 0);
	assert_int_equal(strlen(value(&ini, "default", "aws_session_token")), n);
	assert_string_equal(value(&ini, "default", "region"), "x");
	aws_ini_done(&ini);
	free(text);
}

struct bad {
	const char *text;
	const char *msg;
};

static void
test_reader_errors(void **state)
{
	static const struct bad bad[] = {
		{ "[default\nregion = x\n", "aws: f:1: a section header without its closing ']'" },
		{ "[default]\n[ ]\n", "aws: f:2: a section header without a name" },
		{ "x = 1\n", "aws: f:1: a setting before any [section]" },
		{ "[a]\nb = 1\n[a]\n",
		  "aws: f:3: section [a] again (first at line 1) — merge the two" },
		{ "[a]\n= value\n", "aws: f:2: neither [section], a comment (# or ;) nor name = "
				    "value — fix or remove "
				    "the line" },
		{ "[a]\ns3 =\n  no value here\n", "aws: f:3: an indented line under a setting "
						  "without a value must be name = value" },
		{ "[a]\ns3 =\n  x = 1\n  x = 2\n", "aws: f:4: 's3.x' again in [a] — keep one" },
		{ "[a]\nb = 1\0\n", "aws: f:2: a NUL byte — the file is not text" },
	};
	struct aws_ini ini;
	struct err e;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		len = strlen(bad[i].text);
		if (i == sizeof bad / sizeof bad[0] - 1)
			len = 13; /* past the NUL */
		err_clear(&e);
		assert_int_equal(aws_ini_parse(bad[i].text, len, "f", &ini, &e), -1);
		assert_int_equal(e.code, ERR_CONFIG);
		assert_string_equal(e.msg, bad[i].msg);
		assert_null(ini.sections);
		assert_null(ini.file);
	}
	/* a secret on a line of its own is named by line and never quoted */
	{
		static const char s[] = "[default]\n\nwJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n";

		assert_int_equal(aws_ini_parse(s, strlen(s), "f", &ini, &e), -1);
		assert_memory_equal(e.msg, "aws: f:3: ", 10);
		no_secret(&e, "wJalrXUtnFEMI");
	}
}

/* ---- credential_process output ----------------------------------------------------------- */

static void
test_process_output(void **state)
{
	struct aws_creds c;
	struct err e;
	size_t len;
	char *body = slurp(AWS "process_output.json", &len);

	(void)state;
	assert_int_equal(aws_parse_process_output(body, len, &c, &e), 0);
	assert_string_equal(c.access_key_id, "ASIAPROCESSEXAMPLE01");
	assert_string_equal(c.secret_access_key, "procSecret/9999999999999999999999999999");
	assert_int_equal(strlen(c.session_token), 600);
	assert_true(c.expires == T0 + 3600);
	assert_string_equal(c.source, "credential_process");
	aws_creds_done(&c);
	assert_null(c.access_key_id);
	aws_creds_done(&c);
	free(body);

	body = slurp(AWS "process_output_no_expiry.json", &len);
	assert_int_equal(aws_parse_process_output(body, len, &c, &e), 0);
	assert_string_equal(c.access_key_id, "AKIAPROCESSSTATIC01");
	assert_null(c.session_token);
	assert_true(c.expires == 0);
	aws_creds_done(&c);
	free(body);
}

static void
test_process_output_malformed(void **state)
{
	static const struct {
		const char *file, *msg, *secret;
	} cases[] = {
		{ "process_output_version2.json",
		  "aws: the credential_process printed Version 2; opsdeck reads Version 1",
		  "procV2Secret" },
		{ "process_output_no_secret.json",
		  "aws: the credential_process's output has no SecretAccessKey", "ASIAPROCESS" },
		{ "process_output_bad_expiry.json",
		  "aws: the credential_process's Expiration is not an ISO 8601 time "
		  "(2026-11-22T10:00:00Z)",
		  "procSecret" },
		{ "process_output_not_json.txt",
		  "aws: the credential_process's output is not a JSON object — run it by hand to "
		  "see "
		  "why",
		  "procSecret" },
	};
	struct aws_creds c;
	struct err e;
	size_t i, len;
	char *body;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[256];

		snprintf(path, sizeof path, AWS "%s", cases[i].file);
		body = slurp(path, &len);
		err_clear(&e);
		assert_int_equal(aws_parse_process_output(body, len, &c, &e), -1);
		assert_int_equal(e.code, ERR_AUTH);
		assert_string_equal(e.msg, cases[i].msg);
		no_secret(&e, cases[i].secret);
		assert_null(c.access_key_id);
		assert_null(c.secret_access_key);
		free(body);
	}
	assert_int_equal(aws_parse_process_output("", 0, &c, &e), -1);
	assert_string_equal(
		e.msg, "aws: the credential_process printed nothing — run it by hand to see why");
	assert_int_equal(aws_parse_process_output("{\"AccessKeyId\":\"a\"}", 19, &c, &e), -1);
	assert_string_equal(e.msg, "aws: the credential_process's output has no \"Version\": 1 — "
				   "it is not a credential_process");
}

/* ---- STS AssumeRole ------------------------------------------------------------------------- */

static void
test_assume_role_body(void **state)
{
	char *b;

	(void)state;
	b = aws_assume_role_body("arn:aws:iam::210987654321:role/ops-readonly", "oncall", NULL,
				 1800);
	assert_string_equal(b, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%"
			       "3A210987654321%3Arole%2Fops-readonly&RoleSessionName=oncall&"
			       "DurationSeconds=1800");
	free(b);
	b = aws_assume_role_body("arn:aws:iam::1:role/r", NULL, "ext id&=x", 0);
	assert_string_equal(b, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%"
			       "3A1%3Arole%2Fr&RoleSessionName=opsdeck&DurationSeconds=3600&"
			       "ExternalId=ext%20id%26%3Dx");
	free(b);
}

static void
test_assume_role_answer(void **state)
{
	struct aws_creds c;
	struct err e;
	size_t len;
	char *body = slurp(AWS "sts_assume_role.xml", &len);

	(void)state;
	assert_int_equal(aws_parse_assume_role(200, body, len, &c, &e), 0);
	assert_string_equal(c.access_key_id, "ASIATSTSEXAMPLE00001");
	assert_string_equal(c.secret_access_key,
			    "stsSecretExample/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
	assert_int_equal(strlen(c.session_token), 800);
	assert_true(c.expires > T0 + 1800.12 && c.expires < T0 + 1800.13);
	assert_string_equal(
		c.source, "assume-role arn:aws:sts::210987654321:assumed-role/ops-readonly/oncall");
	aws_creds_done(&c);
	free(body);
	/* a namespace prefix, members in another order, an offset */
	body = slurp(AWS "sts_prefixed.xml", &len);
	assert_int_equal(aws_parse_assume_role(200, body, len, &c, &e), 0);
	assert_string_equal(c.access_key_id, "ASIAPREFIXED00000001");
	assert_string_equal(c.session_token, "tok");
	assert_true(c.expires == T0 + 1800);
	assert_string_equal(c.source, "assume-role");
	aws_creds_done(&c);
	free(body);
}

static void
test_assume_role_errors(void **state)
{
	static const struct {
		const char *file;
		long status;
		enum err_code code;
		const char *msg;
	} cases[] = {
		{ "sts_access_denied.xml", 403, ERR_AUTH,
		  "sts: AccessDenied: User: arn:aws:iam::123456789012:user/alice is not authorized "
		  "to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/"
		  "ops-readonly — the role's trust policy must allow the source credentials, and "
		  "their IAM policy sts:AssumeRole on the role" },
		{ "sts_validation.xml", 400, ERR_CONFIG,
		  "sts: ValidationError: The requested DurationSeconds exceeds the "
		  "MaxSessionDuration set for this role. — check role_arn, role_session_name and "
		  "duration_seconds" },
		{ "sts_expired_token.xml", 400, ERR_AUTH,
		  "sts: ExpiredToken: The security token included in the request is expired — the "
		  "source credentials' session token has expired: renew them" },
		{ "sts_malformed.xml", 200, ERR_PARSE,
		  "sts: HTTP 200 with an answer that is not XML — check the STS endpoint" },
		{ "sts_no_credentials.xml", 200, ERR_PARSE,
		  "sts: the AssumeRole answer has no AssumeRoleResult/Credentials — check the STS "
		  "endpoint" },
		{ "process_output.json", 200, ERR_PARSE,
		  "sts: HTTP 200 with an answer that is not XML — check the STS endpoint" },
	};
	struct aws_creds c;
	struct err e;
	size_t i, len;
	char *body, path[256];

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(path, sizeof path, AWS "%s", cases[i].file);
		body = slurp(path, &len);
		err_clear(&e);
		assert_int_equal(aws_parse_assume_role(cases[i].status, body, len, &c, &e), -1);
		assert_string_equal(e.msg, cases[i].msg);
		assert_int_equal(e.code, cases[i].code);
		assert_null(c.access_key_id);
		assert_null(c.secret_access_key);
		no_secret(&e, "stsSecret");
		no_secret(&e, "procSecret");
		free(body);
	}
	/* an ErrorResponse under a 200 is still an error */
	body = slurp(AWS "sts_access_denied.xml", &len);
	assert_int_equal(aws_parse_assume_role(200, body, len, &c, &e), -1);
	assert_memory_equal(e.msg, "sts: AccessDenied: ", 19);
	free(body);
	/* no XML under an error status */
	assert_int_equal(aws_parse_assume_role(503, "Service Unavailable", 19, &c, &e), -1);
	assert_string_equal(e.msg, "sts: HTTP 503 Service Unavailable (body starts with 'Service "
				   "Unavailable') — check the STS endpoint");
	assert_int_equal(aws_parse_assume_role(0, NULL, 0, &c, &e), -1);
	assert_int_equal(e.code, ERR_HTTP);
	/* an external entity is neither fetched nor expanded */
	{
		static const char xxe[] =
			"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
			"\"file:///etc/"
			"passwd\">]><AssumeRoleResponse><AssumeRoleResult><Credentials>"
			"<AccessKeyId>&x;</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
			"<SessionToken>t</SessionToken><Expiration>2026-11-22T11:00:00Z</"
			"Expiration>"
			"</Credentials></AssumeRoleResult></AssumeRoleResponse>";

		assert_int_equal(aws_parse_assume_role(200, xxe, strlen(xxe), &c, &e), -1);
		assert_string_equal(e.msg, "sts: the AssumeRole answer's Credentials have no "
					   "AccessKeyId");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_syntax),
		cmocka_unit_test(test_reader_long_lines),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_process_output),
		cmocka_unit_test(test_process_output_malformed),
		cmocka_unit_test(test_assume_role_body),
		cmocka_unit_test(test_assume_role_answer),
		cmocka_unit_test(test_assume_role_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
