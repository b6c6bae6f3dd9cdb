/*
 * test_setup_logs.c - tui/setup for logs: the logs_settings that
 * setup_init fills from [general], [elasticsearch] and [logs] (endpoint,
 * credentials, the API key as an owned "Authorization: ApiKey" header that
 * `opsdeck config` never shows, the read allow-list, index, field names,
 * limits, time zone, range).  The keys themselves are in
 * test_config_logs.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_test.h"
#include "elasticsearch.h"
#include "setup.h"
#include "xalloc.h"

/* The example API key of Elasticsearch's documentation (base64 of id:api_key). */
#define API_KEY "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="

/* setup_init of text plus env, Docker off; fails the test on error. */
static void
setup_of(struct setup *s, struct config **cfg, const char *text, const char *const *env)
{
	struct err e;
	char *full = xasprintf("[docker]\nhost = \"\"\n%s", text);

	*cfg = load_text(full, &e);
	free(full);
	if (*cfg == NULL)
		fail_msg("load: %s", e.msg);
	fake_env = env;
	assert_int_equal(config_load_env(*cfg, fake_getenv, &e), 0);
	if (config_finalize(*cfg, &e) < 0)
		fail_msg("finalize: %s", e.msg);
	if (setup_init(s, *cfg, NULL, &e) < 0)
		fail_msg("setup: %s", e.msg);
}

