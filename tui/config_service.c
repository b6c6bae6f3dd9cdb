/*
 * config_service.c - the [service "NAME"] sections: finding their headers,
 * loading their keys, the cross-section checks and the name lookups.
 *
 * A section maps the name shown in the console to what each external
 * source calls the service (runtime_name, prometheus).  Lookups go both
 * ways and run once per row and refresh, over a handful of sections, so a
 * linear search is enough.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "ini.h"
#include "xalloc.h"

#define CONFIG_SVC_KEY_ROW(id, key, help) { key, help },
static const struct {
	const char *name;
	const char *help;
} svc_keys[CFG_ALIAS_COUNT] = { CONFIG_SERVICE_KEYS(CONFIG_SVC_KEY_ROW) };
#undef CONFIG_SVC_KEY_ROW

/* What each source calls a service, for messages. */
static const char *const alias_what[CFG_ALIAS_COUNT] = {
	[CFG_ALIAS_RUNTIME] = "runtime name",
	[CFG_ALIAS_PROMETHEUS] = "Prometheus label value",
	[CFG_ALIAS_ELASTICSEARCH] = "service name in the logs",
	[CFG_ALIAS_ZIPKIN] = "service name in Zipkin",
	[CFG_ALIAS_KUBERNETES] = "Kubernetes workload name",
	[CFG_ALIAS_ECS] = "ECS service name",
};

const char *
config_svc_key_name(enum config_alias_source a)
{
	return svc_keys[a].name;
}

const char *
config_svc_key_help(enum config_alias_source a)
{
	return svc_keys[a].help;
}

static void
excerpt(const char *s, char *out, size_t n)
{
	ini_excerpt(s, strlen(s), out, n);
}

/* ---- finding the headers ----------------------------------------------- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* Whether a trimmed key or continuation line goes on (lib/ini: one final '\'). */
static bool
continues(const char *s, size_t n)
{
	size_t bs = 0;

	while (bs < n && s[n - 1 - bs] == '\\')
		bs++;
	return bs == 1;
}

/*
 * Record the trimmed header line [s, s + n) when it is a well-formed
 * [service] or [service "sub"], decoded as lib/ini does.  Malformed
 * headers are left to the parser, which stops there.
 */
static void
scan_header(struct config_svc_load *sl, const char *s, size_t n, int line)
{
	const char *q = s + 1, *end = s + n, *name;
	struct buf sub;
	bool has_sub = false;

	while (q < end && is_blank(*q))
		q++;
	name = q;
	while (q < end && is_name_char(*q))
		q++;
	if (q - name != 7 || memcmp(name, "service", 7) != 0)
		return;
	while (q < end && is_blank(*q))
		q++;
	buf_init(&sub);
	if (q < end && *q == '"') {
		has_sub = true;
		for (q++; q < end && *q != '"'; q++) {
			if (*q == '\\' && q + 1 < end && (q[1] == '"' || q[1] == '\\'))
				q++;
			buf_putc(&sub, *q);
		}
		if (q < end)
			q++;
		while (q < end && is_blank(*q))
			q++;
	}
	if (q + 1 == end && *q == ']') {
		sl->hd = xrealloc(sl->hd, (sl->nhd + 1) * sizeof *sl->hd);
		sl->hd[sl->nhd].line = line;
		sl->hd[sl->nhd++].name = has_sub ? buf_steal(&sub) : NULL;
	}
	buf_done(&sub);
}

void
config_svc_scan(struct config_svc_load *sl, const char *text, size_t len, const char *file)
{
	const char *p = text, *end = text + len, *s, *nl;
	bool cont = false;
	int line = 0;
	size_t n;

	memset(sl, 0, sizeof *sl);
	sl->file = file;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		s = p;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		p = nl != NULL ? nl + 1 : end;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		line++;
		while (n > 0 && is_blank(*s)) {
			s++;
			n--;
		}
		while (n > 0 && is_blank(s[n - 1]))
			n--;
		if (cont)
			cont = continues(s, n);
		else if (n > 0 && *s == '[')
			scan_header(sl, s, n, line);
		else if (n > 0 && *s != '#' && *s != ';')
			cont = continues(s, n);
	}
}

void
config_svc_load_done(struct config_svc_load *sl)
{
	size_t i;

	for (i = 0; i < sl->nhd; i++)
		free(sl->hd[i].name);
	free(sl->hd);
	sl->hd = NULL;
	sl->nhd = sl->next = 0;
	sl->cur = NULL;
}

/* ---- loading ----------------------------------------------------------- */

static struct config_svc *
find_svc(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nsvc; i++)
		if (strcmp(cfg->svc[i]->name, name) == 0)
			return cfg->svc[i];
	return NULL;
}

