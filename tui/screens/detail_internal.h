/*
 * detail_internal.h - private to tui/screens/detail*.c; no other file
 * includes it.
 *
 * detail.c holds the screen's state, its layout, the instances table, the
 * charts, keys and Markdown; detail_header.c the header block above them;
 * detail_k8s.c the pods, revisions and events of a Kubernetes workload,
 * detail_ecs.c the tasks, deployments, revisions, target groups and
 * events of an ECS service; both take the instances' place.
 */
#ifndef OPSDECK_TUI_SCREENS_DETAIL_INTERNAL_H
#define OPSDECK_TUI_SCREENS_DETAIL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "detail.h"
#include "detail_data.h"
#include "model.h"
#include "view.h"

#define DETAIL_CELL 64             /* bytes of one formatted cell */
#define DETAIL_RECENT_ERROR 3600.0 /* seconds a failed task stays in the header */

/* The separator between header segments: a middle dot, "|" in ASCII (static). */
const char *detail_dot(const struct view_ctx *v);
/* The age of t at now ("2h00m"), "-" for t unknown (0), into out. */
void detail_age(double now, double t, char *out, size_t n);

/*
 * Draw the header block of svc into r (at most r.h rows): the model's
 * runtime line, what is in flight, why a rollout is stuck or a task
 * failed, the runtime's error and the deployment history from dd (may be
 * NULL).  Returns the rows used.
 */
int detail_header_draw(struct canvas *c, struct rect r, const struct view_ctx *v,
		       const struct service *svc, const struct detail_data *dd);

/* Whether svc is a Kubernetes workload: its detail shows pods, revisions and events. */
bool detail_k8s_applies(const struct service *svc);
/* "k8s @ CONTEXT/NAMESPACE" into out: the namespace from dd (may be NULL), else rt's id. */
void detail_k8s_where(const struct runtime_state *rt, const struct detail_data *dd, char *out,
		      size_t n);
/* The pods listed (the cursor's range); 0 before the first answer. */
size_t detail_k8s_npods(const struct detail_data *dd);
/*
 * Draw the PODS, REVISIONS and EVENTS sections into r from dd (may be
 * NULL).  leave > 0: the rows the charts want below, kept free when the
 * sections fit beside them.  *selected (the pod cursor, clamped here),
 * *top (scrolled to show it) and *page (pod rows shown) are the screen's.
 * Returns the rows used from r.y.
 */
int detail_k8s_draw(struct canvas *c, struct rect r, const struct view_ctx *v,
		    const struct detail_data *dd, int leave, size_t *selected, size_t *top,
		    int *page);
/* Append the three sections as Markdown (### Pods, ### Revisions, ### Events). */
void detail_k8s_markdown(const struct view_ctx *v, const struct detail_data *dd, struct buf *out);

/* Whether svc is an ECS service: its detail shows tasks, deployments, revisions, events. */
bool detail_ecs_applies(const struct service *svc);
/* "ecs @ CLUSTER/REGION" into out: from dd (may be NULL), else "ecs @ " rt's context. */
void detail_ecs_where(const struct runtime_state *rt, const struct detail_data *dd, char *out,
		      size_t n);
/* The tasks listed (the cursor's range); 0 before the first answer. */
size_t detail_ecs_ntasks(const struct detail_data *dd);
/*
 * Draw TASKS, DEPLOYMENTS, REVISIONS, TARGET GROUPS and EVENTS into r
 * from dd (may be NULL), as detail_k8s_draw does (the task cursor in
 * *selected, *top, *page).  Returns the rows used from r.y.
 */
int detail_ecs_draw(struct canvas *c, struct rect r, const struct view_ctx *v,
		    const struct detail_data *dd, int leave, size_t *selected, size_t *top,
		    int *page);
/* The Markdown "- runtime:" line's text of an ECS service into out. */
void detail_ecs_markdown_runtime(const struct view_ctx *v, const struct service *svc,
				 const struct detail_data *dd, char *out, size_t n);
/* Append the sections as Markdown (### Tasks ... ### Events). */
void detail_ecs_markdown(const struct view_ctx *v, const struct detail_data *dd, struct buf *out);

#endif
