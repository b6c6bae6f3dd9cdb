/*
 * config_check.c - checks of single configuration values: each key type's
 * syntax, "did you mean" suggestions for unknown names, and which request
 * headers carry credentials.  The key table itself lives in config.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "ini.h"
#include "parse.h"
#include "prometheus.h"

/* ---- suggestions ------------------------------------------------------- */

/* Levenshtein distance, or 99 for long strings (no suggestion then). */
static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The closest known section (section NULL) or key of section, within 2. */
const char *
config_check_closest(const char *section, const char *word)
{
	const char *best = NULL;
	int k, bd = 3;

	for (k = 0; k < CFG_KEY_COUNT; k++) {
		const struct config_key_info *ki = config_key_info((enum config_key)k);
		const char *cand = section ? ki->name : ki->section;
		int d;

		if (section != NULL && strcmp(ki->section, section) != 0)
			continue;
		d = edit_distance(word, cand);
		if (d < bd) {
			bd = d;
			best = cand;
		}
	}
	return best;
}

bool
config_check_known_section(const char *section)
{
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++)
		if (strcmp(config_key_info((enum config_key)k)->section, section) == 0)
			return true;
	return false;
}

/* ---- value checks ------------------------------------------------------ */

static void
excerpt(const char *s, char *out, size_t n)
{
	ini_excerpt(s, strlen(s), out, n);
}

static int
bad_value(struct err *e, const struct config_key_info *ki, const char *what, const char *text,
	  const char *hint)
{
	char ex[CONFIG_EXCERPT_MAX];

	excerpt(text, ex, sizeof ex);
	return err_set(e, ERR_CONFIG, "invalid %s '%s' for %s (%s)", what, ex, ki->name, hint);
}

static int
check_url(const struct config_key_info *ki, const char *v, struct err *e)
{
	static const char hint[] = "write e.g. http://localhost:9090, https://prom.example.com "
				   "or unix:///run/prometheus.sock";
	const char *auth = NULL;
	size_t alen;

	if (*v == '\0')
		return 0; /* explicitly not configured */
	if (strncmp(v, "http://", 7) == 0)
		auth = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		auth = v + 8;
	else if (strncmp(v, "unix:///", 8) == 0 && v[8] != '\0')
		return 0;
	if (auth == NULL || strpbrk(v, " \t") != NULL)
		return bad_value(e, ki, "URL", v, hint);
	alen = strcspn(auth, "/?#");
	if (memchr(auth, '@', alen) != NULL)
		return err_set(e, ERR_CONFIG,
			       "%s must not contain credentials (user:password@host): set username "
			       "and password_file in [%s], or OPSDECK_PROMETHEUS_PASSWORD",
			       ki->name, ki->section);
	if (alen == 0)
		return bad_value(e, ki, "URL", v, hint);
	return 0;
}

static int
check_enum(const struct config_key_info *ki, const char *v, struct err *e)
{
	char hint[256];
	const char *p;
	size_t n = strlen(v);

	if (ki->domain == NULL) {
		if (prometheus_preset(v) != NULL)
			return 0;
		snprintf(hint, sizeof hint, "choose one of: %s", prometheus_preset_names());
		return bad_value(e, ki, "value", v, hint);
	}
	for (p = ki->domain; *p != '\0';) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, v, n) == 0)
			return 0;
		p += len + (p[len] == ',');
		p += strspn(p, " ");
	}
	snprintf(hint, sizeof hint, "choose one of: %s", ki->domain);
	return bad_value(e, ki, "value", v, hint);
}

static int
check_template(const struct config_key_info *ki, const char *v, struct err *e)
{
	const char *p = v;

	while ((p = strstr(p, "${")) != NULL) {
		char ex[CONFIG_EXCERPT_MAX];
		size_t len = strcspn(p, "}");

		if (p[len] == '}' && ((len == 7 && strncmp(p, "${label", 7) == 0) ||
				      (len == 8 && strncmp(p, "${window", 8) == 0))) {
			p += len + 1;
			continue;
		}
		ini_excerpt(p, p[len] == '}' ? len + 1 : len, ex, sizeof ex);
		return err_set(e, ERR_CONFIG,
			       "unknown placeholder '%s' in %s (use ${label} and ${window})", ex,
			       ki->name);
	}
	return 0;
}

