/*
 * test_config_logs.c - tui/config and tui/setup for logs: [general]
 * timezone, the [elasticsearch] and [logs] keys (values, messages,
 * precedence of flag, environment and file), secrets from files and the
 * environment never printed, one kind of credentials, the API key's
 * form.  What setup_init makes of them is in test_setup_logs.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_test.h"
#include "xalloc.h"

/* The example API key of Elasticsearch's documentation (base64 of id:api_key). */
#define API_KEY "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="

/* new: the printed line of [section] that starts with prefix, or NULL. */
static char *
section_line(const struct config *cfg, const char *section, const char *prefix)
{
	char *all = print(cfg), *head = xasprintf("\n[%s]\n", section), *p, *found = NULL;

	p = strstr(all, head);
	if (p != NULL)
		p += strlen(head);
	while (p != NULL && *p != '\0' && *p != '[') {
		size_t len = strcspn(p, "\n");

		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			found = xstrndup(p, len);
			break;
		}
		p += len + (p[len] == '\n');
	}
	free(head);
	free(all);
	return found;
}

static void
expect_es_printed(const struct config *cfg, const char *prefix, const char *origin)
{
	char *line = section_line(cfg, "elasticsearch", prefix);

	if (line == NULL)
		fail_msg("no printed line of [elasticsearch] starts with '%s'", prefix);
	assert_ends_with(line, origin);
	free(line);
}

/* new: a finalized configuration of text, or a failed test. */
static struct config *
load_final(const char *text)
{
	struct err e;
	struct config *cfg = load_text(text, &e);

	if (cfg == NULL)
		fail_msg("load: %s", e.msg);
	if (config_finalize(cfg, &e) < 0)
		fail_msg("finalize: %s", e.msg);
	return cfg;
}

/* ---- tests ---- */

static void
test_logs_defaults(void **state)
{
	struct config *cfg = config_new();
	struct err e;
	size_t n;

	(void)state;
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_GENERAL_TIMEZONE), "local");
	assert_false(config_elasticsearch_configured(cfg));
	assert_null(config_str(cfg, CFG_ELASTICSEARCH_URL));
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_INDEX), "logs-*");
	assert_null(config_str(cfg, CFG_ELASTICSEARCH_TOKEN_FILE));
	assert_null(config_secret(cfg, CFG_ELASTICSEARCH_TOKEN));
	assert_null(config_str(cfg, CFG_ELASTICSEARCH_USERNAME));
	assert_null(config_secret(cfg, CFG_ELASTICSEARCH_PASSWORD));
	assert_null(config_secret(cfg, CFG_ELASTICSEARCH_API_KEY));
	assert_null(config_str(cfg, CFG_ELASTICSEARCH_CA_FILE));
	assert_false(config_bool(cfg, CFG_ELASTICSEARCH_INSECURE));
	assert_int_equal(config_ms(cfg, CFG_ELASTICSEARCH_TIMEOUT), 5000);
	assert_true(config_size(cfg, CFG_ELASTICSEARCH_MAX_BODY) == 32ull * 1024 * 1024);
	assert_null(config_list(cfg, CFG_ELASTICSEARCH_HEADER, &n));
	assert_int_equal(n, 0);
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_TIMESTAMP_FIELD), "@timestamp");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_MESSAGE_FIELD), "message");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_LEVEL_FIELD), "log.level");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_SERVICE_FIELD), "service.name");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_TRACE_FIELD), "trace.id");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_TIEBREAK_FIELD), "_doc");
	assert_int_equal(config_int(cfg, CFG_LOGS_MAX_LINES), 10000);
	assert_true(config_size(cfg, CFG_LOGS_MAX_BYTES) == 16ull * 1024 * 1024);
	assert_true(config_size(cfg, CFG_LOGS_MAX_MESSAGE) == 64ull * 1024);
	assert_int_equal(config_int(cfg, CFG_LOGS_PAGE), 200);
	assert_int_equal(config_ms(cfg, CFG_LOGS_RANGE), 15 * 60 * 1000);
	expect_printed(cfg, "timezone = local", "; default");
	expect_es_printed(cfg, "; url = (unset)", "(unset)");
	expect_es_printed(cfg, "index = logs-*", "; default");
	expect_es_printed(cfg, "; api_key = (unset)", "(unset)");
	expect_es_printed(cfg, "tiebreak_field = _doc", "; default");
	expect_printed(cfg, "max_lines = 10000", "; default");
	expect_printed(cfg, "max_message = 64KiB", "; default");
	expect_printed(cfg, "range = 15m", "; default");
	config_free(cfg);
}

