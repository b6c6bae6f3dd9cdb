/*
 * k8s.h - the Kubernetes API for workloads: request paths, pure response
 * parsers for apps/v1 Deployments, StatefulSets and ReplicaSets, v1 Pods and
 * Events, the bodies of the three actions, and the rollout state a
 * workload's status says.
 *
 * Lists are paged (limit, continue): a parser returns the page's items and
 * the continue token; the caller asks for the next page until it is empty.
 * A Kubernetes Status object ({"kind":"Status","message":..,"reason":..,
 * "code":..}) is reported verbatim: "kubernetes: deployments.apps \"x\" not
 * found (NotFound)"; 401 and 403 give ERR_AUTH naming what to check.
 * Times are unix seconds as double (0 absent).  Strings in records are owned
 * by the record and never NULL ("" when absent) unless the field says so.
 */
#ifndef OPSDECK_BACKENDS_K8S_H
#define OPSDECK_BACKENDS_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"

enum k8s_kind { K8S_DEPLOYMENT, K8S_STATEFULSET };

/* "Deployment" / "StatefulSet" (static); k8s_kind_plural: "deployments" / "statefulsets". */
const char *k8s_kind_name(enum k8s_kind k);
const char *k8s_kind_plural(enum k8s_kind k);

/*
 * The Kubernetes read allow-list for struct http_endpoint.is_read: GETs
 * under /api, /apis and /version only, and never the exec, attach,
 * portforward or proxy subresources (GETs that run commands or reach
 * other servers); paths with percent-escapes, '.'/'..' or empty segments
 * are refused.
 */
bool k8s_is_read(enum http_method method, const char *path);

/* ---- paths ----------------------------------------------------------------- */

/*
 * A list path (new string): namespace NULL or "" = all namespaces;
 * limit > 0 adds limit=; cont (a continue token, NULL/"" = first page) is
 * percent-encoded; selector (a labelSelector, NULL = none) likewise.
 *   k8s_list_path("apps/v1", "deployments", "shop", 500, NULL, NULL)
 *     -> "/apis/apps/v1/namespaces/shop/deployments?limit=500"
 *   k8s_list_path("v1", "pods", NULL, 500, tok, "app=payments")
 *     -> "/api/v1/pods?limit=500&continue=...&labelSelector=app%3Dpayments"
 * group_version "v1" is the core group (/api/v1), anything else /apis/GV.
 */
char *k8s_list_path(const char *group_version, const char *resource, const char *ns, int limit,
		    const char *cont, const char *selector);
/* One object: /apis/apps/v1/namespaces/NS/deployments/NAME (new). */
char *k8s_object_path(enum k8s_kind k, const char *ns, const char *name);
/* Its scale subresource: .../NAME/scale (new). */
char *k8s_scale_path(enum k8s_kind k, const char *ns, const char *name);
/* Events of an object: /api/v1/namespaces/NS/events?fieldSelector=involvedObject.name%3DNAME */
char *k8s_events_path(const char *ns, const char *involved_name);

/* ---- records ---------------------------------------------------------------- */

/* A condition of a workload's status. */
struct k8s_condition {
	char *type;   /* "Progressing", "Available" */
	char *status; /* "True", "False", "Unknown" */
	char *reason; /* "ProgressDeadlineExceeded", "NewReplicaSetAvailable" */
	char *message;
	double last_update; /* lastUpdateTime (else lastTransitionTime) */
};

/* A Deployment or StatefulSet, as the list shows it. */
struct k8s_workload {
	enum k8s_kind kind;
	char *ns, *name, *uid;
	long long generation, observed_generation;
	long replicas;           /* spec.replicas (default 1) */
	long status_replicas;    /* status.replicas */
	long ready, updated, available, unavailable; /* status counts; absent = 0 */
	char *image;             /* the first container's image, whole */
	char *version;           /* its tag ("1.4.2"), or the digest's first 12 hex, or "latest" */
	char *revision;          /* metadata.annotations["deployment.kubernetes.io/revision"], "" none */
	char *selector;          /* spec.selector.matchLabels as a labelSelector "a=b,c=d" */
	double created;          /* metadata.creationTimestamp */
	double rolled_out;       /* the newest condition update (Progressing), else created */
	bool paused;             /* spec.paused */
	struct k8s_condition *conditions;
	size_t nconditions;
	char *current_revision, *update_revision; /* StatefulSet status; "" otherwise */
};

/* A container's state inside a pod. */
struct k8s_container {
	char *name;
	bool ready;
	long restarts;
	char *waiting_reason;    /* "CrashLoopBackOff", "ImagePullBackOff", "" */
	/* lastState.terminated.reason ("OOMKilled", "Error"), else state.terminated.reason
	 * of a container that is not restarted; "" none */
	char *last_term_reason;
	char *image;
};

struct k8s_pod {
	char *ns, *name;
	char *phase;             /* "Running", "Pending", ... */
	char *node;              /* spec.nodeName */
	char *owner_kind;        /* ownerReferences[controller].kind: "ReplicaSet", "StatefulSet" */
	char *owner_name;
	char *pod_template_hash; /* labels["pod-template-hash"], "" none */
	double started;          /* status.startTime, else creationTimestamp */
	bool deleting;           /* metadata.deletionTimestamp set */
	struct k8s_container *containers;
	size_t ncontainers;
	long ready_containers, restarts; /* sums */
	/* the worst container reason: waiting (init containers' too), else last
	 * termination; else the pod's own status.reason (Evicted); "" none */
	char *reason;
};

