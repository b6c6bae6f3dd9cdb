/*
 * config_check.c - checks of single configuration values: each key type's
 * syntax, the values of [service] sections, "did you mean" suggestions for
 * unknown names, and which request headers carry credentials.  The key
 * table itself lives in config.c.
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

	if (section != NULL && strcmp(section, "service") == 0) {
		for (k = 0; k < CFG_ALIAS_COUNT; k++) {
			const char *cand = config_svc_key_name((enum config_alias_source)k);
			int d = edit_distance(word, cand);

			if (d < bd) {
				bd = d;
				best = cand;
			}
		}
		return best;
	}
	if (section == NULL && edit_distance(word, "service") < bd) {
		bd = edit_distance(word, "service");
		best = "service";
	}
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
	static const char prom_hint[] =
		"write e.g. http://localhost:9090, https://prom.example.com "
		"or unix:///run/prometheus.sock";
	static const char es_hint[] = "write e.g. http://localhost:9200, https://logs.example.com "
				      "or unix:///run/elasticsearch.sock";
	static const char zk_hint[] =
		"write e.g. http://localhost:9411, https://zipkin.example.com "
		"or unix:///run/zipkin.sock";
	const char *hint = strcmp(ki->section, "elasticsearch") == 0 ? es_hint
			   : strcmp(ki->section, "zipkin") == 0      ? zk_hint
								     : prom_hint;
	const char *auth = NULL, *pw_env = NULL;
	size_t alen;
	int k;

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
	if (memchr(auth, '@', alen) != NULL) {
		for (k = 0; k < CFG_KEY_COUNT; k++) {
			const struct config_key_info *pi = config_key_info((enum config_key)k);

			if (strcmp(pi->section, ki->section) == 0 &&
			    strcmp(pi->name, "password") == 0)
				pw_env = pi->env;
		}
		return err_set(e, ERR_CONFIG,
			       "%s must not contain credentials (user:password@host): set username "
			       "and password_file in [%s]%s%s",
			       ki->name, ki->section, pw_env != NULL ? ", or " : "",
			       pw_env != NULL ? pw_env : "");
	}
	if (alen == 0)
		return bad_value(e, ki, "URL", v, hint);
	return 0;
}

/* [host][:port][/], host a name, an IPv4 address or [IPv6]; port 1..65535. */
static bool
valid_host_port(const char *p)
{
	size_t h;

	if (*p == '[') {
		h = 1 + strspn(p + 1, "0123456789abcdefABCDEF:.");
		if (p[h] != ']' || h < 3)
			return false;
		p += h + 1;
	} else {
		h = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
		if (h == 0)
			return false;
		p += h;
	}
	if (*p == ':') {
		long port = 0;

		for (p++, h = 0; *p >= '0' && *p <= '9'; p++, h++)
			if (h < 6)
				port = port * 10 + (*p - '0');
		if (h == 0 || h > 5 || port < 1 || port > 65535)
			return false;
	}
	return *p == '\0' || strcmp(p, "/") == 0;
}

/* A Docker endpoint as DOCKER_HOST takes it; "" means "no Docker". */
static int
check_endpoint(const struct config_key_info *ki, const char *v, struct err *e)
{
	static const char hint[] = "write e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376 "
				   "or ssh://deploy@build-host";
	const char *at;

	if (*v == '\0')
		return 0; /* explicitly not configured */
	if (strpbrk(v, " \t") != NULL)
		return bad_value(e, ki, "endpoint", v, hint);
	if (strncmp(v, "unix:///", 8) == 0)
		return v[8] != '\0' ? 0 : bad_value(e, ki, "endpoint", v, hint);
	if (strncmp(v, "tcp://", 6) == 0)
		return valid_host_port(v + 6) ? 0 : bad_value(e, ki, "endpoint", v, hint);
	if (strncmp(v, "ssh://", 6) != 0)
		return bad_value(e, ki, "endpoint", v, hint);
	v += 6;
	at = strchr(v, '@');
	if (at != NULL && memchr(v, ':', (size_t)(at - v)) != NULL)
		/* Do not quote it: the part before '@' holds a password. */
		return err_set(e, ERR_CONFIG,
			       "%s must not contain a password (ssh://user:password@host): let ssh "
			       "use a key or the agent",
			       ki->name);
	if (at != NULL && (at == v || memchr(v, '/', (size_t)(at - v)) != NULL))
		return bad_value(e, ki, "endpoint", v - 6, hint);
	return valid_host_port(at != NULL ? at + 1 : v) ? 0
							: bad_value(e, ki, "endpoint", v - 6, hint);
}