static void
test_logs_file(void **state)
{
	struct config *cfg = config_new();
	const char *const *h;
	struct err e;
	char *out;
	size_t n;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "logs.ini", true, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_GENERAL_TIMEZONE), "UTC");
	assert_true(config_elasticsearch_configured(cfg));
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_URL),
			    "https://logs.example.com:9200/es");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_INDEX),
			    "logs-app-*,-logs-app-debug,remote:logs-*");
	assert_string_equal(config_secret(cfg, CFG_ELASTICSEARCH_API_KEY), API_KEY);
	assert_int_equal(config_source(cfg, CFG_ELASTICSEARCH_API_KEY), CFG_SRC_FILE);
	assert_true(config_bool(cfg, CFG_ELASTICSEARCH_INSECURE));
	assert_int_equal(config_ms(cfg, CFG_ELASTICSEARCH_TIMEOUT), 7000);
	assert_true(config_size(cfg, CFG_ELASTICSEARCH_MAX_BODY) == 8ull * 1024 * 1024);
	h = config_list(cfg, CFG_ELASTICSEARCH_HEADER, &n);
	assert_int_equal(n, 2);
	assert_string_equal(h[0], "X-Opaque-Id: opsdeck");
	assert_string_equal(h[1], "X-Elastic-Product-Origin: kibana");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_TIMESTAMP_FIELD), "event.created");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_MESSAGE_FIELD), "msg");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_LEVEL_FIELD), "severity");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_SERVICE_FIELD), "app");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_TRACE_FIELD), "traceId");
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_TIEBREAK_FIELD), "event.sequence");
	assert_int_equal(config_int(cfg, CFG_LOGS_MAX_LINES), 500);
	assert_true(config_size(cfg, CFG_LOGS_MAX_BYTES) == 4ull * 1024 * 1024);
	assert_true(config_size(cfg, CFG_LOGS_MAX_MESSAGE) == 8ull * 1024);
	assert_int_equal(config_int(cfg, CFG_LOGS_PAGE), 50);
	assert_int_equal(config_ms(cfg, CFG_LOGS_RANGE), 3600 * 1000);
	expect_printed(cfg, "timezone = UTC", "; " FIX "logs.ini:3");
	expect_es_printed(cfg, "url = https://logs.example.com:9200/es", "; " FIX "logs.ini:6");
	expect_es_printed(cfg, "header = X-Opaque-Id: opsdeck", "; " FIX "logs.ini:12");
	expect_es_printed(cfg, "; api_key = <redacted>", "; from api_key_file");
	expect_printed(cfg, "page = 50", "; " FIX "logs.ini:25");
	/* the key never appears, whole or in part */
	out = print(cfg);
	assert_null(strstr(out, "VnVhQ2ZHY0JDZGJr"));
	free(out);
	config_free(cfg);
}

