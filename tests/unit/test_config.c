/*
 * test_config.c - tui/config: sources and precedence, provenance in
 * config_print, validation messages, secrets never printed.  The action
 * and Docker keys are in test_config_runtime.c, the [service "NAME"]
 * sections in test_config_service.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_test.h"
#include "prometheus.h"
#include "xalloc.h"

/* ---- tests ---- */

static void
test_defaults(void **state)
{
	struct config *cfg = config_new();
	struct err e;
	size_t n;

	(void)state;
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_int_equal(config_ms(cfg, CFG_GENERAL_REFRESH), 2000);
	assert_string_equal(config_str(cfg, CFG_GENERAL_THEME), "default");
	assert_int_equal(config_int(cfg, CFG_GENERAL_HISTORY), 60);
	assert_int_equal(config_int(cfg, CFG_GENERAL_MAX_SERVICES), 10000);
	assert_false(config_prometheus_configured(cfg));
	assert_false(config_isset(cfg, CFG_PROMETHEUS_URL));
	assert_false(config_bool(cfg, CFG_PROMETHEUS_INSECURE));
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_PRESET), "http");
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_RATE_WINDOW), "1m");
	assert_int_equal(config_ms(cfg, CFG_PROMETHEUS_RATE_WINDOW), 60000);
	assert_int_equal(config_ms(cfg, CFG_PROMETHEUS_TIMEOUT), 5000);
	assert_true(config_size(cfg, CFG_PROMETHEUS_MAX_BODY) == 32ull * 1024 * 1024);
	assert_null(config_list(cfg, CFG_PROMETHEUS_HEADER, &n));
	assert_int_equal(n, 0);
	assert_true(config_ratio(cfg, CFG_THRESHOLDS_ERROR_WARN) == 0.01);
	assert_true(config_ratio(cfg, CFG_THRESHOLDS_ERROR_CRIT) == 0.05);
	assert_int_equal(config_ms(cfg, CFG_THRESHOLDS_P99_WARN), 500);
	assert_int_equal(config_ms(cfg, CFG_THRESHOLDS_P99_CRIT), 2000);
	assert_null(config_secret(cfg, CFG_PROMETHEUS_TOKEN));
	assert_int_equal(config_source(cfg, CFG_GENERAL_REFRESH), CFG_SRC_DEFAULT);
	assert_int_equal(config_source(cfg, CFG_PROMETHEUS_URL), CFG_SRC_COUNT);
	assert_string_equal(config_str(cfg, CFG_GENERAL_CONFIRM), "yes");
	assert_null(config_str(cfg, CFG_GENERAL_AUDIT_LOG));
	assert_false(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	assert_int_equal(config_ms(cfg, CFG_GENERAL_ACTION_TIMEOUT), 120000);
	assert_null(config_str(cfg, CFG_DOCKER_HOST));
	assert_null(config_str(cfg, CFG_DOCKER_CONTEXT));
	assert_null(config_str(cfg, CFG_DOCKER_CERT_PATH));
	assert_false(config_bool(cfg, CFG_DOCKER_TLS_VERIFY));
	assert_int_equal(config_ms(cfg, CFG_DOCKER_TIMEOUT), 5000);
	assert_true(config_size(cfg, CFG_DOCKER_MAX_BODY) == 32ull * 1024 * 1024);
	assert_string_equal(config_str(cfg, CFG_DOCKER_NAME), "local");
	assert_int_equal(config_nservices(cfg), 0);
	assert_null(config_service_at(cfg, 0));
	expect_printed(cfg, "refresh = 2s", "; default");
	expect_printed(cfg, "confirm = yes", "; default");
	expect_printed(cfg, "read_only = false", "; default");
	expect_printed(cfg, "action_timeout = 2m", "; default");
	expect_printed(cfg, "; audit_log = (unset)", "(unset)");
	expect_printed(cfg, "; host = (unset)", "(unset)");
	expect_printed(cfg, "name = local", "; default");
	expect_printed(cfg, "; url = (unset)", "(unset)");
	expect_printed(cfg, "; token = (unset)", "(unset)");
	expect_printed(cfg, "; header = (unset)", "(unset)");
	config_free(cfg);
}

