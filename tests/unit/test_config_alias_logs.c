/*
 * [service "NAME"] elasticsearch = ...: the service's name in the logs,
 * both ways, and in `opsdeck config`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"

static struct config *
load(const char *text)
{
	struct config *cfg = config_new();
	struct err e;

	assert_int_equal(config_load_buffer(cfg, text, strlen(text), "t.ini", &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	return cfg;
}

static void
test_alias_both_ways(void **state)
{
	struct config *cfg = load("[service \"orders\"]\nelasticsearch = shop-orders\n"
				  "[service \"주문\"]\nelasticsearch = order-svc-kr\n");

	(void)state;
	assert_string_equal(
		config_service_display_name(cfg, CFG_ALIAS_ELASTICSEARCH, "shop-orders"), "orders");
	assert_string_equal(config_service_external_name(cfg, CFG_ALIAS_ELASTICSEARCH, "orders"),
			    "shop-orders");
	assert_string_equal(
		config_service_display_name(cfg, CFG_ALIAS_ELASTICSEARCH, "order-svc-kr"), "주문");
	/* no alias: the name itself, and other sources are not affected */
	assert_string_equal(config_service_display_name(cfg, CFG_ALIAS_ELASTICSEARCH, "payments"),
			    "payments");
	assert_string_equal(config_service_external_name(cfg, CFG_ALIAS_PROMETHEUS, "orders"),
			    "orders");
	assert_string_equal(config_service_at(cfg, 0)->elasticsearch, "shop-orders");
	config_free(cfg);
}

static void
test_alias_printed_and_checked(void **state)
{
	struct config *cfg = load("[service \"orders\"]\nelasticsearch = shop-orders\n");
	struct config *bad = config_new();
	struct buf out;
	struct err e;
	const char *dup =
		"[service \"a\"]\nelasticsearch = x\n[service \"b\"]\nelasticsearch = x\n";
	const char *empty = "[service \"a\"]\nelasticsearch =\n";

	(void)state;
	buf_init(&out);
	config_print(cfg, &out);
	assert_non_null(strstr(out.data, "elasticsearch = shop-orders"));
	buf_done(&out);
	config_free(cfg);
	/* one log name cannot stand for two services */
	assert_int_equal(config_load_buffer(bad, dup, strlen(dup), "t.ini", &e), 0);
	assert_int_equal(config_finalize(bad, &e), -1);
	config_free(bad);
	bad = config_new();
	assert_int_equal(config_load_buffer(bad, empty, strlen(empty), "t.ini", &e), -1);
	assert_non_null(strstr(e.msg, "name in the logs"));
	config_free(bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias_both_ways),
		cmocka_unit_test(test_alias_printed_and_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
