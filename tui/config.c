#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "ini.h"
#include "parse.h"
#include "xalloc.h"

#define CONFIG_FILE_MAX (1024 * 1024)

#define CONFIG_KEY_ROW(id, sec, key, type, def, dom, env, flag, help) \
	{ sec, key, CFG_T_##type, def, dom, env, flag, help },
static const struct config_key_info keys[CFG_KEY_COUNT] = { CONFIG_KEYS(CONFIG_KEY_ROW) };
#undef CONFIG_KEY_ROW

/* ---- small helpers ----------------------------------------------------- */

void
config_wipe(char *s)
{
	volatile char *p = s;

	while (p != NULL && *p != '\0')
		*p++ = '\0';
}

void
config_slot_clear(struct config_slot *sl)
{
	size_t i;

	free(sl->text);
	sl->text = NULL;
	for (i = 0; i < sl->nitems; i++)
		free(sl->items[i]);
	free(sl->items);
	free(sl->lines);
	sl->items = NULL;
	sl->lines = NULL;
	sl->nitems = 0;
	free(sl->where);
	sl->where = NULL;
}

bool
config_slot_set(const struct config_slot *sl)
{
	return sl->text != NULL || sl->nitems > 0;
}

const struct config_slot *
config_effective(const struct config *cfg, enum config_key k, enum config_source *src)
{
	int s;

	for (s = CFG_SRC_COUNT - 1; s >= 0; s--) {
		if (config_slot_set(&cfg->slot[k][s])) {
			if (src != NULL)
				*src = (enum config_source)s;
			return &cfg->slot[k][s];
		}
	}
	if (src != NULL)
		*src = CFG_SRC_COUNT;
	return NULL;
}

bool
config_is_preset_default(const struct config_key_info *ki)
{
	return ki->domain != NULL && strcmp(ki->domain, "preset") == 0;
}

int
config_find_key(const char *section, const char *name)
{
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++)
		if (strcmp(keys[k].section, section) == 0 && strcmp(keys[k].name, name) == 0)
			return k;
	return -1;
}

static void
excerpt(const char *s, char *out, size_t n)
{
	ini_excerpt(s, strlen(s), out, n);
}

/* "~/x" -> "$HOME/x" (new). */
static char *
expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home != NULL && *home != '\0')
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

/*
 * Read at most cap bytes of path into a new NUL-terminated string.
 * Returns NULL with *err_no set (EFBIG when larger than cap).
 */
char *
config_slurp(const char *path, size_t cap, size_t *len, int *err_no)
{
	struct stat st;
	char *data;
	size_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err_no = errno;
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		*err_no = EISDIR;
		return NULL;
	}
	data = xmalloc(cap + 2);
	for (;;) {
		ssize_t r = read(fd, data + n, cap + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err_no = errno;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap) {
			*err_no = EFBIG;
			goto fail;
		}
	}
	close(fd);
	data[n] = '\0';
	*len = n;
	return data;
fail:
	close(fd);
	memset(data, 0, n);
	free(data);
	return NULL;
}

/* ---- setting values ---------------------------------------------------- */

static int
set_value(struct config *cfg, enum config_key k, enum config_source src, const char *v,
	  const char *where, int line, struct err *e)
{
	const struct config_key_info *ki = &keys[k];
	struct config_slot *sl = &cfg->slot[k][src];

	if (config_check_value(k, v, e) < 0)
		return -1;
	if (ki->type == CFG_T_SECRET)
		config_wipe(sl->text);
	if (ki->type == CFG_T_LIST) {
		if (src != CFG_SRC_FILE || sl->gen != cfg->gen)
			config_slot_clear(sl);
		sl->items = xrealloc(sl->items, (sl->nitems + 1) * sizeof *sl->items);
		sl->lines = xrealloc(sl->lines, (sl->nitems + 1) * sizeof *sl->lines);
		sl->items[sl->nitems] = xstrdup(v);
		sl->lines[sl->nitems++] = line;
	} else {
		config_slot_clear(sl);
		if (*v == '\0' && config_is_preset_default(ki))
			sl->text = NULL; /* "use the preset's" */
		else if (ki->type == CFG_T_PATH)
			sl->text = expand_home(v);
		else
			sl->text = xstrdup(v);
	}
	free(sl->where);
	sl->where = xstrdup(where);
	sl->line = line;
	sl->gen = src == CFG_SRC_FILE ? cfg->gen : 0;
	return 0;
}

int
config_set_value(struct config *cfg, enum config_key k, enum config_source src, const char *v,
		 const char *where, int line, struct err *e)
{
	return set_value(cfg, k, src, v, where, line, e);
}

