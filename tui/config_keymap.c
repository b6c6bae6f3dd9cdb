/*
 * config_keymap.c - the [keys] section: "action = key, key".
 *
 * Lines are kept as written, in the order loaded (a later line for the same
 * action wins when they are applied); the names are checked as each line
 * is read, so a wrong action or key is a config error with its file and
 * line, at load time (opsdeck config, --check) as well as at start.
 * tui/keys.c applies them (keys_apply_config) when the console starts.
 */
#include <stdlib.h>

#include "config_internal.h"
#include "keys.h"
#include "xalloc.h"

struct config_keymap_line {
	char *action; /* owned: as written ("scale", "overview.scale") */
	char *keys;   /* owned: "x, F2" */
	char *where;  /* owned: the file */
	int line;
};

struct config_keymap {
	struct config_keymap_line *v;
	size_t n, cap;
};

int
config_keymap_key(struct config *cfg, const char *key, const char *value, const char *file,
		  int line, struct err *e)
{
	struct config_keymap *km;
	struct config_keymap_line *l;

	if (keys_check_binding(key, value, file, line, e) < 0)
		return -1;
	if (cfg->keymap == NULL)
		cfg->keymap = xcalloc(1, sizeof *cfg->keymap);
	km = cfg->keymap;
	if (km->n == km->cap) {
		km->cap = km->cap ? 2 * km->cap : 8;
		km->v = xrealloc(km->v, km->cap * sizeof *km->v);
	}
	l = &km->v[km->n++];
	l->action = xstrdup(key);
	l->keys = xstrdup(value);
	l->where = xstrdup(file);
	l->line = line;
	return 0;
}

void
config_keymap_free(struct config *cfg)
{
	size_t i;

	if (cfg->keymap == NULL)
		return;
	for (i = 0; i < cfg->keymap->n; i++) {
		free(cfg->keymap->v[i].action);
		free(cfg->keymap->v[i].keys);
		free(cfg->keymap->v[i].where);
	}
	free(cfg->keymap->v);
	free(cfg->keymap);
	cfg->keymap = NULL;
}

size_t
config_keymap_count(const struct config *cfg)
{
	return cfg != NULL && cfg->keymap != NULL ? cfg->keymap->n : 0;
}

void
config_keymap_at(const struct config *cfg, size_t i, const char **action, const char **keys,
		 const char **where, int *line)
{
	if (i >= config_keymap_count(cfg)) {
		*action = *keys = *where = NULL;
		*line = 0;
		return;
	}
	*action = cfg->keymap->v[i].action;
	*keys = cfg->keymap->v[i].keys;
	*where = cfg->keymap->v[i].where;
	*line = cfg->keymap->v[i].line;
}
