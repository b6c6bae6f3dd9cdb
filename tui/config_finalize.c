/*
 * config_finalize.c - what config_finalize() does once every source is
 * loaded: read the secret files, fill the defaults that come from the
 * [prometheus] preset, and check the rules that span keys (thresholds,
 * credentials of each HTTP backend, the [logs] limits, Docker's
 * cert_path, the [service] aliases).  Messages never quote a secret.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "prometheus.h"
#include "xalloc.h"

/* The HTTP backends whose sections carry token / username / password / ca_file. */
static const char *const http_sections[] = { "prometheus", "elasticsearch", "zipkin" };

static int
read_secret(struct config *cfg, enum config_key k, struct err *e)
{
	const struct config_key_info *ki = config_key_info(k), *fi;
	int fk = config_secret_file_key(k), err_no = 0;
	const char *path;
	size_t len, i;
	char *data;

	config_wipe(cfg->secret[k]);
	free(cfg->secret[k]);
	cfg->secret[k] = NULL;
	if (config_slot_set(&cfg->slot[k][CFG_SRC_ENV]) || fk < 0 ||
	    (path = config_str(cfg, (enum config_key)fk)) == NULL)
		return 0;
	fi = config_key_info((enum config_key)fk);
	data = config_slurp(path, CONFIG_SECRET_FILE_MAX, &len, &err_no);
	if (data == NULL)
		return err_set(e, ERR_CONFIG, "cannot read %s '%s' ([%s] %s): %s", fi->name, path,
			       ki->section, ki->name,
			       err_no == EFBIG ? "larger than 64 KiB" : strerror(err_no));
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	for (i = 0; i < len; i++) {
		if ((unsigned char)data[i] < 0x20 || data[i] == 0x7f) {
			config_wipe(data);
			memset(data, 0, len);
			free(data);
			return err_set(e, ERR_CONFIG,
				       "%s '%s' holds a line break or control character (one line "
				       "expected)",
				       fi->name, path);
		}
	}
	if (len == 0) {
		free(data);
		return err_set(e, ERR_CONFIG, "%s '%s' is empty", fi->name, path);
	}
	cfg->secret[k] = data;
	return 0;
}

/* Fill the DEFAULT slot of "preset" keys from the chosen preset. */
static int
fill_preset(struct config *cfg, struct err *e)
{
	const char *name = config_str(cfg, CFG_PROMETHEUS_PRESET);
	const struct prom_preset *p = prometheus_preset(name);
	char *where;
	int k, m;

	if (p == NULL)
		return err_set(e, ERR_CONFIG,
			       "unknown [prometheus] preset '%s' (choose one of: %s)",
			       name ? name : "", prometheus_preset_names());
	where = xasprintf("preset %s", p->name);
	for (k = 0; k < CFG_KEY_COUNT; k++) {
		const struct config_key_info *ki = config_key_info((enum config_key)k);
		struct config_slot *sl = &cfg->slot[k][CFG_SRC_DEFAULT];
		const char *v = NULL;

		if (!config_is_preset_default(ki))
			continue;
		if (k == CFG_PROMETHEUS_SERVICE_LABEL)
			v = p->service_label;
		for (m = 0; m < PROM_METRIC_COUNT; m++)
			if (strcmp(ki->name, prometheus_metric_name((enum prom_metric)m)) == 0)
				v = p->query[m];
		config_slot_clear(sl);
		sl->text = v != NULL ? xstrdup(v) : NULL;
		sl->where = xstrdup(where);
	}
	free(where);
	return 0;
}

/* Each "<x>_warn" key must not exceed its "<x>_crit" sibling. */
static int
check_thresholds(const struct config *cfg, struct err *e)
{
	int w;

	for (w = 0; w < CFG_KEY_COUNT; w++) {
		const struct config_key_info *ki = config_key_info((enum config_key)w);
		const char *n = ki->name;
		size_t len = strlen(n);
		char crit[64];
		bool bad;
		int c;

		if (len < 5 || strcmp(n + len - 5, "_warn") != 0 || len > 40)
			continue;
		snprintf(crit, sizeof crit, "%.*s_crit", (int)(len - 5), n);
		c = config_find_key(ki->section, crit);
		if (c < 0)
			continue;
		if (ki->type == CFG_T_PERCENT)
			bad = config_ratio(cfg, (enum config_key)w) >
			      config_ratio(cfg, (enum config_key)c);
		else
			bad = config_ms(cfg, (enum config_key)w) >
			      config_ms(cfg, (enum config_key)c);
		if (bad)
			return err_set(e, ERR_CONFIG,
				       "[%s] %s = %s is above %s = %s: warn must not exceed crit",
				       ki->section, n, config_str(cfg, (enum config_key)w), crit,
				       config_str(cfg, (enum config_key)c));
	}
	return 0;
}

/* Whether the key named name in [section] exists and has a value (a secret counts). */
static bool
has(const struct config *cfg, const char *section, const char *name)
{
	int k = config_find_key(section, name);

	if (k < 0)
		return false;
	if (config_key_info((enum config_key)k)->type == CFG_T_SECRET)
		return config_secret(cfg, (enum config_key)k) != NULL;
	return config_str(cfg, (enum config_key)k) != NULL;
}

/*
 * One kind of credentials per HTTP backend: a bearer token, a username
 * with its password, or (where the section has one) an API key.  Then a
 * ca_file that can be read.
 */