struct config *
config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++)
		if (keys[k].def != NULL)
			cfg->slot[k][CFG_SRC_DEFAULT].text = xstrdup(keys[k].def);
	return cfg;
}

void
config_free(struct config *cfg)
{
	int k, s;

	if (cfg == NULL)
		return;
	for (k = 0; k < CFG_KEY_COUNT; k++) {
		for (s = 0; s < CFG_SRC_COUNT; s++) {
			if (keys[k].type == CFG_T_SECRET)
				config_wipe(cfg->slot[k][s].text);
			config_slot_clear(&cfg->slot[k][s]);
		}
		config_wipe(cfg->secret[k]);
		free(cfg->secret[k]);
	}
	config_svc_free(cfg);
	config_env_free(cfg);
	config_keymap_free(cfg);
	free(cfg);
}

const struct config_key_info *
config_key_info(enum config_key key)
{
	assert((int)key >= 0 && key < CFG_KEY_COUNT);
	return &keys[key];
}

int
config_key_by_flag(const char *flag)
{
	int k;

	for (k = 0; flag != NULL && k < CFG_KEY_COUNT; k++)
		if (keys[k].flag != NULL && strcmp(keys[k].flag, flag) == 0)
			return k;
	return -1;
}

const char *
config_type_name(enum config_type type)
{
	static const char *const names[] = {
		[CFG_T_STRING] = "string",     [CFG_T_LABEL] = "label name",
		[CFG_T_URL] = "URL",           [CFG_T_PATH] = "file",
		[CFG_T_DURATION] = "duration", [CFG_T_WINDOW] = "duration",
		[CFG_T_INT] = "integer",       [CFG_T_BOOL] = "boolean",
		[CFG_T_ENUM] = "choice",       [CFG_T_PERCENT] = "percentage",
		[CFG_T_SIZE] = "size",         [CFG_T_LIST] = "list",
		[CFG_T_TEMPLATE] = "PromQL",   [CFG_T_SECRET] = "secret",
		[CFG_T_ENDPOINT] = "endpoint", [CFG_T_CONTEXT] = "context name",
		[CFG_T_NAME] = "name",         [CFG_T_INDEX] = "index pattern",
		[CFG_T_FIELD] = "field name",
	};

	if ((int)type < 0 || (size_t)type >= sizeof names / sizeof names[0])
		return "?";
	return names[type];
}

/* ---- sources ----------------------------------------------------------- */

char *
config_default_path(const char *flag_path, char *(*getenv_fn)(const char *), bool *is_explicit)
{
	const char *v;

	*is_explicit = true;
	if (flag_path != NULL)
		return xstrdup(flag_path);
	v = getenv_fn("OPSDECK_CONFIG");
	if (v != NULL && *v != '\0')
		return xstrdup(v);
	*is_explicit = false;
	v = getenv_fn("XDG_CONFIG_HOME");
	if (v != NULL && v[0] == '/')
		return xasprintf("%s/opsdeck/config.ini", v);
	v = getenv_fn("HOME");
	if (v != NULL && *v != '\0')
		return xasprintf("%s/.config/opsdeck/config.ini", v);
	return NULL;
}

struct load_ctx {
	struct config *cfg;
	const char *name;
	struct config_svc_load svc;
};

static int
file_key(void *ud, const char *section, const char *sub, const char *key, const char *value,
	 int line, struct err *e)
{
	struct load_ctx *lc = ud;
	const struct config_key_info *ki;
	const struct config_slot *sl;
	const char *hint;
	char ex[CONFIG_EXCERPT_MAX];
	int k;

	if (config_svc_open_until(lc->cfg, &lc->svc, line, e) < 0)
		return -1;
	if (strcmp(section, "service") == 0)
		return config_svc_key(lc->cfg, &lc->svc, sub, key, value, line, e);
	if (strcmp(section, "env") == 0)
		return config_env_key(lc->cfg, sub, key, value, lc->name, line, e);
	if (strcmp(section, "keys") == 0 && sub == NULL)
		return config_keymap_key(lc->cfg, key, value, lc->name, line, e);
	if (!config_check_known_section(section) || sub != NULL) {
		excerpt(sub != NULL ? sub : "", ex, sizeof ex);
		hint = config_check_known_section(section) ? NULL
							   : config_check_closest(NULL, section);
		return err_set(e, ERR_CONFIG, "unknown section [%s%s%s%s]%s%s%s", section,
			       sub ? " \"" : "", ex, sub ? "\"" : "",
			       hint ? " (did you mean [" : "", hint ? hint : "", hint ? "]?)" : "");
	}
	k = config_find_key(section, key);
	if (k < 0) {
		int other;

		excerpt(key, ex, sizeof ex);
		hint = config_check_closest(section, key);
		if (hint != NULL)
			return err_set(e, ERR_CONFIG,
				       "unknown key '%s' in [%s] (did you mean '%s'?)", ex, section,
				       hint);
		for (other = 0; other < CFG_KEY_COUNT; other++)
			if (strcmp(keys[other].name, key) == 0)
				return err_set(e, ERR_CONFIG,
					       "unknown key '%s' in [%s] (it belongs in [%s])", ex,
					       section, keys[other].section);
		return err_set(e, ERR_CONFIG, "unknown key '%s' in [%s]", ex, section);
	}
	ki = &keys[k];
	if (ki->type == CFG_T_SECRET)
		return err_set(
			e, ERR_CONFIG,
			"%s cannot be set in the config file (keep secrets out of it): write it "
			"to a file and set %s_file = /path/to/file, or set %s",
			ki->name, ki->name, ki->env);
	sl = &lc->cfg->slot[k][CFG_SRC_FILE];
	if (ki->type != CFG_T_LIST && sl->gen == lc->cfg->gen)
		return err_set(e, ERR_CONFIG,
			       "%s in [%s] is set twice, on lines %d and %d: keep one", ki->name,
			       ki->section, sl->line, line);
	return set_value(lc->cfg, (enum config_key)k, CFG_SRC_FILE, value, lc->name, line, e);
}

