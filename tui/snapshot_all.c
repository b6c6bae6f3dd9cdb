/*
 * snapshot_all.c - `opsdeck snapshot --screen all`: every screen of one
 * poll round, in order, for incident reports and chat.  Text and ansi put
 * each screen's canvas under a heading line; Markdown under "## Title"
 * with the screen's own headings one level down; JSON is one envelope
 * holding every screen shown and the list of those skipped with why.
 */
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#include "snapshot_internal.h"

/* "== Overview ====...": a heading line as wide as the canvas. */
static void
heading(const struct snap_out *o, const char *title, struct buf *out)
{
	int used = (int)strlen(title) + 4, i;

	if (o->format == SNAP_ANSI)
		buf_puts(out, "\x1b[1m");
	buf_printf(out, "== %s ", title);
	for (i = used; i < o->width; i++)
		buf_putc(out, '=');
	if (o->format == SNAP_ANSI)
		buf_puts(out, "\x1b[0m");
	buf_putc(out, '\n');
}

/* Append md with every heading one level down ("## x" -> "### x"). */
static void
demote(const struct buf *md, struct buf *out)
{
	const char *p = md->data, *end = md->data + md->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (*p == '#')
			buf_putc(out, '#');
		buf_append(out, p, n);
		p += n;
	}
}

static void
all_json(const struct snap_part *parts, size_t n, const struct snap_data *base, const char *note,
	 struct buf *out)
{
	json_t *root = snapshot_json_envelope(base), *screens = json_object_get(root, "screens");
	json_t *skipped = json_array(), *notes = json_array();
	char key[300];
	size_t i;

	for (i = 0; i < n; i++) {
		snapshot_screen_key(parts[i].w, &parts[i].d, key, sizeof key);
		if (parts[i].skipped != NULL)
			json_array_append_new(skipped, json_pack("{s:s,s:s}", "screen", key,
								 "reason", parts[i].skipped));
		else
			json_object_set_new(screens, key,
					    snapshot_json_screen(parts[i].w, &parts[i].d));
	}
	json_object_set_new(root, "skipped", skipped);
	if (note != NULL)
		json_array_append_new(notes, json_string(note));
	json_object_set_new(root, "notes", notes);
	snapshot_json_dump(root, out);
	json_decref(root);
}

void
snapshot_render_all(const struct snap_out *o, const struct snap_part *parts, size_t n,
		    const struct snap_data *base, const char *note, struct buf *out)
{
	char title[300], when[40];
	size_t i;

	if (o->format == SNAP_JSON) {
		all_json(parts, n, base, note, out);
		return;
	}
	snapshot_rfc3339(base->v->now, false, when, sizeof when);
	if (o->format == SNAP_MARKDOWN) {
		buf_printf(out, "# opsdeck snapshot\n\nGenerated %s", when);
		if (base->v->env_name != NULL)
			buf_printf(out, ", environment %s", base->v->env_name);
		buf_puts(out, ".\n\n");
		if (note != NULL)
			buf_printf(out, "%s\n\n", note);
	} else {
		buf_printf(out, "opsdeck snapshot %s", when);
		if (base->v->env_name != NULL)
			buf_printf(out, " (environment %s)", base->v->env_name);
		buf_putc(out, '\n');
		if (note != NULL)
			buf_printf(out, "%s\n", note);
	}
	for (i = 0; i < n; i++) {
		snapshot_screen_title(parts[i].w, &parts[i].d, title, sizeof title);
		if (o->format == SNAP_MARKDOWN) {
			struct buf md;

			buf_printf(out, "## %s\n\n", title);
			if (parts[i].skipped != NULL) {
				buf_printf(out, "Skipped: %s.\n\n", parts[i].skipped);
				continue;
			}
			buf_init(&md);
			snapshot_render(o, parts[i].w, &parts[i].d, &md);
			demote(&md, out);
			buf_done(&md);
			if (out->len > 0 && out->data[out->len - 1] != '\n')
				buf_putc(out, '\n');
			buf_putc(out, '\n');
			continue;
		}
		buf_putc(out, '\n');
		heading(o, title, out);
		if (parts[i].skipped != NULL)
			buf_printf(out, "skipped: %s\n", parts[i].skipped);
		else
			snapshot_render(o, parts[i].w, &parts[i].d, out);
	}
}

static int
severity(const struct view_ctx *v, const struct service *s)
{
	return view_status_severity(model_service_status(s, v->th, v->now, v->stale_after));
}

size_t
snapshot_not_ok(const struct view_ctx *v, const char **names, size_t max, size_t *n)
{
	size_t ns = model_nservices(v->model), i, j, all = 0;
	const struct service **bad = xcalloc(ns + 1, sizeof *bad);

	for (i = 0; i < ns; i++) {
		const struct service *s = model_service_at(v->model, i);

		if (severity(v, s) == 0)
			continue;
		for (j = all; j > 0 && severity(v, bad[j - 1]) < severity(v, s); j--)
			bad[j] = bad[j - 1];
		bad[j] = s;
		all++;
	}
	for (*n = 0; *n < all && *n < max; (*n)++)
		names[*n] = bad[*n]->name;
	free(bad);
	return all;
}