static void
svc_sync(struct config_svc *svc)
{
	svc->pub.name = svc->name;
	svc->pub.runtime_name = svc->alias[CFG_ALIAS_RUNTIME];
	svc->pub.prometheus = svc->alias[CFG_ALIAS_PROMETHEUS];
	svc->pub.elasticsearch = svc->alias[CFG_ALIAS_ELASTICSEARCH];
	svc->pub.zipkin = svc->alias[CFG_ALIAS_ZIPKIN];
	svc->pub.kubernetes = svc->alias[CFG_ALIAS_KUBERNETES];
	svc->pub.ecs = svc->alias[CFG_ALIAS_ECS];
}

/* Check NAME of the header at line.  Messages start with "file:line: ". */
static int
check_name(const struct config_svc_load *sl, const char *name, int line, struct err *e)
{
	const char *p;

	if (name == NULL)
		return err_set(e, ERR_CONFIG,
			       "%s:%d: [service] needs a name: write [service \"NAME\"] with the "
			       "name shown in the console",
			       sl->file, line);
	if (*name == '\0')
		return err_set(e, ERR_CONFIG,
			       "%s:%d: empty service name in [service \"\"] (write the name shown "
			       "in the console)",
			       sl->file, line);
	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, ERR_CONFIG, "%s:%d: control character in a service name",
				       sl->file, line);
	if (!config_check_utf8(name))
		return err_set(e, ERR_CONFIG, "%s:%d: service name is not valid UTF-8", sl->file,
			       line);
	return 0;
}

static int
open_header(struct config *cfg, struct config_svc_load *sl, const struct config_svc_header *h,
	    struct err *e)
{
	struct config_svc *svc;
	char ex[CONFIG_EXCERPT_MAX];

	sl->cur = NULL;
	if (check_name(sl, h->name, h->line, e) < 0)
		return -1;
	svc = find_svc(cfg, h->name);
	if (svc != NULL && svc->gen == cfg->gen) {
		excerpt(h->name, ex, sizeof ex);
		return err_set(e, ERR_CONFIG,
			       "%s:%d: [service \"%s\"] appears twice, on lines %d and %d: merge "
			       "them into one section",
			       sl->file, h->line, ex, svc->line, h->line);
	}
	if (svc == NULL) {
		svc = xcalloc(1, sizeof *svc);
		svc->name = xstrdup(h->name);
		cfg->svc = xrealloc(cfg->svc, (cfg->nsvc + 1) * sizeof *cfg->svc);
		cfg->svc[cfg->nsvc++] = svc;
		svc_sync(svc);
	}
	free(svc->where);
	svc->where = xstrdup(sl->file);
	svc->line = h->line;
	svc->gen = cfg->gen;
	sl->cur = svc;
	return 0;
}

int
config_svc_open_until(struct config *cfg, struct config_svc_load *sl, int line, struct err *e)
{
	while (sl->next < sl->nhd && sl->hd[sl->next].line < line)
		if (open_header(cfg, sl, &sl->hd[sl->next++], e) < 0)
			return -1;
	return 0;
}

static int
unknown_key(const char *sub, const char *key, struct err *e)
{
	char ex[CONFIG_EXCERPT_MAX], nx[CONFIG_EXCERPT_MAX], takes[128] = "";
	const char *hint = config_check_closest("service", key);
	int k, a;

	excerpt(key, ex, sizeof ex);
	excerpt(sub, nx, sizeof nx);
	if (hint != NULL)
		return err_set(e, ERR_CONFIG,
			       "unknown key '%s' in [service \"%s\"] (did you mean '%s'?)", ex, nx,
			       hint);
	for (a = 0; a < CFG_ALIAS_COUNT; a++)
		snprintf(takes + strlen(takes), sizeof takes - strlen(takes), "%s%s",
			 a == 0                     ? ""
			 : a + 1 == CFG_ALIAS_COUNT ? " and "
						    : ", ",
			 svc_keys[a].name);
	for (k = 0; k < CFG_KEY_COUNT; k++)
		if (strcmp(config_key_info((enum config_key)k)->name, key) == 0)
			return err_set(e, ERR_CONFIG,
				       "unknown key '%s' in [service \"%s\"] (it belongs in [%s]; "
				       "a service section takes %s)",
				       ex, nx, config_key_info((enum config_key)k)->section, takes);
	return err_set(e, ERR_CONFIG,
		       "unknown key '%s' in [service \"%s\"] (a service section takes %s)", ex, nx,
		       takes);
}

