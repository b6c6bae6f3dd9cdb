/*
 * fuzz_aws.c - libFuzzer harness for the AWS shared files' reader, profile
 * resolution, credential_process output and STS AssumeRole answers.
 *
 * The input is parsed as a config file (a failure names the file and a
 * line inside it), then written to a file and resolved as the config file
 * for every profile it names, with and without keys in the environment:
 * a failure leaves the profile zeroed and says "aws: ...", a success
 * fills what its kind promises, and no message quotes a secret of the
 * file.  The same bytes are credential_process output and an STS answer
 * under the statuses STS sends (a success has all three keys and an
 * expiry), and the string is a role ARN and session name for the form
 * body, which must not let '&' or '=' through.  The corpus holds the
 * fixture files verbatim.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_config.h"
#include "aws_internal.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static char cfg_path[64];
static bool env_keys;

static char *
fake_getenv(const char *name)
{
	if (strcmp(name, "AWS_CONFIG_FILE") == 0)
		return cfg_path;
	if (strcmp(name, "AWS_SHARED_CREDENTIALS_FILE") == 0)
		return "/nonexistent/credentials";
	if (env_keys && strcmp(name, "AWS_ACCESS_KEY_ID") == 0)
		return "AKIAFUZZ";
	if (env_keys && strcmp(name, "AWS_SECRET_ACCESS_KEY") == 0)
		return "fuzzSecretFromTheEnvironment";
	return NULL;
}

/* Whether s is also text a message may quote: a key, a value that is no secret. */
static bool
public_text(const struct aws_ini *ini, const char *s)
{
	size_t i, k;

	for (i = 0; i < ini->n; i++)
		for (k = 0; k < ini->sections[i].n; k++) {
			const struct aws_ini_entry *en = &ini->sections[i].entries[k];

			if (strstr(en->key, s) != NULL ||
			    (strstr(en->key, "secret") == NULL &&
			     strstr(en->key, "token") == NULL && strstr(en->value, s) != NULL))
				return true;
		}
	return false;
}

/* Overwrite every occurrence of s in m (a copy of a message) with 0x01 bytes. */
static void
blank_out(char *m, const char *s)
{
	size_t n = strlen(s);
	char *p;

	if (n == 0)
		return;
	while ((p = strstr(m, s)) != NULL)
		memset(p, 1, n);
}

/*
 * No secret value of the file in the message.  Profile names and the file
 * name are quoted by design, so they are blanked out first: a secret that
 * is only part of a name is not a leak.
 */
static void
no_secret(const struct aws_ini *ini, const struct err *e)
{
	char m[sizeof e->msg];
	size_t i, k;

	memcpy(m, e->msg, sizeof m);
	blank_out(m, cfg_path);
	for (i = 0; i < ini->n; i++) {
		blank_out(m, ini->sections[i].name);
		if (strncmp(ini->sections[i].name, "profile ", 8) == 0)
			blank_out(m, ini->sections[i].name + 8);
	}
	CHECK(strstr(m, "fuzzSecretFromTheEnvironment") == NULL || public_text(ini, "fuzzSecret"));
	for (i = 0; i < ini->n; i++)
		for (k = 0; k < ini->sections[i].n; k++) {
			const struct aws_ini_entry *en = &ini->sections[i].entries[k];

			if ((strstr(en->key, "secret") != NULL ||
			     strstr(en->key, "token") != NULL) &&
			    strlen(en->value) >= 16 && strstr(m, en->value) != NULL)
				CHECK(public_text(ini, en->value));
		}
}

