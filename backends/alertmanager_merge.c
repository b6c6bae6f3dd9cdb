/*
 * alertmanager_merge.c - Prometheus' and Alertmanager's alerts as one list
 * of model rows: one row per label set.
 */
#include "alertmanager.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

/* The label set as one comparable string: name=value pairs, NUL-separated. */
static char *
label_key(const struct prom_label *l, size_t n, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		buf_puts(&b, l[i].name);
		buf_putc(&b, '\0');
		buf_puts(&b, l[i].value);
		buf_putc(&b, '\0');
	}
	*len = b.len;
	if (b.data == NULL)
		buf_putc(&b, '\0');
	return buf_steal(&b);
}

/* FNV-1a of the key, as 16 hex digits: the fingerprint of a Prometheus-only alert. */
static char *
key_hash(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return xasprintf("%016llx", (unsigned long long)h);
}

static const char *
summary_of(const struct prom_label *ann, size_t n)
{
	const char *s = prom_label_get(ann, n, "summary");

	if (s == NULL || s[0] == '\0')
		s = prom_label_get(ann, n, "description");
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? xstrdup(s) : NULL;
}

/* Fill the parts of a row both sources have: labels, name, service, severity, summary. */
static void
fill_common(struct alert *r, const struct prom_label *l, size_t nl, const struct prom_label *ann,
	    size_t nann, const struct alerts_merge_opts *o)
{
	size_t i;
	const char *svc = NULL;

	r->nlabels = nl;
	r->labels = nl > 0 ? xcalloc(2 * nl, sizeof *r->labels) : NULL;
	for (i = 0; i < nl; i++) {
		r->labels[2 * i] = xstrdup(l[i].name);
		r->labels[2 * i + 1] = xstrdup(l[i].value);
	}
	r->name = xstrdup(prom_label_get(l, nl, "alertname") ? prom_label_get(l, nl, "alertname")
							     : "");
	for (i = 0; o != NULL && i < o->nservice_labels && svc == NULL; i++) {
		svc = prom_label_get(l, nl, o->service_labels[i]);
		if (svc != NULL && svc[0] == '\0')
			svc = NULL;
	}
	if (svc != NULL && o->display_name != NULL)
		svc = o->display_name(o->ud, svc);
	r->service = dup_or_null(svc);
	r->severity = dup_or_null(prom_label_get(l, nl, "severity"));
	r->summary = dup_or_null(summary_of(ann, nann));
}

double
alertmanager_silence_end(const char *ids, const struct am_silence *sil, size_t nsil)
{
	double end = 0;
	size_t i;

	if (ids == NULL)
		return 0;
	while (*ids != '\0') {
		size_t n = strcspn(ids, ",");

		for (i = 0; i < nsil; i++)
			if (sil[i].state != AM_SILENCE_EXPIRED && strlen(sil[i].id) == n &&
			    strncmp(sil[i].id, ids, n) == 0 && sil[i].ends_at > end)
				end = sil[i].ends_at;
		ids += n;
		if (*ids == ',')
			ids++;
	}
	return end;
}

struct alert *
alertmanager_merge(const struct prom_alert *pa, size_t npa, const struct am_alert *aa, size_t naa,
		   const struct am_silence *sil, size_t nsil, const struct alerts_merge_opts *o,
		   size_t *n)
{
	struct alert *out = NULL;
	char **akeys = NULL;
	size_t *aklen = NULL;
	bool *used = NULL;
	size_t i, j, cnt = 0;

	*n = 0;
	if (npa + naa == 0)
		return NULL;
	out = xcalloc(npa + naa, sizeof *out);
	if (naa > 0) {
		akeys = xcalloc(naa, sizeof *akeys);
		aklen = xcalloc(naa, sizeof *aklen);
		used = xcalloc(naa, sizeof *used);
	}
	for (j = 0; j < naa; j++)
		akeys[j] = label_key(aa[j].labels, aa[j].nlabels, &aklen[j]);
	/* Alertmanager's alerts: its state wins (silences live there). */
	for (j = 0; j < naa; j++) {
		const struct am_alert *x = &aa[j];
		struct alert *r = &out[cnt++];

		fill_common(r, x->labels, x->nlabels, x->annotations, x->nannotations, o);
		r->state = x->state == AM_SUPPRESSED ? ALERT_SILENCED : ALERT_FIRING;
		r->since = x->starts_at;
		r->source = xstrdup("alertmanager");
		r->fingerprint = x->fingerprint[0] != '\0' ? xstrdup(x->fingerprint)
							   : key_hash(akeys[j], aklen[j]);
		if (x->nsilenced_by > 0) {
			struct buf b;
			size_t k;

			buf_init(&b);
			for (k = 0; k < x->nsilenced_by; k++) {
				if (k > 0)
					buf_putc(&b, ',');
				buf_puts(&b, x->silenced_by[k]);
			}
			r->silenced_by = buf_steal(&b);
			r->silence_ends = alertmanager_silence_end(r->silenced_by, sil, nsil);
		}
	}
	for (i = 0; i < npa; i++) {
		const struct prom_alert *p = &pa[i];
		size_t klen;
		char *key;
		struct alert *r = NULL;

		if (p->state == PROM_ALERT_INACTIVE)
			continue;
		key = label_key(p->labels, p->nlabels, &klen);
		for (j = 0; j < naa; j++)
			if (!used[j] && aklen[j] == klen && memcmp(akeys[j], key, klen) == 0) {
				used[j] = true;
				r = &out[j];
				break;
			}
		if (r != NULL) {
			free(r->source);
			r->source = xstrdup("both");
			if (p->active_at > 0 && (r->since <= 0 || p->active_at < r->since))
				r->since = p->active_at;
			if (r->summary == NULL)
				r->summary =
					dup_or_null(summary_of(p->annotations, p->nannotations));
		} else {
			r = &out[cnt++];
			fill_common(r, p->labels, p->nlabels, p->annotations, p->nannotations, o);
			r->state = p->state == PROM_ALERT_FIRING ? ALERT_FIRING : ALERT_PENDING;
			r->since = p->active_at;
			r->source = xstrdup("prometheus");
			r->fingerprint = key_hash(key, klen);
		}
		free(key);
	}
	for (j = 0; j < naa; j++)
		free(akeys[j]);
	free(akeys);
	free(aklen);
	free(used);
	if (cnt == 0) {
		free(out);
		return NULL;
	}
	*n = cnt;
	return out;
}