static void
test_logs_bad_values(void **state)
{
	(void)state;
	expect_load_error("[general]\ntimezone = Europe/Paris\n",
			  "config.ini:2: invalid value 'Europe/Paris' for timezone (choose one "
			  "of: local, UTC)");
	expect_load_error("[general]\ntimezone = utc\n",
			  "config.ini:2: invalid value 'utc' for timezone (choose one of: local, "
			  "UTC)");
	expect_load_error("[elasticsearch]\nurl = logs:9200\n",
			  "config.ini:2: invalid URL 'logs:9200' for url (write e.g. "
			  "http://localhost:9200, https://logs.example.com or "
			  "unix:///run/elasticsearch.sock)");
	expect_load_error("[elasticsearch]\nurl = https://elastic:s3cr3t@logs:9200\n",
			  "config.ini:2: url must not contain credentials (user:password@host): "
			  "set username and password_file in [elasticsearch], or "
			  "OPSDECK_ELASTICSEARCH_PASSWORD");
	expect_load_error("[elasticsearch]\nindex = Logs-*\n",
			  "config.ini:2: invalid index pattern 'Logs-*' for index (lowercase "
			  "index names or patterns separated by commas, e.g. logs-* or "
			  "logs-*,-logs-debug)");
	{
		static const char *const bad[] = {
			"",       "logs-*,",  ",logs-*", "_all", "-logs", "+logs",
			"logs *", "a/b",      "logs#1",  "a?",   "a|b",   ":logs",
			"a:",     "logs-*,-", "a,,b",    "a\"b", "a<b",   "a\\b",
		};
		size_t i;

		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			char *text = xasprintf("[elasticsearch]\nindex = \"%s\"\n", bad[i]);
			struct err e;
			struct config *cfg = load_text(text, &e);

			if (cfg != NULL)
				fail_msg("index '%s' was accepted", bad[i]);
			assert_non_null(strstr(e.msg, "for index (lowercase index names"));
			free(text);
		}
	}
	expect_load_error("[elasticsearch]\nlevel_field = log level\n",
			  "config.ini:2: invalid field name 'log level' for level_field (a field "
			  "name such as @timestamp or log.level)");
	{
		static const char *const bad[] = { "",     ".level", "log.", "log..level", "log.*",
						   "a\"b", "a\\b",   "a,b",  "a?" };
		size_t i;

		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			char *text = xasprintf("[elasticsearch]\ntrace_field = \"%s\"\n", bad[i]);
			struct err e;
			struct config *cfg = load_text(text, &e);

			if (cfg != NULL)
				fail_msg("field name '%s' was accepted", bad[i]);
			assert_non_null(strstr(e.msg, "invalid field name"));
			free(text);
		}
	}
	expect_load_error("[elasticsearch]\ninsecure = sometimes\n",
			  "config.ini:2: invalid boolean 'sometimes' for insecure (write true or "
			  "false)");
	expect_load_error("[elasticsearch]\ntimeout = 0s\n",
			  "config.ini:2: invalid duration '0s' for timeout (must be more than 0)");
	expect_load_error("[elasticsearch]\nmax_body = lots\n",
			  "config.ini:2: invalid size 'lots' for max_body (write e.g. 512KiB, "
			  "32MiB, 1GiB)");
	expect_load_error("[elasticsearch]\nheader = Authorization ApiKey abc\n",
			  "config.ini:2: invalid header (write 'Name: value', e.g. "
			  "'X-Scope-OrgID: team1')");
	expect_load_error("[elasticsearch]\ntoken_file =\n",
			  "config.ini:2: empty file name for token_file");
	expect_load_error("[logs]\nmax_lines = 99\n",
			  "config.ini:2: invalid number '99' for max_lines (write an integer from "
			  "100 to 1000000)");
	expect_load_error("[logs]\nmax_lines = 1000001\n",
			  "config.ini:2: invalid number '1000001' for max_lines (write an integer "
			  "from 100 to 1000000)");
	expect_load_error("[logs]\npage = 9\n",
			  "config.ini:2: invalid number '9' for page (write an integer from 10 to "
			  "10000)");
	expect_load_error("[logs]\npage = 10001\n",
			  "config.ini:2: invalid number '10001' for page (write an integer from 10 "
			  "to 10000)");
	expect_load_error("[logs]\nmax_bytes = 16 MB\n",
			  "config.ini:2: invalid size '16 MB' for max_bytes (write e.g. 512KiB, "
			  "32MiB, 1GiB)");
	expect_load_error("[logs]\nmax_message = 0\n",
			  "config.ini:2: invalid size '0' for max_message (write e.g. 512KiB, "
			  "32MiB, 1GiB)");
	expect_load_error("[logs]\nrange = a while\n",
			  "config.ini:2: invalid duration 'a while' for range (write e.g. 250ms, "
			  "2s, 5m, 1h)");
	expect_load_error("[logs]\nrange = 0m\n",
			  "config.ini:2: invalid duration '0m' for range (must be more than 0)");
	/* unknown keys get a suggestion */
	expect_load_error("[elasticsearch]\napi_key_fiel = /k\n",
			  "config.ini:2: unknown key 'api_key_fiel' in [elasticsearch] (did you "
			  "mean 'api_key_file'?)");
	expect_load_error("[logs]\nmax_line = 10\n",
			  "config.ini:2: unknown key 'max_line' in [logs] (did you mean "
			  "'max_lines'?)");
	expect_load_error("[general]\npage = 10\n",
			  "config.ini:2: unknown key 'page' in [general] (it belongs in [logs])");
	expect_load_error("[elasticsaerch]\nurl = http://x\n",
			  "config.ini:2: unknown section [elasticsaerch] (did you mean "
			  "[elasticsearch]?)");
	expect_load_error("[logs]\nmax_lines = 200\nmax_lines = 300\n",
			  "config.ini:3: max_lines in [logs] is set twice, on lines 2 and 3: keep "
			  "one");
}

