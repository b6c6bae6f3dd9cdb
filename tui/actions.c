#include "actions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "ecs_action.h"
#include "k8s_action.h"
#include "parse.h"
#include "poller.h"
#include "xalloc.h"

enum phase { PHASE_SENT, PHASE_CONVERGING };

struct flight {
	struct flight *next;
	struct actions *owner;
	struct action_plan plan;
	struct docker_action *req; /* NULL once answered */
	struct k8s_action *kreq;   /* a Kubernetes action's, likewise */
	struct ecs_action *ereq;   /* an ECS action's, likewise */
	enum phase phase;
	double started_mono;
	double started_wall;
	double accepted_wall; /* when the runtime accepted the request; 0 before */
	bool rollout_seen;    /* a refresh after acceptance showed the rollout running */
	bool containers;      /* plain containers restarted one by one: done when all answered */
	char progress[192];
};

struct actions {
	struct actions_settings s;
	char *audit_path;
	struct audit audit;
	bool audit_open;
	struct flight *flights;
	char message[ERR_MSG_MAX + 256];
	int message_role;
	bool have_message;
	bool accepted; /* a request was accepted since the last actions_take_accepted */
};

struct actions *
actions_new(const struct actions_settings *s)
{
	struct actions *a = xcalloc(1, sizeof *a);

	a->s = *s;
	a->audit_path = xstrdup(s->audit_path);
	a->s.audit_path = a->audit_path;
	a->audit.fd = -1;
	return a;
}

static void
flight_free(struct flight *f)
{
	free(f);
}

void
actions_free(struct actions *a)
{
	struct flight *f, *next;

	if (a == NULL)
		return;
	for (f = a->flights; f != NULL; f = next) {
		next = f->next;
		if (f->req != NULL)
			docker_action_cancel(f->req);
		if (f->kreq != NULL)
			k8s_action_cancel(f->kreq);
		if (f->ereq != NULL)
			ecs_action_cancel(f->ereq);
		flight_free(f);
	}
	if (a->audit_open)
		audit_close(&a->audit);
	free(a->audit_path);
	free(a);
}

void
actions_abandon_requests(struct actions *a)
{
	struct flight *f;

	for (f = a->flights; f != NULL; f = f->next) {
		if (f->req != NULL) {
			docker_action_abandon(f->req);
			f->req = NULL;
		}
		if (f->kreq != NULL) {
			k8s_action_abandon(f->kreq);
			f->kreq = NULL;
		}
		if (f->ereq != NULL) {
			ecs_action_abandon(f->ereq);
			f->ereq = NULL;
		}
	}
}

static int
ensure_audit(struct actions *a, struct err *e)
{
	if (a->audit_open)
		return 0;
	if (audit_open(&a->audit, a->audit_path, e) < 0)
		return -1;
	a->audit_open = true;
	a->audit.env = a->s.env;
	return 0;
}

/* One audit line for the attempt.  Returns -1 with e when it cannot be written. */
static int
audit(struct actions *a, const struct action_plan *p, enum audit_result result, const char *error,
      struct err *e)
{
	struct audit_record r;
	struct err local;

	if (e == NULL)
		e = &local;
	if (ensure_audit(a, e) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	r.mode = a->s.mode ? a->s.mode : "console";
	r.runtime = p->kind[0] ? p->kind : NULL;
	r.context = p->context[0] ? p->context : NULL;
	r.service = p->service;
	r.action = op_kind_name(p->op);
	r.before = p->before[0] ? p->before : NULL;
	r.after = p->after[0] ? p->after : NULL;
	r.result = result;
	r.error = error;
	return audit_append(&a->audit, &r, e);
}

static struct flight *
find(const struct actions *a, const char *service)
{
	struct flight *f;

	for (f = a->flights; f != NULL; f = f->next)
		if (strcmp(f->plan.service, service) == 0)
			return f;
	return NULL;
}

int
actions_prepare(struct actions *a, const struct service *svc, enum op_kind op, long replicas,
		struct action_plan *out, struct err *e)
{
	const struct runtime_state *rt = &svc->rt;
	const struct flight *f;
	const char *arrow = "\xe2\x86\x92";
	char why[ERR_MSG_MAX], ns[256], wl[256];
	bool swarm, k8s, ecs, sts = false;
	struct err ke;

