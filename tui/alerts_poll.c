/*
 * alerts_poll.c - rounds of Prometheus' and Alertmanager's alerts and
 * Alertmanager's silences, merged into the model; the silence POST.
 */
#include "alerts_poll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller.h"
#include "prometheus.h"
#include "xalloc.h"

enum req_kind { REQ_PROM, REQ_AM_ALERTS, REQ_AM_SILENCES, REQ_SILENCE, REQ_COUNT };

struct req {
	struct alerts_poll *p;
	enum req_kind kind;
	bool inflight;
};

struct alerts_poll {
	struct http *http;
	struct model *model;
	struct alerts_settings s;
	struct req req[REQ_COUNT];
	double next_due; /* monotonic */
	bool again;      /* refresh asked while a round was in flight */
	bool changed;
	/* the round in flight: what arrived */
	bool got_prom, got_am_alerts, got_am_silences;
	struct prom_alert *r_pa;
	size_t r_npa;
	struct am_alert *r_aa;
	size_t r_naa;
	struct am_silence *r_sil;
	size_t r_nsil;
	struct err r_prom_err, r_am_err;
	long r_am_latency;
	/* the last good answers */
	struct prom_alert *pa;
	size_t npa;
	struct am_alert *aa;
	size_t naa;
	struct am_silence *sil;
	size_t nsil;
	struct alerts_status st;
	/* the silence posted */
	bool silence_done, silence_ok;
	char silence_id[128];
	struct err silence_err;
};

struct alerts_poll *
alerts_poll_new(struct http *http, struct model *model, const struct alerts_settings *s)
{
	struct alerts_poll *p = xcalloc(1, sizeof *p);
	int k;

	p->http = http;
	p->model = model;
	p->s = *s;
	for (k = 0; k < REQ_COUNT; k++) {
		p->req[k].p = p;
		p->req[k].kind = (enum req_kind)k;
	}
	p->st.prometheus = s->prometheus;
	p->st.alertmanager = s->alertmanager;
	p->st.am_url = s->am_url;
	return p;
}

static void
round_clear(struct alerts_poll *p)
{
	prometheus_alerts_free(p->r_pa, p->r_npa);
	alertmanager_alerts_free(p->r_aa, p->r_naa);
	alertmanager_silences_free(p->r_sil, p->r_nsil);
	p->r_pa = NULL;
	p->r_aa = NULL;
	p->r_sil = NULL;
	p->r_npa = p->r_naa = p->r_nsil = 0;
	p->got_prom = p->got_am_alerts = p->got_am_silences = false;
	err_clear(&p->r_prom_err);
	err_clear(&p->r_am_err);
	p->r_am_latency = 0;
}

void
alerts_poll_free(struct alerts_poll *p)
{
	if (p == NULL)
		return;
	round_clear(p);
	prometheus_alerts_free(p->pa, p->npa);
	alertmanager_alerts_free(p->aa, p->naa);
	alertmanager_silences_free(p->sil, p->nsil);
	free(p);
}

static bool
any_inflight(const struct alerts_poll *p)
{
	return p->req[REQ_PROM].inflight || p->req[REQ_AM_ALERTS].inflight ||
	       p->req[REQ_AM_SILENCES].inflight;
}

/* The backend "alerts" exists (it failed once): then it is kept honest. */
static bool
have_backend(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < model_nbackends(m); i++)
		if (strcmp(model_backend_at(m, i)->name, name) == 0)
			return true;
	return false;
}

