/*
 * config_env.c - [env "NAME"] sections: environments, each with its own
 * backends.  (First version: sections are refused; see config.h.)
 */
#include "config_internal.h"

#include <stdlib.h>

int
config_env_key(struct config *cfg, const char *sub, const char *key, const char *value,
	       const char *file, int line, struct err *e)
{
	(void)cfg, (void)sub, (void)key, (void)value;
	return err_set(e, ERR_CONFIG, "%s:%d: [env] sections are not read by this build", file,
		       line);
}

void
config_env_free(struct config *cfg)
{
	(void)cfg;
}

int
config_select_env(struct config *cfg, const char *name, struct err *e)
{
	(void)cfg;
	if (name == NULL || *name == '\0')
		return 0;
	return err_set(e, ERR_CONFIG, "no environment named '%s'", name);
}

size_t
config_env_count(const struct config *cfg)
{
	(void)cfg;
	return 0;
}

const char *
config_env_name(const struct config *cfg, size_t i)
{
	(void)cfg, (void)i;
	return NULL;
}

const char *
config_env_selected(const struct config *cfg)
{
	(void)cfg;
	return NULL;
}

bool
config_env_protected(const struct config *cfg)
{
	(void)cfg;
	return false;
}
