/*
 * test_kubeconfig_exec.c - the ExecCredential an exec plugin prints
 * (client.authentication.k8s.io v1 and v1beta1, as aws eks get-token,
 * gke-gcloud-auth-plugin and kubelogin print it), malformed ones, the
 * *-data base64 decoder, and kubeconfig YAML given from memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kubeconfig.h"
#include "kubeconfig_internal.h"

#define TOKEN "k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20v"

static int
parse(const char *json, struct kube_exec_credential *c, struct err *e)
{
	err_clear(e);
	return kubeconfig_parse_exec_credential(json, json != NULL ? strlen(json) : 0, c, e);
}

static void
test_v1beta1_token_expiry(void **state)
{
	/* aws eks get-token */
	const char *j = "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s."
			"io/v1beta1\",\"spec\":{},\"status\":{\"expirationTimestamp\":\"2026-11-"
			"22T10:14:00Z\",\"token\":\"" TOKEN "\"}}";
	struct kube_exec_credential c;
	struct err e;

	(void)state;
	assert_int_equal(parse(j, &c, &e), 0);
	assert_string_equal(c.token, TOKEN);
	assert_true(c.expires == 1795341600.0 + 840);
	assert_null(c.client_cert_data);
	assert_null(c.client_key_data);
	kubeconfig_exec_credential_done(&c);
	assert_null(c.token);
	kubeconfig_exec_credential_done(NULL);
}

static void
test_v1_token_no_expiry(void **state)
{
	const char *j = "{\n  \"apiVersion\": \"client.authentication.k8s.io/v1\",\n  \"kind\": "
			"\"ExecCredential\",\n  \"status\": {\n    \"token\": \"ya29.a0AfB_by\"\n  "
			"}\n}\n";
	const char *j_null =
		"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
		"\"ExecCredential\",\"status\":{\"token\":\"t\",\"expirationTimestamp\":"
		"null}}";
	struct kube_exec_credential c;
	struct err e;

	(void)state;
	assert_int_equal(parse(j, &c, &e), 0);
	assert_string_equal(c.token, "ya29.a0AfB_by");
	assert_true(c.expires == 0);
	kubeconfig_exec_credential_done(&c);
	assert_int_equal(parse(j_null, &c, &e), 0);
	assert_true(c.expires == 0);
	kubeconfig_exec_credential_done(&c);
}

static void
test_v1_client_cert(void **state)
{
	const char *j =
		"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
		"\"ExecCredential\",\"status\":{\"clientCertificateData\":\"-----BEGIN "
		"CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n\",\"clientKeyData\":"
		"\"-----BEGIN EC PRIVATE KEY-----\\nMHcC\\n-----END EC PRIVATE KEY-----\\n\","
		"\"expirationTimestamp\":\"2026-11-22T11:00:00.5+01:00\"}}";
	struct kube_exec_credential c;
	struct err e;

	(void)state;
	assert_int_equal(parse(j, &c, &e), 0);
	assert_null(c.token);
	assert_true(strncmp(c.client_cert_data, "-----BEGIN CERTIFICATE-----\nMIIB", 32) == 0);
	assert_true(strncmp(c.client_key_data, "-----BEGIN EC PRIVATE KEY-----\n", 31) == 0);
	assert_true(c.expires == 1795341600.5);
	kubeconfig_exec_credential_done(&c);
}