static void
test_preset_defaults(void **state)
{
	const struct prom_preset *http = prometheus_preset("http");
	const struct prom_preset *mm = prometheus_preset("micrometer");
	struct config *cfg;
	struct err e;

	(void)state;
	assert_non_null(http);
	cfg = config_new();
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_SERVICE_LABEL), http->service_label);
	assert_string_equal(config_str(cfg, CFG_METRICS_P99), http->query[PROM_P99]);
	assert_string_equal(config_str(cfg, CFG_METRICS_MEMORY), http->query[PROM_MEMORY]);
	expect_printed(cfg, "service_label = ", "; preset http");
	config_free(cfg);

	if (mm == NULL)
		return;
	cfg = load_text("[prometheus]\npreset = micrometer\n[metrics]\nrps =\n", &e);
	assert_non_null(cfg);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_SERVICE_LABEL), mm->service_label);
	/* an empty template means "the preset's" */
	assert_string_equal(config_str(cfg, CFG_METRICS_RPS), mm->query[PROM_RPS]);
	expect_printed(cfg, "rps = ", "; preset micrometer");
	config_free(cfg);
}

static void
test_full_file(void **state)
{
	struct config *cfg = config_new();
	const char *const *h;
	struct err e;
	size_t n;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "full.ini", true, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_int_equal(config_ms(cfg, CFG_GENERAL_REFRESH), 3000);
	assert_string_equal(config_str(cfg, CFG_GENERAL_THEME), "mono");
	assert_int_equal(config_int(cfg, CFG_GENERAL_HISTORY), 120);
	assert_true(config_prometheus_configured(cfg));
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "https://prom.example.com:9090");
	assert_true(config_bool(cfg, CFG_PROMETHEUS_INSECURE));
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_RATE_WINDOW), "5m");
	assert_true(config_size(cfg, CFG_PROMETHEUS_MAX_BODY) == 8ull * 1024 * 1024);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_SERVICE_LABEL), "application");
	h = config_list(cfg, CFG_PROMETHEUS_HEADER, &n);
	assert_int_equal(n, 2);
	assert_string_equal(h[0], "X-Scope-OrgID: team1");
	assert_string_equal(h[1], "Authorization: Bearer hunter2-header-secret");
	/* metric template override, continued over two lines */
	assert_string_equal(
		config_str(cfg, CFG_METRICS_RPS),
		"sum by (${label}) (rate(my_requests_total{env=\"prod\"}[${window}]))  * 1");
	assert_string_equal(config_str(cfg, CFG_METRICS_ERRORS),
			    prometheus_preset("micrometer")->query[PROM_ERRORS]);
	assert_true(config_ratio(cfg, CFG_THRESHOLDS_ERROR_CRIT) == 0.10);
	assert_int_equal(config_ms(cfg, CFG_THRESHOLDS_P99_WARN), 250);
	expect_printed(cfg, "refresh = 3s", "; " FIX "full.ini:3");
	expect_printed(cfg, "rps = sum by", "; " FIX "full.ini:18");
	expect_printed(cfg, "errors = ", "; preset micrometer");
	expect_printed(cfg, "header = X-Scope-OrgID: team1", "; " FIX "full.ini:13");
	expect_printed(cfg, "header = Authorization: <redacted>", "; " FIX "full.ini:14");
	assert_string_equal(config_str(cfg, CFG_DOCKER_HOST), "ssh://deploy@build-host:2222");
	assert_string_equal(config_str(cfg, CFG_DOCKER_CONTEXT), "prod-eu");
	assert_int_equal(config_ms(cfg, CFG_DOCKER_TIMEOUT), 3000);
	assert_true(config_size(cfg, CFG_DOCKER_MAX_BODY) == 16ull * 1024 * 1024);
	assert_string_equal(config_str(cfg, CFG_DOCKER_NAME), "prod eu");
	expect_printed(cfg, "host = ssh://deploy@build-host:2222", "; " FIX "full.ini:28");
	assert_int_equal(config_nservices(cfg), 2);
	assert_string_equal(config_service_at(cfg, 1)->name, "결제 \"pay\"");
	expect_printed(cfg, "[service \"결제 \\\"pay\\\"\"]", "; " FIX "full.ini:38");
	config_free(cfg);
}

