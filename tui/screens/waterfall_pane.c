#include "waterfall_pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "traces_style.h"
#include "xalloc.h"

#define KEY_MAX_W 28 /* a longer tag key puts its value on the rows below */

/* The rows still free in out from y, keeping one for a "more" note. */
static bool
room(const struct canvas *out, int y)
{
	return y < out->h - 1;
}

static void
endpoint_text(const struct zk_endpoint *ep, char *out, size_t n)
{
	char addr[96] = "";

	if (ep->ipv4 != NULL)
		snprintf(addr, sizeof addr, "%s", ep->ipv4);
	else if (ep->ipv6 != NULL)
		snprintf(addr, sizeof addr, ep->port > 0 ? "[%s]" : "%s", ep->ipv6);
	if (ep->port > 0) {
		size_t l = strlen(addr);

		snprintf(addr + l, sizeof addr - l, ":%d", ep->port);
	}
	snprintf(out, n, "%s%s%s", ep->service != NULL ? ep->service : "",
		 ep->service != NULL && addr[0] != '\0' ? " " : "", addr);
}

static bool
endpoint_empty(const struct zk_endpoint *ep)
{
	return ep->service == NULL && ep->ipv4 == NULL && ep->ipv6 == NULL && ep->port == 0;
}

/* A heading ("tags (3)") on its own row. */
static int
heading(struct canvas *out, int y, const char *title, size_t n)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%s (%zu)", title, n);
	text_draw(out, 0, y, out->w, buf, ROLE_HEADER, ATTR_BOLD);
	return y + 1;
}

/* key: value with the value wrapped at kw; a key wider than kw puts the value below. */
static int
key_value(struct canvas *out, int y, int kw, const char *key, const char *value, enum role kr,
	  enum role vr)
{
	struct rect vrect;
	int rows;

	text_draw(out, 1, y, out->w - 1, key, kr, ATTR_NONE);
	if (text_width(key) + 2 > kw) {
		y++;
		vrect = (struct rect){ 3, y, out->w - 3, out->h - 1 - y };
	} else {
		vrect = (struct rect){ kw + 1, y, out->w - kw - 1, out->h - 1 - y };
	}
	if (vrect.w < 1 || vrect.h < 1)
		return y + 1;
	rows = text_draw_wrapped(out, vrect, value != NULL ? value : "", vr, ATTR_NONE);
	return y + (rows > 0 ? rows : 1);
}

/* Tags by key; equal keys keep the order received (their addresses ascend). */
static int
cmp_tag(const void *a, const void *b)
{
	const struct zk_tag *x = *(const struct zk_tag *const *)a;
	const struct zk_tag *y = *(const struct zk_tag *const *)b;
	int r = strcmp(x->key != NULL ? x->key : "", y->key != NULL ? y->key : "");

	if (r != 0)
		return r;
	return x < y ? -1 : x > y ? 1 : 0;
}

static int
tags(struct canvas *out, int y, const struct zk_span *s)
{
	const struct zk_tag **ix;
	size_t k;
	int kw = 0;

	if (s->ntags == 0 || !room(out, y))
		return y;
	y = heading(out, y, "tags", s->ntags);
	ix = xmalloc(s->ntags * sizeof *ix);
	for (k = 0; k < s->ntags; k++) {
		int w = text_width(s->tags[k].key != NULL ? s->tags[k].key : "") + 2;

		ix[k] = &s->tags[k];
		if (w > kw && w <= KEY_MAX_W)
			kw = w;
	}
	if (kw > out->w / 3)
		kw = out->w / 3;
	qsort(ix, s->ntags, sizeof *ix, cmp_tag);
	for (k = 0; k < s->ntags && room(out, y); k++) {
		const struct zk_tag *tg = ix[k];
		bool err = tg->key != NULL && strcmp(tg->key, "error") == 0;

		y = key_value(out, y, kw, tg->key != NULL ? tg->key : "", tg->value,
			      err ? ROLE_CRIT : ROLE_DIM, err ? ROLE_CRIT : ROLE_NORMAL);
	}
	if (k < s->ntags) {
		char note[64];

		snprintf(note, sizeof note, "%zu more tags not shown", s->ntags - k);
		text_draw(out, 1, out->h - 1, out->w - 1, note, ROLE_DIM, ATTR_NONE);
		y = out->h;
	}
	free(ix);
	return y;
}

