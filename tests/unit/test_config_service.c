/*
 * test_config_service.c - tui/config: [service "NAME"] sections: aliases,
 * UTF-8 names, duplicates, unknown keys, conflicting aliases, the lookups
 * in both directions and their place in config_print.
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

static void
test_services(void **state)
{
	struct config *cfg = config_new();
	const struct config_service *sv;
	const char *ext = "unaliased";
	struct err e;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "services.ini", true, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_int_equal(config_nservices(cfg), 4);
	sv = config_service_at(cfg, 0);
	assert_string_equal(sv->name, "orders");
	assert_string_equal(sv->runtime_name, "shop_orders");
	assert_string_equal(sv->prometheus, "orders-api");
	sv = config_service_at(cfg, 1);
	assert_string_equal(sv->name, "결제 💳");
	assert_string_equal(sv->runtime_name, "shop_payments");
	assert_null(sv->prometheus);
	sv = config_service_at(cfg, 2);
	assert_string_equal(sv->name, "caf\xc3\xa9");
	assert_null(sv->runtime_name);
	assert_string_equal(sv->prometheus, "cafe _menu");
	sv = config_service_at(cfg, 3);
	assert_string_equal(sv->name, "cafe\xcc\x81 (no aliases)");
	assert_null(sv->runtime_name);
	assert_null(sv->prometheus);
	assert_null(config_service_at(cfg, 4));
	/* a continued value that looks like a header is no section */
	assert_string_equal(config_str(cfg, CFG_DOCKER_NAME),
			    "a value continued  [service \"not a header\"]");
	assert_string_equal(config_str(cfg, CFG_GENERAL_CONFIRM), "name");

	/* external name -> display name, per source */
	assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_RUNTIME, "shop_orders"),
			    "orders");
	assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_PROMETHEUS, "orders-api"),
			    "orders");
	assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_RUNTIME, "shop_payments"),
			    "결제 💳");
	assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_PROMETHEUS, "cafe _menu"),
			    "caf\xc3\xa9");
	/* an alias of one source means nothing to the other */
	assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_PROMETHEUS, "shop_orders"),
			    "shop_orders");
	assert_ptr_equal(config_service_display_name(cfg, CFG_ALIAS_RUNTIME, ext), ext);
	assert_ptr_equal(config_service_display_name(cfg, CFG_ALIAS_PROMETHEUS, ext), ext);
	/* display name -> external name, per source */
	assert_string_equal(config_service_external_name(cfg, CFG_ALIAS_RUNTIME, "orders"),
			    "shop_orders");
	assert_string_equal(config_service_external_name(cfg, CFG_ALIAS_PROMETHEUS, "orders"),
			    "orders-api");
	assert_string_equal(config_service_external_name(cfg, CFG_ALIAS_PROMETHEUS, "결제 💳"),
			    "결제 💳");
	assert_string_equal(config_service_external_name(cfg, CFG_ALIAS_RUNTIME, "결제 💳"),
			    "shop_payments");
	assert_ptr_equal(config_service_external_name(cfg, CFG_ALIAS_RUNTIME, ext), ext);
	/* every section's display name survives the round trip */
	for (size_t i = 0; i < config_nservices(cfg); i++) {
		const struct config_service *s = config_service_at(cfg, i);

		assert_string_equal(
			config_service_display_name(
				cfg, CFG_ALIAS_RUNTIME,
				config_service_external_name(cfg, CFG_ALIAS_RUNTIME, s->name)),
			s->name);
		assert_string_equal(
			config_service_display_name(
				cfg, CFG_ALIAS_PROMETHEUS,
				config_service_external_name(cfg, CFG_ALIAS_PROMETHEUS, s->name)),
			s->name);
	}

	/* printed after the other sections, with file:line origins */
	expect_printed(cfg, "[service \"orders\"]", "; " FIX "services.ini:2");
	expect_printed(cfg, "runtime_name = shop_orders", "; " FIX "services.ini:3");
	expect_printed(cfg, "prometheus = orders-api", "; " FIX "services.ini:4");
	expect_printed(cfg, "[service \"결제 💳\"]", "; " FIX "services.ini:10");
	expect_printed(cfg, "prometheus = cafe _menu", "; " FIX "services.ini:18");
	expect_printed(cfg, "[service \"cafe\xcc\x81 (no aliases)\"]", "; " FIX "services.ini:21");
	{
		char *out = print(cfg);
		const char *d = strstr(out, "\n[docker]\n"),
			   *s = strstr(out, "\n[service \"orders\"]");
		const char *a = strstr(out, "runtime_name = shop_orders"),
			   *k = strstr(out, "[service \"결제 💳\"]");

		assert_non_null(d);
		assert_true(s > d);
		assert_non_null(strstr(s, "; runtime_name = (unset)\n"));
		/* wide characters count two columns: the origins stay aligned */
		assert_int_equal(strstr(a, "; ") - a, strstr(k, "; ") - k - 4);
		free(out);
	}
	config_free(cfg);
}

