/*
 * test_kubeconfig.c - kubeconfig files as kubectl writes them
 * (tests/fixtures/k8s/kubeconfig): each kind of credential, relative
 * paths, base64 data, exec plugins, the merge of several files, and the
 * errors of contexts that do not resolve.  ExecCredential and base64 are
 * in test_kubeconfig_exec.c.
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

#include "kubeconfig.h"

#define KC TESTS_DIR "/fixtures/k8s/kubeconfig/"
#define MAIN KC "main/config"
#define TEAM KC "team/config"

/* Secrets of the fixtures, which no message may show. */
static const char *const secrets[] = {
	"hunter2",          "c2VjcmV0LXRva2Vu",    "team-secret-token",
	"LS0tLS1CRUdJTi!!", "RUMgUFJJVkFURSBLRVk",
};

static void
no_secret(const char *msg)
{
	size_t i;

	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(msg, secrets[i]) != NULL)
			fail_msg("message \"%s\" shows a secret", msg);
}

/* new: cwd + "/" + rel */
static char *
abs_of(const char *rel)
{
	char cwd[4096], *p;

	assert_non_null(getcwd(cwd, sizeof cwd));
	p = malloc(strlen(cwd) + strlen(rel) + 2);
	assert_non_null(p);
	sprintf(p, "%s/%s", cwd, rel);
	return p;
}

static struct kubeconfig *
load(const char *paths)
{
	struct err e;
	struct kubeconfig *k;

	err_clear(&e);
	k = kubeconfig_load(paths, NULL, &e);
	if (k == NULL)
		fail_msg("load %s: %s", paths, e.msg);
	return k;
}

static void
resolve_ok(const struct kubeconfig *k, const char *ctx, struct kube_target *t)
{
	struct err e;

	err_clear(&e);
	if (kubeconfig_resolve(k, ctx, t, &e) != 0)
		fail_msg("resolve %s: %s", ctx != NULL ? ctx : "(current)", e.msg);
}