int
config_load_buffer(struct config *cfg, const char *text, size_t len, const char *name,
		   struct err *e)
{
	struct load_ctx lc = { cfg, name != NULL ? name : "<config>" };
	int rc;

	cfg->gen++;
	config_svc_scan(&lc.svc, text, len, lc.name);
	rc = ini_parse(text, len, lc.name, file_key, &lc, e);
	if (rc == 0)
		rc = config_svc_open_until(cfg, &lc.svc, INT_MAX, e);
	config_svc_load_done(&lc.svc);
	return rc;
}

int
config_load_file(struct config *cfg, const char *path, bool must_exist, struct err *e)
{
	size_t len;
	int err_no = 0, rc;
	char *text = config_slurp(path, CONFIG_FILE_MAX, &len, &err_no);

	if (text == NULL) {
		if (err_no == ENOENT && !must_exist)
			return 0;
		if (err_no == EFBIG)
			return err_set(e, ERR_CONFIG, "config file '%s' is larger than %d KiB",
				       path, CONFIG_FILE_MAX / 1024);
		return err_set(e, ERR_CONFIG, "cannot read config file '%s': %s", path,
			       strerror(err_no));
	}
	rc = config_load_buffer(cfg, text, len, path, e);
	free(text);
	return rc;
}

int
config_load_env(struct config *cfg, char *(*getenv_fn)(const char *), struct err *e)
{
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++) {
		const char *v;
		char *where = NULL;
		int rc, b;

		if (keys[k].env == NULL)
			continue;
		v = getenv_fn(keys[k].env);
		if (v == NULL || *v == '\0')
			continue;
		if (k == CFG_DOCKER_TLS_VERIFY) {
			/*
			 * Docker turns TLS on for any non-empty DOCKER_TLS_VERIFY,
			 * "0" and "false" included; so do we, and say so when the
			 * text suggests otherwise.
			 */
			if (parse_bool(v, &b, NULL) < 0 || !b) {
				char ex[CONFIG_EXCERPT_MAX];

				excerpt(v, ex, sizeof ex);
				where = xasprintf("%s=%s (Docker reads any value as true)",
						  keys[k].env, ex);
			}
			v = "true";
		}
		rc = set_value(cfg, (enum config_key)k, CFG_SRC_ENV, v,
			       where != NULL ? where : keys[k].env, 0, e);
		free(where);
		if (rc < 0)
			return err_prefix(e, "environment variable %s", keys[k].env);
	}
	return 0;
}

int
config_set_flag(struct config *cfg, const char *flag, const char *value, struct err *e)
{
	int k = config_key_by_flag(flag);

	if (k < 0)
		return err_set(e, ERR_USAGE, "unknown option '%s'", flag ? flag : "");
	if (value == NULL && keys[k].type != CFG_T_BOOL)
		return err_set(e, ERR_USAGE, "option '%s' needs a value", flag);
	if (value == NULL)
		value = "true"; /* a boolean flag given without a value: --read-only */
	if (set_value(cfg, (enum config_key)k, CFG_SRC_FLAG, value, flag, 0, e) < 0)
		return err_prefix(e, "%s", flag);
	return 0;
}

/* The PATH key holding the file of SECRET key k ("token" -> "token_file"). */
int
config_secret_file_key(enum config_key k)
{
	char name[64];

	snprintf(name, sizeof name, "%s_file", keys[k].name);
	return config_find_key(keys[k].section, name);
}

