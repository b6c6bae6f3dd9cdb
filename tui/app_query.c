/*
 * app_query.c - the Query screen: ad-hoc PromQL.  (First version: empty.)
 */
#include "app_internal.h"

void
app_query_start(struct app *a)
{
	(void)a;
}
void
app_query_stop(struct app *a)
{
	(void)a;
}
void
app_query_open(struct app *a, const char *expr)
{
	(void)expr;
	app_set_message(a, ROLE_DIM, "%s", "query: not in this build");
}
bool
app_query_key(struct app *a, enum action act)
{
	(void)a, (void)act;
	return false;
}
void
app_query_accept_input(struct app *a)
{
	(void)a;
}
void
app_query_recall(struct app *a, int dir)
{
	(void)a, (void)dir;
}
bool
app_query_command(struct app *a, const char *verb, const char *line)
{
	(void)a, (void)verb, (void)line;
	return false;
}
bool
app_query_tick(struct app *a, double mono)
{
	(void)a, (void)mono;
	return false;
}
long
app_query_next_due_ms(const struct app *a, double mono, long t)
{
	(void)a, (void)mono;
	return t;
}
void
app_query_render(struct app *a, struct render_state *rs)
{
	(void)a, (void)rs;
}
void
app_query_closed(struct app *a)
{
	(void)a;
}
