/*
 * config_keymap.c - the [keys] section: "action = key, key".
 * (First version: the section is refused; see config.h.)
 */
#include "config_internal.h"

int
config_keymap_key(struct config *cfg, const char *key, const char *value, const char *file,
		  int line, struct err *e)
{
	(void)cfg, (void)key, (void)value;
	return err_set(e, ERR_CONFIG, "%s:%d: [keys] is not read by this build", file, line);
}

void
config_keymap_free(struct config *cfg)
{
	(void)cfg;
}

size_t
config_keymap_count(const struct config *cfg)
{
	(void)cfg;
	return 0;
}

void
config_keymap_at(const struct config *cfg, size_t i, const char **action, const char **keys,
		 const char **where, int *line)
{
	(void)cfg, (void)i;
	*action = *keys = *where = NULL;
	*line = 0;
}
