/*
 * test_k8s_endpoint_setup.c - which Kubernetes contexts setup_init()
 * connects (tui/setup with tui/k8s_endpoint), from the configuration and
 * the kubeconfig files:
 *
 *   - nothing configured: ~/.kube/config with a current-context is
 *     watched; without the file, or without a current-context, nothing;
 *   - [kubernetes] context: a list, repeated or comma-separated, names
 *     deduplicated, each a runtime found by k8s_endpoint_of();
 *   - kubeconfig = "" turns Kubernetes off; KUBECONFIG (a ':' list) is
 *     read; namespace = * is every namespace;
 *   - an unknown context or a malformed file stops setup with a message
 *     naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "setup.h"

static char home[64];
static char *kubeconfig_env;

static const char kc_text[] = "apiVersion: v1\nkind: Config\ncurrent-context: %s\n"
			      "clusters:\n- name: k\n  cluster:\n    server: http://127.0.0.1:1\n"
			      "users:\n- name: u\n  user: {}\n"
			      "contexts:\n"
			      "- name: prod\n  context: {cluster: k, user: u, namespace: shop}\n"
			      "- name: staging\n  context: {cluster: k, user: u}\n"
			      "- name: dev\n  context: {cluster: k, user: u}\n";

static char *
fake_getenv(const char *name)
{
	if (strcmp(name, "KUBECONFIG") == 0)
		return kubeconfig_env;
	if (strcmp(name, "HOME") == 0)
		return home;
	return NULL;
}

static void
write_kubeconfig(const char *path, const char *current)
{
	FILE *f = fopen(path, "w");
	char text[1024];

	assert_non_null(f);
	snprintf(text, sizeof text, kc_text, current);
	fputs(text, f);
	fclose(f);
}

/* setup_init on ini (Docker off); returns its status, s filled on success. */
static int
run_setup(const char *ini, struct config **cfg, struct setup *s, struct err *e)
{
	char text[1024];

	snprintf(text, sizeof text, "[docker]\nhost =\n%s", ini);
	*cfg = config_new();
	assert_int_equal(config_load_buffer(*cfg, text, strlen(text), "config.ini", e), 0);
	assert_int_equal(config_load_env(*cfg, fake_getenv, e), 0);
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
	char path[128];

	(void)state;
	snprintf(home, sizeof home, "/tmp/opsdeck-k8ssetup.XXXXXX");
	if (mkdtemp(home) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/.kube", home);
	setenv("HOME", home, 1);
	return mkdir(path, 0700);
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
test_implicit(void **state)
{
	struct config *cfg;
	struct setup s;
	struct err e;
	char path[128];
	int rc;

	(void)state;
	snprintf(path, sizeof path, "%s/.kube/config", home);
	unlink(path);
	rc = run_setup("", &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.nk8s, 0); /* no file: no Kubernetes */
	done(cfg, &s, rc);

	write_kubeconfig(path, "prod");
	rc = run_setup("", &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.nk8s, 1);
	assert_string_equal(k8s_endpoint_context(s.k8s[0]), "prod");
	assert_string_equal(k8s_endpoint_namespace(s.k8s[0]), "shop");
	assert_ptr_equal(k8s_endpoint_of(&s, "prod"), s.k8s[0]);
	assert_null(k8s_endpoint_of(&s, "staging"));
	done(cfg, &s, rc);

	/* off by configuration, though the file is there */
	rc = run_setup("[kubernetes]\nkubeconfig =\n", &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.nk8s, 0);
	done(cfg, &s, rc);

	/* a kubeconfig without a current-context asks for nothing */
	write_kubeconfig(path, "\"\"");
	rc = run_setup("", &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.nk8s, 0);
	done(cfg, &s, rc);
	unlink(path);
}

static void
test_contexts(void **state)
{
	struct config *cfg;
	struct setup s;
	struct err e;
	char a[128], b[128], env[512];
	int rc;

	(void)state;
	snprintf(a, sizeof a, "%s/a.yaml", home);
	snprintf(b, sizeof b, "%s/b.yaml", home);
	write_kubeconfig(a, "dev");
	write_kubeconfig(b, "prod");
	snprintf(env, sizeof env, "%s/missing.yaml:%s:%s", home, a, b);
	kubeconfig_env = env;

	rc = run_setup("", &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.nk8s, 1); /* KUBECONFIG's first current-context */
	assert_string_equal(k8s_endpoint_context(s.k8s[0]), "dev");
	done(cfg, &s, rc);

	rc = run_setup("[kubernetes]\ncontext = prod, staging\ncontext = prod\nnamespace = *\n",
		       &cfg, &s, &e);
	if (rc != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(s.nk8s, 2);
	assert_string_equal(k8s_endpoint_context(s.k8s[0]), "prod");
	assert_string_equal(k8s_endpoint_context(s.k8s[1]), "staging");
	assert_null(k8s_endpoint_namespace(s.k8s[0]));
	assert_ptr_equal(k8s_endpoint_of(&s, "staging"), s.k8s[1]);
	done(cfg, &s, rc);

	/* the flag: one comma list, as main joins repeated --context */
	cfg = config_new();
	assert_int_equal(config_load_buffer(cfg, "[docker]\nhost =\n", 16, "config.ini", &e), 0);
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_set_flag(cfg, "--context", "staging,dev", &e), 0);
	assert_int_equal(config_set_flag(cfg, "--namespace", "ops", &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	if (setup_init(&s, cfg, NULL, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(s.nk8s, 2);
	assert_string_equal(k8s_endpoint_namespace(s.k8s[1]), "ops");
	done(cfg, &s, 0);

	rc = run_setup("[kubernetes]\ncontext = nope\n", &cfg, &s, &e);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "nope"));
	assert_non_null(strstr(e.msg, "staging"));
	done(cfg, &s, rc);
	kubeconfig_env = NULL;
}

static void
test_malformed(void **state)
{
	struct config *cfg;
	struct setup s;
	struct err e;
	char path[128];
	FILE *f;
	int rc;

	(void)state;
	kubeconfig_env = NULL;
	snprintf(path, sizeof path, "%s/.kube/config", home);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("apiVersion: v1\nclusters: [\n  - name: x\n", f);
	fclose(f);
	/* Nobody asked for it: the console opens without Kubernetes and says why. */
	rc = run_setup("", &cfg, &s, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(s.nk8s, 0);
	assert_non_null(strstr(s.k8s_note, ".kube/config"));
	assert_non_null(strstr(s.k8s_note, "Kubernetes left out"));
	done(cfg, &s, rc);
	/* Asked for by [kubernetes] context: the error stops the start. */
	rc = run_setup("[kubernetes]\ncontext = prod\n", &cfg, &s, &e);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, ".kube/config"));
	done(cfg, &s, rc);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_implicit),
		cmocka_unit_test(test_contexts),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
