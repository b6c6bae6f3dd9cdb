/*
 * bench_wall.c - the wall monitor's soak, in process: 10,000 rotations.
 *
 * A model of 200 services (5 metrics, 60 points) goes through what weeks
 * on a wall do to it, one rotation at a time: a refresh round (every
 * metric applied, a point appended to every ring), Prometheus failing for
 * 40 rounds out of every 400 (the stale banner comes and goes), a new set
 * of 0 to 6 alerts (the alerts banner), the Overview opened and closed as
 * the rotation shows it, the header's freshness and both banners composed
 * (tui/wall.h) and the whole wall frame rendered at 120x40, density
 * compact and large in turn.  Figures: ms per rotation, VmRSS after 1,000
 * and after 10,000 rotations and the growth between them (which must stay
 * at about zero: nothing accumulates per rotation), model_bytes().
 *
 *   FIGURE<TAB>name<TAB>value<TAB>unit<TAB>what it measures
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "model.h"
#include "render.h"
#include "screens/overview.h"
#include "view.h"
#include "wall.h"
#include "xalloc.h"
#include "bench.h"

#define NSERVICES 200
#define POINTS 60
#define ROTATIONS 10000
#define WARM 1000
#define T0 1795390960.0

static long
proc_status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(key);
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, n) == 0) {
			kb = strtol(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* One refresh round: every metric of every service, a point on every ring. */
static void
refresh(struct model *m, char **names, double *values, size_t k, double now)
{
	size_t i;
	int mt;

	for (mt = 0; mt < METRIC_COUNT; mt++) {
		for (i = 0; i < NSERVICES; i++)
			values[i] = 1.0 + (double)(i % 50) + sin((double)(i + k) * 0.1) +
				    (mt == METRIC_ERRORS ? -0.99 : 0.0);
		model_apply_metric(m, (enum metric)mt, (const char *const *)names, values,
				   NSERVICES, now);
		for (i = 0; i < NSERVICES; i++)
			model_append_point(m, model_service_at(m, i), (enum metric)mt, now,
					   values[i]);
	}
}

/* 0 to 6 alerts, fresh strings each round, as the alerts poller hands them over. */
static void
alerts(struct model *m, size_t k, double now)
{
	static const char *const sev[] = { "critical", "warning", "info" };
	size_t n = k % 7, i;
	struct alert *a = n ? xcalloc(n, sizeof *a) : NULL;
	char name[64];

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "Alert%zu", (k + i) % 13);
		a[i].name = xstrdup(name);
		snprintf(name, sizeof name, "svc%05zu", (k * 7 + i) % NSERVICES);
		a[i].service = xstrdup(name);
		a[i].severity = xstrdup(sev[(k + i) % 3]);
		a[i].state = (k + i) % 5 == 0 ? ALERT_PENDING : ALERT_FIRING;
		a[i].since = now - 60.0 * (double)i;
		a[i].source = xstrdup("alertmanager");
		snprintf(name, sizeof name, "%016zx", k * 31 + i);
		a[i].fingerprint = xstrdup(name);
	}
	model_set_alerts(m, a, n);
}

int
main(void)
{
	static const struct thresholds th = { 0.01, 0.05, 0.5, 1.0 };
	static const char *const positions[] = { "1/3", "2/3", "3/3" };
	struct model *m = model_new(POINTS, 100000);
	struct canvas *c = canvas_new(120, 40);
	char **names = xcalloc(NSERVICES, sizeof *names);
	double *values = xcalloc(NSERVICES, sizeof *values), now = T0, t0, took = 0;
	char stale[2048], firing[1024];
	long rss_warm = -1, rss_end, hwm;
	size_t i, k, nstale = 0, nfiring = 0;
	struct err e;

	for (i = 0; i < NSERVICES; i++) {
		names[i] = xcalloc(16, 1);
		snprintf(names[i], 16, "svc%05zu", i);
	}
	for (k = 0; k < POINTS; k++)
		refresh(m, names, values, k, now += 1.0);
	model_backend_ok(m, "prometheus", 12, now);
	model_backend_ok(m, "alertmanager", 8, now);
	err_set(&e, ERR_CONNECT,
		"prometheus: cannot connect to http://127.0.0.1:9090 "
		"(Connection refused)");
	for (k = 0; k < ROTATIONS; k++) {
		struct overview *ov = overview_new(); /* the screen, opened for its turn */
		struct render_state rs;
		struct view_ctx v;
		int role = ROLE_CRIT;

		if (k == WARM)
			rss_warm = proc_status_kb("VmRSS:");
		t0 = mono_ms();
		now += 2.0;
		refresh(m, names, values, POINTS + k, now);
		if (k % 400 < 40)
			model_backend_fail(m, "prometheus", &e, now);
		else
			model_backend_ok(m, "prometheus", 12, now);
		model_backend_ok(m, "alertmanager", 8, now);
		alerts(m, k, now);
		memset(&v, 0, sizeof v);
		v.model = m;
		v.th = &th;
		v.now = now;
		v.stale_after = 6.0;
		v.prometheus = true;
		v.wall = true;
		v.large = k % 2 == 1;
		v.wall_position = positions[k % 3];
		v.wall_progress = 0.5;
		v.wall_started = T0;
		v.env_name = "prod";
		memset(&rs, 0, sizeof rs);
		rs.overview = ov;
		rs.hint = "? keys  q quit ";
		rs.large = v.large;
		if (wall_stale_banner(m, now, v.stale_after, T0, stale, sizeof stale) > 0) {
			rs.banner = stale;
			rs.banner_role = ROLE_CRIT;
			nstale++;
		}
		if (wall_alerts_banner(m, c->w - 2, firing, sizeof firing, &role) > 0) {
			if (rs.banner == NULL) {
				rs.banner = firing;
				rs.banner_role = role;
			} else {
				rs.banner2 = firing;
				rs.banner2_role = role;
			}
			nfiring++;
		}
		render_screen(c, &v, &rs);
		overview_free(ov); /* ... and closed when the next one comes */
		took += mono_ms() - t0;
	}
	rss_end = proc_status_kb("VmRSS:");
	hwm = proc_status_kb("VmHWM:");
	figure("wall rotation", took / ROTATIONS, "ms",
	       "one rotation: refresh of 200 services, alerts, banners, 120x40 frame (mean)");
	figure("wall RSS after 1,000 rotations", (double)rss_warm / 1024.0, "MiB", "VmRSS");
	figure("wall RSS after 10,000 rotations", (double)rss_end / 1024.0, "MiB",
	       "VmRSS: must equal the one above (nothing accumulates per rotation)");
	figure("wall RSS growth 1k-10k", (double)(rss_end - rss_warm), "KiB",
	       "VmRSS after 10,000 minus after 1,000 rotations");
	figure("wall VmHWM", (double)hwm / 1024.0, "MiB", "peak RSS of the soak");
	figure("wall model_bytes", (double)model_bytes(m) / 1048576.0, "MiB",
	       "heap held by the model after the soak (200 services, 60 points)");
	figure("wall banners shown", (double)(nstale + nfiring), "frames",
	       "frames with a stale or an alerts banner (both exercised)");
	for (i = 0; i < NSERVICES; i++)
		free(names[i]);
	free(names);
	free(values);
	canvas_free(c);
	model_free(m);
	return nstale > 0 && nfiring > 0 ? 0 : 1;
}
