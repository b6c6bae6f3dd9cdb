/*
 * test_config_env.c - tui/config: [env "NAME"] sections: their keys
 * ("section.key", protected), the checks and messages, selection and its
 * precedence (flag > environment variable > env section > top level),
 * several files, the listing and config_print.
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

static const char envs_text[] = "[general]\n"                                        /* 1 */
				"confirm = yes\n"                                    /* 2 */
				"[prometheus]\n"                                     /* 3 */
				"url = http://top:9090\n"                            /* 4 */
				"timeout = 3s\n"                                     /* 5 */
				"[kubernetes]\n"                                     /* 6 */
				"context = a, b\n"                                   /* 7 */
				"\n"                                                 /* 8 */
				"[env \"staging\"]\n"                                /* 9 */
				"prometheus.url = http://staging:9090\n"             /* 10 */
				"kubernetes.context = s1\n"                          /* 11 */
				"kubernetes.context = s2\n"                          /* 12 */
				"\n"                                                 /* 13 */
				"[env \"prod\"]\n"                                   /* 14 */
				"protected = true\n"                                 /* 15 */
				"prometheus.url = http://prod:9090\n"                /* 16 */
				"general.read_only = yes\n"                          /* 17 */
				"prometheus.header = Authorization: Bearer s3cr3t\n" /* 18 */
				"alertmanager.url = http://prod-am:9093\n";          /* 19 */

/* new: envs_text loaded and name selected (NULL: none), finalized. */
static struct config *
selected(const char *name)
{
	struct err e;
	struct config *cfg = load_text(envs_text, &e);

	assert_non_null(cfg);
	if (config_select_env(cfg, name, &e) < 0)
		fail_msg("select %s: %s", name ? name : "(none)", e.msg);
	if (config_finalize(cfg, &e) < 0)
		fail_msg("finalize: %s", e.msg);
	return cfg;
}

static void
test_listing(void **state)
{
	struct config *cfg = selected(NULL);

	(void)state;
	assert_int_equal(config_env_count(cfg), 2);
	assert_string_equal(config_env_name(cfg, 0), "staging");
	assert_string_equal(config_env_name(cfg, 1), "prod");
	assert_null(config_env_name(cfg, 2));
	assert_null(config_env_selected(cfg));
	assert_false(config_env_protected(cfg));
	config_free(cfg);

	/* no sections at all */
	cfg = config_new();
	assert_int_equal(config_env_count(cfg), 0);
	assert_null(config_env_name(cfg, 0));
	assert_null(config_env_selected(cfg));
	assert_false(config_env_protected(cfg));
	config_free(cfg);
}

