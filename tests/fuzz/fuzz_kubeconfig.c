/*
 * fuzz_kubeconfig.c - libFuzzer harness for kubeconfig: the YAML of one
 * file (merged from memory, as kubeconfig_load merges each file read),
 * every context resolved, the ExecCredential parser and the base64 of
 * the *-data fields.
 *
 * Checked: a failed merge or resolve fills e with a message naming
 * kubeconfig; a resolved target has a server and the names it was
 * resolved through, decoded data lengths that match, exec arrays as long
 * as they say; an ExecCredential that parses has a token or a
 * certificate and key, and one that does not leaves nothing behind.  The
 * input is merged twice (the second merge must change nothing: first
 * wins).  The corpus holds the fixture files verbatim.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kubeconfig.h"
#include "kubeconfig_internal.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
	CHECK(strncmp(e->msg, "kubeconfig: ", 12) == 0);
}

static void
resolve(const struct kubeconfig *k, const char *ctx)
{
	struct kube_target t;
	struct err e;
	size_t i;

	err_clear(&e);
	if (kubeconfig_resolve(k, ctx, &t, &e) < 0) {
		check_err(&e);
		return;
	}
	CHECK(t.context != NULL && t.cluster != NULL && t.server != NULL && t.server[0] != '\0');
	CHECK(ctx == NULL || strcmp(t.context, ctx) == 0);
	CHECK(t.namespace == NULL || t.namespace[0] != '\0');
	CHECK(t.ca_data == NULL || strlen(t.ca_data) <= t.ca_data_len);
	CHECK(t.client_key_data == NULL || strlen(t.client_key_data) <= t.client_key_data_len);
	CHECK(t.ca_file == NULL || t.ca_file[0] == '/');
	CHECK(t.token_file == NULL || t.token_file[0] == '/');
	CHECK(t.user != NULL || (t.token == NULL && !t.has_exec));
	if (t.has_exec) {
		CHECK(t.exec.command != NULL && t.exec.command[0] != '\0');
		for (i = 0; i < t.exec.nargs; i++)
			CHECK(t.exec.args[i] != NULL);
		for (i = 0; i < t.exec.nenv; i++)
			CHECK(strchr(t.exec.env[i], '=') != NULL);
	}
}

static void
yaml(const char *body, size_t len)
{
	struct kubeconfig *k = calloc(1, sizeof *k);
	struct err e;
	size_t n, i, nclusters, nusers;
	const char *const *names;

	k->files = strdup("fuzz");
	err_clear(&e);
	if (kubeconfig_merge_yaml(k, body, len, "fuzz", "/fuzz/dir", &e) < 0) {
		check_err(&e);
		CHECK(strncmp(e.msg, "kubeconfig: fuzz:", 17) == 0);
		kubeconfig_free(k);
		return;
	}
	nclusters = k->nclusters;
	nusers = k->nusers;
	names = kubeconfig_contexts(k, &n);
	CHECK(names != NULL);
	for (i = 0; i < n; i++)
		resolve(k, names[i]);
	resolve(k, NULL);
	resolve(k, "no such context");
	/* the same file again: every entry is there already */
	CHECK(kubeconfig_merge_yaml(k, body, len, "fuzz", "/", &e) == 0);
	CHECK(k->nclusters == nclusters && k->nusers == nusers);
	kubeconfig_contexts(k, &i);
	CHECK(i == n);
	kubeconfig_free(k);
}

static void
credential(const char *body, size_t len)
{
	struct kube_exec_credential c;
	struct err e;

	err_clear(&e);
	if (kubeconfig_parse_exec_credential(body, len, &c, &e) < 0) {
		check_err(&e);
		CHECK(c.token == NULL && c.client_cert_data == NULL && c.client_key_data == NULL);
		return;
	}
	CHECK(c.token != NULL || (c.client_cert_data != NULL && c.client_key_data != NULL));
	CHECK((c.client_cert_data == NULL) == (c.client_key_data == NULL));
	CHECK(c.expires >= 0);
	kubeconfig_exec_credential_done(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *str = malloc(size + 1);
	struct kc_data d;

	if (size > 0)
		memcpy(body, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	yaml(body, size);
	credential(body, size);
	kubeconfig_decode(str, &d);
	CHECK(d.bad == (d.bytes == NULL));
	CHECK(d.bytes == NULL || d.len <= size);
	free(d.bytes);
	free(str);
	free(body);
	return 0;
}