static void
resolve_fails(const struct kubeconfig *k, const char *ctx, const char *want1, const char *want2)
{
	struct kube_target t;
	struct err e;

	err_clear(&e);
	assert_int_equal(kubeconfig_resolve(k, ctx, &t, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	if (strstr(e.msg, want1) == NULL || (want2 != NULL && strstr(e.msg, want2) == NULL))
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", e.msg, want1,
			 want2 != NULL ? want2 : "");
	assert_true(strncmp(e.msg, "kubeconfig: ", 12) == 0);
	no_secret(e.msg);
}

static void
test_credentials(void **state)
{
	struct kubeconfig *k = load(MAIN);
	struct kube_target t;
	size_t n;
	const char *const *names = kubeconfig_contexts(k, &n);

	(void)state;
	assert_string_equal(kubeconfig_current_context(k), "prod-admin");
	assert_int_equal(n, 11);
	assert_string_equal(names[0], "prod-admin");
	assert_string_equal(names[9], "anonymous");

	/* the current context: client certificate and key as base64 data */
	resolve_ok(k, NULL, &t);
	assert_string_equal(t.context, "prod-admin");
	assert_string_equal(t.cluster, "prod");
	assert_string_equal(t.user, "admin-cert");
	assert_string_equal(t.server, "https://prod.example.com:6443");
	assert_string_equal(t.namespace, "shop");
	assert_null(t.ca_file);
	assert_non_null(t.ca_data);
	assert_true(strncmp(t.ca_data, "-----BEGIN CERTIFICATE-----\nMIIBdzCC", 36) == 0);
	assert_int_equal(t.ca_data_len, strlen(t.ca_data));
	assert_non_null(strstr(t.ca_data, "-----END CERTIFICATE-----\n"));
	assert_true(strncmp(t.client_cert_data, "-----BEGIN CERTIFICATE-----", 27) == 0);
	assert_true(strncmp(t.client_key_data, "-----BEGIN EC PRIVATE KEY-----", 30) == 0);
	assert_int_equal(t.client_key_data_len, strlen(t.client_key_data));
	assert_null(t.client_cert_file);
	assert_null(t.token);
	assert_false(t.insecure);
	assert_false(t.has_exec);

	/* a bearer token */
	resolve_ok(k, "sa-token", &t);
	assert_string_equal(t.token, "eyJhbGciOiJSUzI1NiIsImtpZCI6InNlY3JldCJ9.c2VjcmV0LXRva2Vu."
				     "c2lnbmF0dXJl");
	assert_null(t.token_file);
	assert_null(t.client_cert_data);
	assert_null(t.username);
	assert_string_equal(t.namespace, "ops");
	kubeconfig_free(k);
}

static void
test_paths_and_basic(void **state)
{
	struct kubeconfig *k = load(MAIN);
	struct kube_target t;
	char *want;

	(void)state;
	/* relative paths against the file's directory, cleaned */
	resolve_ok(k, "staging", &t);
	want = abs_of(KC "main/certs/staging-ca.pem");
	assert_string_equal(t.ca_file, want);
	free(want);
	want = abs_of(KC "shared/token");
	assert_string_equal(t.token_file, want);
	free(want);
	want = abs_of(KC "main/certs/staging.key");
	assert_string_equal(t.client_key_file, want);
	free(want);
	assert_null(t.ca_data);
	assert_string_equal(t.tls_server_name, "api.staging.example.com");
	assert_null(t.namespace); /* none: "default" */

	/* insecure, basic auth, namespace: null */
	resolve_ok(k, "kind-dev", &t);
	assert_true(t.insecure);
	assert_string_equal(t.username, "admin");
	assert_string_equal(t.password, "hunter2-not-shown");
	assert_null(t.namespace);
	assert_null(t.ca_file);
	assert_null(t.tls_server_name);

	/* a context without a user: anonymous */
	resolve_ok(k, "anonymous", &t);
	assert_null(t.user);
	assert_null(t.token);
	assert_false(t.has_exec);
	kubeconfig_free(k);
}

static void
test_exec_plugins(void **state)
{
	struct kubeconfig *k = load(MAIN);
	struct kube_target t;
	char *want;

	(void)state;
	resolve_ok(k, "eks", &t);
	assert_true(t.has_exec);
	want = abs_of(KC "main/bin/aws");
	assert_string_equal(t.exec.command, want); /* "./bin/aws": relative to the file */
	free(want);
	assert_int_equal(t.exec.nargs, 6);
	assert_string_equal(t.exec.args[0], "--region");
	assert_string_equal(t.exec.args[5], "shop-prod");
	assert_int_equal(t.exec.nenv, 2);
	assert_string_equal(t.exec.env[0], "AWS_PROFILE=ops");
	assert_string_equal(t.exec.env[1], "AWS_STS_REGIONAL_ENDPOINTS=regional");
	assert_string_equal(t.exec.api_version, "client.authentication.k8s.io/v1beta1");
	assert_true(t.exec.interactive_never);
	assert_string_equal(t.namespace, "payments");

	resolve_ok(k, "gke", &t);
	assert_true(t.has_exec);
	assert_string_equal(t.exec.command, "gke-gcloud-auth-plugin"); /* found in PATH */
	assert_int_equal(t.exec.nargs, 0);
	assert_int_equal(t.exec.nenv, 0);
	assert_string_equal(t.exec.api_version, "client.authentication.k8s.io/v1");
	assert_false(t.exec.interactive_never);
	kubeconfig_free(k);
}

static void
test_resolve_errors(void **state)
{
	struct kubeconfig *k = load(MAIN);

	(void)state;
	resolve_fails(k, "nope", "context \"nope\" not found",
		      "known: \"prod-admin\", \"staging\"");
	resolve_fails(k, "broken-cluster", "cluster \"gone\", which no file defines", MAIN);
	resolve_fails(k, "broken-user", "user \"ghost\", which no file defines", NULL);
	resolve_fails(k, "no-server", "cluster \"serverless\"", "has no server");
	resolve_fails(k, "bad-b64", "context \"bad-b64\": client-key-data of user \"bad-key\"",
		      "not valid base64");
	kubeconfig_free(k);
	assert_int_equal(kubeconfig_resolve(NULL, NULL, &(struct kube_target){ 0 }, NULL), -1);
}

static void
test_merge(void **state)
{
	struct kubeconfig *k = load(TEAM ":" MAIN);
	struct kube_target t;
	size_t n;
	const char *const *names = kubeconfig_contexts(k, &n);
	char *want;

	(void)state;
	/* the team file sets no current-context: main's */
	assert_string_equal(kubeconfig_current_context(k), "prod-admin");
	/* contexts in the order first seen; the duplicate counted once */
	assert_int_equal(n, 12);
	assert_string_equal(names[0], "prod-admin");
	assert_string_equal(names[1], "team-only");
	assert_string_equal(names[2], "staging");
	/* the first file's context, cluster and user win whole */
	resolve_ok(k, NULL, &t);
	assert_string_equal(t.user, "team-token");
	assert_string_equal(t.namespace, "team");
	assert_string_equal(t.server, "https://prod-via-bastion.example.com:8443");
	assert_null(t.ca_data); /* not main's data: the entry is the team's, whole */
	want = abs_of(KC "team/ca/prod.pem");
	assert_string_equal(t.ca_file, want);
	free(want);
	assert_string_equal(t.token, "team-secret-token");
	assert_string_equal(t.token_file, "/var/run/secrets/team/token");
	/* main's other contexts use the team's prod cluster too */
	resolve_ok(k, "eks", &t);
	assert_string_equal(t.server, "https://prod-via-bastion.example.com:8443");
	/* and its own entries are still there */
	resolve_ok(k, "staging", &t);
	assert_string_equal(t.server, "https://10.20.0.5:6443");
	kubeconfig_free(k);

	/* current-context from the first file that sets it */
	k = load(KC "current_only.yaml:" TEAM ":" MAIN);
	assert_string_equal(kubeconfig_current_context(k), "team-only");
	resolve_ok(k, NULL, &t);
	assert_string_equal(t.context, "team-only");
	kubeconfig_free(k);
	k = load(MAIN ":" KC "current_only.yaml:" TEAM);
	assert_string_equal(kubeconfig_current_context(k), "prod-admin");
	kubeconfig_free(k);
	/* a file listed twice is read once; empty entries are nothing */
	k = load(MAIN "::" MAIN);
	kubeconfig_contexts(k, &n);
	assert_int_equal(n, 11);
	kubeconfig_free(k);
}

static void
test_files(void **state)
{
	struct kubeconfig *k;
	struct err e;
	char dir[] = "/tmp/opsdeck-kc-XXXXXX", path[128];
	FILE *f;
	size_t n;

	(void)state;
	/* a missing file is skipped */
	k = load(KC "missing/config:" MAIN);
	assert_string_equal(kubeconfig_current_context(k), "prod-admin");
	kubeconfig_free(k);
	/* none found */
	assert_null(kubeconfig_load(KC "missing/a:" KC "missing/b", NULL, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "missing/a, " KC "missing/b"));
	/* malformed: the file, line and column */
	assert_null(kubeconfig_load(MAIN ":" KC "bad.yaml", NULL, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	if (strstr(e.msg, "kubeconfig: " KC "bad.yaml:5:") == NULL)
		fail_msg("%s", e.msg);
	assert_null(kubeconfig_load(KC "list.yaml", NULL, &e));
	assert_non_null(strstr(e.msg, "list.yaml:1:1: not a kubeconfig"));
	/* an empty file is an empty config */
	k = load(KC "empty.yaml");
	assert_null(kubeconfig_current_context(k));
	assert_non_null(kubeconfig_contexts(k, &n));
	assert_int_equal(n, 0);
	resolve_fails(k, NULL, "no current-context in " KC "empty.yaml", "use-context");
	resolve_fails(k, "x", "known: none", NULL);
	kubeconfig_free(k);
	/* a directory is not a file */
	assert_null(kubeconfig_load(KC "main", NULL, &e));
	assert_int_equal(e.code, ERR_IO);
	assert_non_null(strstr(e.msg, KC "main"));

	/* NULL paths: HOME/.kube/config, ~ not expanded inside */
	assert_non_null(mkdtemp(dir));
	assert_null(kubeconfig_load(NULL, dir, &e));
	assert_non_null(strstr(e.msg, "/.kube/config"));
	snprintf(path, sizeof path, "%s/.kube", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/.kube/config", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("clusters:\n- name: c\n  cluster:\n    server: https://h\n    certificate-authority: "
	      "~/ca.pem\ncontexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n",
	      f);
	fclose(f);
	k = kubeconfig_load("", dir, &e);
	assert_non_null(k);
	{
		struct kube_target t;
		char want[160];

		resolve_ok(k, NULL, &t);
		snprintf(want, sizeof want, "%s/.kube/~/ca.pem", dir);
		assert_string_equal(t.ca_file, want);
	}
	kubeconfig_free(k);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof path, "%s/.kube", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_null(kubeconfig_load(NULL, NULL, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	kubeconfig_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials),  cmocka_unit_test(test_paths_and_basic),
		cmocka_unit_test(test_exec_plugins), cmocka_unit_test(test_resolve_errors),
		cmocka_unit_test(test_merge),        cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