static void
test_precedence(void **state)
{
	static const char *const env[] = {
		"OPSDECK_REFRESH=4s",
		"OPSDECK_PROMETHEUS_URL=http://env:9090",
		"OPSDECK_PROMETHEUS_TOKEN=",
		NULL,
	};
	static const char text[] = "[general]\ntheme = mono\nrefresh = 3s\n"
				   "[prometheus]\nurl = http://file:9090\n";
	struct config *cfg;
	struct err e;
	char *out;

	(void)state;
	fake_env = env;
	cfg = load_text(text, &e);
	assert_non_null(cfg);
	/* env first, flags next: the order of calls does not matter */
	assert_int_equal(config_set_flag(cfg, "--prometheus", "http://flag:9090", &e), 0);
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://flag:9090");
	assert_int_equal(config_source(cfg, CFG_PROMETHEUS_URL), CFG_SRC_FLAG);
	assert_int_equal(config_ms(cfg, CFG_GENERAL_REFRESH), 4000);
	assert_int_equal(config_source(cfg, CFG_GENERAL_REFRESH), CFG_SRC_ENV);
	assert_string_equal(config_str(cfg, CFG_GENERAL_THEME), "mono");
	assert_int_equal(config_source(cfg, CFG_GENERAL_THEME), CFG_SRC_FILE);
	assert_int_equal(config_source(cfg, CFG_GENERAL_HISTORY), CFG_SRC_DEFAULT);
	/* an empty variable counts as unset */
	assert_null(config_secret(cfg, CFG_PROMETHEUS_TOKEN));
	expect_printed(cfg, "url = http://flag:9090", "; flag --prometheus");
	expect_printed(cfg, "refresh = 4s", "; env OPSDECK_REFRESH");
	expect_printed(cfg, "theme = mono", "; config.ini:2");
	expect_printed(cfg, "history = 60", "; default");

	/* the flag beats the environment for refresh too */
	assert_int_equal(config_set_flag(cfg, "--refresh", "250ms", &e), 0);
	assert_int_equal(config_ms(cfg, CFG_GENERAL_REFRESH), 250);
	expect_printed(cfg, "refresh = 250ms", "; flag --refresh");

	/* origin comments line up in one column */
	out = print(cfg);
	{
		const char *a = strstr(out, "refresh = 250ms"), *b = strstr(out, "theme = mono");
		assert_int_equal(strstr(a, "; flag") - a, strstr(b, "; config.ini") - b);
	}
	free(out);
	config_free(cfg);
}

static void
test_flags(void **state)
{
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	assert_int_equal(config_key_by_flag("--prometheus"), CFG_PROMETHEUS_URL);
	assert_int_equal(config_key_by_flag("--nope"), -1);
	assert_int_equal(config_set_flag(cfg, "--nope", "1", &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_int_equal(config_set_flag(cfg, "--refresh", "soon", &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "--refresh: invalid duration 'soon' for refresh "
				   "(write e.g. 250ms, 2s, 5m, 1h)");
	/* an empty --prometheus means "no Prometheus", even over the file */
	assert_int_equal(config_load_buffer(cfg, "[prometheus]\nurl=http://x\n", 26, "c.ini", &e),
			 0);
	assert_true(config_prometheus_configured(cfg));
	assert_int_equal(config_set_flag(cfg, "--prometheus", "", &e), 0);
	assert_false(config_prometheus_configured(cfg));
	config_free(cfg);
}

static void
test_env_error(void **state)
{
	static const char *const env[] = { "OPSDECK_REFRESH=2x", NULL };
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), -1);
	assert_string_equal(e.msg, "environment variable OPSDECK_REFRESH: invalid duration '2x' "
				   "for refresh (write e.g. 250ms, 2s, 5m, 1h)");
	config_free(cfg);
}

static void
test_unknown(void **state)
{
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "unknown_key.ini", true, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, FIX "unknown_key.ini:6: unknown key 'tokn_file' in [prometheus] "
				       "(did you mean 'token_file'?)");
	config_free(cfg);
	expect_load_error("[general]\nrefresh = 2s\nfoo = 1\n",
			  "config.ini:3: unknown key 'foo' in [general]");
	expect_load_error(
		"[general]\nurl = http://x\n",
		"config.ini:2: unknown key 'url' in [general] (it belongs in [prometheus])");
	expect_load_error("[promethus]\nurl = http://x\n",
			  "config.ini:2: unknown section [promethus] (did you mean [prometheus]?)");
	expect_load_error("[tracing]\nurl = http://x\n", "config.ini:2: unknown section [tracing]");
	expect_load_error("[prometheus \"eu\"]\nurl = http://x\n",
			  "config.ini:2: unknown section [prometheus \"eu\"]");
	expect_load_error(
		"[general]\nRefresh = 2s\n",
		"config.ini:2: unknown key 'Refresh' in [general] (did you mean 'refresh'?)");
}