struct k8s_replicaset {
	char *ns, *name;
	char *owner_name;        /* the Deployment that controls it, "" none */
	char *revision;          /* deployment.kubernetes.io/revision */
	char *images;            /* containers' images joined with ", " */
	long replicas, ready;    /* spec.replicas (default 1), status.readyReplicas */
	double created;
	char *template_json;     /* spec.template as compact JSON, for rollback */
	char *pod_template_hash;
	char *annotations_json;  /* metadata.annotations as compact JSON ("{}" none), for rollback */
};

struct k8s_event {
	char *type;    /* "Normal", "Warning" */
	char *reason;  /* "FailedScheduling", "BackOff" */
	char *message;
	char *object_kind, *object_name; /* involvedObject */
	long count;    /* count, else series.count (events.k8s.io), at least 1 */
	double last;   /* lastTimestamp, else series.lastObservedTime, else eventTime, else firstTimestamp */
};

/*
 * ---- parsers (one page of a list; *cont new, "" on the last page) -----------
 * Each returns 0, or -1 with *out NULL, *n 0, *cont NULL and e filled.  A
 * single object of the kind (GET of one object) parses as a list of one.
 * Free the array with its _free function (NULL-safe).
 */

int k8s_parse_workloads(long status, const char *body, size_t len, enum k8s_kind kind,
			struct k8s_workload **out, size_t *n, char **cont, struct err *e);
void k8s_workloads_free(struct k8s_workload *w, size_t n);
int k8s_parse_pods(long status, const char *body, size_t len, struct k8s_pod **out, size_t *n,
		   char **cont, struct err *e);
void k8s_pods_free(struct k8s_pod *p, size_t n);
int k8s_parse_replicasets(long status, const char *body, size_t len, struct k8s_replicaset **out,
			  size_t *n, char **cont, struct err *e);
void k8s_replicasets_free(struct k8s_replicaset *r, size_t n);
/* Events newest first. */
int k8s_parse_events(long status, const char *body, size_t len, struct k8s_event **out,
		     size_t *n, struct err *e);
void k8s_events_free(struct k8s_event *ev, size_t n);

/* A non-2xx answer (a Status object, or anything else) as a message; returns -1. */
int k8s_parse_status_error(long status, const char *body, size_t len, struct err *e);

/* ---- the state of a rollout ----------------------------------------------------- */

/*
 * The rollout state as the Overview and the action machinery read it, in
 * Swarm's words: "updating" while observedGeneration < generation or fewer
 * replicas are updated / available than wanted (or, for a StatefulSet,
 * currentRevision != updateRevision); "paused" when spec.paused; "failed"
 * when the Progressing condition says ProgressDeadlineExceeded (message
 * filled from it); else "completed".  Static string.  message (may be NULL)
 * gets the condition's message when there is one worth showing.
 */
const char *k8s_rollout_state(const struct k8s_workload *w, const char **message);

/* ---- the actions' bodies (new JSON strings) --------------------------------------- */

/* PATCH .../scale, application/merge-patch+json: {"spec":{"replicas":N}} */
char *k8s_scale_body(long replicas);
/*
 * PATCH the workload, application/strategic-merge-patch+json, as kubectl
 * rollout restart: {"spec":{"template":{"metadata":{"annotations":
 * {"kubectl.kubernetes.io/restartedAt":"2026-11-22T10:00:00Z"}}}}} with now
 * in RFC 3339 UTC (as kubectl writes it, seconds precision).
 */
char *k8s_restart_body(double now);
/*
 * kubectl rollout undo for a Deployment: the ReplicaSet of the revision
 * before the current one (the highest revision below cur's; cur = the
 * Deployment's revision annotation); its template with the
 * "pod-template-hash" label removed; the body is a JSON patch
 * (application/json-patch+json) replacing /spec/template, and the
 * Deployment's annotations with the ReplicaSet's revision-related ones
 * copied as kubectl does.  deployment_json is the Deployment object as GET
 * returned it.  ERR_USAGE "no previous revision" when there is none.
 * *to_revision (may be NULL) gets the revision rolled back to.
 */
char *k8s_rollback_body(const char *deployment_json, size_t len,
			const struct k8s_replicaset *rs, size_t nrs, char **to_revision,
			struct err *e);
/*
 * kubectl rollout undo --to-revision=revision: as k8s_rollback_body
 * (which is this with revision 0 = the previous one), for a given
 * revision; ERR_USAGE "revision N not found" when no ReplicaSet of the
 * Deployment has it.  Both also fail with ERR_USAGE, as kubectl does, for
 * a paused Deployment ("resume it first") and when the current template
 * already is that revision's (nothing to roll back).  Only ReplicaSets
 * whose owner_name is the Deployment's (same namespace) count.
 */
char *k8s_rollback_to_body(const char *deployment_json, size_t len,
			   const struct k8s_replicaset *rs, size_t nrs, long long revision,
			   char **to_revision, struct err *e);

#endif