static void
test_service_duplicates(void **state)
{
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	assert_int_equal(config_load_file(cfg, FIX "duplicate_service.ini", true, &e), -1);
	assert_string_equal(e.msg,
			    FIX "duplicate_service.ini:7: [service \"orders\"] appears twice, "
				"on lines 1 and 7: merge them into one section");
	config_free(cfg);
	/* back to back, so no key tells the two apart */
	expect_load_error(
		"[service \"a\"]\nruntime_name = x\n[service \"a\"]\nprometheus = y\n",
		"config.ini:3: [service \"a\"] appears twice, on lines 1 and 3: merge them "
		"into one section");
	/* empty sections count too, also last in the file */
	expect_load_error(
		"[service \"a\"]\n\n[general]\nrefresh = 2s\n[service \"a\"]\n",
		"config.ini:5: [service \"a\"] appears twice, on lines 1 and 5: merge them "
		"into one section");
	/* in line order: the duplicate comes before the bad value after it */
	expect_load_error(
		"[service \"a\"]\n[service \"a\"]\n[general]\nrefresh = 2x\n",
		"config.ini:2: [service \"a\"] appears twice, on lines 1 and 2: merge them "
		"into one section");
	/* names differing in case or normalisation are different services */
	{
		struct config *c =
			load_text("[service \"Orders\"]\n[service \"orders\"]\n"
				  "[service \"caf\xc3\xa9\"]\n[service \"cafe\xcc\x81\"]\n",
				  &e);

		assert_non_null(c);
		assert_int_equal(config_nservices(c), 4);
		config_free(c);
	}
	expect_load_error(
		"[service \"a\"]\nruntime_name = x\nruntime_name = y\n",
		"config.ini:3: runtime_name in [service \"a\"] is set twice, on lines 2 and "
		"3: keep one");
}

static void
test_service_errors(void **state)
{
	(void)state;
	expect_load_error(
		"[service \"orders\"]\nruntime_nme = x\n",
		"config.ini:2: unknown key 'runtime_nme' in [service \"orders\"] (did you "
		"mean 'runtime_name'?)");
	expect_load_error("[service \"orders\"]\npromethues = x\n",
			  "config.ini:2: unknown key 'promethues' in [service \"orders\"] (did you "
			  "mean 'prometheus'?)");
	expect_load_error("[service \"orders\"]\nurl = http://x\n",
			  "config.ini:2: unknown key 'url' in [service \"orders\"] (it belongs in "
			  "[prometheus]; a service section takes runtime_name, prometheus, elasticsearch, zipkin, kubernetes and ecs)");
	expect_load_error(
		"[service \"결제\"]\nimage = x\n",
		"config.ini:2: unknown key 'image' in [service \"결제\"] (a service section "
		"takes runtime_name, prometheus, elasticsearch, zipkin, kubernetes and ecs)");
	expect_load_error(
		"[servce \"orders\"]\nruntime_name = x\n",
		"config.ini:2: unknown section [servce \"orders\"] (did you mean [service]?)");
	expect_load_error(
		"[service]\nruntime_name = x\n",
		"config.ini:1: [service] needs a name: write [service \"NAME\"] with the name "
		"shown in the console");
	expect_load_error(
		"[general]\nrefresh = 2s\n[service]\n",
		"config.ini:3: [service] needs a name: write [service \"NAME\"] with the name "
		"shown in the console");
	expect_load_error(
		"[service \"\"]\nruntime_name = x\n",
		"config.ini:1: empty service name in [service \"\"] (write the name shown in "
		"the console)");
	expect_load_error("[service \"a\x1b[31m\"]\n",
			  "config.ini:1: control character in a service name");
	expect_load_error("[service \"a\tb\"]\n",
			  "config.ini:1: control character in a service name");
	expect_load_error("[service \"caf\xe9\"]\n",
			  "config.ini:1: service name is not valid UTF-8");
	expect_load_error("[service \"\xf0\x9f\x92\"]\n",
			  "config.ini:1: service name is not valid UTF-8");
	expect_load_error(
		"[service \"orders\"]\nruntime_name =\n",
		"config.ini:2: empty runtime_name in [service \"orders\"] (write the service's "
		"name in the runtime, or remove the line to use \"orders\")");
	expect_load_error(
		"[service \"orders\"]\nprometheus = \"\"\n",
		"config.ini:2: empty prometheus in [service \"orders\"] (write the service's "
		"label value, or remove the line to use \"orders\")");
	expect_load_error(
		"[service \"orders\"]\nruntime_name = shop orders\n",
		"config.ini:2: invalid runtime_name 'shop orders' in [service \"orders\"] "
		"(runtime names have no spaces, e.g. shop_orders)");
	expect_load_error(
		"[service \"orders\"]\nruntime_name = \"a\tb\"\n",
		"config.ini:2: control character in runtime_name in [service \"orders\"]");
	expect_load_error("[service \"orders\"]\nprometheus = \xff\n",
			  "config.ini:2: invalid UTF-8 in prometheus in [service \"orders\"]");
	/* a Prometheus label value may hold spaces */
	{
		struct err e;
		struct config *cfg =
			load_text("[service \"orders\"]\nprometheus = Orders API\n", &e);

		assert_non_null(cfg);
		assert_string_equal(config_service_at(cfg, 0)->prometheus, "Orders API");
		config_free(cfg);
	}
}