static void
test_bad_values(void **state)
{
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "bad_duration.ini", true, &e), -1);
	assert_string_equal(e.msg, FIX "bad_duration.ini:3: invalid duration '2x' for refresh "
				       "(write e.g. 250ms, 2s, 5m, 1h)");
	config_free(cfg);
	expect_load_error("[general]\n\nrefresh = 0s\n",
			  "config.ini:3: invalid duration '0s' for refresh (must be more than 0)");
	expect_load_error("[thresholds]\nerror_warn = 5 %\n",
			  "config.ini:2: invalid percentage '5 %' for error_warn "
			  "(write e.g. 1%, 0.5%, or a ratio 0.01)");
	expect_load_error("[thresholds]\nerror_crit = 150%\n",
			  "config.ini:2: invalid percentage '150%' for error_crit "
			  "(write e.g. 1%, 0.5%, or a ratio 0.01)");
	expect_load_error(
		"[prometheus]\nmax_body = 32 MB\n",
		"config.ini:2: invalid size '32 MB' for max_body (write e.g. 512KiB, 32MiB, 1GiB)");
	expect_load_error(
		"[general]\nhistory = 1\n",
		"config.ini:2: invalid number '1' for history (write an integer from 2 to 1000)");
	expect_load_error(
		"[general]\ntheme = dark\n",
		"config.ini:2: invalid value 'dark' for theme (choose one of: default, light, high-contrast, mono)");
	expect_load_error(
		"[prometheus]\npreset = nginx\n",
		"config.ini:2: invalid value 'nginx' for preset (choose one of: http, micrometer)");
	expect_load_error(
		"[prometheus]\ninsecure = maybe\n",
		"config.ini:2: invalid boolean 'maybe' for insecure (write true or false)");
	expect_load_error(
		"[prometheus]\nurl = prom:9090\n",
		"config.ini:2: invalid URL 'prom:9090' for url (write e.g. http://localhost:9090, "
		"https://prom.example.com or unix:///run/prometheus.sock)");
	expect_load_error("[prometheus]\nrate_window = 1.5m\n",
			  "config.ini:2: invalid duration '1.5m' for rate_window (PromQL takes "
			  "whole units, e.g. 90s)");
	expect_load_error("[prometheus]\nservice_label = app-name\n",
			  "config.ini:2: invalid label name 'app-name' for service_label "
			  "(a Prometheus label name, [a-zA-Z_][a-zA-Z0-9_]*)");
	expect_load_error(
		"[prometheus]\nheader = X-Org team1\n",
		"config.ini:2: invalid header (write 'Name: value', e.g. 'X-Scope-OrgID: team1')");
	expect_load_error("[metrics]\n\np99 = max by (${service}) (x)\n",
			  "config.ini:3: unknown placeholder '${service}' in p99 (use ${label} and "
			  "${window})");
	expect_load_error(
		"[metrics]\ncpu = x{${label",
		"config.ini:2: unknown placeholder '${label' in cpu (use ${label} and ${window})");
	expect_load_error(
		"[general]\nrefresh = 2s\ntheme = mono\n\nrefresh = 5s\n",
		"config.ini:5: refresh in [general] is set twice, on lines 2 and 5: keep one");
	cfg = config_new();
	assert_int_equal(config_load_file(cfg, FIX "duplicate.ini", true, &e), -1);
	assert_string_equal(e.msg, FIX "duplicate.ini:5: refresh in [general] is set twice, "
				       "on lines 2 and 5: keep one");
	config_free(cfg);
}