int
config_svc_key(struct config *cfg, struct config_svc_load *sl, const char *sub, const char *key,
	       const char *value, int line, struct err *e)
{
	struct config_svc *svc = sl->cur;
	char ex[CONFIG_EXCERPT_MAX];
	int a;

	if (sub == NULL || svc == NULL || strcmp(svc->name, sub) != 0) {
		/* Only when the header scan missed this section's header. */
		struct config_svc_header h = { line, (char *)sub };

		if (open_header(cfg, sl, &h, e) < 0)
			return -1;
		svc = sl->cur;
	}
	for (a = 0; a < CFG_ALIAS_COUNT; a++)
		if (strcmp(svc_keys[a].name, key) == 0)
			break;
	if (a == CFG_ALIAS_COUNT)
		return unknown_key(sub, key, e);
	if (svc->alias_gen[a] == cfg->gen) {
		excerpt(sub, ex, sizeof ex);
		return err_set(e, ERR_CONFIG,
			       "%s in [service \"%s\"] is set twice, on lines %d and %d: keep one",
			       svc_keys[a].name, ex, svc->alias_line[a], line);
	}
	if (config_check_alias((enum config_alias_source)a, sub, value, e) < 0)
		return -1;
	free(svc->alias[a]);
	free(svc->alias_where[a]);
	svc->alias[a] = xstrdup(value);
	svc->alias_where[a] = xstrdup(sl->file);
	svc->alias_line[a] = line;
	svc->alias_gen[a] = cfg->gen;
	svc_sync(svc);
	return 0;
}

void
config_svc_free(struct config *cfg)
{
	size_t i;
	int a;

	for (i = 0; i < cfg->nsvc; i++) {
		struct config_svc *svc = cfg->svc[i];

		for (a = 0; a < CFG_ALIAS_COUNT; a++) {
			free(svc->alias[a]);
			free(svc->alias_where[a]);
		}
		free(svc->name);
		free(svc->where);
		free(svc);
	}
	free(cfg->svc);
	cfg->svc = NULL;
	cfg->nsvc = 0;
}

/* ---- checks and lookups ------------------------------------------------ */

/* borrowed: what source a calls svc. */
static const char *
external_of(const struct config_svc *svc, enum config_alias_source a)
{
	return svc->alias[a] != NULL ? svc->alias[a] : svc->name;
}

/*
 * Each source's name may stand for one service only, or the lookups
 * would depend on the order of the sections.  A section without the key
 * claims its own NAME.
 */
int
config_svc_finalize(const struct config *cfg, struct err *e)
{
	char ex[CONFIG_EXCERPT_MAX], n1[CONFIG_EXCERPT_MAX], n2[CONFIG_EXCERPT_MAX];
	size_t i, j;
	int a;

	for (a = 0; a < CFG_ALIAS_COUNT; a++) {
		for (j = 1; j < cfg->nsvc; j++) {
			const struct config_svc *later = cfg->svc[j];

			for (i = 0; i < j; i++) {
				const struct config_svc *first = cfg->svc[i];
				bool fa = first->alias[a] != NULL, la = later->alias[a] != NULL;

				if (strcmp(external_of(first, a), external_of(later, a)) != 0)
					continue;
				excerpt(external_of(later, a), ex, sizeof ex);
				excerpt(first->name, n1, sizeof n1);
				excerpt(later->name, n2, sizeof n2);
				return err_set(
					e, ERR_CONFIG,
					"%s:%d: %s '%s' maps to both [service \"%s\"] (%s, %s:%d) "
					"and [service \"%s\"] (%s): give each service its own %s",
					la ? later->alias_where[a] : later->where,
					la ? later->alias_line[a] : later->line, alias_what[a], ex,
					n1, fa ? svc_keys[a].name : "its name",
					fa ? first->alias_where[a] : first->where,
					fa ? first->alias_line[a] : first->line, n2,
					la ? svc_keys[a].name : "its name", alias_what[a]);
			}
		}
	}
	return 0;
}

size_t
config_nservices(const struct config *cfg)
{
	return cfg->nsvc;
}

const struct config_service *
config_service_at(const struct config *cfg, size_t i)
{
	return i < cfg->nsvc ? &cfg->svc[i]->pub : NULL;
}

const char *
config_service_display_name(const struct config *cfg, enum config_alias_source src,
			    const char *external)
{
	size_t i;

	if ((int)src < 0 || src >= CFG_ALIAS_COUNT || external == NULL)
		return external;
	for (i = 0; i < cfg->nsvc; i++)
		if (cfg->svc[i]->alias[src] != NULL &&
		    strcmp(cfg->svc[i]->alias[src], external) == 0)
			return cfg->svc[i]->name;
	return external;
}

const char *
config_service_external_name(const struct config *cfg, enum config_alias_source src,
			     const char *display)
{
	const struct config_svc *svc;

	if ((int)src < 0 || src >= CFG_ALIAS_COUNT || display == NULL)
		return display;
	svc = find_svc(cfg, display);
	return svc != NULL ? external_of(svc, src) : display;
}
