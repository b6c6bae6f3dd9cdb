/*
 * k8s_detail.h - the Service detail's requests for one Kubernetes
 * workload and what their answers become: the workload itself (selector,
 * revision, rollout state), its pods, its ReplicaSets (a Deployment's
 * revisions) and the recent Events of it, its ReplicaSets and its pods.
 *
 * A round asks four things at most: GET the workload and the namespace's
 * events at once; once the workload's answer gives its selector, one
 * page of pods by labelSelector and, for a Deployment, one list of
 * ReplicaSets by the same selector.  Events are one list per namespace,
 * filtered here: one fieldSelector per object would mean a request per
 * pod, pods come and go, and the events of a pod already replaced (the
 * crash that started it) are the ones that explain a stuck rollout.
 *
 * Call order per round: k8s_detail_begin(); k8s_detail_path() of
 * K8S_DETAIL_WORKLOAD and K8S_DETAIL_EVENTS; k8s_detail_take() of each
 * answer; after the workload's, the paths of K8S_DETAIL_PODS and
 * K8S_DETAIL_REPLICASETS (NULL when not asked); when every answer is in,
 * k8s_detail_fill().  No I/O here: tui/detail_poll_k8s.c submits.
 */
#ifndef OPSDECK_TUI_K8S_DETAIL_H
#define OPSDECK_TUI_K8S_DETAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "detail_data.h"
#include "err.h"
#include "k8s.h"

#define K8S_DETAIL_MAX_PODS 500  /* one page of pods */
#define K8S_DETAIL_MAX_EVENTS 50 /* the newest events kept */
#define K8S_DETAIL_MAX_REVS 16   /* revisions kept (Kubernetes keeps 10 old ones by default) */

enum k8s_detail_req {
	K8S_DETAIL_WORKLOAD,
	K8S_DETAIL_PODS,
	K8S_DETAIL_REPLICASETS,
	K8S_DETAIL_EVENTS,
	K8S_DETAIL_NREQ
};

struct k8s_detail; /* opaque */

/* new, for the workload kind ns/name (copied). */
struct k8s_detail *k8s_detail_new(enum k8s_kind kind, const char *ns, const char *name);
void k8s_detail_free(struct k8s_detail *k); /* NULL-safe */

/* Drop the answers of the round before: a new round starts. */
void k8s_detail_begin(struct k8s_detail *k);
/*
 * new: the path of request r, or NULL when it is not asked this round:
 * the pods and ReplicaSets before the workload's answer (or when it has no
 * selector), the ReplicaSets of a StatefulSet.
 */
char *k8s_detail_path(const struct k8s_detail *k, enum k8s_detail_req r);
/*
 * Take the answer of r (status and body as http gave them).  Returns 0, or
 * -1 with e filled: the round has failed (the events' failure is not the
 * round's: it is kept for the events section and 0 returned).
 */
int k8s_detail_take(struct k8s_detail *k, enum k8s_detail_req r, long status, const char *body,
		    size_t len, struct err *e);
/*
 * Request r got no answer (e: why; transport, deadline, body cap).
 * Returns true when that fails the round: every request but the events,
 * whose failure is kept for the events section.
 */
bool k8s_detail_failed(struct k8s_detail *k, enum k8s_detail_req r, const struct err *e);
/*
 * Every answer of the round is in and none failed: make them d's k8s part
 * and its rollout (update_state, update_message, image, tag, and the
 * revision a rollback goes to as prev_image/prev_tag).  Events that failed
 * this round keep the previous round's list with events_err set.  The
 * answers are dropped.
 */
void k8s_detail_fill(struct k8s_detail *k, struct detail_data *d);

/*
 * The pure part, for tests: out (detail_data_k8s_done first if it held
 * anything) from a workload, one page of its pods (more: the page was not
 * the last), its ReplicaSets and the namespace's events (newest first, as
 * k8s_parse_events gives them).  Pods with a problem first (a CRIT reason,
 * not ready, not running), then by name; revisions of the workload's
 * ReplicaSets newest first, the current one and the one a rollback goes
 * to (the highest revision below the current) marked; events of the
 * workload, its ReplicaSets and its pods (also pods already gone: named
 * after one of its ReplicaSets, or NAME-ORDINAL for a StatefulSet), at
 * most K8S_DETAIL_MAX_EVENTS.
 */
void k8s_detail_build(const struct k8s_workload *w, const struct k8s_pod *pods, size_t npods,
		      bool more, const struct k8s_replicaset *rs, size_t nrs,
		      const struct k8s_event *ev, size_t nev, struct detail_k8s *out);

/* Whether a pod or container reason is a failure to show in CRIT (CrashLoopBackOff, OOMKilled...). */
bool k8s_detail_reason_is_crit(const char *reason);

#endif