/* ---- accessors --------------------------------------------------------- */

static const char *
text_of(const struct config *cfg, enum config_key k)
{
	const struct config_slot *sl;

	assert((int)k >= 0 && k < CFG_KEY_COUNT);
	sl = config_effective(cfg, k, NULL);
	return sl != NULL ? sl->text : NULL;
}

const char *
config_str(const struct config *cfg, enum config_key key)
{
	assert((int)key >= 0 && key < CFG_KEY_COUNT);
	if (keys[key].type == CFG_T_SECRET || keys[key].type == CFG_T_LIST)
		return NULL;
	return text_of(cfg, key);
}

long long
config_ms(const struct config *cfg, enum config_key key)
{
	const char *v = text_of(cfg, key);
	long long ms = 0;

	assert(keys[key].type == CFG_T_DURATION || keys[key].type == CFG_T_WINDOW);
	if (v == NULL || parse_duration_ms(v, &ms, NULL) < 0)
		return 0;
	return ms;
}

double
config_ratio(const struct config *cfg, enum config_key key)
{
	const char *v = text_of(cfg, key);
	double r = 0;

	assert(keys[key].type == CFG_T_PERCENT);
	if (v == NULL || parse_percent(v, &r, NULL) < 0)
		return 0;
	return r;
}

unsigned long long
config_size(const struct config *cfg, enum config_key key)
{
	const char *v = text_of(cfg, key);
	unsigned long long n = 0;

	assert(keys[key].type == CFG_T_SIZE);
	if (v == NULL || parse_size(v, &n, NULL) < 0)
		return 0;
	return n;
}

long
config_int(const struct config *cfg, enum config_key key)
{
	const char *v = text_of(cfg, key);

	assert(keys[key].type == CFG_T_INT);
	return v != NULL ? strtol(v, NULL, 10) : 0;
}

bool
config_bool(const struct config *cfg, enum config_key key)
{
	const char *v = text_of(cfg, key);
	int b = 0;

	assert(keys[key].type == CFG_T_BOOL);
	if (v == NULL || parse_bool(v, &b, NULL) < 0)
		return false;
	return b != 0;
}

const char *const *
config_list(const struct config *cfg, enum config_key key, size_t *n)
{
	const struct config_slot *sl;

	assert((int)key >= 0 && key < CFG_KEY_COUNT && keys[key].type == CFG_T_LIST);
	sl = config_effective(cfg, key, NULL);
	*n = sl != NULL ? sl->nitems : 0;
	return sl != NULL ? (const char *const *)sl->items : NULL;
}

bool
config_isset(const struct config *cfg, enum config_key key)
{
	assert((int)key >= 0 && key < CFG_KEY_COUNT);
	return config_effective(cfg, key, NULL) != NULL ||
	       (keys[key].type == CFG_T_SECRET && cfg->secret[key] != NULL);
}

enum config_source
config_source(const struct config *cfg, enum config_key key)
{
	enum config_source src;

	assert((int)key >= 0 && key < CFG_KEY_COUNT);
	config_effective(cfg, key, &src);
	if (src == CFG_SRC_COUNT && keys[key].type == CFG_T_SECRET && cfg->secret[key] != NULL)
		return CFG_SRC_FILE;
	return src;
}

const char *
config_secret(const struct config *cfg, enum config_key key)
{
	const char *v;

	assert((int)key >= 0 && key < CFG_KEY_COUNT && keys[key].type == CFG_T_SECRET);
	v = text_of(cfg, key);
	return v != NULL ? v : cfg->secret[key];
}

bool
config_prometheus_configured(const struct config *cfg)
{
	const char *url = config_str(cfg, CFG_PROMETHEUS_URL);

	return url != NULL && *url != '\0';
}

bool
config_elasticsearch_configured(const struct config *cfg)
{
	const char *url = config_str(cfg, CFG_ELASTICSEARCH_URL);

	return url != NULL && *url != '\0';
}

bool
config_zipkin_configured(const struct config *cfg)
{
	const char *url = config_str(cfg, CFG_ZIPKIN_URL);

	return url != NULL && *url != '\0';
}

char *
config_audit_path(const struct config *cfg, char *(*getenv_fn)(const char *))
{
	const char *v = config_str(cfg, CFG_GENERAL_AUDIT_LOG);

	if (v != NULL)
		return xstrdup(v);
	v = getenv_fn("XDG_STATE_HOME");
	if (v != NULL && v[0] == '/')
		return xasprintf("%s/opsdeck/audit.jsonl", v);
	v = getenv_fn("HOME");
	if (v != NULL && *v != '\0')
		return xasprintf("%s/.local/state/opsdeck/audit.jsonl", v);
	return NULL;
}
