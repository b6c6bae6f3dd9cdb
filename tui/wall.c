#include "wall.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "canvas.h"
#include "parse.h"
#include "text.h"

static const char *const screen_names[WALL_SCREEN_COUNT] = {
	[WALL_OVERVIEW] = "overview", [WALL_ALERTS] = "alerts", [WALL_TOPOLOGY] = "topology",
	[WALL_TRACES] = "traces",     [WALL_LOGS] = "logs",
};

#define KNOWN "overview, alerts, topology, traces, logs"

const char *
wall_screen_name(enum wall_screen s)
{
	return (unsigned)s < WALL_SCREEN_COUNT ? screen_names[s] : "?";
}

int
wall_screens_parse(const char *text, struct wall_rotation *r, struct err *e)
{
	struct wall_rotation out;
	const char *p = text != NULL ? text : "";

	memset(&out, 0, sizeof out);
	for (;;) {
		size_t len;
		int s;

		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		for (s = 0; s < WALL_SCREEN_COUNT; s++)
			if (strlen(screen_names[s]) == len && strncmp(p, screen_names[s], len) == 0)
				break;
		if (s == WALL_SCREEN_COUNT)
			return err_set(e, ERR_CONFIG,
				       "[wall] screens: unknown screen '%.*s' (known: " KNOWN ")",
				       (int)(len > 64 ? 64 : len), p);
		if (out.n == WALL_MAX_SCREENS)
			return err_set(e, ERR_CONFIG, "[wall] screens: more than %d screens",
				       WALL_MAX_SCREENS);
		out.screens[out.n++] = (enum wall_screen)s;
		p += len;
	}
	if (out.n == 0)
		return err_set(e, ERR_CONFIG, "[wall] screens: no screen named (known: " KNOWN ")");
	*r = out;
	return 0;
}

long
wall_rotation_step(const struct wall_rotation *r, const bool avail[WALL_SCREEN_COUNT], size_t from,
		   int dir)
{
	size_t i, n = r->n, at;

	if (n == 0)
		return -1;
	at = from % n;
	if (dir == 0) {
		if (avail[r->screens[at]])
			return (long)at;
		dir = 1;
	}
	for (i = 0; i < n; i++) {
		at = dir > 0 ? (at + 1) % n : (at + n - 1) % n;
		if (avail[r->screens[at]])
			return (long)at;
	}
	return -1;
}

void
wall_skipped_text(const struct wall_rotation *r, const bool avail[WALL_SCREEN_COUNT], char *out,
		  size_t n)
{
	size_t i, o = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < r->n; i++) {
		const char *name = screen_names[r->screens[i]];
		size_t j;
		bool dup = false;

		if (avail[r->screens[i]])
			continue;
		for (j = 0; j < i; j++)
			dup = dup || r->screens[j] == r->screens[i];
		if (dup)
			continue;
		o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s", o > 0 ? ", " : "", name);
		if (o >= n)
			return;
	}
}

bool
wall_on_demand(const char *name)
{
	return strcmp(name, "zipkin") == 0;
}

enum wall_fresh
wall_backend_fresh(const struct backend_state *b, double now, double stale_after, double started,
		   double *age)
{
	double a = b->ever_ok ? now - b->last_ok : -1.0;

	if (a < -0.0 && b->ever_ok)
		a = 0; /* the clock went back: not stale for that */
	if (age != NULL)
		*age = a;
	if (!b->ever_ok)
		return now - started > stale_after && (b->polls > 0 || !wall_on_demand(b->name))
			       ? WALL_FRESH_STALE
			       : WALL_FRESH_WAITING;
	if (a <= stale_after)
		return WALL_FRESH_OK;
	/* Zipkin is asked only while its screen shows: old data is not stale data. */
	if (wall_on_demand(b->name) && b->ok)
		return WALL_FRESH_OK;
	return WALL_FRESH_STALE;
}

void
wall_age_text(double seconds, char *out, size_t n)
{
	long long s = seconds > 0 ? (long long)floor(seconds) : 0;

	if (s < 60)
		snprintf(out, n, "%llds", s);
	else
		format_duration_ms(s * 1000, out, n);
}