/* Every answer of the round is in: keep the good ones, merge, tell the model. */
static void
round_end(struct alerts_poll *p)
{
	double now = poller_wall_now();
	struct alerts_merge_opts o;
	struct alert *rows;
	size_t n;

	if (p->s.prometheus) {
		if (p->got_prom) {
			prometheus_alerts_free(p->pa, p->npa);
			p->pa = p->r_pa;
			p->npa = p->r_npa;
			p->r_pa = NULL;
			p->r_npa = 0;
			err_clear(&p->st.prom_err);
			p->st.prom_ok_at = now;
			if (have_backend(p->model, "alerts"))
				model_backend_ok(p->model, "alerts", 0, now);
		} else {
			p->st.prom_err = p->r_prom_err;
			model_backend_fail(p->model, "alerts", &p->r_prom_err, now);
		}
	}
	if (p->s.alertmanager) {
		if (p->got_am_alerts && p->got_am_silences) {
			alertmanager_alerts_free(p->aa, p->naa);
			alertmanager_silences_free(p->sil, p->nsil);
			p->aa = p->r_aa;
			p->naa = p->r_naa;
			p->sil = p->r_sil;
			p->nsil = p->r_nsil;
			p->r_aa = NULL;
			p->r_sil = NULL;
			p->r_naa = p->r_nsil = 0;
			err_clear(&p->st.am_err);
			p->st.am_ok_at = now;
			model_backend_ok(p->model, "alertmanager", p->r_am_latency, now);
		} else {
			p->st.am_err = p->r_am_err;
			model_backend_fail(p->model, "alertmanager", &p->r_am_err, now);
		}
	}
	round_clear(p);
	memset(&o, 0, sizeof o);
	o.service_labels = p->s.service_labels;
	o.nservice_labels = p->s.nservice_labels;
	o.display_name = p->s.display_name;
	o.ud = p->s.ud;
	rows = alertmanager_merge(p->pa, p->npa, p->aa, p->naa, p->sil, p->nsil, &o, &n);
	model_set_alerts(p->model, rows, n);
	p->st.have = true;
	p->changed = true;
}

static void
done(void *ud, const struct http_response *r)
{
	struct req *q = ud;
	struct alerts_poll *p = q->p;
	struct err e;

	q->inflight = false;
	err_clear(&e);
	switch (q->kind) {
	case REQ_PROM:
		if (r->err.code != ERR_OK)
			p->r_prom_err = r->err;
		else if (prometheus_parse_alerts(r->status, r->body, r->len, &p->r_pa, &p->r_npa,
						 &p->r_prom_err) == 0)
			p->got_prom = true;
		break;
	case REQ_AM_ALERTS:
	case REQ_AM_SILENCES:
		if (r->err.code != ERR_OK)
			e = r->err;
		else if (q->kind == REQ_AM_ALERTS &&
			 alertmanager_parse_alerts(r->status, r->body, r->len, &p->r_aa, &p->r_naa,
						   &e) == 0)
			p->got_am_alerts = true;
		else if (q->kind == REQ_AM_SILENCES &&
			 alertmanager_parse_silences(r->status, r->body, r->len, &p->r_sil,
						     &p->r_nsil, &e) == 0)
			p->got_am_silences = true;
		if (e.code != ERR_OK && p->r_am_err.code == ERR_OK)
			p->r_am_err = e;
		if (r->latency_ms > p->r_am_latency)
			p->r_am_latency = r->latency_ms;
		break;
	case REQ_SILENCE:
		p->silence_done = true;
		p->silence_ok = false;
		if (r->err.code != ERR_OK)
			p->silence_err = r->err;
		else if (alertmanager_parse_silence_id(r->status, r->body, r->len, p->silence_id,
						       sizeof p->silence_id, &p->silence_err) == 0)
			p->silence_ok = true;
		p->changed = true;
		return;
	default:
		return;
	}
	if (!any_inflight(p))
		round_end(p);
}

static void
submit(struct alerts_poll *p, enum req_kind k, const struct http_endpoint *ep, const char *path)
{
	struct err e;

	if (http_submit(p->http, ep, HTTP_GET, path, NULL, true, done, &p->req[k], &e) < 0) {
		if (k == REQ_PROM)
			p->r_prom_err = e;
		else if (p->r_am_err.code == ERR_OK)
			p->r_am_err = e;
		return;
	}
	p->req[k].inflight = true;
}