static void
test_service_conflicts(void **state)
{
	(void)state;
	expect_finalize_error(
		"[service \"a\"]\nruntime_name = x\n[service \"b\"]\nruntime_name = x\n",
		"config.ini:4: runtime name 'x' maps to both [service \"a\"] "
		"(runtime_name, config.ini:2) and [service \"b\"] (runtime_name): give "
		"each service its own runtime name");
	/* a section without the key claims its own name */
	expect_finalize_error(
		"[service \"a\"]\nprometheus = b\n\n[service \"b\"]\nruntime_name = rb\n",
		"config.ini:4: Prometheus label value 'b' maps to both [service \"a\"] "
		"(prometheus, config.ini:2) and [service \"b\"] (its name): give each "
		"service its own Prometheus label value");
	expect_finalize_error(
		"[service \"b\"]\n[service \"a\"]\nruntime_name = b\n",
		"config.ini:3: runtime name 'b' maps to both [service \"b\"] (its name, "
		"config.ini:1) and [service \"a\"] (runtime_name): give each service its "
		"own runtime name");
	/* swapping names, and aliasing a name to itself, are fine */
	{
		struct err e;
		struct config *cfg =
			load_text("[service \"a\"]\nruntime_name = b\n[service \"b\"]\n"
				  "runtime_name = a\n[service \"c\"]\nprometheus = c\n",
				  &e);

		assert_non_null(cfg);
		assert_int_equal(config_finalize(cfg, &e), 0);
		assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_RUNTIME, "a"), "b");
		assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_RUNTIME, "b"), "a");
		assert_string_equal(config_service_external_name(cfg, CFG_ALIAS_RUNTIME, "a"), "b");
		config_free(cfg);
	}
}

static void
test_services_two_files(void **state)
{
	const char *text;
	struct config *cfg;
	struct err e;

	(void)state;
	cfg = load_text("[service \"orders\"]\nruntime_name = shop_orders\nprometheus = orders\n",
			&e);
	assert_non_null(cfg);
	/* a later file's section replaces values key by key, without a duplicate error */
	text = "\n[service \"orders\"]\nprometheus = orders-v2\n";
	assert_int_equal(config_load_buffer(cfg, text, strlen(text), "second.ini", &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_int_equal(config_nservices(cfg), 1);
	assert_string_equal(config_service_at(cfg, 0)->runtime_name, "shop_orders");
	assert_string_equal(config_service_at(cfg, 0)->prometheus, "orders-v2");
	expect_printed(cfg, "[service \"orders\"]", "; second.ini:2");
	expect_printed(cfg, "runtime_name = shop_orders", "; config.ini:2");
	expect_printed(cfg, "prometheus = orders-v2", "; second.ini:3");
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_service_duplicates),
		cmocka_unit_test(test_service_errors),
		cmocka_unit_test(test_service_conflicts),
		cmocka_unit_test(test_services_two_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
