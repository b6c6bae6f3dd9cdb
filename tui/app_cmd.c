/*
 * app_cmd.c - the console's command line and the path to an action:
 * refusals first (read-only, in flight, no runtime), then the replica
 * count for a scale without one, then the confirmation dialog.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "config.h"
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

/* ---- Tab completion -------------------------------------------------------- */

/* The commands, as the unknown-command message lists them. */
static const char *const commands[] = {
	"alerts",   "env",   "logs",    "q",     "query",    "quit",  "range",  "restart",
	"rollback", "scale", "silence", "since", "topology", "trace", "traces",
};

/* Commands whose first argument is a service. */
static bool
takes_service(const char *verb)
{
	static const char *const v[] = { "scale", "restart", "rollback",
					 "logs",  "traces",  "topology" };
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(verb, v[i]) == 0)
			return true;
	return false;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/*
 * The candidates for word number nword (0 = the command) after verb that
 * start with stem: into out (borrowed strings, sorted, no duplicates).
 */
static size_t
candidates(struct app *a, int nword, const char *verb, const char *stem, const char **out,
	   size_t max)
{
	const struct config *cfg = a->o->setup->cfg;
	size_t i, n = 0, k, len = strlen(stem);

	if (nword == 0) {
		for (i = 0; i < sizeof commands / sizeof commands[0] && n < max; i++)
			if (strncmp(commands[i], stem, len) == 0)
				out[n++] = commands[i];
	} else if (nword == 1 && takes_service(verb)) {
		for (i = 0; i < model_nservices(a->model) && n < max; i++) {
			const char *name = model_service_at(a->model, i)->name;

			if (strncmp(name, stem, len) == 0)
				out[n++] = name;
		}
	} else if (nword == 1 && strcmp(verb, "env") == 0 && cfg != NULL) {
		for (i = 0; i < config_env_count(cfg) && n < max; i++)
			if (strncmp(config_env_name(cfg, i), stem, len) == 0)
				out[n++] = config_env_name(cfg, i);
	}
	qsort(out, n, sizeof *out, cmp_str);
	for (i = k = 0; i < n; i++)
		if (k == 0 || strcmp(out[k - 1], out[i]) != 0)
			out[k++] = out[i];
	return k;
}

/* Put word in place of line[from, cursor), then a space when final; the cursor after it. */
static void
replace_word(struct app *a, size_t from, const char *word, bool final)
{
	struct buf b;
	const char *line = a->input.text.data;
	size_t cur = a->input.cursor, at;

	buf_init(&b);
	buf_printf(&b, "%.*s%s", (int)from, line, word);
	if (final && line[cur] != ' ')
		buf_putc(&b, ' ');
	at = b.len;
	buf_puts(&b, line + cur);
	input_set(&a->input, b.data);
	a->input.cursor = at;
	buf_done(&b);
	snprintf(a->complete_line, sizeof a->complete_line, "%s", a->input.text.data);
}

/* "scale  restart  [rollback]": the candidates in the message line, the current one marked. */
static void
list_candidates(struct app *a, const char *const *c, size_t n, size_t current)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, i == current ? "%s[%s]" : "%s%s", i > 0 ? "  " : "", c[i]);
	app_set_message(a, ROLE_DIM, "%s", b.data);
	buf_done(&b);
}

void
app_cmd_complete(struct app *a)
{
	const char *line = a->input.text.data, *c[256];
	char verb[32] = "", stem[256];
	size_t cur = a->input.cursor, from = cur, n, i, lcp;
	int nword = 0;
	bool again;

	while (from > 0 && line[from - 1] != ' ')
		from--;
	for (i = 0; i < from; i++) /* the words before this one */
		if (line[i] != ' ' && (i == 0 || line[i - 1] == ' ')) {
			if (nword == 0)
				sscanf(line + i, "%31s", verb);
			nword++;
		}
	again = a->complete_line[0] != '\0' && strcmp(a->complete_line, line) == 0;
	if (!again) {
		snprintf(a->complete_stem, sizeof a->complete_stem, "%.*s", (int)(cur - from),
			 line + from);
		a->complete_next = 0;
	}
	snprintf(stem, sizeof stem, "%s", a->complete_stem);
	n = candidates(a, nword, verb, stem, c, sizeof c / sizeof c[0]);
	if (n == 0) {
		a->complete_line[0] = '\0';
		app_set_message(a, ROLE_DIM,
				nword == 0 ? "no command starts with '%s'"
				: nword == 1 && (takes_service(verb) || strcmp(verb, "env") == 0)
					? "nothing to complete: no match for '%s'"
					: "nothing to complete after '%s'",
				nword <= 1 ? stem : verb);
		return;
	}
	if (n == 1) {
		replace_word(a, from, c[0], true);
		a->complete_line[0] = '\0'; /* done: the next Tab starts anew */
		a->message[0] = '\0';
		return;
	}
	if (again) {
		/* Cycle: each Tab puts in the next candidate. */
		i = a->complete_next++ % n;
		replace_word(a, from, c[i], false);
		list_candidates(a, c, n, i);
		return;
	}
	/* The first Tab: as far as every candidate agrees, and the list. */
	for (lcp = strlen(c[0]), i = 1; i < n; i++) {
		size_t k = 0;

		while (k < lcp && c[i][k] == c[0][k])
			k++;
		lcp = k;
	}
	{
		char common[256];

		snprintf(common, sizeof common, "%.*s", (int)lcp, c[0]);
		replace_word(a, from, common, false);
	}
	list_candidates(a, c, n, n);
}