static int
annotations(struct canvas *out, int y, const struct trace *t, int i, const struct zk_span *s)
{
	const struct trace_node *nd = &t->nodes[i];
	int64_t shift = s->has_ts ? nd->start_us - (s->ts_us - t->start_us) : nd->skew_us;
	char off[32];
	int ow = 0;
	size_t k;

	if (s->nannotations == 0 || !room(out, y))
		return y;
	y = heading(out, y, "annotations", s->nannotations);
	for (k = 0; k < s->nannotations; k++) {
		traces_style_offset(s->annotations[k].ts_us - t->start_us + shift, off, sizeof off);
		if (text_width(off) + 2 > ow)
			ow = text_width(off) + 2;
	}
	for (k = 0; k < s->nannotations && room(out, y); k++) {
		traces_style_offset(s->annotations[k].ts_us - t->start_us + shift, off, sizeof off);
		text_draw_aligned(out, 1, y, ow - 1, off, ALIGN_RIGHT, ROLE_DIM, ATTR_NONE);
		y = key_value(out, y, ow, "", s->annotations[k].value, ROLE_DIM, ROLE_NORMAL);
	}
	if (k < s->nannotations) {
		char note[64];

		snprintf(note, sizeof note, "%zu more annotations not shown", s->nannotations - k);
		text_draw(out, 1, out->h - 1, out->w - 1, note, ROLE_DIM, ATTR_NONE);
		y = out->h;
	}
	return y;
}

/* What the repairs did to this span, one line each. */
static int
flags(struct canvas *out, int y, const struct trace_node *nd, const struct zk_span *s)
{
	char buf[160], d[32];

	if (nd->orphan && room(out, y)) {
		snprintf(buf, sizeof buf, "orphan: its parent %s is not in the trace",
			 s->parent_id[0] ? s->parent_id : "(none)");
		y += text_draw_wrapped(out, (struct rect){ 0, y, out->w, 2 }, buf, ROLE_WARN,
				       ATTR_NONE);
	}
	if (nd->skew_us != 0 && room(out, y)) {
		traces_style_offset(nd->skew_us, d, sizeof d);
		snprintf(buf, sizeof buf,
			 "skew: shifted %s to fit inside its parent (clocks differ)", d);
		y += text_draw_wrapped(out, (struct rect){ 0, y, out->w, 2 }, buf, ROLE_WARN,
				       ATTR_NONE);
	}
	if (nd->exceeds_parent && room(out, y))
		y += text_draw_wrapped(out, (struct rect){ 0, y, out->w, 2 },
				       "exceeds parent: outside its parent's time, same clock",
				       ROLE_WARN, ATTR_NONE);
	if (nd->merged && room(out, y))
		y += text_draw_wrapped(out, (struct rect){ 0, y, out->w, 2 },
				       "merged: reported more than once, the reports joined",
				       ROLE_DIM, ATTR_NONE);
	return y;
}

static int
synthetic(struct canvas *out, const struct trace *t, int i)
{
	char buf[256];
	int y = 0;

	text_draw(out, 0, y++, out->w, "missing parent", ROLE_HEADER, ATTR_BOLD);
	snprintf(buf, sizeof buf,
		 "Not a span: %d spans of this trace have no parent in it (%zu orphaned). "
		 "Their parents were lost, sampled out, or not reported yet.",
		 t->nodes[i].nchildren, t->norphans);
	y += text_draw_wrapped(out, (struct rect){ 0, y, out->w, out->h - y }, buf, ROLE_DIM,
			       ATTR_NONE);
	return y;
}

