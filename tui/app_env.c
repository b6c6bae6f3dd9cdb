/*
 * app_env.c - ":env" lists the environments ([env "NAME"] sections) and
 * ":env NAME" moves the console to another one.
 *
 * The console does not rebuild itself in place: every poller, endpoint and
 * setting comes from the configuration, so main loads it again with the
 * new NAME and runs the console anew (app.h, switch_env).  Here the name
 * is checked first, so a typo costs nothing, and a switch is refused while
 * an action is in flight: its outcome would be lost, and with it the
 * audit record of how it ended.
 */
#include "app_internal.h"

#include <stdio.h>
#include <string.h>

/* NAME is one of cfg's environments, or "default" (the top-level settings). */
static bool
env_known(const struct config *cfg, const char *name)
{
	size_t i;

	if (strcmp(name, "default") == 0)
		return true;
	for (i = 0; i < config_env_count(cfg); i++)
		if (strcmp(config_env_name(cfg, i), name) == 0)
			return true;
	return false;
}

/* "default, *prod (protected), staging": the current one starred, into out (size n). */
static void
env_list(const struct app *a, char *out, size_t n)
{
	const struct config *cfg = a->o->setup->cfg;
	const char *cur = config_env_selected(cfg);
	size_t i, len;

	snprintf(out, n, "%sdefault", cur == NULL ? "*" : "");
	for (i = 0; i < config_env_count(cfg); i++) {
		const char *name = config_env_name(cfg, i);
		bool here = cur != NULL && strcmp(cur, name) == 0;

		len = strlen(out);
		snprintf(out + len, n - len, ", %s%s%s", here ? "*" : "", name,
			 here && config_env_protected(cfg) ? " (protected)" : "");
	}
}

bool
app_env_command(struct app *a, const char *verb, const char *line)
{
	const struct config *cfg = a->o->setup->cfg;
	const char *cur = config_env_selected(cfg);
	char name[128], list[400], msg[ERR_MSG_MAX + 600];
	int n;

	if (strcmp(verb, "env") != 0)
		return false;
	name[0] = '\0';
	n = sscanf(line, " %*s %127s %1s", name, list);
	if (config_env_count(cfg) == 0) {
		app_show_error(a, "env: the configuration has no [env \"NAME\"] sections (see "
				  "ENVIRONMENTS in opsdeck(1))");
		return true;
	}
	env_list(a, list, sizeof list);
	if (n < 1) {
		snprintf(msg, sizeof msg, "environments: %s  (:env NAME switches)", list);
		app_set_message(a, ROLE_ACCENT, "%s", msg);
		return true;
	}
	if (n > 1) {
		app_show_error(a, "usage: env [NAME]");
		return true;
	}
	if (!env_known(cfg, name)) {
		snprintf(msg, sizeof msg, "env: no environment named '%.64s' (environments: %s)",
			 name, list);
		app_show_error(a, msg);
		return true;
	}
	if (strcmp(name, cur != NULL ? cur : "default") == 0) {
		app_set_message(a, ROLE_ACCENT, "already on %s", name);
		return true;
	}
	if (actions_inflight(a->actions) > 0) {
		app_show_error(a, "env: an action is in flight: switch when it is done");
		return true;
	}
	if (a->o->switch_env == NULL || a->o->switch_env_size <= strlen(name)) {
		app_show_error(a, "env: switching is not available here");
		return true;
	}
	snprintf(a->o->switch_env, a->o->switch_env_size, "%s", name);
	a->quit = true;
	return true;
}