static void
round_start(struct alerts_poll *p, double mono)
{
	char *path;

	round_clear(p);
	p->next_due = mono + (double)p->s.refresh_ms / 1000.0;
	p->again = false;
	if (p->s.prometheus) {
		path = prometheus_alerts_path();
		submit(p, REQ_PROM, &p->s.prom_ep, path);
		free(path);
	}
	if (p->s.alertmanager) {
		submit(p, REQ_AM_ALERTS, &p->s.am_ep, alertmanager_alerts_path());
		submit(p, REQ_AM_SILENCES, &p->s.am_ep, alertmanager_silences_path());
	}
	if (!any_inflight(p))
		round_end(p); /* every submit failed at once */
}

void
alerts_poll_refresh_now(struct alerts_poll *p)
{
	if (any_inflight(p))
		p->again = true;
	else
		p->next_due = 0;
}

bool
alerts_poll_tick(struct alerts_poll *p, double mono)
{
	bool changed;

	if (p->again && !any_inflight(p)) {
		p->again = false;
		p->next_due = 0;
	}
	if ((p->s.prometheus || p->s.alertmanager) && !any_inflight(p) && mono >= p->next_due)
		round_start(p, mono);
	changed = p->changed;
	p->changed = false;
	return changed;
}

long
alerts_poll_next_due_ms(const struct alerts_poll *p, double mono)
{
	double d;

	if (!p->s.prometheus && !p->s.alertmanager)
		return 60000;
	if (any_inflight(p))
		return 60000; /* the answers wake the loop */
	if (p->again)
		return 0;
	d = (p->next_due - mono) * 1000.0;
	return d <= 0 ? 0 : d > 60000 ? 60000 : (long)d + 1;
}

void
alerts_poll_timed_out(struct alerts_poll *p, const struct err *e)
{
	double now = poller_wall_now();

	if (p->req[REQ_PROM].inflight) {
		p->st.prom_err = *e;
		model_backend_fail(p->model, "alerts", e, now);
	}
	if (p->req[REQ_AM_ALERTS].inflight || p->req[REQ_AM_SILENCES].inflight) {
		p->st.am_err = *e;
		model_backend_fail(p->model, "alertmanager", e, now);
	}
}

bool
alerts_poll_busy(const struct alerts_poll *p)
{
	return any_inflight(p) || !p->st.have;
}

const struct alerts_status *
alerts_poll_status(const struct alerts_poll *p)
{
	return &p->st;
}

const struct alerts_settings *
alerts_poll_settings(const struct alerts_poll *p)
{
	return &p->s;
}

const struct am_silence *
alerts_poll_silences(const struct alerts_poll *p, size_t *n)
{
	*n = p->nsil;
	return p->sil;
}

int
alerts_poll_silence(struct alerts_poll *p, const char *body, struct err *e)
{
	if (!p->s.alertmanager)
		return err_set(e, ERR_CONFIG,
			       "no Alertmanager to silence in: set [alertmanager] url (or "
			       "--alertmanager URL)");
	if (p->req[REQ_SILENCE].inflight)
		return err_set(e, ERR_USAGE, "a silence is already being created; wait for it");
	p->silence_done = false;
	err_clear(&p->silence_err);
	p->silence_id[0] = '\0';
	if (http_submit(p->http, &p->s.am_ep, HTTP_POST, alertmanager_silences_path(), body, false,
			done, &p->req[REQ_SILENCE], e) < 0)
		return -1;
	p->req[REQ_SILENCE].inflight = true;
	return 0;
}

bool
alerts_poll_take_silence(struct alerts_poll *p, bool *ok, char *id, size_t n, struct err *e)
{
	if (!p->silence_done)
		return false;
	p->silence_done = false;
	*ok = p->silence_ok;
	snprintf(id, n, "%s", p->silence_id);
	*e = p->silence_err;
	return true;
}