static void
test_setup_logs(void **state)
{
	static const char *const env_key[] = { "OPSDECK_ELASTICSEARCH_API_KEY=" API_KEY, NULL };
	static const char extra[] = "[docker]\nhost = \"\"\n[general]\nrefresh = 3s\n";
	const struct logs_settings *ls;
	struct config *cfg;
	struct setup s;
	struct err e;
	char *out;

	(void)state;
	/* defaults: disabled, ECS fields, the [logs] defaults */
	setup_of(&s, &cfg, "", NULL);
	ls = &s.logs;
	assert_false(ls->enabled);
	assert_null(ls->ep.url);
	assert_string_equal(ls->ep.name, "elasticsearch");
	assert_true(ls->ep.is_read == elasticsearch_is_read);
	assert_string_equal(ls->index, "logs-*");
	assert_string_equal(ls->fields.timestamp, "@timestamp");
	assert_string_equal(ls->fields.message, "message");
	assert_string_equal(ls->fields.level, "log.level");
	assert_string_equal(ls->fields.service, "service.name");
	assert_string_equal(ls->fields.trace_id, "trace.id");
	assert_string_equal(ls->fields.tiebreak, "_doc");
	assert_int_equal(ls->max_lines, 10000);
	assert_int_equal(ls->max_bytes, 16 * 1024 * 1024);
	assert_int_equal(ls->max_message, 64 * 1024);
	assert_int_equal(ls->page, 200);
	assert_false(ls->utc);
	assert_int_equal(ls->refresh_ms, 2000);
	assert_true(ls->default_range_s == 900.0);
	assert_int_equal(ls->ep.nheaders, 0);
	assert_null(ls->ep.bearer_token);
	assert_null(ls->ep.username);
	assert_null(ls->ep.password);
	assert_false(ls->ep.insecure);
	assert_int_equal(ls->ep.timeout_ms, 5000);
	assert_int_equal(ls->ep.max_body, 32 * 1024 * 1024);
	assert_string_equal(ls->ep.auth_hint, "set [elasticsearch] token_file, username + "
					      "password_file, or api_key_file");
	/* the reads of the search API pass the allow-list, writes do not */
	assert_true(ls->ep.is_read(HTTP_POST, "/logs-%2A/_search"));
	assert_false(ls->ep.is_read(HTTP_POST, "/_bulk"));
	setup_done(&s);
	config_free(cfg);

	/* the fixture: every value through; the API key as one more header */
	cfg = config_new();
	assert_int_equal(config_load_file(cfg, FIX "logs.ini", true, &e), 0);
	assert_int_equal(config_load_buffer(cfg, extra, strlen(extra), "extra.ini", &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_int_equal(setup_init(&s, cfg, FIX "logs.ini", &e), 0);
	ls = &s.logs;
	assert_true(ls->enabled);
	assert_string_equal(ls->ep.url, "https://logs.example.com:9200/es");
	assert_true(ls->ep.insecure);
	assert_int_equal(ls->ep.timeout_ms, 7000);
	assert_int_equal(ls->ep.max_body, 8 * 1024 * 1024);
	assert_int_equal(ls->ep.nheaders, 3);
	assert_string_equal(ls->ep.headers[0], "X-Opaque-Id: opsdeck");
	assert_string_equal(ls->ep.headers[1], "X-Elastic-Product-Origin: kibana");
	assert_string_equal(ls->ep.headers[2], "Authorization: ApiKey " API_KEY);
	assert_null(ls->ep.bearer_token);
	assert_null(ls->ep.username);
	assert_true(ls->ep.is_read == elasticsearch_is_read);
	assert_string_equal(ls->index, "logs-app-*,-logs-app-debug,remote:logs-*");
	assert_string_equal(ls->fields.timestamp, "event.created");
	assert_string_equal(ls->fields.message, "msg");
	assert_string_equal(ls->fields.level, "severity");
	assert_string_equal(ls->fields.service, "app");
	assert_string_equal(ls->fields.trace_id, "traceId");
	assert_string_equal(ls->fields.tiebreak, "event.sequence");
	assert_int_equal(ls->max_lines, 500);
	assert_int_equal(ls->max_bytes, 4 * 1024 * 1024);
	assert_int_equal(ls->max_message, 8 * 1024);
	assert_int_equal(ls->page, 50);
	assert_true(ls->utc);
	assert_int_equal(ls->refresh_ms, 3000);
	assert_true(ls->default_range_s == 3600.0);
	/* the header holds the key; `opsdeck config` does not */
	out = print(cfg);
	assert_null(strstr(out, "VnVhQ2ZHY0JDZGJr"));
	assert_null(strstr(out, "ApiKey"));
	free(out);
	/* Prometheus keeps its own endpoint */
	assert_string_equal(s.poll.prom_ep.name, "prometheus");
	assert_int_equal(s.poll.prom_ep.nheaders, 0);
	setup_done(&s);
	config_free(cfg);

	/* the API key from the environment, no config headers */
	setup_of(&s, &cfg, "[elasticsearch]\nurl = http://127.0.0.1:9200\n", env_key);
	assert_true(s.logs.enabled);
	assert_int_equal(s.logs.ep.nheaders, 1);
	assert_string_equal(s.logs.ep.headers[0], "Authorization: ApiKey " API_KEY);
	setup_done(&s);
	config_free(cfg);
}

static void
test_setup_logs_auth(void **state)
{
	static const char *const env_token[] = { "OPSDECK_ELASTICSEARCH_TOKEN=tok-Bn6", NULL };
	static const char *const env_pass[] = { "OPSDECK_ELASTICSEARCH_PASSWORD=pw-Bn6", NULL };
	struct config *cfg;
	struct setup s;
	char *ca = temp_file("-----BEGIN CERTIFICATE-----\n", 0600), *text;

	(void)state;
	text = xasprintf("[elasticsearch]\nurl = https://es:9200\nca_file = %s\n"
			 "header = X-Opaque-Id: a\n[general]\ntimezone = UTC\n[logs]\nrange = 2h\n",
			 ca);
	setup_of(&s, &cfg, text, env_token);
	assert_string_equal(s.logs.ep.bearer_token, "tok-Bn6");
	assert_null(s.logs.ep.username);
	assert_string_equal(s.logs.ep.ca_file, ca);
	assert_int_equal(s.logs.ep.nheaders, 1);
	assert_string_equal(s.logs.ep.headers[0], "X-Opaque-Id: a");
	assert_true(s.logs.utc);
	assert_true(s.logs.default_range_s == 7200.0);
	/* Prometheus does not borrow Elasticsearch's token */
	assert_null(s.poll.prom_ep.bearer_token);
	setup_done(&s);
	config_free(cfg);
	free(text);

	setup_of(&s, &cfg, "[elasticsearch]\nurl = http://es:9200\nusername = elastic\n", env_pass);
	assert_null(s.logs.ep.bearer_token);
	assert_string_equal(s.logs.ep.username, "elastic");
	assert_string_equal(s.logs.ep.password, "pw-Bn6");
	assert_int_equal(s.logs.ep.nheaders, 0);
	setup_done(&s);
	config_free(cfg);
	remove_temp(ca);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_logs),
		cmocka_unit_test(test_setup_logs_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