	memset(out, 0, sizeof *out);
	out->op = op;
	out->replicas = replicas;
	snprintf(out->service, sizeof out->service, "%s", svc->name);
	if (rt->present) {
		snprintf(out->runtime_name, sizeof out->runtime_name, "%s",
			 rt->runtime_name ? rt->runtime_name : svc->name);
		snprintf(out->kind, sizeof out->kind, "%s", rt->kind ? rt->kind : "");
		snprintf(out->context, sizeof out->context, "%s", rt->context ? rt->context : "");
		snprintf(out->runtime_id, sizeof out->runtime_id, "%s", rt->id ? rt->id : "");
	}
	why[0] = '\0';
	swarm = strcmp(out->kind, "swarm") == 0;
	k8s = strcmp(out->kind, "k8s") == 0;
	ecs = strcmp(out->kind, "ecs") == 0;
	if (k8s && !k8s_row_id_parse(out->runtime_id, ns, sizeof ns, &sts, wl, sizeof wl))
		sts = false;
	if (a->s.read_only)
		snprintf(why, sizeof why, "read-only: actions are disabled");
	else if ((f = find(a, svc->name)) != NULL)
		snprintf(why, sizeof why, "%s: %s is still in flight (%s); wait for it to finish",
			 svc->name, op_kind_name(f->plan.op), f->progress);
	else if (!rt->present)
		snprintf(why, sizeof why,
			 "%s: no container runtime reports this service, so there is nothing to %s",
			 svc->name, op_kind_name(op));
	else if (!swarm && !k8s && !ecs && op == OP_SCALE)
		snprintf(why, sizeof why,
			 "%s: scaling needs Swarm, Kubernetes or ECS (this is a %s: plain "
			 "containers "
			 "have no replica count)",
			 svc->name, out->kind);
	else if (k8s && sts && op == OP_ROLLBACK && k8s_action_refuse_rollback(wl, &ke) < 0)
		snprintf(why, sizeof why, "%s", ke.msg);
	else if (!swarm && !k8s && !ecs && op == OP_ROLLBACK)
		snprintf(why, sizeof why,
			 "%s: rollback needs a Swarm service, a Kubernetes Deployment or an ECS "
			 "service (this is a %s: it keeps no previous version)",
			 svc->name, out->kind);
	else if (op == OP_SCALE && rt->fixed_count)
		snprintf(why, sizeof why,
			 "%s: a global service runs one instance per node and cannot be scaled",
			 svc->name);
	else if (op == OP_SCALE && replicas < 0)
		snprintf(why, sizeof why, "%s: the replica count must be 0 or more", svc->name);
	if (why[0] != '\0') {
		err_set(e, ERR_USAGE, "%s", why);
		audit(a, out, AUDIT_REFUSED, why, NULL);
		return -1;
	}
	switch (op) {
	case OP_SCALE:
		snprintf(out->before, sizeof out->before, "%ld", rt->desired);
		snprintf(out->after, sizeof out->after, "%ld", replicas);
		snprintf(out->title, sizeof out->title, "Scale %s?", svc->name);
		snprintf(out->change, sizeof out->change,
			 "%s \xe2\x80\x94 %s @ %s \xe2\x80\x94 replicas %ld %s %ld", svc->name,
			 out->kind, out->context, rt->desired, arrow, replicas);
		break;
	case OP_RESTART:
		snprintf(out->before, sizeof out->before, "%s", rt->version ? rt->version : "");
		snprintf(out->after, sizeof out->after, "%s", rt->version ? rt->version : "");
		snprintf(out->title, sizeof out->title, "Restart %s?", svc->name);
		snprintf(out->change, sizeof out->change,
			 "%s \xe2\x80\x94 %s @ %s \xe2\x80\x94 %s of %ld instance%s", svc->name,
			 out->kind, out->context,
			 swarm || k8s || ecs ? "rolling restart" : "restart, one at a time,",
			 rt->desired, rt->desired == 1 ? "" : "s");
		break;
	default:
		snprintf(out->before, sizeof out->before, "%s", rt->version ? rt->version : "");
		snprintf(out->after, sizeof out->after, "%s",
			 ecs && rt->previous != NULL ? rt->previous : "previous");
		snprintf(out->title, sizeof out->title, "Roll back %s?", svc->name);
		if (ecs)
			/* The task definition ECS will run: "orders:41 → orders:40". */
			snprintf(out->change, sizeof out->change,
				 "%s \xe2\x80\x94 ecs @ %s \xe2\x80\x94 task definition %s %s %s%s",
				 svc->name, out->context, out->before[0] ? out->before : "?", arrow,
				 rt->previous != NULL ? "" : "the previous ACTIVE revision",
				 rt->previous != NULL ? rt->previous : "");
		else if (rt->revision != NULL)
			snprintf(out->change, sizeof out->change,
				 "%s \xe2\x80\x94 %s @ %s \xe2\x80\x94 version %s (revision %s) %s "
				 "previous",
				 svc->name, out->kind, out->context,
				 rt->version ? rt->version : "?", rt->revision, arrow);
		else
			snprintf(out->change, sizeof out->change,
				 "%s \xe2\x80\x94 %s @ %s \xe2\x80\x94 version %s %s previous",
				 svc->name, out->kind, out->context,
				 rt->version ? rt->version : "?", arrow);
		break;
	}
	return 0;
}

void
actions_cancelled(struct actions *a, const struct action_plan *p)
{
	audit(a, p, AUDIT_CANCELLED, NULL, NULL);
}

static void
set_message(struct actions *a, int role, const char *text)
{
	snprintf(a->message, sizeof a->message, "%s", text);
	a->message_role = role;
	a->have_message = true;
}

static void
remove_flight(struct actions *a, struct flight *f)
{
	struct flight **pp;

	for (pp = &a->flights; *pp != NULL; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	flight_free(f);
}

/* End an action: one audit line, one message. */
static void
conclude(struct actions *a, struct flight *f, enum audit_result result, const char *error)
{
	char msg[ERR_MSG_MAX + 256], took[32];
	struct err e;

	format_duration_ms((long long)((poller_mono_now() - f->started_mono) * 1000.0), took,
			   sizeof took);
	if (result == AUDIT_SUCCEEDED)
		snprintf(msg, sizeof msg, "%s: %s done in %s", f->plan.service,
			 op_kind_name(f->plan.op), took);
	else if (result == AUDIT_UNKNOWN)
		snprintf(msg, sizeof msg,
			 "%s: %s outcome unknown \xe2\x80\x94 check the runtime (%s)",
			 f->plan.service, op_kind_name(f->plan.op), error ? error : "no answer");
	else
		snprintf(msg, sizeof msg, "%s: %s failed: %s", f->plan.service,
			 op_kind_name(f->plan.op), error ? error : "unknown error");
	if (audit(a, &f->plan, result, error, &e) < 0)
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (audit log: %s)", e.msg);
	set_message(a, result == AUDIT_SUCCEEDED ? ROLE_OK : ROLE_CRIT, msg);
	remove_flight(a, f);
}

static void
on_result(void *ud, const struct docker_action_result *r)
{
	struct flight *f = ud;

	f->req = NULL;
	f->kreq = NULL;
	f->ereq = NULL;
	if (r->ok && f->containers) {
		/* Each restart answered once its container ran again: converged. */
		conclude(f->owner, f, AUDIT_SUCCEEDED, NULL);
		return;
	}
	if (r->ok) {
		f->phase = PHASE_CONVERGING;
		f->accepted_wall = poller_wall_now();
		f->owner->accepted = true;
		snprintf(f->progress, sizeof f->progress, "%s accepted, waiting for the runtime",
			 op_kind_name(f->plan.op));
		return;
	}
	conclude(f->owner, f, r->unknown ? AUDIT_UNKNOWN : AUDIT_FAILED, r->err.msg);
}

/* The refusals every runtime shares; a new flight, or NULL with e (audited). */
static struct flight *
begin(struct actions *a, const struct action_plan *p, struct err *e)
{
	struct flight *f;

	if (a->s.read_only) {
		err_set(e, ERR_READONLY, "read-only: actions are disabled");
		audit(a, p, AUDIT_REFUSED, e->msg, NULL);
		return NULL;
	}
	if (find(a, p->service) != NULL) {
		err_set(e, ERR_USAGE, "%s: an action is already in flight", p->service);
		audit(a, p, AUDIT_REFUSED, e->msg, NULL);
		return NULL;
	}
	/* No action without its audit line: refuse if the log cannot be written. */
	if (ensure_audit(a, e) < 0)
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->owner = a;
	f->plan = *p;
	f->started_mono = poller_mono_now();
	f->started_wall = poller_wall_now();
	snprintf(f->progress, sizeof f->progress, "%s sent", op_kind_name(p->op));
	return f;
}

int
actions_execute_k8s(struct actions *a, const struct action_plan *p, struct http *http,
		    struct k8s_endpoint *k, struct err *e)
{
	struct flight *f;

	if (strcmp(p->kind, "k8s") != 0 || k == NULL) {
		err_set(e, ERR_USAGE, "%s: no Kubernetes context named '%s' is configured",
			p->service, p->context);
		audit(a, p, AUDIT_FAILED, e->msg, NULL);
		return -1;
	}
	f = begin(a, p, e);
	if (f == NULL)
		return -1;
	f->kreq = k8s_action_start(http, k, p->runtime_id, p->op, p->replicas, on_result, f, e);
	if (f->kreq == NULL) {
		audit(a, p, AUDIT_FAILED, e->msg, NULL);
		free(f);
		return -1;
	}
	f->next = a->flights;
	a->flights = f;
	return 0;
}

int
actions_execute_ecs(struct actions *a, const struct action_plan *p, struct http *http,
		    struct ecs_endpoint *x, struct err *e)
{
	struct flight *f;

	if (strcmp(p->kind, "ecs") != 0 || x == NULL) {
		err_set(e, ERR_USAGE, "%s: no ECS cluster named '%s' is configured", p->service,
			p->context);
		audit(a, p, AUDIT_FAILED, e->msg, NULL);
		return -1;
	}
	f = begin(a, p, e);
	if (f == NULL)
		return -1;
	f->ereq = ecs_action_start(http, x, p->runtime_name, p->op, p->replicas, p->before,
				   p->after, on_result, f, e);
	if (f->ereq == NULL) {
		audit(a, p, AUDIT_FAILED, e->msg, NULL);
		free(f);
		return -1;
	}
	f->next = a->flights;
	a->flights = f;
	return 0;
}

int
actions_execute(struct actions *a, const struct action_plan *p, struct http *http,
		const struct http_endpoint *ep, struct err *e)
{
	struct flight *f;

	if (strcmp(p->kind, "k8s") == 0 || strcmp(p->kind, "ecs") == 0) {
		err_set(e, ERR_USAGE, "%s: %s goes through its own connection", p->service,
			strcmp(p->kind, "k8s") == 0 ? "a Kubernetes workload" : "an ECS service");
		audit(a, p, AUDIT_FAILED, e->msg, NULL);
		return -1;
	}
	f = begin(a, p, e);
	if (f == NULL)
		return -1;
	f->containers = strcmp(p->kind, "swarm") != 0;
	if (f->containers) {
		const char *ids[sizeof p->ids / sizeof p->ids[0]];
		size_t i;

		for (i = 0; i < p->nids && i < sizeof ids / sizeof ids[0]; i++)
			ids[i] = p->ids[i];
		f->req = docker_action_restart_containers(http, ep, ids, i, on_result, f, e);
	} else
		f->req = docker_action_start(http, ep, p->runtime_name, p->op, p->replicas,
					     on_result, f, e);
	if (f->req == NULL) {
		audit(a, p, AUDIT_FAILED, e->msg, NULL);
		free(f);
		return -1;
	}
	f->next = a->flights;
	a->flights = f;
	return 0;
}

/* The rollout state that ends op: a rollback ends in rollback_completed, an update in completed. */
static bool
rollout_done(enum op_kind op, const char *state)
{
	return state != NULL &&
	       strcmp(state, op == OP_ROLLBACK ? "rollback_completed" : "completed") == 0;
}

static bool
rollout_running(const char *state)
{
	return state != NULL &&
	       (strcmp(state, "updating") == 0 || strcmp(state, "rollback_started") == 0);
}

static bool
rollout_failed(const char *state)
{
	return state != NULL &&
	       (strcmp(state, "paused") == 0 || strcmp(state, "rollback_paused") == 0);
}

/*
 * A Kubernetes restart or rollback, judged on a refresh taken after the
 * PATCH was accepted: the API server had bumped the generation by then, so
 * k8s_rollout_state says "updating" until the controller has observed it
 * and every replica is updated and available - "completed" (a rollback
 * too) is this request's rollout done.  "failed" is the Progressing
 * condition's ProgressDeadlineExceeded.  Returns true when it concluded.
 */
static bool
k8s_converged(struct actions *a, struct flight *f, const struct runtime_state *rt)
{
	const char *st = rt->rollout_state;
	char why[ERR_MSG_MAX];

	if (st == NULL)
		return false;
	if (strcmp(st, "completed") == 0 && rt->running == rt->desired) {
		conclude(a, f, AUDIT_SUCCEEDED, NULL);
		return true;
	}
	if (strcmp(st, "failed") == 0) {
		snprintf(why, sizeof why, "rollout failed: %s",
			 rt->message ? rt->message : "progress deadline exceeded");
		conclude(a, f, AUDIT_FAILED, why);
		return true;
	}
	if (strcmp(st, "paused") == 0) {
		snprintf(why, sizeof why,
			 "the rollout is paused; run `kubectl rollout resume deployment/%s`",
			 f->plan.runtime_name);
		conclude(a, f, AUDIT_FAILED, why);
		return true;
	}
	return false;
}

/*
 * An ECS restart or rollback, judged on a refresh taken after UpdateService
 * was accepted (ECS made the new PRIMARY deployment before answering):
 * done once it is the only deployment, its rollout COMPLETED and every
 * task runs ("completed" with running = desired), for a rollback on the
 * revision the dialog named.  Failed when the PRIMARY's rollout FAILED
 * (rt->problem CRIT, message its reason), or when the circuit breaker
 * rolled back a rollout we saw running.
 */
static bool
ecs_converged(struct actions *a, struct flight *f, const struct runtime_state *rt)
{
	const char *st = rt->rollout_state;
	char why[ERR_MSG_MAX];

	if (st == NULL)
		return false;
	if (strcmp(st, "updating") == 0)
		f->rollout_seen = true;
	if (strcmp(st, "completed") == 0 && rt->running == rt->desired &&
	    (f->plan.op != OP_ROLLBACK || strchr(f->plan.after, ':') == NULL ||
	     (rt->version != NULL && strcmp(rt->version, f->plan.after) == 0))) {
		conclude(a, f, AUDIT_SUCCEEDED, NULL);
		return true;
	}
	if (strcmp(st, "failed") == 0 && (rt->problem == STATUS_CRIT || f->rollout_seen)) {
		snprintf(why, sizeof why, "rollout failed: %s",
			 rt->message ? rt->message : "the deployment failed");
		conclude(a, f, AUDIT_FAILED, why);
		return true;
	}
	return false;
}

bool
actions_tick(struct actions *a, const struct model *m, double mono)
{
	struct flight *f, *next;
	bool changed = false;

	/* Kubernetes requests that waited for credentials (this may end flights). */
	for (f = a->flights; f != NULL; f = next) {
		next = f->next;
		if (f->kreq != NULL && k8s_action_tick(f->kreq))
			changed = true;
		else if (f->ereq != NULL && ecs_action_tick(f->ereq))
			changed = true;
	}
	for (f = a->flights; f != NULL; f = next) {
		const struct service *s;
		const struct runtime_state *rt;
		char old[sizeof f->progress];

		next = f->next;
		if (mono - f->started_mono > (double)a->s.timeout_ms / 1000.0) {
			char msg[128], t[32];

			format_duration_ms(a->s.timeout_ms, t, sizeof t);
			snprintf(msg, sizeof msg,
				 "did not converge within %s; the runtime may still be working on "
				 "it",
				 t);
			if (f->req != NULL) {
				docker_action_cancel(f->req);
				f->req = NULL;
			}
			if (f->kreq != NULL) {
				k8s_action_cancel(f->kreq);
				f->kreq = NULL;
			}
			if (f->ereq != NULL) {
				ecs_action_cancel(f->ereq);
				f->ereq = NULL;
			}
			conclude(a, f, f->phase == PHASE_SENT ? AUDIT_UNKNOWN : AUDIT_FAILED, msg);
			changed = true;
			continue;
		}
		if (f->phase != PHASE_CONVERGING)
			continue;
		s = model_service((struct model *)m, f->plan.service, false);
		if (s == NULL || !s->rt.present)
			continue;
		rt = &s->rt;
		memcpy(old, f->progress, sizeof old);
		snprintf(f->progress, sizeof f->progress, "%s: %ld/%ld running%s%s",
			 op_kind_name(f->plan.op), rt->running, rt->desired,
			 rt->rollout_state ? ", " : "", rt->rollout_state ? rt->rollout_state : "");
		if (strcmp(old, f->progress) != 0)
			changed = true;
		if (f->plan.op == OP_SCALE) {
			if (rt->desired == f->plan.replicas && rt->running == f->plan.replicas) {
				conclude(a, f, AUDIT_SUCCEEDED, NULL);
				changed = true;
			}
			continue;
		}
		/*
		 * Restart and rollback: judge only refreshes taken after the runtime
		 * accepted the request (the model may still hold the previous
		 * rollout's "completed"), and only a rollout of this request: one we
		 * saw running, or one that completed after we sent it.
		 */
		if (rt->updated <= f->accepted_wall)
			continue;
		if (strcmp(f->plan.kind, "k8s") == 0) {
			if (k8s_converged(a, f, rt))
				changed = true;
			continue;
		}
		if (strcmp(f->plan.kind, "ecs") == 0) {
			if (ecs_converged(a, f, rt))
				changed = true;
			continue;
		}
		if (rollout_running(rt->rollout_state))
			f->rollout_seen = true;
		if (rollout_done(f->plan.op, rt->rollout_state) &&
		    (f->rollout_seen || rt->deployed_at > f->started_wall) &&
		    rt->running == rt->desired) {
			conclude(a, f, AUDIT_SUCCEEDED, NULL);
			changed = true;
		} else if (rollout_failed(rt->rollout_state) &&
			   (f->rollout_seen || rt->deployed_at > f->started_wall)) {
			conclude(a, f, AUDIT_FAILED, rt->message ? rt->message : rt->rollout_state);
			changed = true;
		}
	}
	return changed;
}

const char *
actions_progress(const struct actions *a, const char *service)
{
	const struct flight *f = find(a, service);

	return f ? f->progress : NULL;
}

bool
actions_status(const struct actions *a, char *out, size_t n)
{
	const struct flight *f = a->flights; /* the newest is first */

	if (f == NULL)
		return false;
	if (a->flights->next != NULL)
		snprintf(out, n, "%s: %s (and %zu more in flight)", f->plan.service, f->progress,
			 actions_inflight(a) - 1);
	else
		snprintf(out, n, "%s: %s", f->plan.service, f->progress);
	return true;
}

size_t
actions_inflight(const struct actions *a)
{
	const struct flight *f;
	size_t n = 0;

	for (f = a->flights; f != NULL; f = f->next)
		n++;
	return n;
}

bool
actions_take_accepted(struct actions *a)
{
	bool r = a->accepted;

	a->accepted = false;
	return r;
}

bool
actions_take_message(struct actions *a, char *out, size_t n, int *role)
{
	if (!a->have_message)
		return false;
	snprintf(out, n, "%s", a->message);
	*role = a->message_role;
	a->have_message = false;
	return true;
}