static void
fails(const char *json, const char *want)
{
	struct kube_exec_credential c;
	struct err e;

	memset(&c, 0x5a, sizeof c);
	assert_int_equal(parse(json, &c, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_null(c.token);
	assert_null(c.client_cert_data);
	assert_null(c.client_key_data);
	if (strstr(e.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, want);
	if (strstr(e.msg, "s3cr3t") != NULL)
		fail_msg("message \"%s\" shows the secret", e.msg);
}

#define V1 "\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\""

static void
test_malformed(void **state)
{
	(void)state;
	fails(NULL, "printed nothing");
	fails("", "printed nothing");
	fails("s3cr3t is not json", "not an ExecCredential");
	fails("[\"s3cr3t\"]", "not an ExecCredential");
	fails("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"Secret\","
	      "\"status\":{\"token\":\"s3cr3t\"}}",
	      "kind \"Secret\", not ExecCredential");
	fails("{\"apiVersion\":\"client.authentication.k8s.io/v1alpha1\",\"kind\":\"Exec"
	      "Credential\",\"status\":{\"token\":\"s3cr3t\"}}",
	      "apiVersion \"client.authentication.k8s.io/v1alpha1\"");
	fails("{\"kind\":\"ExecCredential\",\"status\":{\"token\":\"s3cr3t\"}}", "apiVersion \"\"");
	fails("{" V1 "}", "has no status");
	fails("{" V1 ",\"status\":\"s3cr3t\"}", "has no status");
	fails("{" V1 ",\"status\":{}}", "neither a token nor a client certificate");
	fails("{" V1 ",\"status\":{\"token\":\"\"}}", "neither a token");
	fails("{" V1 ",\"status\":{\"clientCertificateData\":\"s3cr3t\"}}",
	      "a client certificate without its key");
	fails("{" V1 ",\"status\":{\"clientKeyData\":\"s3cr3t\",\"token\":\"s3cr3t\"}}",
	      "a client key without its certificate");
	fails("{" V1 ",\"status\":{\"token\":\"s3cr3t\",\"expirationTimestamp\":\"tomorrow\"}}",
	      "expirationTimestamp is not an RFC 3339 time");
	fails("{" V1 ",\"status\":{\"token\":\"s3cr3t\",\"expirationTimestamp\":1795341600}}",
	      "expirationTimestamp");
}

/* ---- base64 ---------------------------------------------------------------------------- */

static void
decodes(const char *in, const char *want, size_t want_len)
{
	struct kc_data d;

	kubeconfig_decode(in, &d);
	assert_false(d.bad);
	assert_non_null(d.bytes);
	assert_int_equal(d.len, want_len);
	assert_memory_equal(d.bytes, want, want_len);
	assert_int_equal(d.bytes[d.len], '\0');
	free(d.bytes);
}

static void
rejects(const char *in, size_t at)
{
	struct kc_data d;

	kubeconfig_decode(in, &d);
	assert_true(d.bad);
	assert_null(d.bytes);
	assert_int_equal(d.bad_at, at);
}

static void
test_base64(void **state)
{
	(void)state;
	decodes("", "", 0);
	decodes("YQ==", "a", 1);
	decodes("YWI=", "ab", 2);
	decodes("YWJj", "abc", 3);
	decodes("YQ", "a", 1); /* padding optional */
	decodes("YWI", "ab", 2);
	decodes("LS0t\nLS1C\r\nRUdJ Tg==\n", "-----BEGIN", 10); /* wrapped, as base64 writes it */
	decodes("AP8A/w==", "\0\377\0\377", 4);
	rejects("YQ=a", 3);
	rejects("Y", 1);
	rejects("YQ===", 5);
	rejects("LS0t-_8", 4); /* the URL alphabet is not kubectl's */
	rejects("YWJj=", 5);
}

/* ---- YAML from memory --------------------------------------------------------------------- */

static void
test_merge_yaml(void **state)
{
	struct kubeconfig k;
	struct kube_target t;
	struct err e;
	const char *y = "clusters:\n- name: c\n  cluster:\n    server: https://h:6443\n"
			"    certificate-authority: ca.pem\n    insecure-skip-tls-verify: yes\n"
			"- name: c\n  cluster: {server: https://second}\n"
			"- cluster: {server: https://nameless}\n"
			"users:\n- name: u\n  user: &u\n    token: t1\n"
			"- name: v\n  user: *u\n"
			"- name: w\n  user: [not, a, mapping]\n"
			"contexts:\n- {name: x, context: {cluster: c, user: v, namespace: ''}}\n"
			"- {name: y, context: {cluster: c, user: w}}\n"
			"current-context: x\n";

	(void)state;
	memset(&k, 0, sizeof k);
	k.files = (char *)"mem";
	assert_int_equal(kubeconfig_merge_yaml(&k, y, strlen(y), "mem", "/etc/kube", &e), 0);
	assert_int_equal(k.nclusters, 1);
	assert_int_equal(k.nusers, 3);
	assert_int_equal(kubeconfig_resolve(&k, NULL, &t, &e), 0);
	assert_string_equal(t.server, "https://h:6443");
	assert_string_equal(t.ca_file, "/etc/kube/ca.pem");
	assert_true(t.insecure);
	assert_string_equal(t.token, "t1"); /* through the alias */
	assert_null(t.namespace);
	assert_int_equal(kubeconfig_resolve(&k, "y", &t, &e), 0);
	assert_null(t.token);
	/* a second document's worth of errors leaves what was merged */
	assert_int_equal(kubeconfig_merge_yaml(&k, "a: [", 4, "mem2", "/", &e), -1);
	if (strstr(e.msg, "kubeconfig: mem2:2:1: did not find expected node content") == NULL)
		fail_msg("%s", e.msg);
	assert_int_equal(k.nclusters, 1);
	k.files = NULL;
	/* kubeconfig_free frees the heap parts; k itself is on the stack */
	{
		struct kubeconfig *h = malloc(sizeof *h);

		assert_non_null(h);
		*h = k;
		kubeconfig_free(h);
	}
}

/* What client-go refuses of an exec plugin before running it. */
static void
test_exec_checks(void **state)
{
	static const struct {
		const char *exec, *want;
	} cases[] = {
		{ "{command: aws, apiVersion: client.authentication.k8s.io/v1beta1}", NULL },
		{ "{command: aws, apiVersion: client.authentication.k8s.io/v1, interactiveMode: "
		  "Never}",
		  NULL },
		{ "{apiVersion: client.authentication.k8s.io/v1beta1}", "exec has no command" },
		{ "{command: aws}", "exec apiVersion \"\" — use client.authentication.k8s.io/v1" },
		{ "{command: aws, apiVersion: client.authentication.k8s.io/v1alpha1}",
		  "exec apiVersion \"client.authentication.k8s.io/v1alpha1\"" },
		{ "{command: aws, apiVersion: client.authentication.k8s.io/v1}", NULL },
		{ "{command: aws, apiVersion: client.authentication.k8s.io/v1, interactiveMode: "
		  "never}",
		  "interactiveMode \"never\" — use Never, IfAvailable or Always" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kubeconfig *k = calloc(1, sizeof *k);
		struct kube_target t;
		struct err e;
		char *y;

		assert_non_null(k);
		y = malloc(512);
		assert_non_null(y);
		snprintf(y, 512,
			 "clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
			 "users: [{name: u, user: {exec: %s}}]\n"
			 "contexts: [{name: x, context: {cluster: c, user: u}}]\n",
			 cases[i].exec);
		assert_int_equal(kubeconfig_merge_yaml(k, y, strlen(y), "mem", "/", &e), 0);
		if (cases[i].want == NULL) {
			assert_int_equal(kubeconfig_resolve(k, "x", &t, &e), 0);
			assert_true(t.has_exec);
			assert_string_equal(t.exec.command, "aws");
		} else {
			assert_int_equal(kubeconfig_resolve(k, "x", &t, &e), -1);
			if (strstr(e.msg, cases[i].want) == NULL)
				fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].exec, e.msg,
					 cases[i].want);
			assert_non_null(strstr(e.msg, "context \"x\": user \"u\" (mem)"));
			assert_false(t.has_exec);
		}
		free(y);
		kubeconfig_free(k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1beta1_token_expiry),
		cmocka_unit_test(test_v1_token_no_expiry),
		cmocka_unit_test(test_v1_client_cert),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_merge_yaml),
		cmocka_unit_test(test_exec_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
