/*
 * test_ecs_endpoint_setup.c - which ECS clusters setup_init() connects
 * (tui/setup with tui/ecs_endpoint), from [ecs] and the environment:
 *
 *   - nothing configured: no ECS, whatever AWS_* says;
 *   - [ecs] cluster: a list, repeated or comma-separated, names
 *     deduplicated, each a runtime found by ecs_endpoint_of() under the
 *     cluster's name (also for an ARN); --ecs-cluster wins over the file;
 *   - [ecs] region, profile and endpoint_url reach the endpoint; the same
 *     cluster by name and by ARN is refused;
 *   - malformed clusters and ecs aliases are configuration errors with
 *     file:line; a cluster without credentials or region stops setup
 *     naming what to set, and never a secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "setup.h"

static char home[64];

static char *
no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* setup_init on ini (Docker and Kubernetes off); returns its status, s filled on success. */
static int
run_setup(const char *ini, const char *flag, struct config **cfg, struct setup *s, struct err *e)
{
	char text[1024];

	snprintf(text, sizeof text, "[docker]\nhost =\n[kubernetes]\nkubeconfig =\n%s", ini);
	*cfg = config_new();
	if (config_load_buffer(*cfg, text, strlen(text), "config.ini", e) < 0)
		return -2;
	assert_int_equal(config_load_env(*cfg, no_env, e), 0);
	if (flag != NULL)
		assert_int_equal(config_set_flag(*cfg, "--ecs-cluster", flag, e), 0);
	assert_int_equal(config_finalize(*cfg, e), 0);
	return setup_init(s, *cfg, NULL, e);
}

static void
done(struct config *cfg, struct setup *s, int rc)
{
	if (rc == 0)
		setup_done(s);
	config_free(cfg);
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(home, sizeof home, "/tmp/opsdeck-ecssetup.XXXXXX");
	if (mkdtemp(home) == NULL)
		return -1;
	setenv("HOME", home, 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/opsdeck-test/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/opsdeck-test/credentials", 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_ECS");
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : -1;
}

static void
keys(void)
{
	setenv("AWS_ACCESS_KEY_ID", "AKIDSETUP", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "setup-secret-never-shown", 1);
	setenv("AWS_REGION", "eu-west-1", 1);
}

static void
test_none(void **state)
{
	struct config *cfg;
	struct setup s;
	struct err e;
	int rc;

	(void)state;
	keys();
	rc = run_setup("", NULL, &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.necs, 0);
	assert_null(ecs_endpoint_of(&s, "shop"));
	done(cfg, &s, rc);
}

static void
test_list(void **state)
{
	struct config *cfg;
	struct setup s;
	struct ecs_endpoint *x;
	struct err e;
	int rc;

	(void)state;
	keys();
	rc = run_setup("[ecs]\ncluster = shop, batch\ncluster = shop\ncluster = "
		       "arn:aws:ecs:eu-west-1:123456789012:cluster/prod\ntimeout = 3s\n",
		       NULL, &cfg, &s, &e);
	if (rc != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(s.necs, 3);
	assert_string_equal(ecs_endpoint_backend(s.ecs[0]), "ecs shop");
	assert_string_equal(ecs_endpoint_backend(s.ecs[1]), "ecs batch");
	x = ecs_endpoint_of(&s, "prod");
	assert_non_null(x);
	assert_string_equal(ecs_endpoint_cluster(x),
			    "arn:aws:ecs:eu-west-1:123456789012:cluster/prod");
	assert_string_equal(ecs_endpoint_url(x), "https://ecs.eu-west-1.amazonaws.com");
	assert_int_equal(ecs_endpoint_http(x)->timeout_ms, 3000);
	assert_int_equal(s.ecs_poll.refresh_ms, 2000);
	assert_non_null(s.ecs_poll.display_name);
	done(cfg, &s, rc);

	/* the flag wins over the file */
	rc = run_setup("[ecs]\ncluster = shop\n", "batch", &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.necs, 1);
	assert_non_null(ecs_endpoint_of(&s, "batch"));
	done(cfg, &s, rc);
}

static void
test_settings(void **state)
{
	struct config *cfg;
	struct setup s;
	struct ecs_endpoint *x;
	struct err e;
	int rc;

	(void)state;
	keys();
	rc = run_setup("[ecs]\ncluster = shop\nregion = ap-south-1\nendpoint_url = "
		       "http://127.0.0.1:4566/\n",
		       NULL, &cfg, &s, &e);
	if (rc != 0)
		fail_msg("%s", e.msg);
	x = ecs_endpoint_of(&s, "shop");
	assert_string_equal(ecs_endpoint_region(x), "ap-south-1");
	assert_string_equal(ecs_endpoint_url(x), "http://127.0.0.1:4566");
	assert_string_equal(ecs_endpoint_http(x)->aws_sigv4, "aws:amz:ap-south-1:ecs");
	done(cfg, &s, rc);

	/* one cluster twice, by name and by ARN */
	rc = run_setup("[ecs]\ncluster = shop, arn:aws:ecs:eu-west-1:123456789012:cluster/shop\n",
		       NULL, &cfg, &s, &e);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "two clusters called 'shop'"));
	done(cfg, &s, rc);

	/* a named profile that does not exist */
	rc = run_setup("[ecs]\ncluster = shop\nprofile = nosuch\n", NULL, &cfg, &s, &e);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "nosuch"));
	done(cfg, &s, rc);
}

static void
test_errors(void **state)
{
	struct config *cfg;
	struct setup s;
	struct err e;
	int rc;

	(void)state;
	keys();
	rc = run_setup("[ecs]\ncluster = shop,,batch\n", NULL, &cfg, &s, &e);
	assert_int_equal(rc, -2);
	assert_non_null(strstr(e.msg, "config.ini:6: invalid ECS cluster '' in cluster in [ecs]"));
	config_free(cfg);
	rc = run_setup("[ecs]\ncluster = shop/orders\n", NULL, &cfg, &s, &e);
	assert_int_equal(rc, -2);
	assert_non_null(strstr(e.msg, "invalid ECS cluster 'shop/orders'"));
	config_free(cfg);
	rc = run_setup("[ecs]\ncluster = arn:aws:ecs:eu-west-1:1:service/shop/orders\n", NULL, &cfg,
		       &s, &e);
	assert_int_equal(rc, -2);
	config_free(cfg);
	rc = run_setup("[service \"Orders\"]\necs = orders api\n", NULL, &cfg, &s, &e);
	assert_int_equal(rc, -2);
	assert_non_null(strstr(e.msg, "invalid ecs 'orders api' in [service \"Orders\"]"));
	config_free(cfg);

	/* no credentials anywhere */
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	rc = run_setup("[ecs]\ncluster = shop\n", NULL, &cfg, &s, &e);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "no AWS credentials for cluster 'shop'"));
	done(cfg, &s, rc);
	/* no region anywhere */
	keys();
	unsetenv("AWS_REGION");
	rc = run_setup("[ecs]\ncluster = shop\n", NULL, &cfg, &s, &e);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "no AWS region for cluster 'shop'"));
	assert_null(strstr(e.msg, "never-shown"));
	done(cfg, &s, rc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