static void
test_files(void **state)
{
	struct config *cfg = config_new();
	struct err e;
	char *path;
	bool expl;

	(void)state;
	assert_int_equal(config_load_file(cfg, "/nonexistent/opsdeck.ini", false, &e), 0);
	assert_int_equal(config_load_file(cfg, "/nonexistent/opsdeck.ini", true, &e), -1);
	assert_string_equal(e.msg, "cannot read config file '/nonexistent/opsdeck.ini': "
				   "No such file or directory");
	assert_int_equal(config_load_file(cfg, "/", false, &e), -1);
	assert_string_equal(e.msg, "cannot read config file '/': Is a directory");
	config_free(cfg);

	{
		static const char *const env1[] = { "OPSDECK_CONFIG=/etc/o.ini", "HOME=/home/u",
						    NULL };
		static const char *const env2[] = { "XDG_CONFIG_HOME=/xdg", "HOME=/home/u", NULL };
		static const char *const env3[] = { "XDG_CONFIG_HOME=rel", "HOME=/home/u", NULL };

		fake_env = env1;
		path = config_default_path("my.ini", fake_getenv, &expl);
		assert_string_equal(path, "my.ini");
		assert_true(expl);
		free(path);
		path = config_default_path(NULL, fake_getenv, &expl);
		assert_string_equal(path, "/etc/o.ini");
		assert_true(expl);
		free(path);
		fake_env = env2;
		path = config_default_path(NULL, fake_getenv, &expl);
		assert_string_equal(path, "/xdg/opsdeck/config.ini");
		assert_false(expl);
		free(path);
		fake_env = env3;
		path = config_default_path(NULL, fake_getenv, &expl);
		assert_string_equal(path, "/home/u/.config/opsdeck/config.ini");
		free(path);
		assert_null(config_default_path(NULL, no_env, &expl));
		assert_false(expl);
	}
}

