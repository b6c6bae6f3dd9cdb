/*
 * k8s_poll.h - polls one Kubernetes context and feeds the model's runtime
 * state: Deployments and StatefulSets become service rows of kind "k8s"
 * with replicas ready/desired, the image tag, the revision, the time of
 * the last rollout, restarts summed over their pods, the rollout's state in
 * Swarm's words (k8s_rollout_state) and a verdict from their pods.
 *
 * A round is three lists whatever the cluster's size - Deployments,
 * StatefulSets and Pods of the namespace (or of all namespaces) - each
 * fetched in pages of `page` items (limit=, continue=), the three chains
 * running at once; never a request per workload.  The model is updated
 * once all three are complete; a failing round marks the context's backend
 * ("kubernetes CTX") failed and keeps the last good state.  A 401 renews
 * the credentials (k8s_endpoint_unauthorized) and retries that page once.
 *
 * Rows are named by the workload's name (through [service] kubernetes
 * aliases).  Two workloads of one name in different namespaces are shown
 * as NAMESPACE/NAME; a name another runtime context already shows gets
 * "@CONTEXT" appended.  Their id is "NAMESPACE/deployment/NAME" (see
 * k8s_row_id).
 */
#ifndef OPSDECK_TUI_K8S_POLL_H
#define OPSDECK_TUI_K8S_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "k8s.h"
#include "k8s_endpoint.h"
#include "model.h"

#define K8S_PAGE 500 /* items per list page */

struct k8s_poll_settings {
	struct k8s_endpoint *ep; /* borrowed: the context */
	long long refresh_ms;
	int page; /* limit= of each page; 0 = K8S_PAGE */
	/* Display name for a workload name (aliases); NULL = identity. */
	const char *(*display_name)(void *ud, const char *workload);
	void *ud;
};

struct k8s_poll; /* opaque */

/* new; http, model and s->ep borrowed for its lifetime. */
struct k8s_poll *k8s_poll_new(struct http *http, struct model *model,
			      const struct k8s_poll_settings *s);
void k8s_poll_free(struct k8s_poll *p); /* NULL-safe; call before http_free */
/*
 * Submit a round if one is due (mono: monotonic seconds), retry pages that
 * waited for credentials, and drive the context's exec plugin.  Returns
 * true when something changed (a round started or ended).
 */
bool k8s_poll_tick(struct k8s_poll *p, double mono);
void k8s_poll_refresh_now(struct k8s_poll *p);
long k8s_poll_next_due_ms(const struct k8s_poll *p, double mono);
/* Rounds completed, successful or not. */
unsigned long k8s_poll_rounds(const struct k8s_poll *p);
/* Requests sent so far (pages and retries): for tests of the request budget. */
unsigned long k8s_poll_requests(const struct k8s_poll *p);
/* borrowed: the context polled. */
struct k8s_endpoint *k8s_poll_endpoint(const struct k8s_poll *p);

/* ---- matching pods to workloads (k8s_poll_match.c) ----------------------- */

/* What a workload's pods add up to. */
struct k8s_pods_of {
	long pods;           /* pods owned */
	long restarts;       /* their containers' restarts, summed */
	enum status problem; /* the worst pod reason's severity; STATUS_OK none */
	const char *reason;  /* borrowed from the pods: that reason ("CrashLoopBackOff") */
	const char *pod;     /* borrowed: the first pod showing it */
	long with_reason;    /* pods showing that reason */
};

/*
 * The severity of a pod's reason: CRIT for CrashLoopBackOff; WARN for
 * OOMKilled, ImagePullBackOff, ErrImagePull, InvalidImageName,
 * CreateContainerConfigError, CreateContainerError; STATUS_OK otherwise
 * (ContainerCreating, Completed, "").
 */
enum status k8s_reason_severity(const char *reason);

/*
 * out[i] for w[i] (nw of them, zeroed here) from the pods: a pod belongs to
 * the StatefulSet its controller names, or to the Deployment whose
 * ReplicaSet its controller is (the ReplicaSet is named DEPLOYMENT-HASH,
 * HASH the pod-template-hash label), in the same namespace.  Terminating
 * pods count for restarts but not for problems.  O((nw + np) log nw).
 */
void k8s_match_pods(const struct k8s_workload *w, size_t nw, const struct k8s_pod *pods, size_t np,
		    struct k8s_pods_of *out);

/*
 * Which workloads share their name with another in a different namespace:
 * dup[i] = true for each of them (nw entries, set here).
 */
void k8s_duplicate_names(const struct k8s_workload *w, size_t nw, bool *dup);

#endif