static int
check_credentials(const struct config *cfg, const char *sec, struct err *e)
{
	static const char *const kind[] = { "a token", "a username/password", "an API key" };
	bool user = has(cfg, sec, "username"), password = has(cfg, sec, "password");
	bool api = config_find_key(sec, "api_key") >= 0;
	bool present[3] = { has(cfg, sec, "token"), user || password, has(cfg, sec, "api_key") };
	int first = -1, i, pk;
	const char *ca;

	for (i = 0; i < 3; i++) {
		if (!present[i])
			continue;
		if (first >= 0)
			return err_set(e, ERR_CONFIG,
				       "[%s] has both %s and %s: keep one kind of credentials (%s)",
				       sec, kind[first], kind[i],
				       api ? "token_file, username + password_file, or api_key_file"
					   : "token_file, or username + password_file");
		first = i;
	}
	pk = config_find_key(sec, "password");
	if (user && !password)
		return err_set(e, ERR_CONFIG,
			       "[%s] username is set but no password: set password_file or %s", sec,
			       pk >= 0 ? config_key_info((enum config_key)pk)->env
				       : "its variable");
	if (!user && password)
		return err_set(e, ERR_CONFIG,
			       "[%s] a password is set but no username: set username", sec);
	i = config_find_key(sec, "ca_file");
	ca = i >= 0 ? config_str(cfg, (enum config_key)i) : NULL;
	if (ca != NULL && access(ca, R_OK) != 0)
		return err_set(e, ERR_CONFIG, "cannot read ca_file '%s' ([%s]): %s", ca, sec,
			       strerror(errno));
	return 0;
}

/*
 * An Elasticsearch API key goes out as "Authorization: ApiKey <key>",
 * where <key> is the base64 "encoded" value Elasticsearch returns when the
 * key is created, base64("id:api_key").  Catch the usual mistakes (the
 * raw id:api_key pair, a copied "ApiKey " prefix) before the first 401.
 */
static int
check_api_key(const struct config *cfg, struct err *e)
{
	const char *key = config_secret(cfg, CFG_ELASTICSEARCH_API_KEY);
	const char *fix;
	char *src;
	size_t n, pad;

	if (key == NULL)
		return 0;
	n = strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_");
	pad = strspn(key + n, "=");
	if (n > 0 && key[n + pad] == '\0' && pad <= 2)
		return 0;
	if (config_source(cfg, CFG_ELASTICSEARCH_API_KEY) == CFG_SRC_ENV)
		src = xasprintf("%s", config_key_info(CFG_ELASTICSEARCH_API_KEY)->env);
	else
		src = xasprintf("api_key_file '%s'",
				config_str(cfg, CFG_ELASTICSEARCH_API_KEY_FILE));
	if (strchr(key, ':') != NULL)
		fix = "it looks like the id:api_key pair; write its base64 form, the \"encoded\" "
		      "value Elasticsearch returns (echo -n 'id:api_key' | base64)";
	else if (strchr(key, ' ') != NULL)
		fix = "write the key alone, without 'ApiKey ' or other words: opsdeck adds the "
		      "Authorization header";
	else
		fix = "write the base64 \"encoded\" value Elasticsearch returns when the key is "
		      "created";
	err_set(e, ERR_CONFIG, "[elasticsearch] the API key in %s is not base64: %s", src, fix);
	free(src);
	return -1;
}

/* The [logs] limits must fit inside each other. */
static int
check_logs(const struct config *cfg, struct err *e)
{
	if (config_size(cfg, CFG_LOGS_MAX_MESSAGE) > config_size(cfg, CFG_LOGS_MAX_BYTES))
		return err_set(e, ERR_CONFIG,
			       "[logs] max_message = %s is above max_bytes = %s: one message must "
			       "fit in the lines held",
			       config_str(cfg, CFG_LOGS_MAX_MESSAGE),
			       config_str(cfg, CFG_LOGS_MAX_BYTES));
	if (config_int(cfg, CFG_LOGS_PAGE) > config_int(cfg, CFG_LOGS_MAX_LINES))
		return err_set(e, ERR_CONFIG,
			       "[logs] page = %ld is above max_lines = %ld: one page must fit in "
			       "the lines held",
			       config_int(cfg, CFG_LOGS_PAGE), config_int(cfg, CFG_LOGS_MAX_LINES));
	return 0;
}

/* With tls_verify on, cert_path (when set) must be a directory we can read. */
static int
check_cert_path(const struct config *cfg, struct err *e)
{
	const char *dir = config_str(cfg, CFG_DOCKER_CERT_PATH);
	struct stat st;

	if (dir == NULL || !config_bool(cfg, CFG_DOCKER_TLS_VERIFY))
		return 0;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return err_set(e, ERR_CONFIG,
			       "cert_path '%s' ([docker]) is not a directory: name the directory "
			       "holding ca.pem, cert.pem and key.pem",
			       dir);
	if (access(dir, R_OK | X_OK) != 0)
		return err_set(e, ERR_CONFIG, "cannot read cert_path '%s' ([docker]): %s", dir,
			       strerror(errno));
	return 0;
}

int
config_finalize(struct config *cfg, struct err *e)
{
	size_t i;
	int k;

	if (fill_preset(cfg, e) < 0)
		return -1;
	for (k = 0; k < CFG_KEY_COUNT; k++)
		if (config_key_info((enum config_key)k)->type == CFG_T_SECRET &&
		    read_secret(cfg, (enum config_key)k, e) < 0)
			return -1;
	if (check_thresholds(cfg, e) < 0)
		return -1;
	for (i = 0; i < sizeof http_sections / sizeof http_sections[0]; i++)
		if (check_credentials(cfg, http_sections[i], e) < 0)
			return -1;
	if (check_api_key(cfg, e) < 0 || check_logs(cfg, e) < 0 || check_cert_path(cfg, e) < 0)
		return -1;
	return config_svc_finalize(cfg, e);
}