static void
resolve(const struct aws_ini *ini, const char *name)
{
	struct aws_profile p;
	struct err e;

	err_clear(&e);
	if (aws_profile_resolve(name, NULL, fake_getenv, "/nonexistent", &p, &e) < 0) {
		CHECK(e.code == ERR_CONFIG && strncmp(e.msg, "aws: ", 5) == 0);
		CHECK(p.name == NULL && p.creds.secret_access_key == NULL && p.process == NULL);
		no_secret(ini, &e);
		return;
	}
	no_secret(ini, &e);
	CHECK(p.name != NULL);
	switch (p.kind) {
	case AWS_CREDS_NONE:
		CHECK(e.code == ERR_CONFIG && p.creds.access_key_id == NULL);
		break;
	case AWS_CREDS_STATIC:
		CHECK(e.code == ERR_OK && p.creds.access_key_id && p.creds.secret_access_key);
		CHECK(p.creds.source != NULL);
		break;
	case AWS_CREDS_PROCESS:
		CHECK(e.code == ERR_OK && p.process != NULL && p.process[0] != '\0');
		break;
	case AWS_CREDS_ASSUME:
		CHECK(e.code == ERR_OK && p.role_arn && p.role_session_name);
		CHECK(p.creds.access_key_id && p.creds.secret_access_key);
		CHECK(p.duration_seconds >= 900 && p.duration_seconds <= 43200);
		break;
	}
	aws_profile_done(&p);
}

static void
config(const char *body, size_t len)
{
	struct aws_ini ini;
	struct err e;
	FILE *f;
	size_t i;

	err_clear(&e);
	if (aws_ini_parse(body, len, "fuzz", &ini, &e) < 0) {
		CHECK(e.code == ERR_CONFIG && strncmp(e.msg, "aws: fuzz:", 10) == 0);
		CHECK(ini.n == 0 && ini.sections == NULL);
		return;
	}
	if (cfg_path[0] == '\0')
		snprintf(cfg_path, sizeof cfg_path, "/tmp/opsdeck-fuzz-aws-%ld", (long)getpid());
	f = fopen(cfg_path, "wb");
	CHECK(f != NULL);
	CHECK(fwrite(body, 1, len, f) == len);
	fclose(f);
	for (i = 0; i < ini.n && i < 8; i++) {
		const char *name = ini.sections[i].name;

		if (strncmp(name, "profile ", 8) == 0)
			name += 8;
		env_keys = false;
		resolve(&ini, name);
		env_keys = true;
		resolve(&ini, name);
	}
	env_keys = false;
	resolve(&ini, NULL);
	unlink(cfg_path);
	aws_ini_done(&ini);
}

static void
process(const char *body, size_t len)
{
	struct aws_creds c;
	struct err e;

	err_clear(&e);
	if (aws_parse_process_output(body, len, &c, &e) < 0) {
		CHECK(e.code == ERR_AUTH && strncmp(e.msg, "aws: ", 5) == 0);
		CHECK(c.access_key_id == NULL && c.secret_access_key == NULL);
		return;
	}
	CHECK(c.access_key_id && c.secret_access_key && c.expires >= 0);
	CHECK(strstr(e.msg, c.secret_access_key) == NULL);
	aws_creds_done(&c);
}

static void
sts(long status, const char *body, size_t len)
{
	struct aws_creds c;
	struct err e;

	err_clear(&e);
	if (aws_parse_assume_role(status, body, len, &c, &e) < 0) {
		CHECK(e.code != ERR_OK && strncmp(e.msg, "sts: ", 5) == 0);
		CHECK(c.access_key_id == NULL && c.session_token == NULL);
		return;
	}
	CHECK(status >= 200 && status <= 299);
	CHECK(c.access_key_id && c.secret_access_key && c.session_token && c.expires > 0);
	CHECK(c.source != NULL && strncmp(c.source, "assume-role", 11) == 0);
	aws_creds_done(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 503 };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *str = malloc(size + 1), *form, *p;
	size_t i;

	if (size > 0)
		memcpy(body, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	config(body, size);
	process(body, size);
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		sts(statuses[i], body, size);
	form = aws_assume_role_body(str, str, str, 900);
	/* only the body's own separators: an '&' before each parameter but Action */
	for (i = 0, p = form; (p = strchr(p, '&')) != NULL; p++)
		i++;
	CHECK(i == (str[0] != '\0' ? 5 : 4));
	free(form);
	(void)aws_time(str);
	free(str);
	free(body);
	return 0;
}
