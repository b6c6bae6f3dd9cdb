/*
 * app_wall.c - --wall.  (First version: only its keys.)
 */
#include "app_internal.h"

void
app_wall_start(struct app *a)
{
	(void)a;
}
void
app_wall_stop(struct app *a)
{
	(void)a;
}
bool
app_wall_key(struct app *a, int key)
{
	enum action act = keys_lookup(CTX_WALL, key);

	if (act == ACT_QUIT)
		a->quit = true;
	return act != ACT_NONE;
}
bool
app_wall_tick(struct app *a, double mono)
{
	(void)a, (void)mono;
	return false;
}
long
app_wall_next_due_ms(const struct app *a, double mono, long t)
{
	(void)a, (void)mono;
	return t;
}
void
app_wall_render(struct app *a, struct render_state *rs)
{
	(void)a, (void)rs;
}
