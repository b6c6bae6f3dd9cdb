/*
 * k8s_endpoint_internal.h - private to tui/k8s_endpoint*.c: the endpoint's
 * state and what its two files share.  k8s_endpoint.c makes the
 * connection and holds the credentials; k8s_endpoint_exec.c runs the exec
 * credential plugin.  Nothing else includes this.
 */
#ifndef OPSDECK_TUI_K8S_ENDPOINT_INTERNAL_H
#define OPSDECK_TUI_K8S_ENDPOINT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "child_run.h"
#include "k8s_endpoint.h"

struct k8s_endpoint {
	struct http_endpoint ep; /* points into the fields below */
	char *context, *ns, *backend, *server, *auth_hint, *url_key;
	bool insecure;
	char *dir;                    /* the private directory, made on first use */
	char *ca_file;                /* owned path (the kubeconfig's or ours) */
	char *cert_file, *key_file;   /* likewise: the kubeconfig's client certificate */
	char *xcert_file, *xkey_file; /* the exec plugin's, when it gives one */
	char *token;                  /* secret: the token in use */
	char *token_file;             /* users[].user.tokenFile */
	char *username, *password;    /* basic auth; password secret */
	unsigned gen;                 /* bumped whenever the credentials change */
	long exec_timeout_ms;
	/* the exec plugin */
	bool has_exec;
	char **exec_argv; /* owned, NULL-terminated; [0] the command */
	char **exec_env;  /* owned: "NAME=value" from the kubeconfig, NULL-terminated */
	char *exec_api;   /* its apiVersion */
	bool have_cred;   /* a credential from the plugin is held */
	double expires;   /* its expirationTimestamp; 0 = none */
	double obtained;  /* monotonic seconds when it arrived */
	bool stale;       /* it had expired when it arrived */
	/* the plugin while it runs; its stdout, its stderr's last line */
	struct child_run run;
	bool failed; /* the last run failed: err says why, reported once */
	struct err err;
};

/* Monotonic seconds. */
double k8s_endpoint_mono(void);
/* Overwrite s (NULL-safe) with zeros, then free it. */
void k8s_endpoint_wipe_free(char *s);
/*
 * Write len bytes of data to the private directory's file name (made on
 * first use), 0600, through a temporary name and rename().  *path gets the
 * file's name (new, or kept when it already holds it).  -1 with e.
 */
int k8s_endpoint_write_private(struct k8s_endpoint *k, const char *name, const char *data,
			       size_t len, char **path, struct err *e);
/* Point k->ep at the credentials held now. */
void k8s_endpoint_sync(struct k8s_endpoint *k);
/* Wipe and forget the exec plugin's token. */
void k8s_endpoint_drop_credential(struct k8s_endpoint *k);
/* Start the plugin (k->run).  -1 with e when it cannot start. */
int k8s_endpoint_exec_start(struct k8s_endpoint *k, struct err *e);

#endif