static void
test_none_selected(void **state)
{
	struct config *cfg = selected(NULL);
	size_t n;
	const char *const *ctx;

	(void)state;
	/* the top-level values, untouched by any section */
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://top:9090");
	assert_false(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	assert_false(config_isset(cfg, CFG_ALERTMANAGER_URL));
	ctx = config_list(cfg, CFG_KUBERNETES_CONTEXT, &n);
	assert_int_equal(n, 1);
	assert_string_equal(ctx[0], "a, b");
	config_free(cfg);

	/* "default" names the top-level settings, as no selection does */
	cfg = selected("default");
	assert_null(config_env_selected(cfg));
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://top:9090");
	config_free(cfg);
	cfg = selected("");
	assert_null(config_env_selected(cfg));
	config_free(cfg);
}

static void
test_select(void **state)
{
	struct config *cfg = selected("staging");
	size_t n;
	const char *const *list;

	(void)state;
	assert_string_equal(config_env_selected(cfg), "staging");
	assert_false(config_env_protected(cfg));
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://staging:9090");
	assert_int_equal(config_source(cfg, CFG_PROMETHEUS_URL), CFG_SRC_FILE);
	/* keys the section leaves alone keep the top-level value */
	assert_int_equal(config_ms(cfg, CFG_PROMETHEUS_TIMEOUT), 3000);
	assert_false(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	/* a list in the section replaces the top-level list, item by item in order */
	list = config_list(cfg, CFG_KUBERNETES_CONTEXT, &n);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], "s1");
	assert_string_equal(list[1], "s2");
	/* the origin is the section's line */
	expect_printed(cfg, "url = http://staging:9090", "; config.ini:10");
	expect_printed(cfg, "context = s2", "; config.ini:12");
	config_free(cfg);

	cfg = selected("prod");
	assert_string_equal(config_env_selected(cfg), "prod");
	assert_true(config_env_protected(cfg));
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://prod:9090");
	assert_true(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	assert_string_equal(config_str(cfg, CFG_ALERTMANAGER_URL), "http://prod-am:9093");
	list = config_list(cfg, CFG_PROMETHEUS_HEADER, &n);
	assert_int_equal(n, 1);
	assert_string_equal(list[0], "Authorization: Bearer s3cr3t");
	/* untouched list keeps the top level's */
	list = config_list(cfg, CFG_KUBERNETES_CONTEXT, &n);
	assert_int_equal(n, 1);
	assert_string_equal(list[0], "a, b");
	config_free(cfg);
}

static void
test_precedence(void **state)
{
	static const char *const env[] = { "OPSDECK_PROMETHEUS_URL=http://var:9090", NULL };
	struct config *cfg;
	struct err e;

	(void)state;
	/* env section over top level */
	cfg = load_text(envs_text, &e);
	assert_int_equal(config_select_env(cfg, "prod", &e), 0);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://prod:9090");
	/* environment variable over env section */
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://var:9090");
	assert_int_equal(config_source(cfg, CFG_PROMETHEUS_URL), CFG_SRC_ENV);
	/* flag over environment variable; --read-only false beats the section's true */
	assert_int_equal(config_set_flag(cfg, "--prometheus", "http://flag:9090", &e), 0);
	assert_int_equal(config_set_flag(cfg, "--read-only", "false", &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://flag:9090");
	assert_false(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	/* the flags leave protected alone */
	assert_true(config_env_protected(cfg));
	expect_printed(cfg, "url = http://flag:9090", "; flag --prometheus");
	config_free(cfg);
}

static void
test_select_errors(void **state)
{
	struct config *cfg;
	struct err e;

	(void)state;
	cfg = load_text(envs_text, &e);
	assert_int_equal(config_select_env(cfg, "qa", &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "no environment named 'qa' (environments: staging, prod; "
				   "default = the top-level settings)");
	assert_null(config_env_selected(cfg));
	/* once selected, another selection would stack: refused */
	assert_int_equal(config_select_env(cfg, "prod", &e), 0);
	assert_int_equal(config_select_env(cfg, "staging", &e), -1);
	assert_string_equal(e.msg, "an environment is already selected ('prod')");
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://prod:9090");
	config_free(cfg);

	cfg = load_text("[prometheus]\nurl = http://x:1\n", &e);
	assert_int_equal(config_select_env(cfg, "prod", &e), -1);
	assert_string_equal(e.msg, "no environment named 'prod': the configuration has no [env "
				   "\"NAME\"] section");
	/* a name from the environment is quoted safely */
	assert_int_equal(config_select_env(cfg, "a\033[2Jb", &e), -1);
	assert_null(strchr(e.msg, '\033'));
	config_free(cfg);
}

static void
test_load_errors(void **state)
{
	(void)state;
	expect_load_error("[env]\nprotected = true\n",
			  "config.ini:2: [env] needs a name: write [env \"NAME\"], e.g. [env "
			  "\"prod\"]");
	expect_load_error("[env \"\"]\nprotected = true\n",
			  "config.ini:2: empty environment name in [env \"\"] (write e.g. [env "
			  "\"prod\"])");
	expect_load_error("[env \"prod eu\"]\nprotected = true\n",
			  "config.ini:2: blank in the environment name [env \"prod eu\"] (it is "
			  "typed after --env and :env: write e.g. prod-eu)");
	expect_load_error("[env \"default\"]\nprotected = true\n",
			  "config.ini:2: [env \"default\"]: the name default stands for the "
			  "top-level settings (no environment); choose another name");
	expect_load_error("[env \"p\xff\"]\nprotected = true\n",
			  "config.ini:2: environment name is not valid UTF-8");
	expect_load_error("[env \"prod\"]\nurl = http://x:9090\n",
			  "config.ini:2: unknown key 'url' in [env \"prod\"] (write section.key, "
			  "e.g. prometheus.url)");
	expect_load_error("[env \"prod\"]\nprotect = true\n",
			  "config.ini:2: unknown key 'protect' in [env \"prod\"] (an environment "
			  "takes protected and section.key, e.g. prometheus.url)");
	expect_load_error("[env \"prod\"]\nprometheus.ulr = http://x:9090\n",
			  "config.ini:2: unknown key 'prometheus.ulr' in [env \"prod\"] (did you "
			  "mean 'prometheus.url'?)");
	expect_load_error("[env \"prod\"]\npromethus.url = http://x:9090\n",
			  "config.ini:2: unknown key 'promethus.url' in [env \"prod\"] (did you "
			  "mean 'prometheus.url'?)");
	expect_load_error("[env \"prod\"]\ndokcer.name = x\n",
			  "config.ini:2: unknown key 'dokcer.name' in [env \"prod\"] (did you mean "
			  "'docker.name'?)");
	expect_load_error("[env \"prod\"]\nfoo.bar = 1\n",
			  "config.ini:2: unknown section 'foo' in 'foo.bar' in [env \"prod\"]");
	expect_load_error("[env \"prod\"]\nservice.runtime_name = x\n",
			  "config.ini:2: unknown key 'service.runtime_name' in [env \"prod\"] "
			  "([service] and [keys] sections are the same in every environment)");
	expect_load_error("[env \"prod\"]\nkeys.scale = x\n",
			  "config.ini:2: unknown key 'keys.scale' in [env \"prod\"] ([service] and "
			  "[keys] sections are the same in every environment)");
	expect_load_error(
		"[env \"prod\"]\nprometheus.timeout = soon\n",
		"config.ini:2: invalid duration 'soon' for timeout (write e.g. 250ms, 2s, "
		"5m, 1h)");
	expect_load_error("[env \"prod\"]\nprotected = maybe\n",
			  "config.ini:2: invalid boolean 'maybe' for protected in [env \"prod\"] "
			  "(write true or false)");
	expect_load_error(
		"[env \"prod\"]\nprotected = true\nprometheus.url = http://a:1\n"
		"protected = false\n",
		"config.ini:4: protected in [env \"prod\"] is set twice, on lines 2 and 4: "
		"keep one");
	expect_load_error("[env \"prod\"]\nprometheus.url = http://a:1\n[env \"qa\"]\n"
			  "protected = true\n[env \"prod\"]\nprometheus.url = http://b:1\n",
			  "config.ini:6: prometheus.url in [env \"prod\"] is set twice, on lines 2 "
			  "and 6: keep one");
}

static void
test_secrets_refused(void **state)
{
	struct err e;
	struct config *cfg;

	(void)state;
	expect_load_error("[env \"prod\"]\nprometheus.token = hunter2-in-env\n",
			  "config.ini:2: prometheus.token cannot be set in the config file (keep "
			  "secrets out of it): write it to a file and set prometheus.token_file = "
			  "/path/to/file in [env \"prod\"], or set OPSDECK_PROMETHEUS_TOKEN");
	cfg = load_text("[env \"prod\"]\nalertmanager.password = hunter2-in-env\n", &e);
	assert_null(cfg);
	assert_null(strstr(e.msg, "hunter2"));
	/* the file keys are allowed, and a credential header is redacted when printed */
	cfg = load_text("[env \"prod\"]\nprometheus.token_file = /run/prod-token\n"
			"prometheus.header = Authorization: Bearer s3cr3t-hdr\n",
			&e);
	assert_non_null(cfg);
	{
		char *out = print(cfg);

		assert_null(strstr(out, "s3cr3t-hdr"));
		assert_non_null(strstr(out, "prometheus.header = Authorization: <redacted>"));
		assert_non_null(strstr(out, "prometheus.token_file = /run/prod-token"));
		free(out);
	}
	config_free(cfg);
}

static void
test_two_files(void **state)
{
	const char *text;
	struct config *cfg;
	struct err e;

	(void)state;
	cfg = load_text("[env \"prod\"]\nprometheus.url = http://one:1\nprometheus.timeout = 1s\n"
			"kubernetes.context = c1\nkubernetes.context = c2\n",
			&e);
	assert_non_null(cfg);
	/* a later file's section replaces values key by key (a list as a whole), no duplicate error */
	text = "[env \"prod\"]\nprometheus.url = http://two:2\nkubernetes.context = c3\n"
	       "protected = true\n";
	assert_int_equal(config_load_buffer(cfg, text, strlen(text), "second.ini", &e), 0);
	assert_int_equal(config_env_count(cfg), 1);
	assert_int_equal(config_select_env(cfg, "prod", &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_PROMETHEUS_URL), "http://two:2");
	assert_int_equal(config_ms(cfg, CFG_PROMETHEUS_TIMEOUT), 1000);
	assert_true(config_env_protected(cfg));
	{
		size_t n;
		const char *const *l = config_list(cfg, CFG_KUBERNETES_CONTEXT, &n);

		assert_int_equal(n, 1);
		assert_string_equal(l[0], "c3");
	}
	expect_printed(cfg, "url = http://two:2", "; second.ini:2");
	expect_printed(cfg, "timeout = 1s", "; config.ini:3");
	config_free(cfg);
}

static void
test_print(void **state)
{
	struct config *cfg = selected("prod"), *back;
	struct buf w;
	struct err e;
	char *out;

	(void)state;
	expect_printed(cfg, "[env \"staging\"]", "[env \"staging\"]"); /* no origin: not selected */
	expect_printed(cfg, "[env \"prod\"]", "; selected: its values are applied above");
	expect_printed(cfg, "protected = true", "; config.ini:15");
	expect_printed(cfg, "prometheus.url = http://staging:9090", "; config.ini:10");
	expect_printed(cfg, "kubernetes.context = s2", "; config.ini:12");
	expect_printed(cfg, "general.read_only = yes", "; config.ini:17");
	expect_printed(cfg, "url = http://prod:9090", "; config.ini:16");
	out = print(cfg);
	assert_null(strstr(out, "s3cr3t"));
	/* sections in the order loaded, after the others */
	assert_true(strstr(out, "[env \"staging\"]") < strstr(out, "[env \"prod\"]"));
	assert_true(strstr(out, "[alertmanager]") < strstr(out, "[env \"staging\"]"));
	free(out);

	/* config_write's text loads back with both sections */
	buf_init(&w);
	config_write(cfg, &w);
	out = buf_steal(&w);
	buf_done(&w);
	back = load_text(out, &e);
	if (back == NULL)
		fail_msg("written config does not load back: %s\n%s", e.msg, out);
	assert_int_equal(config_env_count(back), 2);
	assert_int_equal(config_select_env(back, "staging", &e), 0);
	assert_string_equal(config_str(back, CFG_PROMETHEUS_URL), "http://staging:9090");
	free(out);
	config_free(back);
	config_free(cfg);

	/* the key reference names the section */
	buf_init(&w);
	config_print_keys(&w);
	assert_non_null(strstr(w.data, "\n[env \"NAME\"] (one per environment; --env NAME or :env "
				       "NAME selects it)\nprotected (boolean, default false)\n"));
	buf_done(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listing),         cmocka_unit_test(test_none_selected),
		cmocka_unit_test(test_select),          cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_select_errors),   cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_secrets_refused), cmocka_unit_test(test_two_files),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
