/*
 * app_cmd.c - the console's command line and the path to an action:
 * refusals first (read-only, in flight, no runtime), then the replica
 * count for a scale without one, then the confirmation dialog.
 */
#include <stdio.h>
#include <string.h>

#include "app_internal.h"
#include "parse.h"

/*
 * Start the path to an action on service: refusals first (read-only, in
 * flight, no runtime), then the replica count for a scale without one,
 * then the confirmation dialog.
 */
void
app_begin_action(struct app *a, enum op_kind op, const char *service, long replicas)
{
	struct service *svc;
	struct err e;

	if (service == NULL) {
		app_show_error(a, "no service selected");
		return;
	}
	svc = model_service(a->model, service, false);
	if (svc == NULL) {
		char msg[400];

		snprintf(msg, sizeof msg, "unknown service '%s'", service);
		app_show_error(a, msg);
		return;
	}
	if (op == OP_SCALE && replicas < 0) {
		/* Ask for the count first; refusals still come before the prompt. */
		if (actions_prepare(a->actions, svc, op, svc->rt.desired >= 0 ? svc->rt.desired : 1,
				    &a->plan, &e) < 0) {
			app_show_error(a, e.msg);
			return;
		}
		snprintf(a->edit_service, sizeof a->edit_service, "%s", service);
		a->edit = EDIT_SCALE;
		input_set(&a->input, "");
		return;
	}
	if (actions_prepare(a->actions, svc, op, replicas, &a->plan, &e) < 0) {
		app_show_error(a, e.msg);
		return;
	}
	if (op == OP_RESTART && strcmp(a->plan.kind, "swarm") != 0 &&
	    strcmp(a->plan.kind, "k8s") != 0 && strcmp(a->plan.kind, "ecs") != 0) {
		/* Plain containers: restarted one at a time, by id (copied: rounds move on). */
		const char *ids[sizeof a->plan.ids / sizeof a->plan.ids[0]];
		size_t i;

		a->plan.nids = a->docker == NULL
				       ? 0
				       : docker_poll_container_ids(a->docker, a->plan.kind,
								   a->plan.runtime_id, ids,
								   sizeof ids / sizeof ids[0]);
		for (i = 0; i < a->plan.nids; i++)
			snprintf(a->plan.ids[i], sizeof a->plan.ids[i], "%s", ids[i]);
		if (a->plan.nids == 0) {
			app_show_error(a,
				       "no container of this service is known yet; try again after "
				       "a refresh");
			return;
		}
	}
	a->dialog_open = true;
	input_set(&a->typed, "");
}

void
app_accept_scale(struct app *a)
{
	long n;
	struct err e;
	char msg[ERR_MSG_MAX + 16];

	if (parse_long(a->input.text.data, 0, 10000, &n, &e) < 0) {
		snprintf(msg, sizeof msg, "scale: %s", e.msg);
		app_show_error(a, msg);
		return;
	}
	app_begin_action(a, OP_SCALE, a->edit_service, n);
}

void
app_run_command(struct app *a, const char *line)
{
	char verb[32], name[256], extra[64], count[32];
	int n;
	long replicas;
	struct err e;

	count[0] = extra[0] = name[0] = verb[0] = '\0';
	n = sscanf(line, " %31s %255s %31s %63s", verb, name, count, extra);
	if (n <= 0)
		return;
	if (strcmp(verb, "q") == 0 || strcmp(verb, "quit") == 0) {
		a->quit = true;
		return;
	}
	if (app_logs_command(a, verb, line) || app_traces_command(a, verb, line) ||
	    app_alerts_command(a, verb, line) || app_query_command(a, verb, line) ||
	    app_env_command(a, verb, line))
		return;
	if (n == 4) {
		app_show_error(
			a, "too many words; commands: scale NAME N, restart NAME, rollback NAME");
		return;
	}
	if (strcmp(verb, "scale") == 0) {
		if (n != 3) {
			app_show_error(a, "usage: scale NAME N");
			return;
		}
		if (parse_long(count, 0, 10000, &replicas, &e) < 0) {
			char msg[ERR_MSG_MAX + 16];

			snprintf(msg, sizeof msg, "scale: %s", e.msg);
			app_show_error(a, msg);
			return;
		}
		app_begin_action(a, OP_SCALE, name, replicas);
	} else if (strcmp(verb, "restart") == 0 || strcmp(verb, "rollback") == 0) {
		if (n != 2) {
			app_show_error(a, strcmp(verb, "restart") == 0 ? "usage: restart NAME"
								       : "usage: rollback NAME");
			return;
		}
		app_begin_action(a, strcmp(verb, "restart") == 0 ? OP_RESTART : OP_ROLLBACK, name,
				 -1);
	} else {
		char msg[320];

		snprintf(msg, sizeof msg,
			 "unknown command '%s' (commands: scale NAME N, restart NAME, rollback "
			 "NAME, logs QUERY, since 15m, range FROM TO, traces SEARCH, trace ID, "
			 "topology, alerts, silence, query EXPR, env NAME, q)",
			 verb);
		app_show_error(a, msg);
	}
}
