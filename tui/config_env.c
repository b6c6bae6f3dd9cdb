/*
 * config_env.c - [env "NAME"] sections: environments, each with its own
 * backends.
 *
 * An environment's keys are the other sections' keys written
 * "section.key" (prometheus.url = ..., kubernetes.context = ...), plus
 * protected = true|false.  They are checked when the file is loaded, with
 * the top-level loader's checks and messages, and kept as text; only the
 * selected environment's are applied, by config_select_env(), as values
 * of the file source: they replace the top-level values key by key, and
 * the environment variables and flags still win over them.  A later
 * file's section of the same NAME replaces the earlier one's values key by
 * key, as for [service] sections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "ini.h"
#include "parse.h"
#include "xalloc.h"

/* Longest environment name, in bytes: it sits in the title bar. */
#define ENV_NAME_MAX 64

static void
excerpt(const char *s, char *out, size_t n)
{
	ini_excerpt(s, strlen(s), out, n);
}

static struct config_envs *
envs_of(struct config *cfg)
{
	if (cfg->envs == NULL)
		cfg->envs = xcalloc(1, sizeof *cfg->envs);
	return cfg->envs;
}

static struct config_env *
find_env(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; cfg->envs != NULL && i < cfg->envs->n; i++)
		if (strcmp(cfg->envs->env[i]->name, name) == 0)
			return cfg->envs->env[i];
	return NULL;
}

/* ---- checks ------------------------------------------------------------ */

static int
check_name(const char *name, struct err *e)
{
	const char *p;

	if (name == NULL)
		return err_set(e, ERR_CONFIG,
			       "[env] needs a name: write [env \"NAME\"], e.g. [env \"prod\"]");
	if (*name == '\0')
		return err_set(e, ERR_CONFIG,
			       "empty environment name in [env \"\"] (write e.g. [env \"prod\"])");
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, ERR_CONFIG, "control character in an environment name");
		if (*p == ' ') {
			char ex[CONFIG_EXCERPT_MAX];

			excerpt(name, ex, sizeof ex);
			return err_set(e, ERR_CONFIG,
				       "blank in the environment name [env \"%s\"] (it is typed "
				       "after --env and :env: write e.g. prod-eu)",
				       ex);
		}
	}
	if (!config_check_utf8(name))
		return err_set(e, ERR_CONFIG, "environment name is not valid UTF-8");
	if (strlen(name) > ENV_NAME_MAX)
		return err_set(e, ERR_CONFIG, "environment name longer than %d bytes",
			       ENV_NAME_MAX);
	if (strcmp(name, "default") == 0)
		return err_set(e, ERR_CONFIG,
			       "[env \"default\"]: the name default stands for the top-level "
			       "settings (no environment); choose another name");
	return 0;
}

/*
 * The key that "section.key" names, or -1 with e saying what to write
 * instead (did you mean, secrets refused as at top level).
 */