static void
test_logs_good_values(void **state)
{
	static const char *const index_ok[] = { "logs-*",        "*",
						"a,b",           "logs-*,-logs-debug",
						"remote:logs-*", ".ds-logs-*",
						"logs-2026.11.*" };
	static const char *const field_ok[] = {
		"@timestamp", "log.level", "_doc", "_id", "kubernetes.pod.name", "ログ.レベル"
	};
	struct config *cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof index_ok / sizeof index_ok[0]; i++) {
		char *text = xasprintf("[elasticsearch]\nindex = %s\n", index_ok[i]);

		cfg = load_final(text);
		assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_INDEX), index_ok[i]);
		config_free(cfg);
		free(text);
	}
	for (i = 0; i < sizeof field_ok / sizeof field_ok[0]; i++) {
		char *text = xasprintf("[elasticsearch]\nservice_field = %s\n", field_ok[i]);

		cfg = load_final(text);
		assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_SERVICE_FIELD), field_ok[i]);
		config_free(cfg);
		free(text);
	}
	/* the bounds themselves are accepted */
	cfg = load_final("[logs]\nmax_lines = 1000000\npage = 10000\nmax_bytes = 1GiB\n"
			 "max_message = 1GiB\n");
	assert_int_equal(config_int(cfg, CFG_LOGS_MAX_LINES), 1000000);
	assert_int_equal(config_int(cfg, CFG_LOGS_PAGE), 10000);
	config_free(cfg);
	cfg = load_final("[logs]\nmax_lines = 100\npage = 10\n");
	config_free(cfg);
	/* an empty url means "no Elasticsearch" */
	cfg = load_final("[elasticsearch]\nurl =\n");
	assert_false(config_elasticsearch_configured(cfg));
	config_free(cfg);
	cfg = load_final("[elasticsearch]\nurl = unix:///run/es.sock\n");
	assert_true(config_elasticsearch_configured(cfg));
	config_free(cfg);
}

static void
test_logs_limits(void **state)
{
	(void)state;
	expect_finalize_error("[logs]\nmax_bytes = 1MiB\nmax_message = 2MiB\n",
			      "[logs] max_message = 2MiB is above max_bytes = 1MiB: one message "
			      "must fit in the lines held");
	expect_finalize_error("[logs]\nmax_message = 32MiB\n",
			      "[logs] max_message = 32MiB is above max_bytes = 16MiB: one message "
			      "must fit in the lines held");
	expect_finalize_error(
		"[logs]\nmax_lines = 100\npage = 500\n",
		"[logs] page = 500 is above max_lines = 100: one page must fit in the "
		"lines held");
}

