/*
 * app_alerts.c - the Alerts screen, the Overview's alert marks and
 * silences.  (First version: no alerts are polled yet.)
 */
#include "app_internal.h"

void
app_alerts_start(struct app *a)
{
	(void)a;
}
void
app_alerts_stop(struct app *a)
{
	(void)a;
}
void
app_alerts_open(struct app *a)
{
	app_set_message(a, ROLE_DIM, "%s", "alerts: not in this build");
}
bool
app_alerts_modal_key(struct app *a, int key)
{
	(void)a, (void)key;
	return false;
}
bool
app_alerts_key(struct app *a, enum action act)
{
	(void)a, (void)act;
	return false;
}
void
app_alerts_accept_input(struct app *a)
{
	(void)a;
}
bool
app_alerts_command(struct app *a, const char *verb, const char *line)
{
	(void)a, (void)verb, (void)line;
	return false;
}
bool
app_alerts_tick(struct app *a, double mono)
{
	(void)a, (void)mono;
	return false;
}
long
app_alerts_next_due_ms(const struct app *a, double mono, long t)
{
	(void)a, (void)mono;
	return t;
}
void
app_alerts_refresh_now(struct app *a)
{
	(void)a;
}
void
app_alerts_render(struct app *a, struct render_state *rs)
{
	(void)a, (void)rs;
}
void
app_alerts_closed(struct app *a)
{
	(void)a;
}