static int
find_key(const char *sub, const char *key, struct err *e)
{
	char ex[CONFIG_EXCERPT_MAX], nx[CONFIG_EXCERPT_MAX], section[64];
	const char *dot = strchr(key, '.'), *name, *hint;
	const struct config_key_info *ki;
	int k;

	excerpt(key, ex, sizeof ex);
	excerpt(sub, nx, sizeof nx);
	if (dot == NULL || (size_t)(dot - key) >= sizeof section) {
		for (k = 0; dot == NULL && k < CFG_KEY_COUNT; k++) {
			ki = config_key_info((enum config_key)k);
			if (strcmp(ki->name, key) == 0)
				return err_set(
					e, ERR_CONFIG,
					"unknown key '%s' in [env \"%s\"] (write section.key, "
					"e.g. %s.%s)",
					ex, nx, ki->section, ki->name);
		}
		return err_set(e, ERR_CONFIG,
			       "unknown key '%s' in [env \"%s\"] (an environment takes protected "
			       "and section.key, e.g. prometheus.url)",
			       ex, nx);
	}
	memcpy(section, key, (size_t)(dot - key));
	section[dot - key] = '\0';
	name = dot + 1;
	if (!config_check_known_section(section)) {
		hint = config_check_closest(NULL, section);
		if (strcmp(section, "keys") == 0 || strcmp(section, "env") == 0 ||
		    (hint != NULL && strcmp(hint, "service") == 0))
			return err_set(
				e, ERR_CONFIG,
				"unknown key '%s' in [env \"%s\"] ([service] and [keys] sections "
				"are the same in every environment)",
				ex, nx);
		if (hint != NULL && config_find_key(hint, name) >= 0)
			return err_set(e, ERR_CONFIG,
				       "unknown key '%s' in [env \"%s\"] (did you mean '%s.%s'?)",
				       ex, nx, hint, name);
		if (hint != NULL)
			return err_set(e, ERR_CONFIG,
				       "unknown section '%s' in '%s' in [env \"%s\"] (did you mean "
				       "'%s'?)",
				       section, ex, nx, hint);
		return err_set(e, ERR_CONFIG, "unknown section '%s' in '%s' in [env \"%s\"]",
			       section, ex, nx);
	}
	k = config_find_key(section, name);
	if (k < 0) {
		hint = config_check_closest(section, name);
		if (hint != NULL)
			return err_set(e, ERR_CONFIG,
				       "unknown key '%s' in [env \"%s\"] (did you mean '%s.%s'?)",
				       ex, nx, section, hint);
		return err_set(e, ERR_CONFIG, "unknown key '%s' in [env \"%s\"]", ex, nx);
	}
	ki = config_key_info((enum config_key)k);
	if (ki->type == CFG_T_SECRET)
		return err_set(e, ERR_CONFIG,
			       "%s.%s cannot be set in the config file (keep secrets out of it): "
			       "write it to a file and set %s.%s_file = /path/to/file in [env "
			       "\"%s\"], or set %s",
			       ki->section, ki->name, ki->section, ki->name, nx, ki->env);
	return k;
}

/* ---- loading ----------------------------------------------------------- */

static struct config_env *
open_env(struct config *cfg, const char *name)
{
	struct config_envs *es = envs_of(cfg);
	struct config_env *env = find_env(cfg, name);

	if (env == NULL) {
		env = xcalloc(1, sizeof *env);
		env->name = xstrdup(name);
		env->protect = -1;
		es->env = xrealloc(es->env, (es->n + 1) * sizeof *es->env);
		es->env[es->n++] = env;
	}
	return env;
}

static void
item_free(struct config_env_item *it)
{
	free(it->text);
	free(it->where);
}

static int
set_protected(struct config *cfg, struct config_env *env, const char *value, const char *file,
	      int line, struct err *e)
{
	char ex[CONFIG_EXCERPT_MAX];
	int b;

	if (env->protect_gen == cfg->gen && env->protect >= 0) {
		excerpt(env->name, ex, sizeof ex);
		return err_set(
			e, ERR_CONFIG,
			"protected in [env \"%s\"] is set twice, on lines %d and %d: keep one", ex,
			env->protect_line, line);
	}
	if (parse_bool(value, &b, NULL) < 0) {
		char vx[CONFIG_EXCERPT_MAX];

		excerpt(value, vx, sizeof vx);
		excerpt(env->name, ex, sizeof ex);
		return err_set(e, ERR_CONFIG,
			       "invalid boolean '%s' for protected in [env \"%s\"] (write true or "
			       "false)",
			       vx, ex);
	}
	env->protect = b != 0;
	free(env->protect_where);
	env->protect_where = xstrdup(file);
	env->protect_line = line;
	env->protect_gen = cfg->gen;
	return 0;
}