static void
test_logs_precedence(void **state)
{
	static const char *const env[] = {
		"OPSDECK_ELASTICSEARCH_URL=http://env:9200",
		NULL,
	};
	static const char *const bad_env[] = { "OPSDECK_ELASTICSEARCH_URL=env:9200", NULL };
	struct config *cfg;
	struct err e;

	(void)state;
	assert_int_equal(config_key_by_flag("--elasticsearch"), CFG_ELASTICSEARCH_URL);
	assert_string_equal(config_key_info(CFG_ELASTICSEARCH_URL)->env,
			    "OPSDECK_ELASTICSEARCH_URL");

	/* file < environment < flag, whatever the order of the calls */
	cfg = load_text("[elasticsearch]\nurl = http://file:9200\n", &e);
	assert_non_null(cfg);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_URL), "http://file:9200");
	expect_es_printed(cfg, "url = http://file:9200", "; config.ini:2");
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_URL), "http://env:9200");
	assert_int_equal(config_source(cfg, CFG_ELASTICSEARCH_URL), CFG_SRC_ENV);
	expect_es_printed(cfg, "url = http://env:9200", "; env OPSDECK_ELASTICSEARCH_URL");
	assert_int_equal(config_set_flag(cfg, "--elasticsearch", "https://flag:9200", &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_URL), "https://flag:9200");
	assert_int_equal(config_source(cfg, CFG_ELASTICSEARCH_URL), CFG_SRC_FLAG);
	expect_es_printed(cfg, "url = https://flag:9200", "; flag --elasticsearch");
	/* [prometheus] url is another key */
	assert_null(config_str(cfg, CFG_PROMETHEUS_URL));
	/* an empty flag turns Elasticsearch off over the file and the environment */
	assert_int_equal(config_set_flag(cfg, "--elasticsearch", "", &e), 0);
	assert_false(config_elasticsearch_configured(cfg));
	config_free(cfg);

	/* flag first, environment next: the flag still wins */
	cfg = config_new();
	assert_int_equal(config_set_flag(cfg, "--elasticsearch", "http://flag:9200", &e), 0);
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_URL), "http://flag:9200");
	config_free(cfg);

	/* bad values from each source name the source */
	cfg = config_new();
	fake_env = bad_env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), -1);
	assert_string_equal(e.msg, "environment variable OPSDECK_ELASTICSEARCH_URL: invalid URL "
				   "'env:9200' for url (write e.g. http://localhost:9200, "
				   "https://logs.example.com or unix:///run/elasticsearch.sock)");
	assert_int_equal(config_set_flag(cfg, "--elasticsearch", "ftp://x", &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "--elasticsearch: invalid URL 'ftp://x' for url (write e.g. "
				   "http://localhost:9200, https://logs.example.com or "
				   "unix:///run/elasticsearch.sock)");
	assert_int_equal(config_set_flag(cfg, "--elasticsearch", NULL, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	/* credentials in the URL are refused without echoing them */
	assert_int_equal(config_set_flag(cfg, "--elasticsearch", "http://u:pw-Qx7@h:9200", &e), -1);
	assert_null(strstr(e.msg, "pw-Qx7"));
	/* the secrets have no flag */
	assert_int_equal(config_set_flag(cfg, "--elasticsearch-api-key", "k", &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	config_free(cfg);
}

static void
test_logs_secrets(void **state)
{
	static const char *const env[] = {
		"OPSDECK_ELASTICSEARCH_API_KEY=ZW52LWlkOmVudi1rZXktV3Y0cQ==",
		NULL,
	};
	static const char *const env_token[] = { "OPSDECK_ELASTICSEARCH_TOKEN=env-token-Jm5",
						 NULL };
	static const char *const env_basic[] = {
		"OPSDECK_ELASTICSEARCH_PASSWORD=env-pass-Lq8",
		NULL,
	};
	struct config *cfg;
	struct err e;
	char *path, *text, *out;

	(void)state;
	/* secrets in the file are refused, without echoing them */
	expect_load_error("[elasticsearch]\napi_key = c2VjcmV0LWluLWZpbGU=\n",
			  "config.ini:2: api_key cannot be set in the config file (keep secrets "
			  "out of it): write it to a file and set api_key_file = /path/to/file, or "
			  "set OPSDECK_ELASTICSEARCH_API_KEY");
	expect_load_error("[elasticsearch]\ntoken = abc\n",
			  "config.ini:2: token cannot be set in the config file (keep secrets out "
			  "of it): write it to a file and set token_file = /path/to/file, or set "
			  "OPSDECK_ELASTICSEARCH_TOKEN");
	expect_load_error("[elasticsearch]\npassword = abc\n",
			  "config.ini:2: password cannot be set in the config file (keep secrets "
			  "out of it): write it to a file and set password_file = /path/to/file, "
			  "or set OPSDECK_ELASTICSEARCH_PASSWORD");

	/* api_key_file: read, newline trimmed, redacted; the environment wins */
	path = temp_file("a2V5LWlkOmtleS1Sd3Q5\n", 0600);
	text = xasprintf("[elasticsearch]\nurl = http://es:9200\napi_key_file = %s\n", path);
	cfg = load_final(text);
	assert_string_equal(config_secret(cfg, CFG_ELASTICSEARCH_API_KEY), "a2V5LWlkOmtleS1Sd3Q5");
	expect_es_printed(cfg, "; api_key = <redacted>", "; from api_key_file");
	out = print(cfg);
	assert_null(strstr(out, "a2V5LWlkOmtleS1Sd3Q5"));
	free(out);
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_secret(cfg, CFG_ELASTICSEARCH_API_KEY),
			    "ZW52LWlkOmVudi1rZXktV3Y0cQ==");
	expect_es_printed(cfg, "; api_key = <redacted>", "; env OPSDECK_ELASTICSEARCH_API_KEY");
	out = print(cfg);
	assert_null(strstr(out, "ZW52LWlkOmVudi1rZXktV3Y0cQ"));
	assert_null(strstr(out, "a2V5LWlkOmtleS1Sd3Q5"));
	free(out);
	config_free(cfg);
	free(text);
	remove_temp(path);

	/* token_file, and OPSDECK_ELASTICSEARCH_TOKEN over it */
	path = temp_file("file-token-Gt4\r\n", 0600);
	text = xasprintf("[elasticsearch]\ntoken_file = %s\n", path);
	cfg = load_final(text);
	assert_string_equal(config_secret(cfg, CFG_ELASTICSEARCH_TOKEN), "file-token-Gt4");
	assert_null(config_secret(cfg, CFG_PROMETHEUS_TOKEN));
	expect_es_printed(cfg, "; token = <redacted>", "; from token_file");
	fake_env = env_token;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_secret(cfg, CFG_ELASTICSEARCH_TOKEN), "env-token-Jm5");
	out = print(cfg);
	assert_null(strstr(out, "Gt4"));
	assert_null(strstr(out, "Jm5"));
	free(out);
	config_free(cfg);
	free(text);
	remove_temp(path);

	/* username + password_file, and the password from the environment */
	path = temp_file("file-pass-Zr2\n", 0600);
	text = xasprintf("[elasticsearch]\nusername = elastic\npassword_file = %s\n", path);
	cfg = load_final(text);
	assert_string_equal(config_str(cfg, CFG_ELASTICSEARCH_USERNAME), "elastic");
	assert_string_equal(config_secret(cfg, CFG_ELASTICSEARCH_PASSWORD), "file-pass-Zr2");
	expect_es_printed(cfg, "; password = <redacted>", "; from password_file");
	out = print(cfg);
	assert_null(strstr(out, "Zr2"));
	free(out);
	config_free(cfg);
	free(text);
	remove_temp(path);
	fake_env = env_basic;
	cfg = load_text("[elasticsearch]\nusername = elastic\n", &e);
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_secret(cfg, CFG_ELASTICSEARCH_PASSWORD), "env-pass-Lq8");
	out = print(cfg);
	assert_null(strstr(out, "Lq8"));
	free(out);
	config_free(cfg);

	/* files that cannot serve as a secret */
	expect_finalize_error("[elasticsearch]\napi_key_file = /nonexistent/key\n",
			      "cannot read api_key_file '/nonexistent/key' ([elasticsearch] "
			      "api_key): No such file or directory");
	path = temp_file("\n", 0600);
	text = xasprintf("[elasticsearch]\napi_key_file = %s\n", path);
	cfg = load_text(text, &e);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_non_null(strstr(e.msg, "is empty"));
	config_free(cfg);
	free(text);
	remove_temp(path);
	path = temp_file("a2V5\nLWlk\n", 0600);
	text = xasprintf("[elasticsearch]\napi_key_file = %s\n", path);
	cfg = load_text(text, &e);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_non_null(strstr(e.msg, "holds a line break or control character"));
	assert_null(strstr(e.msg, "a2V5"));
	config_free(cfg);
	free(text);
	remove_temp(path);
}

/* An API key that is not base64 fails with want (%s: its origin), never quoting it. */
static void
expect_bad_api_key(const char *key, const char *want_fmt)
{
	char *path = temp_file(key, 0600);
	char *text = xasprintf("[elasticsearch]\napi_key_file = %s\n", path);
	char *origin = xasprintf("api_key_file '%s'", path);
	char *want = xasprintf(want_fmt, origin);
	struct err e;
	struct config *cfg = load_text(text, &e);

	assert_non_null(cfg);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_string_equal(e.msg, want);
	assert_null(strstr(e.msg, key));
	config_free(cfg);
	free(want);
	free(origin);
	free(text);
	remove_temp(path);
}

static void
test_api_key_format(void **state)
{
	static const char *const env[] = { "OPSDECK_ELASTICSEARCH_API_KEY=id-Pk3:key-Pk3", NULL };
	struct config *cfg;
	struct err e;

	(void)state;
	expect_bad_api_key("id-Hq1:key-Hq1\n",
			   "[elasticsearch] the API key in %s is not base64: it looks like the "
			   "id:api_key pair; write its base64 form, the \"encoded\" value "
			   "Elasticsearch returns (echo -n 'id:api_key' | base64)");
	expect_bad_api_key(
		"ApiKey a2V5LUhxMg==\n",
		"[elasticsearch] the API key in %s is not base64: write the key alone, "
		"without 'ApiKey ' or other words: opsdeck adds the Authorization header");
	expect_bad_api_key("a2V5=LUhxMw\n",
			   "[elasticsearch] the API key in %s is not base64: write the base64 "
			   "\"encoded\" value Elasticsearch returns when the key is created");
	fake_env = env;
	cfg = config_new();
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_string_equal(e.msg,
			    "[elasticsearch] the API key in OPSDECK_ELASTICSEARCH_API_KEY "
			    "is not base64: it looks like the id:api_key pair; write its "
			    "base64 form, the \"encoded\" value Elasticsearch returns (echo -n "
			    "'id:api_key' | base64)");
	assert_null(strstr(e.msg, "Pk3"));
	config_free(cfg);
}

static void
test_logs_auth_exclusive(void **state)
{
	static const char *const env_all[] = {
		"OPSDECK_ELASTICSEARCH_TOKEN=t-Ux1",
		"OPSDECK_ELASTICSEARCH_API_KEY=a2V5LVV4MQ==",
		"OPSDECK_ELASTICSEARCH_PASSWORD=p-Ux1",
		NULL,
	};
	static const char *const env_key[] = { "OPSDECK_ELASTICSEARCH_API_KEY=a2V5LVV4MQ==", NULL };
	static const char *const env_pass[] = { "OPSDECK_ELASTICSEARCH_PASSWORD=p-Ux1", NULL };
	static const char hint[] = ": keep one kind of credentials (token_file, username + "
				   "password_file, or api_key_file)";
	struct config *cfg;
	struct err e;
	char *want;

	(void)state;
	/* token and API key */
	fake_env = env_all;
	cfg = config_new();
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), -1);
	want = xasprintf("[elasticsearch] has both a token and a username/password%s", hint);
	assert_string_equal(e.msg, want);
	free(want);
	assert_null(strstr(e.msg, "Ux1"));
	config_free(cfg);

	fake_env = env_key;
	cfg = load_text("[elasticsearch]\nusername = elastic\n", &e);
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), -1);
	want = xasprintf("[elasticsearch] has both a username/password and an API key%s", hint);
	assert_string_equal(e.msg, want);
	free(want);
	config_free(cfg);

	{
		static const char *const env_tk[] = { "OPSDECK_ELASTICSEARCH_TOKEN=t-Ux1",
						      "OPSDECK_ELASTICSEARCH_API_KEY=a2V5LVV4MQ==",
						      NULL };

		fake_env = env_tk;
		cfg = config_new();
		assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
		assert_int_equal(config_finalize(cfg, &e), -1);
		want = xasprintf("[elasticsearch] has both a token and an API key%s", hint);
		assert_string_equal(e.msg, want);
		free(want);
		config_free(cfg);
	}

	/* the same rule from files: token_file with api_key_file */
	{
		char *tok = temp_file("t-Ux2\n", 0600), *key = temp_file("a2V5LVV4Mg==\n", 0600);
		char *text = xasprintf("[elasticsearch]\ntoken_file = %s\napi_key_file = %s\n", tok,
				       key);

		expect_finalize_error(text, "[elasticsearch] has both a token and an API key: keep "
					    "one kind of credentials (token_file, username + "
					    "password_file, or api_key_file)");
		free(text);
		remove_temp(tok);
		remove_temp(key);
	}

	/* username and password go together */
	expect_finalize_error("[elasticsearch]\nusername = elastic\n",
			      "[elasticsearch] username is set but no password: set password_file "
			      "or OPSDECK_ELASTICSEARCH_PASSWORD");
	fake_env = env_pass;
	cfg = config_new();
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_string_equal(e.msg,
			    "[elasticsearch] a password is set but no username: set username");
	config_free(cfg);

	/* ca_file must be readable */
	expect_finalize_error("[elasticsearch]\nca_file = /nonexistent/es-ca.pem\n",
			      "cannot read ca_file '/nonexistent/es-ca.pem' ([elasticsearch]): No "
			      "such file or directory");

	/* each backend has its own credentials: no conflict across sections */
	fake_env = env_key;
	cfg = load_text("[prometheus]\nusername = me\n", &e);
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_string_equal(e.msg, "[prometheus] username is set but no password: set "
				   "password_file or OPSDECK_PROMETHEUS_PASSWORD");
	config_free(cfg);
	{
		static const char *const env_both[] = { "OPSDECK_PROMETHEUS_TOKEN=pt",
							"OPSDECK_ELASTICSEARCH_API_KEY=a2V5",
							NULL };

		fake_env = env_both;
		cfg = config_new();
		assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
		assert_int_equal(config_finalize(cfg, &e), 0);
		config_free(cfg);
	}
}

