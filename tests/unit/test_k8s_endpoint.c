/*
 * test_k8s_endpoint.c - tui/k8s_endpoint: a kubeconfig context made into a
 * connection, without a network:
 *
 *   - certificate-authority-data and client certificate/key data go to
 *     0600 files in a private 0700 directory, removed by free; files of
 *     the kubeconfig are used where they are;
 *   - credentials are refused over plain http:// (and the token is not in
 *     the message); http:// without credentials is fine;
 *   - the backend's name carries "(TLS unverified)" for
 *     insecure-skip-tls-verify; the namespace: the context's, the
 *     setting's, or all ("*");
 *   - a token file is read at start and again after a 401 (a retry only
 *     when it changed); a static token is not retried;
 *   - the exec plugin: its args, env and KUBERNETES_EXEC_INFO; the token
 *     kept until its expirationTimestamp; run again after a 401 on the
 *     current token, not on an old one; its failures (exit status and
 *     stderr, not found, not an ExecCredential, past its deadline) named;
 *   - row ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "k8s_endpoint.h"
#include "kubeconfig.h"
#include "poller.h"

static char dir[64];

/* PEM-shaped text: the endpoint only copies it. */
#define CA_PEM "-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n"
#define CA_B64 "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClkyRT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="

static void
write_file(const char *name, const char *text, int mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static char *
read_file(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* A kubeconfig of one cluster, one user (yaml lines indented under user:) and context "c". */
static void
kubeconfig(const char *server, const char *cluster_extra, const char *user_yaml, const char *ns)
{
	char text[4096];

	snprintf(text, sizeof text,
		 "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
		 "clusters:\n- name: k\n  cluster:\n    server: %s\n%s"
		 "users:\n- name: u\n  user:\n%s"
		 "contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n%s%s%s",
		 server, cluster_extra, user_yaml, ns ? "    namespace: " : "", ns ? ns : "",
		 ns ? "\n" : "");
	write_file("kubeconfig", text, 0600);
}

static struct k8s_endpoint *
open_ep(const char *ns, long exec_timeout_ms, struct err *e)
{
	char path[256];
	struct kubeconfig *kc;
	struct k8s_endpoint_settings s;
	struct k8s_endpoint *k;

	snprintf(path, sizeof path, "%s/kubeconfig", dir);
	kc = kubeconfig_load(path, NULL, e);
	if (kc == NULL)
		fail_msg("kubeconfig: %s", e->msg);
	memset(&s, 0, sizeof s);
	s.namespace = ns;
	s.timeout_ms = 1000;
	s.exec_timeout_ms = exec_timeout_ms;
	k = k8s_endpoint_new(kc, &s, e);
	kubeconfig_free(kc);
	return k;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/opsdeck-k8sep.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- TLS material, http://, names ------------------------------------------ */

static void
test_tls_data(void **state)
{
	struct err e;
	struct k8s_endpoint *k;
	const struct http_endpoint *ep;
	char saved_dir[256], path[300];
	struct stat st;
	char *slash;

	(void)state;
	kubeconfig("https://127.0.0.1:6443", "    certificate-authority-data: " CA_B64 "\n",
		   "    client-certificate-data: " CA_B64 "\n    client-key-data: " CA_B64 "\n",
		   NULL);
	k = open_ep(NULL, 0, &e);
	assert_non_null(k);
	ep = k8s_endpoint_http(k);
	assert_string_equal(ep->url, "https://127.0.0.1:6443");
	assert_non_null(ep->ca_file);
	assert_string_equal(read_file(ep->ca_file), CA_PEM);
	assert_int_equal(stat(ep->ca_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_string_equal(read_file(ep->cert_file), CA_PEM);
	assert_string_equal(read_file(ep->key_file), CA_PEM);
	assert_int_equal(stat(ep->key_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(saved_dir, sizeof saved_dir, "%s", ep->ca_file);
	slash = strrchr(saved_dir, '/');
	*slash = '\0';
	assert_int_equal(stat(saved_dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_false(ep->insecure);
	assert_string_equal(k8s_endpoint_backend(k), "kubernetes c");
	assert_string_equal(k8s_endpoint_namespace(k), "default");
	assert_string_equal(k8s_endpoint_context(k), "c");
	k8s_endpoint_free(k);
	/* the private directory and its files are gone */
	snprintf(path, sizeof path, "%s/ca.crt", saved_dir);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_not_equal(stat(saved_dir, &st), 0);
}

static void
test_tls_files(void **state)
{
	struct err e;
	struct k8s_endpoint *k;
	char ca[256], extra[400], user[600];

	(void)state;
	write_file("ca.crt", CA_PEM, 0644);
	write_file("c.crt", CA_PEM, 0644);
	write_file("c.key", CA_PEM, 0600);
	snprintf(ca, sizeof ca, "%s/ca.crt", dir);
	snprintf(extra, sizeof extra, "    certificate-authority: %s\n", ca);
	snprintf(user, sizeof user, "    client-certificate: %s/c.crt\n    client-key: %s/c.key\n",
		 dir, dir);
	kubeconfig("https://10.0.0.1:6443/", extra, user, "shop");
	k = open_ep(NULL, 0, &e);
	assert_non_null(k);
	assert_string_equal(k8s_endpoint_http(k)->ca_file, ca); /* used where it is */
	assert_string_equal(k8s_endpoint_server(k), "https://10.0.0.1:6443");
	assert_string_equal(k8s_endpoint_namespace(k), "shop");
	k8s_endpoint_free(k);
	assert_non_null(read_file(ca)); /* the kubeconfig's own file stays */

	/* a certificate without its key */
	snprintf(user, sizeof user, "    client-certificate: %s/c.crt\n", dir);
	kubeconfig("https://10.0.0.1:6443", extra, user, NULL);
	assert_null(open_ep(NULL, 0, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "without its key"));

	/* a CA file that is not there */
	kubeconfig("https://10.0.0.1:6443", "    certificate-authority: /nonexistent/ca.crt\n",
		   "    token: t0p-s3cret\n", NULL);
	assert_null(open_ep(NULL, 0, &e));
	assert_non_null(strstr(e.msg, "/nonexistent/ca.crt"));
	assert_non_null(strstr(e.msg, "context 'c'"));
	assert_null(strstr(e.msg, "t0p-s3cret"));
}

static void
test_plain_http(void **state)
{
	struct err e;
	struct k8s_endpoint *k;

	(void)state;
	kubeconfig("http://127.0.0.1:8001", "", "    token: t0p-s3cret\n", NULL);
	assert_null(open_ep(NULL, 0, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "plain http://"));
	assert_null(strstr(e.msg, "t0p-s3cret"));

	kubeconfig("http://127.0.0.1:8001", "",
		   "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
		   "      command: /bin/true\n",
		   NULL);
	assert_null(open_ep(NULL, 0, &e));
	assert_non_null(strstr(e.msg, "plain http://"));

	/* kubectl proxy: no credentials, plain http is fine */
	kubeconfig("http://127.0.0.1:8001", "", "    {}\n", NULL);
	k = open_ep("*", 0, &e);
	assert_non_null(k);
	assert_null(k8s_endpoint_http(k)->bearer_token);
	assert_null(k8s_endpoint_namespace(k));
	assert_int_equal(k8s_endpoint_credentials(k, 0, &e), K8S_CRED_READY);
	k8s_endpoint_free(k);

	kubeconfig("ftp://127.0.0.1", "", "    {}\n", NULL);
	assert_null(open_ep(NULL, 0, &e));
	assert_non_null(strstr(e.msg, "not an http:// or https:// URL"));
}

static void
test_insecure(void **state)
{
	struct err e;
	struct k8s_endpoint *k;

	(void)state;
	kubeconfig("https://127.0.0.1:6443", "    insecure-skip-tls-verify: true\n",
		   "    token: abc\n", "kube-system");
	k = open_ep("ops", 0, &e);
	assert_non_null(k);
	assert_true(k8s_endpoint_http(k)->insecure);
	assert_true(k8s_endpoint_insecure(k));
	assert_string_equal(k8s_endpoint_backend(k), "kubernetes c (TLS unverified)");
	assert_string_equal(k8s_endpoint_namespace(k), "ops"); /* the setting wins */
	assert_string_equal(k8s_endpoint_http(k)->bearer_token, "abc");
	/* a static token: a 401 cannot be helped */
	assert_false(k8s_endpoint_unauthorized(k, k8s_endpoint_generation(k)));
	k8s_endpoint_free(k);
}

/* ---- token file --------------------------------------------------------------- */

static void
test_token_file(void **state)
{
	struct err e;
	struct k8s_endpoint *k;
	unsigned g0;

	(void)state;
	write_file("token", "first-token\n", 0600);
	kubeconfig("https://127.0.0.1:6443", "", "    tokenFile: token\n", NULL);
	k = open_ep(NULL, 0, &e);
	assert_non_null(k);
	assert_string_equal(k8s_endpoint_http(k)->bearer_token, "first-token");
	g0 = k8s_endpoint_generation(k);
	/* unchanged file: no use retrying */
	assert_false(k8s_endpoint_unauthorized(k, g0));
	assert_int_equal(k8s_endpoint_generation(k), g0);
	/* rotated: read again, retry */
	write_file("token", "second-token", 0600);
	assert_true(k8s_endpoint_unauthorized(k, g0));
	assert_string_equal(k8s_endpoint_http(k)->bearer_token, "second-token");
	assert_int_not_equal(k8s_endpoint_generation(k), g0);
	/* a 401 on the old token after the change: retry with the new one */
	assert_true(k8s_endpoint_unauthorized(k, g0));
	assert_int_equal(k8s_endpoint_credentials(k, 0, &e), K8S_CRED_READY);
	k8s_endpoint_free(k);

	kubeconfig("https://127.0.0.1:6443", "", "    tokenFile: /nonexistent/token\n", NULL);
	assert_null(open_ep(NULL, 0, &e));
	assert_non_null(strstr(e.msg, "/nonexistent/token"));
}

/* ---- the exec plugin ------------------------------------------------------------ */

/*
 * A plugin: records its args, FOO and KUBERNETES_EXEC_INFO, prints token
 * tok-N (N counting its runs) expiring at the time in DIR/expires.
 */
static void
write_plugin(void)
{
	char text[2048];

	snprintf(text, sizeof text,
		 "#!/bin/sh\n"
		 "d=%s\n"
		 "n=$(( $(cat $d/runs 2>/dev/null || echo 0) + 1 ))\n"
		 "echo $n >$d/runs\n"
		 "printf '%%s\\n' \"$*\" >$d/args\n"
		 "printf '%%s\\n' \"$FOO\" >$d/foo\n"
		 "printf '%%s\\n' \"$KUBERNETES_EXEC_INFO\" >$d/info\n"
		 "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
		 "\"ExecCredential\",\"status\":{\"token\":\"tok-%%s\",\"expirationTimestamp\":"
		 "\"%%s\"}}\\n' $n \"$(cat $d/expires)\"\n",
		 dir);
	write_file("plugin.sh", text, 0755);
}

static void
exec_kubeconfig(const char *command)
{
	char user[1024];

	snprintf(user, sizeof user,
		 "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
		 "      command: %s\n      args: [get-token, --cluster, \"the prod\"]\n"
		 "      env:\n      - name: FOO\n        value: bar baz\n"
		 "      interactiveMode: Never\n",
		 command);
	kubeconfig("https://127.0.0.1:6443", "", user, NULL);
}

static int
runs(void)
{
	char path[256], *t;

	snprintf(path, sizeof path, "%s/runs", dir);
	t = read_file(path);
	return t != NULL ? atoi(t) : 0;
}

static const char *
recorded(const char *name)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return read_file(path);
}

static void
test_exec(void **state)
{
	struct err e;
	struct k8s_endpoint *k;
	char plugin[256];
	double now = poller_wall_now();
	unsigned g1;

	(void)state;
	write_plugin();
	write_file("expires", "2099-01-01T00:00:00Z", 0644);
	snprintf(plugin, sizeof plugin, "%s/plugin.sh", dir);
	exec_kubeconfig(plugin);
	k = open_ep(NULL, 0, &e);
	assert_non_null(k);
	assert_null(k8s_endpoint_http(k)->bearer_token);
	assert_int_equal(k8s_endpoint_credentials(k, now, &e), K8S_CRED_PENDING);
	assert_int_equal(k8s_endpoint_credentials(k, now, &e), K8S_CRED_PENDING); /* one run */
	assert_true(k8s_endpoint_next_due_ms(k) >= 0);
	assert_int_equal(k8s_endpoint_wait(k, 10000, -1, &e), K8S_CRED_READY);
	assert_int_equal(k8s_endpoint_next_due_ms(k), -1);
	assert_string_equal(k8s_endpoint_http(k)->bearer_token, "tok-1");
	assert_int_equal(runs(), 1);
	assert_string_equal(recorded("args"), "get-token --cluster the prod\n");
	assert_string_equal(recorded("foo"), "bar baz\n");
	assert_string_equal(
		recorded("info"),
		"{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s."
		"io/v1\",\"spec\":{\"interactive\":false}}\n");

	/* kept until it expires: no second run before */
	assert_int_equal(k8s_endpoint_credentials(k, now + 3600, &e), K8S_CRED_READY);
	assert_int_equal(runs(), 1);
	/* past its expirationTimestamp: run again */
	assert_int_equal(k8s_endpoint_credentials(k, 4102444800.0 + 1, &e), K8S_CRED_PENDING);
	assert_int_equal(k8s_endpoint_wait(k, 10000, -1, &e), K8S_CRED_READY);
	assert_string_equal(k8s_endpoint_http(k)->bearer_token, "tok-2");
	assert_int_equal(runs(), 2);

	/* a 401 on the current token: dropped, the plugin runs again */
	g1 = k8s_endpoint_generation(k);
	assert_true(k8s_endpoint_unauthorized(k, g1));
	assert_null(k8s_endpoint_http(k)->bearer_token);
	assert_true(k8s_endpoint_unauthorized(k, g1)); /* a second request's 401: no second run */
	assert_int_equal(k8s_endpoint_wait(k, 10000, -1, &e), K8S_CRED_READY);
	assert_string_equal(k8s_endpoint_http(k)->bearer_token, "tok-3");
	assert_int_equal(runs(), 3);
	/* a late 401 from a request sent with tok-2: just retry */
	assert_true(k8s_endpoint_unauthorized(k, g1));
	assert_string_equal(k8s_endpoint_http(k)->bearer_token, "tok-3");
	assert_int_equal(k8s_endpoint_credentials(k, now, &e), K8S_CRED_READY);
	assert_int_equal(runs(), 3);
	k8s_endpoint_free(k);
}

/* A plugin whose clock is behind: its token arrives expired and is used anyway, once. */
static void
test_exec_expired_on_arrival(void **state)
{
	struct err e;
	struct k8s_endpoint *k;
	char plugin[256];

	(void)state;
	write_plugin();
	{
		char p[256];

		snprintf(p, sizeof p, "%s/runs", dir);
		unlink(p);
	}
	write_file("expires", "2001-01-01T00:00:00Z", 0644);
	snprintf(plugin, sizeof plugin, "%s/plugin.sh", dir);
	exec_kubeconfig(plugin);
	k = open_ep(NULL, 0, &e);
	assert_non_null(k);
	assert_int_equal(k8s_endpoint_wait(k, 10000, -1, &e), K8S_CRED_READY);
	assert_int_equal(k8s_endpoint_credentials(k, poller_wall_now(), &e), K8S_CRED_READY);
	assert_int_equal(runs(), 1);
	k8s_endpoint_free(k);
}

static void
expect_exec_failure(const char *script, long timeout_ms, const char *want1, const char *want2)
{
	struct err e;
	struct k8s_endpoint *k;
	char plugin[256];

	write_file("bad.sh", script, 0755);
	snprintf(plugin, sizeof plugin, "%s/bad.sh", dir);
	exec_kubeconfig(plugin);
	k = open_ep(NULL, timeout_ms, &e);
	assert_non_null(k);
	err_clear(&e);
	assert_int_equal(k8s_endpoint_wait(k, 10000, -1, &e), K8S_CRED_FAILED);
	if (strstr(e.msg, want1) == NULL || (want2 != NULL && strstr(e.msg, want2) == NULL))
		fail_msg("got '%s', want '%s' and '%s'", e.msg, want1, want2 ? want2 : "");
	assert_non_null(strstr(e.msg, "context 'c'"));
	assert_null(strstr(e.msg, "s3cret-tok"));
	assert_null(k8s_endpoint_http(k)->bearer_token);
	k8s_endpoint_free(k);
}

static void
test_exec_failures(void **state)
{
	struct err e;
	struct k8s_endpoint *k;

	(void)state;
	expect_exec_failure("#!/bin/sh\necho 'error: you must log in first' >&2\nexit 3\n", 0,
			    "exited (3): error: you must log in first", NULL);
	expect_exec_failure("#!/bin/sh\necho 'not json {\"token\":\"s3cret-tok\"'\n", 0,
			    "the exec plugin", NULL);
	expect_exec_failure("#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
			    "\"kind\":\"ExecCredential\",\"status\":{}}'\n",
			    0, "neither a token nor a client certificate", NULL);
	expect_exec_failure("#!/bin/sh\necho waiting >&2\nexec sleep 30\n", 300,
			    "did not answer within 300ms", "waiting");

	exec_kubeconfig("/nonexistent/aws-iam-authenticator");
	k = open_ep(NULL, 0, &e);
	assert_non_null(k);
	assert_int_equal(k8s_endpoint_wait(k, 10000, -1, &e), K8S_CRED_FAILED);
	assert_non_null(strstr(e.msg, "cannot execute"));
	assert_non_null(strstr(e.msg, "/nonexistent/aws-iam-authenticator"));
	assert_non_null(strstr(e.msg, "install it"));
	/* reported once; asking again runs it again */
	assert_int_equal(k8s_endpoint_credentials(k, poller_wall_now(), &e), K8S_CRED_PENDING);
	k8s_endpoint_free(k); /* kills and reaps the running plugin */
}

/* ---- row ids --------------------------------------------------------------------- */

static void
test_row_id(void **state)
{
	char ns[64], name[64], *id;
	bool sts = true;

	(void)state;
	id = k8s_row_id("shop", false, "payments");
	assert_string_equal(id, "shop/deployment/payments");
	assert_true(k8s_row_id_parse(id, ns, sizeof ns, &sts, name, sizeof name));
	assert_string_equal(ns, "shop");
	assert_string_equal(name, "payments");
	assert_false(sts);
	free(id);
	assert_true(
		k8s_row_id_parse("db/statefulset/ledger", ns, sizeof ns, &sts, name, sizeof name));
	assert_true(sts);
	assert_string_equal(name, "ledger");
	assert_false(k8s_row_id_parse("shop/daemonset/x", ns, sizeof ns, &sts, name, sizeof name));
	assert_false(k8s_row_id_parse("shop/deployment/", ns, sizeof ns, &sts, name, sizeof name));
	assert_false(k8s_row_id_parse("payments", ns, sizeof ns, &sts, name, sizeof name));
	assert_false(k8s_row_id_parse(NULL, ns, sizeof ns, &sts, name, sizeof name));
	assert_false(k8s_row_id_parse("averyveryverylongnamespacename/deployment/x", ns, 8, &sts,
				      name, sizeof name));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_data),
		cmocka_unit_test(test_tls_files),
		cmocka_unit_test(test_plain_http),
		cmocka_unit_test(test_insecure),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_exec_expired_on_arrival),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_row_id),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
