/*
 * config_print.c - the effective configuration as INI text with an origin
 * column (config_print), without it (config_write), and the reference
 * listing of every key (config_print_keys); [service "NAME"] sections, then
 * [env "NAME"] sections last.
 */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "prometheus.h"
#include "text.h"
#include "xalloc.h"

#define PRINT_COLUMN_MAX 40

/* Terminal columns of UTF-8 text (wide characters count two). */
static size_t
columns(const char *s)
{
	int w = text_width(s);

	return w > 0 ? (size_t)w : 0;
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

		if (ki->domain == NULL && config_check_secret_header(item))
			v = xasprintf("%.*s: <redacted>", (int)strcspn(item, ":"), item);
		else
			v = ini_value(item);
		add_line(pr, xasprintf("%s = %s", ki->name, v),
			 src == CFG_SRC_FILE ? xasprintf("%s:%d", sl->where, sl->lines[i])
					     : origin_of(sl, src));
		free(v);
	}
}

/* new: the header of [section "name"], escaped as lib/ini reads it. */
static char *
sub_header(const char *section, const char *name)
{
	struct buf b;
	char *s;

	buf_init(&b);
	buf_printf(&b, "[%s \"", section);
	for (; *name != '\0'; name++) {
		if (*name == '"' || *name == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *name);
	}
	buf_puts(&b, "\"]");
	s = buf_steal(&b);
	buf_done(&b);
	return s;
}

static void
print_services(const struct config *cfg, struct printer *pr)
{
	size_t i;
	int a;

	for (i = 0; i < cfg->nsvc; i++) {
		const struct config_svc *svc = cfg->svc[i];

		add_line(pr, xstrdup(""), NULL);
		add_line(pr, sub_header("service", svc->name),
			 xasprintf("%s:%d", svc->where, svc->line));
		for (a = 0; a < CFG_ALIAS_COUNT; a++) {
			const char *key = config_svc_key_name((enum config_alias_source)a);
			char *v;

			if (svc->alias[a] == NULL) {
				add_line(pr, xasprintf("; %s = (unset)", key), NULL);
				continue;
			}
			v = ini_value(svc->alias[a]);
			add_line(pr, xasprintf("%s = %s", key, v),
				 xasprintf("%s:%d", svc->alias_where[a], svc->alias_line[a]));
			free(v);
		}
	}
}

/*
 * The [env "NAME"] sections as loaded, the selected one marked; their
 * values already show above, as the file values they replaced.
 */
static void
print_envs(const struct config *cfg, struct printer *pr)
{
	const struct config_envs *es = cfg->envs;
	size_t i, j;

	for (i = 0; es != NULL && i < es->n; i++) {
		const struct config_env *env = es->env[i];
		bool sel = es->selected != NULL && strcmp(es->selected, env->name) == 0;

		add_line(pr, xstrdup(""), NULL);
		add_line(pr, sub_header("env", env->name),
			 sel ? xstrdup("selected: its values are applied above") : NULL);
		if (env->protect >= 0)
			add_line(pr, xasprintf("protected = %s", env->protect ? "true" : "false"),
				 xasprintf("%s:%d", env->protect_where, env->protect_line));
		for (j = 0; j < env->nitems; j++) {
			const struct config_env_item *it = &env->items[j];
			const struct config_key_info *ki = config_key_info(it->key);
			char *v;

			if (ki->type == CFG_T_LIST && ki->domain == NULL &&
			    config_check_secret_header(it->text))
				v = xasprintf("%.*s: <redacted>", (int)strcspn(it->text, ":"),
					      it->text);
			else
				v = ini_value(it->text);
			add_line(pr, xasprintf("%s.%s = %s", ki->section, ki->name, v),
				 xasprintf("%s:%d", it->where, it->line));
			free(v);
		}
	}
}

/* The [keys] section as loaded (the bindings it changes; the others are the defaults). */
static void
print_keymap(const struct config *cfg, struct printer *pr)
{
	size_t i, n = config_keymap_count(cfg);

	if (n == 0)
		return;
	add_line(pr, xstrdup(""), NULL);
	add_line(pr, xstrdup("[keys]"),
		 xstrdup("the other keys are the defaults (? in the console)"));
	for (i = 0; i < n; i++) {
		const char *action, *keys, *where;
		int line;
		char *v;

		config_keymap_at(cfg, i, &action, &keys, &where, &line);
		v = ini_value(keys);
		add_line(pr, xasprintf("%s = %s", action, v), xasprintf("%s:%d", where, line));
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
	print_services(cfg, &pr);
	print_keymap(cfg, &pr);
	print_envs(cfg, &pr);
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
	buf_puts(out, "\n[service \"NAME\"] (one per service; NAME is its name in the console)\n");
	for (k = 0; k < CFG_ALIAS_COUNT; k++)
		buf_printf(out, "%s (string)\n    %s\n",
			   config_svc_key_name((enum config_alias_source)k),
			   config_svc_key_help((enum config_alias_source)k));
	buf_puts(out, "\n[env \"NAME\"] (one per environment; --env NAME or :env NAME selects it)\n"
		      "protected (boolean, default false)\n"
		      "    every action must be confirmed by typing the service's name; the title "
		      "bar shows NAME in red\n"
		      "SECTION.KEY (any key above but secrets, e.g. prometheus.url)\n"
		      "    replaces the top-level value in this environment\n");
}