/* As the docker CLI checks context names. */
static bool
is_context_name(const char *v)
{
	static const char rest[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				   "_.+-";

	return ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9')) &&
	       v[strspn(v, rest)] == '\0';
}

/* A Kubernetes object name (a DNS-1123 subdomain): [a-z0-9] then [a-z0-9.-], at most 253. */
static bool
k8s_name_ok(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && n <= 253 &&
	       v[strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-")] == '\0' && v[0] != '-' &&
	       v[0] != '.' && v[n - 1] != '-' && v[n - 1] != '.';
}

/*
 * kubeconfig context names, comma-separated: kubectl allows almost any
 * text ("arn:aws:eks:...:cluster/prod", "user@cluster"), so each only has
 * to be non-empty, UTF-8 and free of blanks at its ends.
 */
static int
check_contexts(const struct config_key_info *ki, const char *v, struct err *e)
{
	const char *p = v;

	if (!config_check_utf8(v))
		return err_set(e, ERR_CONFIG, "invalid UTF-8 in %s in [%s]", ki->name, ki->section);
	for (;;) {
		size_t n = strcspn(p, ",");

		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0)
			return err_set(
				e, ERR_CONFIG,
				"empty context name in %s in [%s] (write one or more "
				"kubeconfig context names separated by commas, e.g. prod,staging)",
				ki->name, ki->section);
		p += strcspn(p, ",");
		if (*p == '\0')
			return 0;
		p++;
	}
}

/* An ECS cluster or service name: 1 to 255 letters, digits, '-' and '_'. */
static bool
ecs_name_ok(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 255)
		return false;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '_'))
			return false;
	return true;
}

/* A cluster's ARN: "arn:PARTITION:ecs:REGION:ACCOUNT:cluster/NAME". */
static bool
ecs_cluster_arn_ok(const char *v, size_t n)
{
	const char *c = memchr(v, '/', n);
	int colons = 0;
	size_t i;

	if (n < 4 || strncmp(v, "arn:", 4) != 0 || c == NULL)
		return false;
	for (i = 0; v + i < c; i++)
		colons += v[i] == ':';
	return colons == 5 && (size_t)(c - v) >= 8 && strncmp(c - 8, ":cluster", 8) == 0 &&
	       ecs_name_ok(c + 1, n - (size_t)(c + 1 - v));
}

/* ECS clusters, comma-separated: each a name or an ARN. */
static int
check_clusters(const struct config_key_info *ki, const char *v, struct err *e)
{
	const char *p = v;
	char ex[CONFIG_EXCERPT_MAX];

	for (;;) {
		size_t n = strcspn(p, ",");

		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!ecs_name_ok(p, n) && !ecs_cluster_arn_ok(p, n)) {
			ini_excerpt(p, n, ex, sizeof ex);
			return err_set(
				e, ERR_CONFIG,
				"invalid ECS cluster '%s' in %s in [%s] (a cluster name - "
				"letters, digits, '-' and '_' - or its ARN, several separated "
				"by commas, e.g. shop,payments)",
				ex, ki->name, ki->section);
		}
		p += strcspn(p, ",");
		if (*p == '\0')
			return 0;
		p++;
	}
}

/* Text shown to people: not empty, UTF-8, no control characters (tabs neither). */
static int
check_name(const struct config_key_info *ki, const char *v, struct err *e)
{
	if (*v == '\0')
		return err_set(e, ERR_CONFIG, "empty %s in [%s] (write e.g. %s)", ki->name,
			       ki->section, ki->def != NULL ? ki->def : "prod");
	if (strchr(v, '\t') != NULL)
		return err_set(e, ERR_CONFIG, "control character in the value of %s", ki->name);
	if (!config_check_utf8(v))
		return err_set(e, ERR_CONFIG, "invalid UTF-8 in the value of %s", ki->name);
	return 0;
}

/*
 * Elasticsearch index patterns, comma-separated: each names indices as
 * Elasticsearch allows (lowercase; none of \\ / ? " < > | # : or blanks;
 * not starting with _ - or +), with * wildcards, an optional cluster:
 * prefix for cross-cluster search, and after the first a leading - that
 * excludes ("logs-*,-logs-debug").
 */
static int
check_index(const struct config_key_info *ki, const char *v, struct err *e)
{
	static const char hint[] = "lowercase index names or patterns separated by commas, "
				   "e.g. logs-* or logs-*,-logs-debug";
	const char *p = v;

	do {
		size_t len = strcspn(p, ",");
		const char *end = p + len, *q = memchr(p, ':', len);

		q = q != NULL ? q + 1 : p;
		if (q == p + 1)
			return bad_value(e, ki, "index pattern", v, hint); /* ":name" */
		if (*q == '-' && p != v)
			q++; /* an exclusion */
		if (q >= end || *q == '_' || *q == '-' || *q == '+')
			return bad_value(e, ki, "index pattern", v, hint);
		for (; q < end; q++)
			if ((*q >= 'A' && *q <= 'Z') || strchr("\\/?\"<>| \t#:", *q) != NULL)
				return bad_value(e, ki, "index pattern", v, hint);
		p = end;
	} while (*p++ == ',');
	return 0;
}