static void
test_logs_print(void **state)
{
	struct config *a = config_new(), *b;
	struct buf w;
	struct err e;
	char *out;
	int k;

	(void)state;
	buf_init(&w);
	config_print_keys(&w);
	assert_non_null(strstr(w.data, "timezone (choice: local, UTC, default local)"));
	assert_non_null(strstr(w.data,
			       "\n[elasticsearch]\nurl (URL, env OPSDECK_ELASTICSEARCH_URL, "
			       "flag --elasticsearch)\n"));
	assert_non_null(strstr(w.data, "index (index pattern, default logs-*)"));
	assert_non_null(strstr(w.data, "api_key (secret, env OPSDECK_ELASTICSEARCH_API_KEY)"));
	assert_non_null(strstr(w.data, "level_field (field name, default log.level)"));
	assert_non_null(strstr(w.data, "tiebreak_field (field name, default _doc)"));
	assert_non_null(
		strstr(w.data, "\n[logs]\nmax_lines (integer 100..1000000, default 10000)"));
	assert_non_null(strstr(w.data, "page (integer 10..10000, default 200)"));
	assert_non_null(strstr(w.data, "range (duration, default 15m)"));
	buf_done(&w);

	/* config_write output of the logs keys loads back to the same values */
	assert_int_equal(config_load_file(a, FIX "logs.ini", true, &e), 0);
	assert_int_equal(config_finalize(a, &e), 0);
	buf_init(&w);
	config_write(a, &w);
	out = buf_steal(&w);
	buf_done(&w);
	b = load_text(out, &e);
	if (b == NULL)
		fail_msg("printed config does not load back: %s\n%s", e.msg, out);
	for (k = 0; k < CFG_KEY_COUNT; k++) {
		const char *va = config_str(a, k), *vb = config_str(b, k);

		if (va == NULL || vb == NULL)
			assert_ptr_equal(va, vb);
		else
			assert_string_equal(va, vb);
	}
	{
		size_t na, nb;
		const char *const *ha = config_list(a, CFG_ELASTICSEARCH_HEADER, &na);
		const char *const *hb = config_list(b, CFG_ELASTICSEARCH_HEADER, &nb);

		assert_int_equal(na, nb);
		assert_string_equal(ha[1], hb[1]);
	}
	free(out);
	config_free(a);
	config_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logs_defaults),       cmocka_unit_test(test_logs_file),
		cmocka_unit_test(test_logs_bad_values),     cmocka_unit_test(test_logs_good_values),
		cmocka_unit_test(test_logs_limits),         cmocka_unit_test(test_logs_precedence),
		cmocka_unit_test(test_logs_secrets),        cmocka_unit_test(test_api_key_format),
		cmocka_unit_test(test_logs_auth_exclusive), cmocka_unit_test(test_logs_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
