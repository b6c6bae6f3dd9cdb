/*
 * app_env.c - ":env NAME".  (First version: refused.)
 */
#include "app_internal.h"

#include <string.h>

bool
app_env_command(struct app *a, const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "env") != 0)
		return false;
	app_show_error(a, "env: no environments in this build");
	return true;
}