/*
 * An Elasticsearch field name: dotted path segments ("log.level",
 * "@timestamp"), no blanks, quotes, backslashes or wildcards, valid UTF-8.
 */
static int
check_field(const struct config_key_info *ki, const char *v, struct err *e)
{
	static const char hint[] = "a field name such as @timestamp or log.level";
	size_t n = strlen(v);

	if (n == 0 || v[0] == '.' || v[n - 1] == '.' || strstr(v, "..") != NULL ||
	    strpbrk(v, " \t\"\\*?,") != NULL || !config_check_utf8(v))
		return bad_value(e, ki, "field name", v, hint);
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

		if (ki->domain != NULL && strcmp(ki->domain, "contexts") == 0)
			return check_contexts(ki, v, e);
		if (ki->domain != NULL && strcmp(ki->domain, "clusters") == 0)
			return check_clusters(ki, v, e);
		if (name > 0 && v[name] == ':')
			return 0;
		/* The value may hold a credential: do not quote it. */
		return err_set(e, ERR_CONFIG,
			       "invalid %s (write 'Name: value', e.g. 'X-Scope-OrgID: team1')",
			       ki->name);
	}
	case CFG_T_TEMPLATE:
		return check_template(ki, v, e);
	case CFG_T_ENDPOINT:
		return check_endpoint(ki, v, e);
	case CFG_T_CONTEXT:
		if (is_context_name(v))
			return 0;
		return bad_value(e, ki, "context name", v,
				 "a Docker context name: a letter or digit, then letters, digits, "
				 "'_', '.', '+' or '-'");
	case CFG_T_NAME:
		return check_name(ki, v, e);
	case CFG_T_INDEX:
		return check_index(ki, v, e);
	case CFG_T_FIELD:
		return check_field(ki, v, e);
	}
	return 0;
}

/* ---- service sections -------------------------------------------------- */

bool
config_check_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned c = *p, cp;
		int n, i;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3F);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		p += n + 1;
	}
	return true;
}

int
config_check_alias(enum config_alias_source a, const char *name, const char *v, struct err *e)
{
	const char *key = config_svc_key_name(a);
	char ex[CONFIG_EXCERPT_MAX], nx[CONFIG_EXCERPT_MAX];
	const char *p;

	excerpt(name, nx, sizeof nx);
	if (*v == '\0')
		return err_set(e, ERR_CONFIG,
			       "empty %s in [service \"%s\"] (write the service's %s, or remove "
			       "the line to use \"%s\")",
			       key, nx,
			       a == CFG_ALIAS_RUNTIME      ? "name in the runtime"
			       : a == CFG_ALIAS_PROMETHEUS ? "label value"
			       : a == CFG_ALIAS_KUBERNETES ? "workload name"
			       : a == CFG_ALIAS_ECS        ? "ECS service name"
							   : "name in the logs",
			       nx);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, ERR_CONFIG, "control character in %s in [service \"%s\"]",
				       key, nx);
	if (!config_check_utf8(v))
		return err_set(e, ERR_CONFIG, "invalid UTF-8 in %s in [service \"%s\"]", key, nx);
	if (a == CFG_ALIAS_KUBERNETES && !k8s_name_ok(v)) {
		excerpt(v, ex, sizeof ex);
		return err_set(e, ERR_CONFIG,
			       "invalid kubernetes '%s' in [service \"%s\"] (a Deployment or "
			       "StatefulSet name: lowercase letters, digits, '-' and '.', e.g. "
			       "payments-api)",
			       ex, nx);
	}
	if (a == CFG_ALIAS_ECS && !ecs_name_ok(v, strlen(v))) {
		excerpt(v, ex, sizeof ex);
		return err_set(
			e, ERR_CONFIG,
			"invalid ecs '%s' in [service \"%s\"] (an ECS service name: letters, "
			"digits, '-' and '_', e.g. orders-api)",
			ex, nx);
	}
	if (a == CFG_ALIAS_RUNTIME && strchr(v, ' ') != NULL) {
		excerpt(v, ex, sizeof ex);
		return err_set(e, ERR_CONFIG,
			       "invalid runtime_name '%s' in [service \"%s\"] (runtime names have "
			       "no spaces, e.g. shop_orders)",
			       ex, nx);
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