static void
test_secrets(void **state)
{
	static const char *const env[] = {
		"OPSDECK_PROMETHEUS_TOKEN=env-token-Zq9xW",
		NULL,
	};
	struct config *cfg;
	struct err e;
	char *path, *text, *out, *line;

	(void)state;
	/* token in the file is rejected, without echoing it */
	cfg = config_new();
	assert_int_equal(config_load_file(cfg, FIX "token_in_file.ini", true, &e), -1);
	assert_string_equal(e.msg,
			    FIX "token_in_file.ini:3: token cannot be set in the config file "
				"(keep secrets out of it): write it to a file and set token_file = "
				"/path/to/file, or set OPSDECK_PROMETHEUS_TOKEN");
	assert_null(strstr(e.msg, "abc123"));
	config_free(cfg);
	expect_load_error(
		"[prometheus]\npassword = x\n",
		"config.ini:2: password cannot be set in the config file (keep secrets out "
		"of it): write it to a file and set password_file = /path/to/file, or set "
		"OPSDECK_PROMETHEUS_PASSWORD");

	/* token_file is read, trailing newline trimmed, never printed */
	path = temp_file("file-token-Kp3vR\n", 0600);
	text = xasprintf("[prometheus]\nurl = http://x\ntoken_file = %s\n", path);
	cfg = load_text(text, &e);
	assert_non_null(cfg);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_secret(cfg, CFG_PROMETHEUS_TOKEN), "file-token-Kp3vR");
	assert_int_equal(config_source(cfg, CFG_PROMETHEUS_TOKEN), CFG_SRC_FILE);
	out = print(cfg);
	assert_null(strstr(out, "Kp3vR"));
	free(out);
	expect_printed(cfg, "; token = <redacted>", "; from token_file");
	line = printed_line(cfg, "token_file = ");
	assert_non_null(strstr(line, path));
	free(line);

	/* the environment beats token_file */
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_secret(cfg, CFG_PROMETHEUS_TOKEN), "env-token-Zq9xW");
	out = print(cfg);
	assert_null(strstr(out, "Zq9xW"));
	assert_null(strstr(out, "Kp3vR"));
	free(out);
	expect_printed(cfg, "; token = <redacted>", "; env OPSDECK_PROMETHEUS_TOKEN");
	config_free(cfg);
	free(text);

	/* headers that carry credentials are redacted */
	cfg = load_text("[prometheus]\nheader = X-Api-Key: k-Hh7\nheader = x-auth-TOKEN: t-Hh7\n"
			"header = X-Org: visible\n",
			&e);
	assert_non_null(cfg);
	out = print(cfg);
	assert_null(strstr(out, "Hh7"));
	assert_non_null(strstr(out, "header = X-Api-Key: <redacted>"));
	assert_non_null(strstr(out, "header = X-Org: visible"));
	free(out);
	config_free(cfg);

	/* a secret file with two lines is refused */
	remove_temp(path);
	path = temp_file("line1\nline2\n", 0600);
	text = xasprintf("[prometheus]\ntoken_file = %s\n", path);
	cfg = load_text(text, &e);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_non_null(strstr(e.msg, "holds a line break or control character"));
	assert_null(strstr(e.msg, "line1"));
	config_free(cfg);
	free(text);
	remove_temp(path);
}

static void
test_unreadable_secret(void **state)
{
	struct err e;
	struct config *cfg;
	char *path, *text, *want;

	(void)state;
	expect_finalize_error("[prometheus]\ntoken_file = /nonexistent/token\n",
			      "cannot read token_file '/nonexistent/token' ([prometheus] token): "
			      "No such file or directory");
	expect_finalize_error("[prometheus]\ntoken_file = /\n",
			      "cannot read token_file '/' ([prometheus] token): Is a directory");
	if (geteuid() == 0)
		return; /* root reads mode 000 files */
	path = temp_file("secret\n", 0000);
	text = xasprintf("[prometheus]\nusername = me\npassword_file = %s\n", path);
	want = xasprintf(
		"cannot read password_file '%s' ([prometheus] password): Permission denied", path);
	cfg = load_text(text, &e);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_string_equal(e.msg, want);
	config_free(cfg);
	free(text);
	free(want);
	remove_temp(path);
}

static void
test_url_credentials(void **state)
{
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "userinfo_url.ini", true, &e), -1);
	assert_string_equal(e.msg, FIX "userinfo_url.ini:2: url must not contain credentials "
				       "(user:password@host): set username and password_file in "
				       "[prometheus], or OPSDECK_PROMETHEUS_PASSWORD");
	assert_null(strstr(e.msg, "s3cret"));
	assert_int_equal(config_set_flag(cfg, "--prometheus", "http://u:p4ss@h:9090/x", &e), -1);
	assert_null(strstr(e.msg, "p4ss"));
	/* an @ after the host is not userinfo */
	assert_int_equal(config_set_flag(cfg, "--prometheus", "http://h:9090/a@b?c=@", &e), 0);
	assert_int_equal(config_set_flag(cfg, "--prometheus", "unix:///run/prom.sock", &e), 0);
	assert_int_equal(config_set_flag(cfg, "--prometheus", "unix://", &e), -1);
	assert_int_equal(config_set_flag(cfg, "--prometheus", "https://", &e), -1);
	config_free(cfg);
}

