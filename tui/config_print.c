/*
 * config_print.c - the effective configuration as INI text with an origin
 * column (config_print), without it (config_write), and the reference
 * listing of every key (config_print_keys).
 */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "prometheus.h"
#include "xalloc.h"

#define PRINT_COLUMN_MAX 40

/* Columns of UTF-8 text, counting each character as one. */
static size_t
columns(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

struct print_line {
	char *text;   /* owned */
	char *origin; /* owned; NULL: no comment */
};

struct printer {
	struct print_line *lines;
	size_t n;
};

static void
add_line(struct printer *pr, char *text, char *origin)
{
	pr->lines = xrealloc(pr->lines, (pr->n + 1) * sizeof *pr->lines);
	pr->lines[pr->n].text = text;
	pr->lines[pr->n++].origin = origin;
}

/* new: value as INI text that reads back as itself. */
static char *
ini_value(const char *v)
{
	size_t n = strlen(v);
	bool quote = n == 0 || v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t' ||
		     v[n - 1] == '\\' || (n >= 2 && v[0] == '"' && v[n - 1] == '"');

	return quote ? xasprintf("\"%s\"", v) : xstrdup(v);
}

static char *
origin_of(const struct config_slot *sl, enum config_source src)
{
	switch (src) {
	case CFG_SRC_DEFAULT:
		return xstrdup(sl->where != NULL ? sl->where : "default");
	case CFG_SRC_FILE:
		return xasprintf("%s:%d", sl->where, sl->line);
	case CFG_SRC_ENV:
		return xasprintf("env %s", sl->where);
	case CFG_SRC_FLAG:
		return xasprintf("flag %s", sl->where);
	case CFG_SRC_COUNT:
		break;
	}
	return NULL;
}

static void
print_key(const struct config *cfg, struct printer *pr, enum config_key k)
{
	const struct config_key_info *ki = config_key_info(k);
	enum config_source src;
	const struct config_slot *sl = config_effective(cfg, k, &src);
	size_t i;
	char *v;

	if (ki->type == CFG_T_SECRET) {
		int fk = config_secret_file_key(k);

		if (config_secret(cfg, k) == NULL)
			add_line(pr, xasprintf("; %s = (unset)", ki->name), NULL);
		else
			add_line(pr, xasprintf("; %s = <redacted>", ki->name),
				 sl != NULL
					 ? origin_of(sl, src)
					 : xasprintf("from %s",
						     fk >= 0 ? config_key_info(fk)->name : "file"));
		return;
	}
	if (sl == NULL) {
		add_line(pr, xasprintf("; %s = (unset)", ki->name), NULL);
		return;
	}
	if (ki->type != CFG_T_LIST) {
		v = ini_value(sl->text);
		add_line(pr, xasprintf("%s = %s", ki->name, v), origin_of(sl, src));
		free(v);
		return;
	}
	for (i = 0; i < sl->nitems; i++) {
		const char *item = sl->items[i];

		if (config_check_secret_header(item))
			v = xasprintf("%.*s: <redacted>", (int)strcspn(item, ":"), item);
		else
			v = ini_value(item);
		add_line(pr, xasprintf("%s = %s", ki->name, v),
			 src == CFG_SRC_FILE ? xasprintf("%s:%d", sl->where, sl->lines[i])
					     : origin_of(sl, src));
		free(v);
	}
}

/* Whether key k is the first of its section in the key table. */
static bool
starts_section(int k)
{
	return k == 0 || strcmp(config_key_info((enum config_key)k)->section,
				config_key_info((enum config_key)(k - 1))->section) != 0;
}

static void
print_config(const struct config *cfg, struct buf *out, bool origins)
{
	struct printer pr = { NULL, 0 };
	size_t i, width = 0;
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++) {
		if (starts_section(k))
			add_line(&pr,
				 xasprintf("%s[%s]", k == 0 ? "" : "\n",
					   config_key_info((enum config_key)k)->section),
				 NULL);
		print_key(cfg, &pr, (enum config_key)k);
	}
	for (i = 0; i < pr.n; i++) {
		size_t c = columns(pr.lines[i].text);
		if (pr.lines[i].origin != NULL && c > width && c <= PRINT_COLUMN_MAX)
			width = c;
	}
	for (i = 0; i < pr.n; i++) {
		buf_puts(out, pr.lines[i].text);
		if (origins && pr.lines[i].origin != NULL) {
			size_t c = columns(pr.lines[i].text);
			do
				buf_putc(out, ' ');
			while (++c < width + 2);
			buf_printf(out, "; %s", pr.lines[i].origin);
		}
		buf_putc(out, '\n');
		free(pr.lines[i].text);
		free(pr.lines[i].origin);
	}
	free(pr.lines);
}

void
config_print(const struct config *cfg, struct buf *out)
{
	print_config(cfg, out, true);
}

void
config_write(const struct config *cfg, struct buf *out)
{
	print_config(cfg, out, false);
}

void
config_print_keys(struct buf *out)
{
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++) {
		const struct config_key_info *ki = config_key_info((enum config_key)k);

		if (starts_section(k))
			buf_printf(out, "%s[%s]\n", k == 0 ? "" : "\n", ki->section);
		buf_printf(out, "%s (%s", ki->name, config_type_name(ki->type));
		if (ki->type == CFG_T_INT)
			buf_printf(out, " %s", ki->domain);
		else if (ki->type == CFG_T_ENUM)
			buf_printf(out, ": %s",
				   ki->domain ? ki->domain : prometheus_preset_names());
		if (ki->def != NULL)
			buf_printf(out, ", default %s", ki->def);
		else if (config_is_preset_default(ki))
			buf_puts(out, ", default from the preset");
		if (ki->env != NULL)
			buf_printf(out, ", env %s", ki->env);
		if (ki->flag != NULL)
			buf_printf(out, ", flag %s", ki->flag);
		buf_printf(out, ")\n    %s\n", ki->help);
	}
}