static int
check_int(const struct config_key_info *ki, const char *v, long *out, struct err *e)
{
	char hint[96];
	long lo = 0, hi = 0;
	char *end;

	lo = strtol(ki->domain, &end, 10);
	hi = strtol(end + 2, NULL, 10);
	if (parse_long(v, lo, hi, out, NULL) == 0)
		return 0;
	snprintf(hint, sizeof hint, "write an integer from %ld to %ld", lo, hi);
	return bad_value(e, ki, "number", v, hint);
}

static bool
is_label_name(const char *v)
{
	const char *p;

	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		      (p != v && *p >= '0' && *p <= '9')))
			return false;
	return p != v;
}

/* Check text against key's type.  Messages never quote a secret. */
int
config_check_value(enum config_key k, const char *v, struct err *e)
{
	static const char dur_hint[] = "write e.g. 250ms, 2s, 5m, 1h";
	const struct config_key_info *ki = config_key_info(k);
	long long ms;
	unsigned long long size;
	double ratio;
	long l;
	int b;
	const char *p;

	for (p = v; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return err_set(e, ERR_CONFIG, "control character in the value of %s",
				       ki->name);
	switch (ki->type) {
	case CFG_T_STRING:
	case CFG_T_SECRET:
		return 0;
	case CFG_T_LABEL:
		if (*v == '\0' || is_label_name(v))
			return 0;
		return bad_value(e, ki, "label name", v,
				 "a Prometheus label name, [a-zA-Z_][a-zA-Z0-9_]*");
	case CFG_T_URL:
		return check_url(ki, v, e);
	case CFG_T_PATH:
		return *v != '\0' ? 0 : err_set(e, ERR_CONFIG, "empty file name for %s", ki->name);
	case CFG_T_DURATION:
	case CFG_T_WINDOW:
		if (parse_duration_ms(v, &ms, NULL) < 0)
			return bad_value(e, ki, "duration", v, dur_hint);
		if (ms <= 0)
			return bad_value(e, ki, "duration", v, "must be more than 0");
		if (ki->type == CFG_T_WINDOW && strchr(v, '.') != NULL)
			return bad_value(e, ki, "duration", v,
					 "PromQL takes whole units, e.g. 90s");
		return 0;
	case CFG_T_INT:
		return check_int(ki, v, &l, e);
	case CFG_T_BOOL:
		return parse_bool(v, &b, NULL) == 0
			       ? 0
			       : bad_value(e, ki, "boolean", v, "write true or false");
	case CFG_T_ENUM:
		return check_enum(ki, v, e);
	case CFG_T_PERCENT:
		if (parse_percent(v, &ratio, NULL) == 0 && ratio <= 1.0)
			return 0;
		return bad_value(e, ki, "percentage", v, "write e.g. 1%, 0.5%, or a ratio 0.01");
	case CFG_T_SIZE:
		if (parse_size(v, &size, NULL) == 0 && size > 0)
			return 0;
		return bad_value(e, ki, "size", v, "write e.g. 512KiB, 32MiB, 1GiB");
	case CFG_T_LIST: {
		size_t name = strcspn(v, ": \t");
		if (name > 0 && v[name] == ':')
			return 0;
		/* The value may hold a credential: do not quote it. */
		return err_set(e, ERR_CONFIG,
			       "invalid %s (write 'Name: value', e.g. 'X-Scope-OrgID: team1')",
			       ki->name);
	}
	case CFG_T_TEMPLATE:
		return check_template(ki, v, e);
	}
	return 0;
}

/* ---- headers ----------------------------------------------------------- */

/* A header whose value is a credential ("Authorization", "X-Api-Key"). */
bool
config_check_secret_header(const char *h)
{
	static const char *const words[] = { "auth", "token", "key", "secret", "pass", "cookie" };
	size_t n = strcspn(h, ":"), i, j;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t wl = strlen(words[i]);
		for (j = 0; j + wl <= n; j++)
			if (strncasecmp(h + j, words[i], wl) == 0)
				return true;
	}
	return false;
}