static void
test_cross_checks(void **state)
{
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "thresholds_inverted.ini", true, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_string_equal(e.msg, "[thresholds] error_warn = 10% is above error_crit = 5%: "
				   "warn must not exceed crit");
	config_free(cfg);
	expect_finalize_error(
		"[thresholds]\np99_warn = 3s\n",
		"[thresholds] p99_warn = 3s is above p99_crit = 2s: warn must not exceed crit");
	expect_finalize_error("[prometheus]\nusername = me\n",
			      "[prometheus] username is set but no password: set password_file or "
			      "OPSDECK_PROMETHEUS_PASSWORD");
	expect_finalize_error("[prometheus]\nca_file = /nonexistent/ca.pem\n",
			      "cannot read ca_file '/nonexistent/ca.pem' ([prometheus]): "
			      "No such file or directory");
}

static void
test_print_roundtrip(void **state)
{
	struct config *a = config_new(), *b;
	struct err e;
	struct buf w;
	char *out1, *out2, *p, *q;
	int k;

	(void)state;
	assert_int_equal(config_load_file(a, FIX "full.ini", true, &e), 0);
	assert_int_equal(config_set_flag(a, "--refresh", "7s", &e), 0);
	assert_int_equal(config_finalize(a, &e), 0);
	buf_init(&w);
	config_write(a, &w);
	out1 = buf_steal(&w);
	buf_done(&w);
	/* the output parses back (secrets aside) to the same values */
	b = load_text(out1, &e);
	if (b == NULL)
		fail_msg("printed config does not load back: %s\n%s", e.msg, out1);
	assert_int_equal(config_finalize(b, &e), 0);
	for (k = 0; k < CFG_KEY_COUNT; k++) {
		const char *va = config_str(a, k), *vb = config_str(b, k);
		if (va == NULL || vb == NULL)
			assert_ptr_equal(va, vb);
		else
			assert_string_equal(va, vb);
	}
	assert_int_equal(config_nservices(a), 2);
	assert_int_equal(config_nservices(b), config_nservices(a));
	for (k = 0; k < (int)config_nservices(a); k++) {
		const struct config_service *sa = config_service_at(a, k),
					    *sb = config_service_at(b, k);

		assert_string_equal(sa->name, sb->name);
		if (sa->runtime_name == NULL)
			assert_null(sb->runtime_name);
		else
			assert_string_equal(sa->runtime_name, sb->runtime_name);
		assert_string_equal(sa->prometheus, sb->prometheus);
	}
	/* config_print is config_write plus the origin column */
	out2 = print(a);
	for (p = out2, q = out2; *p != '\0'; p++) {
		if (p[0] == ' ' && strncmp(p + strspn(p, " "), "; ", 2) == 0 && q > out2 &&
		    q[-1] != '\n')
			p += strcspn(p, "\n");
		*q++ = *p;
		if (*p == '\0')
			break;
	}
	*q = '\0';
	assert_string_equal(out1, out2);
	free(out1);
	free(out2);
	config_free(a);
	config_free(b);
}

static void
test_print_keys(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	config_print_keys(&b);
	assert_non_null(strstr(b.data,
			       "[general]\nrefresh (duration, default 2s, env OPSDECK_REFRESH, "
			       "flag --refresh)\n"));
	assert_non_null(strstr(b.data, "preset (choice: http, micrometer, default http)"));
	assert_non_null(strstr(b.data, "history (integer 2..1000, default 60)"));
	assert_non_null(strstr(b.data, "[thresholds]\n"));
	assert_non_null(
		strstr(b.data, "\n[docker]\nhost (endpoint, env DOCKER_HOST, flag --docker)\n"));
	assert_non_null(strstr(b.data, "confirm (choice: yes, name, default yes)"));
	assert_non_null(strstr(b.data, "read_only (boolean, default false, env OPSDECK_READ_ONLY, "
				       "flag --read-only)"));
	assert_non_null(strstr(b.data, "context (context name, env DOCKER_CONTEXT)"));
	assert_non_null(strstr(b.data, "\n[service \"NAME\"] (one per service; NAME is its name in "
				       "the console)\nruntime_name (string)\n"));
	assert_non_null(strstr(b.data, "\nprometheus (string)\n"));
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_preset_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_env_error),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_unreadable_secret),
		cmocka_unit_test(test_url_credentials),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_print_roundtrip),
		cmocka_unit_test(test_print_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
