#include "logs_hit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "logs_range.h"
#include "text.h"
#include "xalloc.h"

#define KEY_MAX_W 32 /* a longer key puts its value on the rows below */

struct flist {
	struct logs_field *f;
	size_t n, cap;
};

static void
add(struct flist *l, const char *key, char *value)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->f = xrealloc(l->f, l->cap * sizeof *l->f);
	}
	l->f[l->n].key = xstrdup(key);
	l->f[l->n].value = value;
	l->n++;
}

static bool
all_scalars(json_t *a)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x) if (json_is_object(x) || json_is_array(x)) return false;
	return true;
}

static void
flatten(struct flist *l, const char *prefix, json_t *j)
{
	const char *k;
	json_t *x;
	size_t i;
	char *key;

	if (json_is_object(j) && json_object_size(j) > 0) {
		json_object_foreach(j, k, x)
		{
			key = prefix[0] ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
			flatten(l, key, x);
			free(key);
		}
		return;
	}
	if (json_is_array(j) && json_array_size(j) > 0 && !all_scalars(j)) {
		json_array_foreach(j, i, x)
		{
			key = xasprintf("%s[%zu]", prefix, i);
			flatten(l, key, x);
			free(key);
		}
		return;
	}
	if (json_is_string(j)) {
		add(l, prefix, xstrdup(json_string_value(j)));
	} else {
		char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

		add(l, prefix, s != NULL ? s : xstrdup("?"));
	}
}

static int
cmp_field(const void *a, const void *b)
{
	return strcmp(((const struct logs_field *)a)->key, ((const struct logs_field *)b)->key);
}

struct logs_field *
logs_hit_fields(const char *source, size_t *n)
{
	struct flist l = { NULL, 0, 0 };
	json_t *root = source != NULL ? json_loads(source, JSON_DECODE_ANY, NULL) : NULL;

	if (json_is_object(root)) {
		flatten(&l, "", root);
		if (l.n > 1)
			qsort(l.f, l.n, sizeof *l.f, cmp_field);
	} else {
		add(&l, "_source", xstrdup(source != NULL ? source : ""));
	}
	json_decref(root);
	*n = l.n;
	return l.f;
}

void
logs_hit_fields_free(struct logs_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].key);
		free(f[i].value);
	}
	free(f);
}

size_t
logs_hit_draw(struct canvas *c, struct rect r, const struct es_hit *hit, bool utc, size_t scroll)
{
	struct logs_field *f;
	size_t n, i;
	char when[32], title[512];
	int y = r.y, kw = 0;

	logs_range_clock(hit->t, utc, when, sizeof when);
	snprintf(title, sizeof title, "%s  %s  %s%s", when, hit->index, hit->id,
		 hit->cut ? "  (message cut)" : "");
	text_draw(c, r.x, y++, r.w, title, ROLE_HEADER, ATTR_BOLD);
	if (hit->trace_id[0] != '\0' && y < r.y + r.h) {
		struct buf b;

		buf_init(&b);
		buf_printf(&b, "trace %s  (:trace %s when traces land)", hit->trace_id,
			   hit->trace_id);
		text_draw(c, r.x, y++, r.w, b.data, ROLE_ACCENT, ATTR_NONE);
		buf_done(&b);
	}
	f = logs_hit_fields(hit->source, &n);
	for (i = 0; i < n; i++) {
		int w = text_width(f[i].key) + 2;

		if (w > kw && w <= KEY_MAX_W)
			kw = w;
	}
	if (kw > r.w / 2)
		kw = r.w / 2;
	for (i = scroll; i < n && y < r.y + r.h; i++) {
		int w = text_width(f[i].key) + 2, rows;
		struct rect vr = { r.x + kw, y, r.w - kw, r.y + r.h - y };

		text_draw(c, r.x, y, r.w, f[i].key, ROLE_DIM, ATTR_NONE);
		if (w > kw) {
			/* A long key: its value on the rows below, indented. */
			y++;
			vr = (struct rect){ r.x + 2, y, r.w - 2, r.y + r.h - y };
		} else {
			text_draw(c, r.x + w - 2, y, 1, ":", ROLE_DIM, ATTR_NONE);
		}
		if (vr.h <= 0)
			break;
		rows = text_draw_wrapped(c, vr, f[i].value, ROLE_NORMAL, ATTR_NONE);
		y += rows > 0 ? rows : 1;
	}
	logs_hit_fields_free(f, n);
	return n;
}