int
waterfall_pane_render(struct canvas *out, const struct trace *t, int i)
{
	const struct trace_node *nd;
	const struct zk_span *s;
	const char *dot = traces_style_dot(out->ascii);
	struct traces_flow f;
	char buf[256], d[32];
	int x, y = 0;

	canvas_clear(out);
	if (t == NULL || i < 0 || (size_t)i >= t->nnodes)
		return 0;
	nd = &t->nodes[i];
	s = trace_span(t, i);
	if (s == NULL)
		return synthetic(out, t, i);
	x = text_draw(out, 0, y, out->w, nd->service[0] ? nd->service : "(no service)",
		      traces_style_service_role(trace_service_index(t, i)), ATTR_BOLD);
	text_draw(out, x + 1, y, out->w - x - 1, s->name != NULL ? s->name : "(no name)",
		  nd->error ? ROLE_CRIT : ROLE_HEADER, ATTR_BOLD);
	y++;

	traces_flow_start(&f, out, (struct rect){ 0, y, out->w, 3 }, dot);
	traces_flow_put(&f, s->kind != ZK_KIND_NONE ? zipkin_kind_name(s->kind) : "LOCAL",
			ROLE_ACCENT, ATTR_NONE, false);
	snprintf(buf, sizeof buf, "span %s", s->id);
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
	snprintf(buf, sizeof buf, "parent %s", s->parent_id[0] ? s->parent_id : "none (root)");
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
	if (s->debug)
		traces_flow_put(&f, "debug", ROLE_DIM, ATTR_NONE, true);
	y += f.rows;

	traces_flow_start(&f, out, (struct rect){ 0, y, out->w, 3 }, dot);
	traces_style_offset(nd->start_us, d, sizeof d);
	snprintf(buf, sizeof buf, "start %s", d);
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, false);
	traces_style_us(nd->dur_us, d, sizeof d);
	snprintf(buf, sizeof buf, "duration %s%s", d, s->has_dur ? "" : " (none reported)");
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_BOLD, true);
	traces_style_us(nd->self_us, d, sizeof d);
	snprintf(buf, sizeof buf, "self %s", d);
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
	if (nd->crit_us > 0 && t->duration_us > 0) {
		traces_style_us(nd->crit_us, d, sizeof d);
		snprintf(buf, sizeof buf, "critical path %s (%.0f%%)", d,
			 100.0 * (double)nd->crit_us / (double)t->duration_us);
		traces_flow_put(&f, buf, ROLE_ACCENT, ATTR_NONE, true);
	}
	if (nd->error)
		traces_flow_put(&f, "error", ROLE_CRIT, ATTR_BOLD, true);
	y += f.rows;

	if (!endpoint_empty(&s->local) || !endpoint_empty(&s->remote)) {
		traces_flow_start(&f, out, (struct rect){ 0, y, out->w, 2 }, dot);
		if (!endpoint_empty(&s->local)) {
			traces_flow_put(&f, "local", ROLE_DIM, ATTR_NONE, false);
			endpoint_text(&s->local, buf, sizeof buf);
			traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, false);
		}
		if (!endpoint_empty(&s->remote)) {
			traces_flow_put(&f, "remote", ROLE_DIM, ATTR_NONE, true);
			endpoint_text(&s->remote, buf, sizeof buf);
			traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, false);
		}
		y += f.rows;
	}
	y = flags(out, y, nd, s);
	y = tags(out, y, s);
	y = annotations(out, y, t, i, s);
	return y < out->h ? y : out->h;
}

void
waterfall_pane_blit(struct canvas *dst, struct rect r, const struct canvas *src, int rows,
		    int scroll)
{
	int x, y, w = r.w < src->w ? r.w : src->w;
	bool a = dst->ascii;

	for (y = 0; y < r.h && scroll + y < rows && scroll + y < src->h; y++) {
		for (x = 0; x < w; x++) {
			struct cell *to = canvas_at(dst, r.x + x, r.y + y);

			if (to != NULL)
				*to = src->cells[(scroll + y) * src->w + x];
		}
	}
	/* A wide character cut by the right edge of r would be torn: blank it. */
	for (y = 0; y < r.h; y++) {
		struct cell *last = canvas_at(dst, r.x + w - 1, r.y + y);

		if (last != NULL && last->width == 2)
			canvas_put(dst, r.x + w - 1, r.y + y, " ", 1, (enum role)last->role,
				   ATTR_NONE);
	}
	if (scroll > 0)
		canvas_put(dst, r.x + r.w - 1, r.y, a ? "^" : "\xe2\x96\xb2", 1, ROLE_DIM,
			   ATTR_NONE);
	if (scroll + r.h < rows)
		canvas_put(dst, r.x + r.w - 1, r.y + r.h - 1, a ? "v" : "\xe2\x96\xbc", 1, ROLE_DIM,
			   ATTR_NONE);
}