void
wall_backend_text(const struct backend_state *b, enum wall_fresh f, double age, char *out, size_t n)
{
	char a[32];

	if (age < 0) {
		snprintf(out, n, "%s %s", b->name, f == WALL_FRESH_STALE ? "never STALE" : "...");
		return;
	}
	wall_age_text(age, a, sizeof a);
	snprintf(out, n, "%s %s%s", b->name, a, f == WALL_FRESH_STALE ? " STALE" : "");
}

/* The backend's last error without its own name in front ("prometheus: ..."). */
static const char *
bare_error(const struct backend_state *b)
{
	const char *m = b->err.msg;
	size_t nl = strlen(b->name);

	if (strncmp(m, b->name, nl) == 0 && m[nl] == ':' && m[nl + 1] == ' ')
		m += nl + 2;
	return m;
}

size_t
wall_stale_banner(const struct model *m, double now, double stale_after, double started, char *out,
		  size_t n)
{
	size_t i, nstale = 0, o = 0;

	if (n == 0)
		return 0;
	out[0] = '\0';
	for (i = 0; i < model_nbackends(m); i++) {
		const struct backend_state *b = model_backend_at(m, i);
		double age;
		char a[32], why[ERR_MSG_MAX + 8] = "";

		if (wall_backend_fresh(b, now, stale_after, started, &age) != WALL_FRESH_STALE)
			continue;
		if (!b->ok && b->err.msg[0] != '\0')
			snprintf(why, sizeof why, " (%s)", bare_error(b));
		else if (b->ok)
			snprintf(why, sizeof why, " (no answer since)");
		if (age >= 0) {
			wall_age_text(age, a, sizeof a);
			o += (size_t)snprintf(out + o, o < n ? n - o : 0,
					      "%s%s last answered %s ago%s",
					      nstale ? "; " : "DATA STALE: ", b->name, a, why);
		} else {
			o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s never answered%s",
					      nstale ? "; " : "DATA STALE: ", b->name, why);
		}
		nstale++;
		if (o >= n)
			o = n; /* cut: the rest does not fit anyway */
	}
	return nstale;
}

/* "HighErrorRate payments" (or the name alone) into out. */
static void
alert_label(const struct alert *al, char *out, size_t n)
{
	if (al->service != NULL && al->service[0] != '\0')
		snprintf(out, n, "%s %s", al->name != NULL ? al->name : "?", al->service);
	else
		snprintf(out, n, "%s", al->name != NULL ? al->name : "?");
}

size_t
wall_alerts_banner(const struct model *m, int cols, char *out, size_t n, int *role)
{
	size_t nall, i, firing, shown = 0;
	const struct alert *al = model_alerts(m, &nall);
	int worst = 0;
	struct buf b;
	char head[64], more[32], one[512];

	if (n > 0)
		out[0] = '\0';
	firing = model_firing_alerts(m, &worst);
	if (role != NULL)
		*role = worst >= 3 ? ROLE_CRIT : ROLE_WARN;
	if (firing == 0 || n == 0)
		return firing;
	snprintf(head, sizeof head, "%zu ALERT%s FIRING: ", firing, firing == 1 ? "" : "S");
	buf_init(&b);
	buf_printf(&b, "%s", head);
	for (i = 0; i < nall; i++) {
		int w;

		if (al[i].state != ALERT_FIRING)
			continue;
		alert_label(&al[i], one, sizeof one);
		snprintf(more, sizeof more, ", +%zu more", firing - shown - 1);
		w = text_width(b.data) + (shown ? 2 : 0) + text_width(one);
		/* Room for this one, and for "+N more" after it unless it is the last. */
		if (shown > 0 && cols > 0 &&
		    w + (shown + 1 < firing ? text_width(more) : 0) > cols) {
			snprintf(more, sizeof more, ", +%zu more", firing - shown);
			buf_printf(&b, "%s", more);
			break;
		}
		buf_printf(&b, "%s%s", shown ? ", " : "", one);
		shown++;
	}
	snprintf(out, n, "%s", b.data);
	buf_done(&b);
	return firing;
}
