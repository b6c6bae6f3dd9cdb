/*
 * kubeconfig_internal.h - what the files of kubeconfig share: the merged
 * configuration's layout, and the parse of one file's bytes (which the
 * fuzz harness calls without touching the disk).  Not part of the API
 * (kubeconfig.h is).
 */
#ifndef OPSDECK_BACKENDS_KUBECONFIG_INTERNAL_H
#define OPSDECK_BACKENDS_KUBECONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "kubeconfig.h"

/*
 * A *-data field as read: decoded bytes, or the reason it did not decode
 * (reported by kubeconfig_resolve, which knows the context: a bad field in
 * an entry no context uses must not stop the others).
 */
struct kc_data {
	char *bytes; /* decoded, NUL-terminated; NULL when absent or bad */
	size_t len;
	bool bad;      /* present but not base64 */
	size_t bad_at; /* the offending byte's offset */
};

struct kc_cluster {
	char *name, *origin; /* origin: the file that defined it */
	char *server, *ca_file, *tls_server_name;
	struct kc_data ca;
	bool insecure;
};

struct kc_user {
	char *name, *origin;
	char *token, *token_file;
	char *cert_file, *key_file;
	struct kc_data cert, key;
	char *username, *password;
	bool has_exec;
	char *exec_command, *exec_api_version;
	char **exec_args, **exec_env; /* env as "NAME=value" */
	size_t exec_nargs, exec_nenv;
	char *exec_interactive; /* interactiveMode as written, NULL absent */
};

struct kc_context {
	char *name, *origin;
	char *cluster, *user, *ns;
};

struct kubeconfig {
	struct kc_cluster *clusters;
	size_t nclusters;
	struct kc_user *users;
	size_t nusers;
	struct kc_context *contexts;
	size_t ncontexts;
	const char **context_names; /* names of contexts[], for kubeconfig_contexts */
	char *current_context;      /* NULL none */
	char *files;                /* the files read, ", "-joined, for messages */
};

/*
 * Merge one file's YAML (len bytes) into k, under kubectl's rules (entries
 * already present win, current-context only when unset).  name is the
 * file as messages name it; dir the absolute directory relative paths
 * in it are resolved against.  Returns 0, or -1 with e naming the file,
 * line and column; k keeps what earlier files gave it.
 */
int kubeconfig_merge_yaml(struct kubeconfig *k, const char *yaml, size_t len, const char *name,
			  const char *dir, struct err *e);

/* Decode standard base64 (padding optional; CR, LF, space and tab ignored) into d. */
void kubeconfig_decode(const char *s, struct kc_data *d);

#endif
