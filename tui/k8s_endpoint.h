/*
 * k8s_endpoint.h - one kubeconfig context made into a connection to its
 * API server: the server's URL, TLS material as files curl can read, and
 * credentials that may change while opsdeck runs.
 *
 *   - certificate-authority / -data, client-certificate / -data and
 *     client-key / -data: files are used where they are; data is written
 *     to a 0600 file in a private 0700 directory (under $TMPDIR, else
 *     /tmp) that k8s_endpoint_free() removes;
 *   - token, tokenFile (read at start and again after a 401), basic auth;
 *   - an exec credential plugin (users[].user.exec): run as client-go runs
 *     it (the command with its args, the environment plus its env and
 *     KUBERNETES_EXEC_INFO, stdin from /dev/null, stdout captured), without
 *     blocking the loop; its token is kept until its expirationTimestamp,
 *     and the plugin runs again after a 401 on the token it gave;
 *   - insecure-skip-tls-verify is honoured and shows in the backend name
 *     ("kubernetes prod (TLS unverified)"), which the status line always
 *     shows;
 *   - a server on plain http:// gets no credentials: a context that has
 *     some and an http:// server is refused (as kubectl refuses).
 *
 * Secrets (tokens, keys) stay in memory or in the private files; they never
 * reach an argv, a message or a log line, and are wiped when replaced.
 *
 * Call order: k = k8s_endpoint_new(kc, &settings, &e) (kc may be freed
 * after); before each request k8s_endpoint_credentials() (PENDING: ask
 * again later, nothing to send yet); submit with k8s_endpoint_http(k),
 * noting k8s_endpoint_generation(k); on a 401 call
 * k8s_endpoint_unauthorized(k, gen) and retry once if it says so; call
 * k8s_endpoint_tick() from the loop (k8s_endpoint_wait() where blocking is
 * fine, as in a snapshot); k8s_endpoint_free(k).
 */
#ifndef OPSDECK_TUI_K8S_ENDPOINT_H
#define OPSDECK_TUI_K8S_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"
#include "kubeconfig.h"

/* How long an exec credential plugin may run before it is killed. */
#define K8S_EXEC_TIMEOUT_MS 30000L

/* What to connect.  Plain record, strings borrowed for the call only. */
struct k8s_endpoint_settings {
	const char *context;   /* NULL = the current-context */
	const char *namespace; /* NULL or "" = the context's (else "default"); "*" = all */
	long timeout_ms;       /* deadline of each request */
	size_t max_body;       /* largest answer */
	long exec_timeout_ms;  /* 0 = K8S_EXEC_TIMEOUT_MS */
};

enum k8s_cred {
	K8S_CRED_READY,   /* send now with k8s_endpoint_http() */
	K8S_CRED_PENDING, /* an exec plugin is running: ask again after a tick */
	K8S_CRED_FAILED,  /* no credentials: the error says why */
};

struct k8s_endpoint; /* opaque */

/*
 * new: the connection of one context of kc (borrowed for the call).  Fails
 * with ERR_CONFIG naming the context: it does not resolve (kubeconfig.h),
 * its server is not http(s)://, credentials over http://, a token file or
 * TLS file that cannot be read, the private directory cannot be made.
 */
struct k8s_endpoint *k8s_endpoint_new(const struct kubeconfig *kc,
				      const struct k8s_endpoint_settings *s, struct err *e);
/* Stop a running plugin, wipe the secrets, remove the private files.  NULL-safe. */
void k8s_endpoint_free(struct k8s_endpoint *k);

/* borrowed (until free): the context's name ("kind-shop"). */
const char *k8s_endpoint_context(const struct k8s_endpoint *k);
/* borrowed: the namespace listed and acted in, or NULL for all namespaces. */
const char *k8s_endpoint_namespace(const struct k8s_endpoint *k);
/* borrowed: the model's backend name, "kubernetes CTX", " (TLS unverified)" added when so. */
const char *k8s_endpoint_backend(const struct k8s_endpoint *k);
/* Whether TLS verification is off (insecure-skip-tls-verify). */
bool k8s_endpoint_insecure(const struct k8s_endpoint *k);
/* borrowed: the server's URL ("https://127.0.0.1:6443"). */
const char *k8s_endpoint_server(const struct k8s_endpoint *k);

/*
 * borrowed: where requests go and with what credentials.  Valid until the
 * next k8s_endpoint_credentials / _tick / _unauthorized / _wait / _free;
 * http_submit copies what it needs, so pass it straight on.
 */
const struct http_endpoint *k8s_endpoint_http(const struct k8s_endpoint *k);

/*
 * Whether a request may be sent now (wall: unix seconds).  Starts the exec
 * plugin when there is no token yet or it expired (PENDING until it
 * answers).  FAILED fills e (the plugin failed, a token file vanished);
 * the next call after a failure tries again.
 */
enum k8s_cred k8s_endpoint_credentials(struct k8s_endpoint *k, double wall, struct err *e);
/* The credentials' generation: it changes whenever they do. */
unsigned k8s_endpoint_generation(const struct k8s_endpoint *k);
/*
 * A request sent with generation gen was answered 401.  Returns true when
 * a retry may succeed: the credentials changed since, or they were dropped
 * now and will be renewed (the plugin runs again, the token file was read
 * again and differs).  False for a static token or certificate.
 */
bool k8s_endpoint_unauthorized(struct k8s_endpoint *k, unsigned gen);

/* Drive a running plugin without blocking.  Returns true when its state changed. */
bool k8s_endpoint_tick(struct k8s_endpoint *k);
/* Milliseconds until k wants a tick: small while a plugin runs, else -1 (never). */
long k8s_endpoint_next_due_ms(const struct k8s_endpoint *k);
/*
 * Block until a running plugin has answered, at most timeout_ms, or until
 * also_fd (>= 0: the self-pipe) becomes readable.  Returns the state as
 * k8s_endpoint_credentials() would.
 */
enum k8s_cred k8s_endpoint_wait(struct k8s_endpoint *k, long timeout_ms, int also_fd,
				struct err *e);

/*
 * Runtime rows of Kubernetes workloads carry an id "NAMESPACE/KIND/NAME"
 * (KIND "deployment" or "statefulset").  k8s_row_id formats one (new);
 * k8s_row_id_parse splits one into the caller's buffers (false when id is
 * not one).
 */
char *k8s_row_id(const char *ns, bool statefulset, const char *name);
bool k8s_row_id_parse(const char *id, char *ns, size_t nns, bool *statefulset, char *name,
		      size_t nname);

struct setup;
/*
 * borrowed (valid while s lives): the connection of the runtime context
 * named context (a runtime_state's context of a "k8s" row), or NULL when
 * none is configured under that name.  Use k8s_endpoint_http() and
 * k8s_endpoint_namespace() on it (the row's own namespace is in its id).
 */
struct k8s_endpoint *k8s_endpoint_of(const struct setup *s, const char *context);

#endif
