/*
 * kubeconfig.h - kubectl's kubeconfig files, read with libyaml and merged
 * as kubectl merges them, and one context resolved into what a connection
 * needs.
 *
 * Merging (KUBECONFIG="a:b:c"): for each named cluster, user and context
 * the first file that defines it wins; current-context is the first file's
 * that sets it.  Relative paths inside a file (certificate-authority,
 * client-certificate, client-key, tokenFile, exec command when it contains
 * a '/') are relative to that file's directory, as kubectl reads them.
 * Missing files in the list are skipped (kubectl does so); a file that
 * cannot be parsed is an error naming the file, line and column.
 */
#ifndef OPSDECK_BACKENDS_KUBECONFIG_H
#define OPSDECK_BACKENDS_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct kubeconfig; /* opaque: the merged files */

/*
 * Load the files of paths (a ':'-separated list, as KUBECONFIG; NULL or ""
 * = ~/.kube/config with home).  Returns NULL with e filled when no file
 * could be read or one is malformed.
 */
struct kubeconfig *kubeconfig_load(const char *paths, const char *home, struct err *e);
void kubeconfig_free(struct kubeconfig *k); /* NULL-safe */

/* The current-context, or NULL (borrowed). */
const char *kubeconfig_current_context(const struct kubeconfig *k);
/* The context names, in the order first seen (borrowed array of borrowed strings). */
const char *const *kubeconfig_contexts(const struct kubeconfig *k, size_t *n);

/* An exec credential plugin (users[].user.exec). Borrowed strings. */
struct kube_exec {
	const char *command;     /* resolved against the file's directory if it has a '/' */
	const char *const *args;
	size_t nargs;
	const char *const *env;  /* "NAME=value" */
	size_t nenv;
	const char *api_version; /* client.authentication.k8s.io/v1 or v1beta1 */
	bool interactive_never;  /* interactiveMode: Never */
};

/*
 * One context resolved.  Borrowed from k (valid while it lives).  Data
 * fields (base64-decoded already) are NULL when the file gave a path
 * instead, and the other way round.  Secrets: token, client_key_data.
 */
struct kube_target {
	const char *context;
	const char *cluster;
	const char *user;
	const char *server;    /* https://host:6443 */
	const char *namespace; /* the context's namespace, NULL = "default" */
	const char *ca_file;
	const char *ca_data;   /* PEM */
	size_t ca_data_len;
	bool insecure;         /* insecure-skip-tls-verify */
	const char *tls_server_name;
	const char *token;      /* users[].user.token */
	const char *token_file; /* users[].user.tokenFile */
	const char *client_cert_file, *client_key_file;
	const char *client_cert_data, *client_key_data; /* PEM */
	size_t client_cert_data_len, client_key_data_len;
	const char *username, *password; /* basic auth (old clusters) */
	bool has_exec;
	struct kube_exec exec;
};

/*
 * Resolve context (NULL = current-context) into t.  Fails with ERR_CONFIG
 * naming what is missing: no current-context, an unknown context (listing
 * the known ones), a context whose cluster or user is not defined, a
 * cluster without a server, base64 that does not decode (naming the field,
 * the user or cluster, and the context), an exec plugin without a command,
 * with an apiVersion other than client.authentication.k8s.io/v1 or
 * v1beta1, or an interactiveMode other than Never, IfAvailable, Always.
 * On failure t is all zero.  Messages never show a value of the file.
 */
int kubeconfig_resolve(const struct kubeconfig *k, const char *context, struct kube_target *t,
		       struct err *e);

/*
 * An ExecCredential as a plugin prints it (client.authentication.k8s.io
 * v1 / v1beta1): status.token, status.expirationTimestamp (0 none), or
 * status.clientCertificateData / clientKeyData.  New strings (secrets).
 */
struct kube_exec_credential {
	char *token;
	char *client_cert_data, *client_key_data;
	double expires; /* unix seconds; 0 = does not expire */
};
int kubeconfig_parse_exec_credential(const char *json, size_t len,
				     struct kube_exec_credential *out, struct err *e);
void kubeconfig_exec_credential_done(struct kube_exec_credential *c); /* wipes the secrets */

#endif