int
config_env_key(struct config *cfg, const char *sub, const char *key, const char *value,
	       const char *file, int line, struct err *e)
{
	struct config_env *env;
	struct config_env_item *it;
	bool list;
	size_t i, o;
	int k;

	if (check_name(sub, e) < 0)
		return -1;
	env = open_env(cfg, sub);
	if (strcmp(key, "protected") == 0)
		return set_protected(cfg, env, value, file, line, e);
	k = find_key(sub, key, e);
	if (k < 0)
		return -1;
	if (config_check_value((enum config_key)k, value, e) < 0)
		return -1;
	list = config_key_info((enum config_key)k)->type == CFG_T_LIST;
	/* A later file replaces the key (a list: all its items); one file sets it once. */
	for (i = o = 0; i < env->nitems; i++) {
		it = &env->items[i];
		if ((int)it->key == k && it->gen == cfg->gen && !list) {
			char ex[CONFIG_EXCERPT_MAX], kx[CONFIG_EXCERPT_MAX];

			excerpt(sub, ex, sizeof ex);
			excerpt(key, kx, sizeof kx);
			return err_set(
				e, ERR_CONFIG,
				"%s in [env \"%s\"] is set twice, on lines %d and %d: keep one", kx,
				ex, it->line, line);
		}
		if ((int)it->key == k && it->gen != cfg->gen)
			item_free(it);
		else
			env->items[o++] = *it;
	}
	env->nitems = o;
	env->items = xrealloc(env->items, (env->nitems + 1) * sizeof *env->items);
	it = &env->items[env->nitems++];
	it->key = (enum config_key)k;
	it->text = xstrdup(value);
	it->where = xstrdup(file);
	it->line = line;
	it->gen = cfg->gen;
	return 0;
}

void
config_env_free(struct config *cfg)
{
	struct config_envs *es = cfg->envs;
	size_t i, j;

	if (es == NULL)
		return;
	for (i = 0; i < es->n; i++) {
		struct config_env *env = es->env[i];

		for (j = 0; j < env->nitems; j++)
			item_free(&env->items[j]);
		free(env->items);
		free(env->name);
		free(env->protect_where);
		free(env);
	}
	free(es->env);
	free(es->selected);
	free(es);
	cfg->envs = NULL;
}

/* ---- selection --------------------------------------------------------- */

/* The names of the environments, "prod, staging", into out (size n). */
static void
list_names(const struct config *cfg, char *out, size_t n)
{
	size_t i, len;

	out[0] = '\0';
	for (i = 0; i < config_env_count(cfg); i++) {
		len = strlen(out);
		snprintf(out + len, n - len, "%s%s", i > 0 ? ", " : "", config_env_name(cfg, i));
	}
}

int
config_select_env(struct config *cfg, const char *name, struct err *e)
{
	const struct config_env *env;
	char ex[CONFIG_EXCERPT_MAX], names[512];
	bool cleared[CFG_KEY_COUNT] = { false };
	size_t i;

	if (name == NULL || *name == '\0' || strcmp(name, "default") == 0)
		return 0;
	env = find_env(cfg, name);
	if (env == NULL) {
		excerpt(name, ex, sizeof ex);
		if (config_env_count(cfg) == 0)
			return err_set(e, ERR_CONFIG,
				       "no environment named '%s': the configuration has no [env "
				       "\"NAME\"] section",
				       ex);
		list_names(cfg, names, sizeof names);
		return err_set(e, ERR_CONFIG,
			       "no environment named '%s' (environments: %s; default = the "
			       "top-level settings)",
			       ex, names);
	}
	if (cfg->envs->selected != NULL)
		return err_set(e, ERR_CONFIG, "an environment is already selected ('%s')",
			       cfg->envs->selected);
	for (i = 0; i < env->nitems; i++) {
		const struct config_env_item *it = &env->items[i];

		/* A list in the environment replaces the top-level list. */
		if (config_key_info(it->key)->type == CFG_T_LIST && !cleared[it->key]) {
			config_slot_clear(&cfg->slot[it->key][CFG_SRC_FILE]);
			cleared[it->key] = true;
		}
		if (config_set_value(cfg, it->key, CFG_SRC_FILE, it->text, it->where, it->line, e) <
		    0)
			return err_prefix(e, "%s:%d", it->where, it->line);
	}
	cfg->envs->selected = xstrdup(env->name);
	cfg->envs->protect = env->protect > 0;
	return 0;
}

size_t
config_env_count(const struct config *cfg)
{
	return cfg->envs != NULL ? cfg->envs->n : 0;
}

const char *
config_env_name(const struct config *cfg, size_t i)
{
	return i < config_env_count(cfg) ? cfg->envs->env[i]->name : NULL;
}

const char *
config_env_selected(const struct config *cfg)
{
	return cfg->envs != NULL ? cfg->envs->selected : NULL;
}

bool
config_env_protected(const struct config *cfg)
{
	return cfg->envs != NULL && cfg->envs->selected != NULL && cfg->envs->protect;
}
