#include "setup.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canvas.h"
#include "kubeconfig.h"
#include "xalloc.h"
#include "zipkin.h"

static const enum config_key metric_keys[PROM_METRIC_COUNT] = {
	[PROM_RPS] = CFG_METRICS_RPS,       [PROM_ERRORS] = CFG_METRICS_ERRORS,
	[PROM_P99] = CFG_METRICS_P99,       [PROM_CPU] = CFG_METRICS_CPU,
	[PROM_MEMORY] = CFG_METRICS_MEMORY,
};

_Static_assert((int)PROM_RPS == (int)METRIC_RPS && (int)PROM_MEMORY == (int)METRIC_MEMORY &&
		       (int)PROM_METRIC_COUNT == (int)METRIC_COUNT,
	       "prometheus metrics and model metrics share one order");

static const char *
prometheus_display(void *ud, const char *label_value)
{
	return config_service_display_name(ud, CFG_ALIAS_PROMETHEUS, label_value);
}

static const char *
logs_display(void *ud, const char *log_name)
{
	return config_service_display_name(ud, CFG_ALIAS_ELASTICSEARCH, log_name);
}

static const char *
logs_name(void *ud, const char *display)
{
	return config_service_external_name(ud, CFG_ALIAS_ELASTICSEARCH, display);
}

static const char *
zipkin_display(void *ud, const char *zipkin_name)
{
	return config_service_display_name(ud, CFG_ALIAS_ZIPKIN, zipkin_name);
}

static const char *
zipkin_external(void *ud, const char *display)
{
	return config_service_external_name(ud, CFG_ALIAS_ZIPKIN, display);
}

static const char *
runtime_display(void *ud, const char *runtime_name)
{
	return config_service_display_name(ud, CFG_ALIAS_RUNTIME, runtime_name);
}

static const char *
k8s_display(void *ud, const char *workload)
{
	return config_service_display_name(ud, CFG_ALIAS_KUBERNETES, workload);
}

static const char *
ecs_display(void *ud, const char *service)
{
	return config_service_display_name(ud, CFG_ALIAS_ECS, service);
}

/* Hands a failed connection to the ssh tunnel, which may know why. */
static void
explain_tunnel(void *ud, struct err *e)
{
	ssh_tunnel_explain(ud, e);
}

/*
 * The Docker endpoint (docker_endpoint.h); for ssh:// start the tunnel,
 * whose local socket is then the endpoint.  Nothing here waits for it.
 */
static int
docker_setup(struct setup *s, const struct config *cfg, struct err *e)
{
	struct docker_endpoint *de = &s->docker_ep;
	struct http_endpoint *ep = &s->docker_poll.ep;

	if (docker_endpoint_resolve(de, cfg, getenv, DOCKER_DEFAULT_SOCKET, e) < 0)
		return -1;
	if (de->kind == DOCKER_EP_SSH) {
		struct ssh_tunnel_settings ts = { de->ssh_dest, de->ssh_port, de->ssh_socket,
						  config_str(cfg, CFG_DOCKER_SSH_OPTIONS), NULL };

		s->docker_tunnel = ssh_tunnel_start(&ts, e);
		if (s->docker_tunnel == NULL)
			return -1;
		s->docker_url = xstrdup(ssh_tunnel_url(s->docker_tunnel));
		s->docker_poll.explain = explain_tunnel;
		s->docker_poll.explain_ud = s->docker_tunnel;
	} else {
		s->docker_url = xstrdup(de->url);
	}
	s->docker = s->docker_url != NULL;
	ep->url = s->docker_url;
	ep->ca_file = de->ca_file;
	ep->cert_file = de->cert_file;
	ep->key_file = de->key_file;
	ep->insecure = de->insecure;
	s->docker_poll.context = config_str(cfg, CFG_DOCKER_NAME);
	/* A context names itself unless [docker] name says otherwise. */
	if (de->context != NULL && strcmp(de->context, "default") != 0 &&
	    config_source(cfg, CFG_DOCKER_NAME) == CFG_SRC_DEFAULT)
		s->docker_poll.context = de->context;
	return 0;
}

/* Whether any file of the ':'-list paths (NULL: ~/.kube/config) exists. */
static bool
kubeconfig_exists(const char *paths, const char *home)
{
	char *list, *save = NULL, *f;
	struct stat st;
	bool any = false;

	if (paths == NULL) {
		char *def;

		if (home == NULL || home[0] == '\0')
			return false;
		def = xasprintf("%s/.kube/config", home);
		any = stat(def, &st) == 0;
		free(def);
		return any;
	}
	list = xstrdup(paths);
	for (f = strtok_r(list, ":", &save); f != NULL && !any; f = strtok_r(NULL, ":", &save))
		any = stat(f, &st) == 0;
	free(list);
	return any;
}

/* new: the ':'-list with a leading "~/" of each file made $HOME/. */
static char *
expand_paths(const char *paths, const char *home)
{
	struct buf b;
	const char *p = paths;
	char *out;

	if (paths == NULL)
		return NULL;
	buf_init(&b);
	for (;;) {
		size_t n = strcspn(p, ":");

		if (n >= 2 && p[0] == '~' && p[1] == '/' && home != NULL) {
			buf_puts(&b, home);
			buf_append(&b, p + 1, n - 1);
		} else {
			buf_append(&b, p, n);
		}
		if (p[n] == '\0')
			break;
		buf_putc(&b, ':');
		p += n + 1;
	}
	buf_putc(&b, '\0');
	out = xstrdup(b.data);
	buf_done(&b);
	return out;
}

static void
k8s_add(struct setup *s, struct k8s_endpoint *k)
{
	s->k8s = xrealloc(s->k8s, (s->nk8s + 1) * sizeof *s->k8s);
	s->k8s[s->nk8s++] = k;
}

/*
 * [kubernetes] into one endpoint per context.  On when configured, else
 * when the kubeconfig exists and names a current-context (as the Docker
 * socket is used when it exists).
 */
/*
 * A kubeconfig nobody asked for (the default ~/.kube/config, without
 * KUBECONFIG, a [kubernetes] key or a flag) that cannot be used: the console still opens, without
 * Kubernetes, and says why once.
 */
static int
k8s_skip(struct setup *s, struct err *e)
{
	snprintf(s->k8s_note, sizeof s->k8s_note,
		 "%s — Kubernetes left out (fix it, or set [kubernetes] kubeconfig = \"\")",
		 e->msg);
	err_clear(e);
	return 0;
}

static int
k8s_setup(struct setup *s, const struct config *cfg, struct err *e)
{
	const char *paths = config_str(cfg, CFG_KUBERNETES_KUBECONFIG);
	const char *home = getenv("HOME");
	enum config_source ps = config_source(cfg, CFG_KUBERNETES_KUBECONFIG);
	enum config_source ns = config_source(cfg, CFG_KUBERNETES_NAMESPACE);
	struct k8s_endpoint_settings ks;
	const char *const *ctx;
	struct kubeconfig *kc;
	char *expanded;
	size_t nctx, i;
	bool asked;
	int rc = 0;

	ctx = config_list(cfg, CFG_KUBERNETES_CONTEXT, &nctx);
	/* KUBECONFIG set, a [kubernetes] key or a flag: Kubernetes was asked for. */
	asked = nctx > 0 || ps == CFG_SRC_FILE || ps == CFG_SRC_FLAG || ps == CFG_SRC_ENV ||
		ns == CFG_SRC_FILE || ns == CFG_SRC_FLAG;
	if (paths != NULL && paths[0] == '\0')
		return 0; /* kubeconfig = "": no Kubernetes */
	expanded = expand_paths(paths, home);
	if (!asked && !kubeconfig_exists(expanded, home)) {
		free(expanded);
		return 0;
	}
	kc = kubeconfig_load(expanded, home, e);
	free(expanded);
	if (kc == NULL)
		return asked ? -1 : k8s_skip(s, e);
	memset(&ks, 0, sizeof ks);
	ks.namespace = config_str(cfg, CFG_KUBERNETES_NAMESPACE);
	ks.timeout_ms = (long)config_ms(cfg, CFG_KUBERNETES_TIMEOUT);
	ks.max_body = (size_t)config_size(cfg, CFG_KUBERNETES_MAX_BODY);
	if (nctx == 0) {
		const char *cur = kubeconfig_current_context(kc);
		struct k8s_endpoint *k;

		if (!asked && (cur == NULL || cur[0] == '\0')) {
			kubeconfig_free(kc);
			return 0; /* a kubeconfig without a current-context asks for nothing */
		}
		k = k8s_endpoint_new(kc, &ks, e);
		if (k == NULL)
			rc = asked ? -1 : k8s_skip(s, e);
		else
			k8s_add(s, k);
	}
	for (i = 0; i < nctx && rc == 0; i++) {
		char *list = xstrdup(ctx[i]), *save = NULL, *c;

		for (c = strtok_r(list, ",", &save); c != NULL && rc == 0;
		     c = strtok_r(NULL, ",", &save)) {
			struct k8s_endpoint *k;
			size_t n;

			while (*c == ' ' || *c == '\t')
				c++;
			n = strlen(c);
			while (n > 0 && (c[n - 1] == ' ' || c[n - 1] == '\t'))
				c[--n] = '\0';
			if (n == 0 || k8s_endpoint_of(s, c) != NULL)
				continue; /* named twice: one runtime */
			ks.context = c;
			k = k8s_endpoint_new(kc, &ks, e);
			if (k == NULL)
				rc = -1;
			else
				k8s_add(s, k);
		}
		free(list);
	}
	kubeconfig_free(kc);
	return rc;
}

/*
 * [ecs] into one endpoint per cluster: each item of cluster is a comma
 * list; a cluster named twice is one runtime.  ECS was asked for, so any
 * failure stops the start.
 */
static int
ecs_setup(struct setup *s, const struct config *cfg, struct err *e)
{
	struct ecs_endpoint_settings es;
	const char *const *cl;
	size_t ncl, i;
	int rc = 0;

	cl = config_list(cfg, CFG_ECS_CLUSTER, &ncl);
	memset(&es, 0, sizeof es);
	es.profile = config_str(cfg, CFG_ECS_PROFILE);
	es.region = config_str(cfg, CFG_ECS_REGION);
	es.endpoint_url = config_str(cfg, CFG_ECS_ENDPOINT_URL);
	es.timeout_ms = (long)config_ms(cfg, CFG_ECS_TIMEOUT);
	es.max_body = (size_t)config_size(cfg, CFG_ECS_MAX_BODY);
	if (es.profile != NULL && es.profile[0] == '\0')
		es.profile = NULL;
	if (es.region != NULL && es.region[0] == '\0')
		es.region = NULL;
	for (i = 0; i < ncl && rc == 0; i++) {
		char *list = xstrdup(cl[i]), *save = NULL, *c;

		for (c = strtok_r(list, ",", &save); c != NULL && rc == 0;
		     c = strtok_r(NULL, ",", &save)) {
			struct ecs_endpoint *x;
			size_t n, k;
			bool dup = false;

			while (*c == ' ' || *c == '\t')
				c++;
			n = strlen(c);
			while (n > 0 && (c[n - 1] == ' ' || c[n - 1] == '\t'))
				c[--n] = '\0';
			for (k = 0; k < s->necs; k++)
				dup = dup || strcmp(ecs_endpoint_cluster(s->ecs[k]), c) == 0;
			if (n == 0 || dup)
				continue; /* named twice: one runtime */
			es.cluster = c;
			x = ecs_endpoint_new(&es, e);
			if (x == NULL) {
				rc = -1;
			} else if (ecs_endpoint_of(s, ecs_endpoint_context(x)) != NULL) {
				rc = err_set(
					e, ERR_CONFIG,
					"[ecs] cluster names two clusters called '%s' (by name "
					"and by ARN, or in two regions): keep one",
					ecs_endpoint_context(x));
				ecs_endpoint_free(x);
			} else {
				s->ecs = xrealloc(s->ecs, (s->necs + 1) * sizeof *s->ecs);
				s->ecs[s->necs++] = x;
			}
		}
		free(list);
	}
	return rc;
}

/*
 * [elasticsearch] and [logs] into s->logs.  An API key travels as one
 * more header, built here: http.c sends headers as given and never logs
 * them, and setup_done wipes this one.
 */
static void
logs_setup(struct setup *s, const struct config *cfg)
{
	struct logs_settings *ls = &s->logs;
	struct http_endpoint *ep = &ls->ep;
	const char *const *cfg_headers;
	const char *api_key = config_secret(cfg, CFG_ELASTICSEARCH_API_KEY);
	size_t nh, i;

	ls->enabled = config_elasticsearch_configured(cfg);
	s->logs_auth_hint = xstrdup("set [elasticsearch] token_file, username + password_file, or "
				    "api_key_file");
	ep->name = "elasticsearch";
	ep->url = config_str(cfg, CFG_ELASTICSEARCH_URL);
	ep->ca_file = config_str(cfg, CFG_ELASTICSEARCH_CA_FILE);
	ep->insecure = config_bool(cfg, CFG_ELASTICSEARCH_INSECURE);
	ep->bearer_token = config_secret(cfg, CFG_ELASTICSEARCH_TOKEN);
	ep->username = config_str(cfg, CFG_ELASTICSEARCH_USERNAME);
	ep->password = config_secret(cfg, CFG_ELASTICSEARCH_PASSWORD);
	cfg_headers = config_list(cfg, CFG_ELASTICSEARCH_HEADER, &nh);
	s->logs_headers = xcalloc(nh + 1, sizeof *s->logs_headers);
	for (i = 0; i < nh; i++)
		s->logs_headers[i] = cfg_headers[i];
	if (api_key != NULL) {
		s->logs_api_key_header = xasprintf("Authorization: ApiKey %s", api_key);
		s->logs_headers[nh++] = s->logs_api_key_header;
	}
	ep->headers = s->logs_headers;
	ep->nheaders = nh;
	ep->timeout_ms = (long)config_ms(cfg, CFG_ELASTICSEARCH_TIMEOUT);
	ep->max_body = (size_t)config_size(cfg, CFG_ELASTICSEARCH_MAX_BODY);
	ep->auth_hint = s->logs_auth_hint;
	ep->is_read = elasticsearch_is_read;

	ls->index = config_str(cfg, CFG_ELASTICSEARCH_INDEX);
	ls->fields.timestamp = config_str(cfg, CFG_ELASTICSEARCH_TIMESTAMP_FIELD);
	ls->fields.message = config_str(cfg, CFG_ELASTICSEARCH_MESSAGE_FIELD);
	ls->fields.level = config_str(cfg, CFG_ELASTICSEARCH_LEVEL_FIELD);
	ls->fields.service = config_str(cfg, CFG_ELASTICSEARCH_SERVICE_FIELD);
	ls->fields.trace_id = config_str(cfg, CFG_ELASTICSEARCH_TRACE_FIELD);
	ls->fields.tiebreak = config_str(cfg, CFG_ELASTICSEARCH_TIEBREAK_FIELD);
	ls->max_lines = (size_t)config_int(cfg, CFG_LOGS_MAX_LINES);
	ls->max_bytes = (size_t)config_size(cfg, CFG_LOGS_MAX_BYTES);
	ls->max_message = (size_t)config_size(cfg, CFG_LOGS_MAX_MESSAGE);
	ls->page = (size_t)config_int(cfg, CFG_LOGS_PAGE);
	ls->utc = strcmp(config_str(cfg, CFG_GENERAL_TIMEZONE), "UTC") == 0;
	ls->refresh_ms = config_ms(cfg, CFG_GENERAL_REFRESH);
	ls->default_range_s = (double)config_ms(cfg, CFG_LOGS_RANGE) / 1000.0;
	ls->display_name = logs_display;
	ls->log_name = logs_name;
	ls->ud = (void *)cfg;
}

/* [zipkin] and [traces] into s->traces. */
static void
traces_setup(struct setup *s, const struct config *cfg)
{
	struct traces_settings *ts = &s->traces;
	struct http_endpoint *ep = &ts->ep;
	size_t nh;

	ts->enabled = config_zipkin_configured(cfg);
	s->traces_auth_hint = xstrdup("set [zipkin] token_file, or username + password_file");
	ep->name = "zipkin";
	ep->url = config_str(cfg, CFG_ZIPKIN_URL);
	ep->ca_file = config_str(cfg, CFG_ZIPKIN_CA_FILE);
	ep->insecure = config_bool(cfg, CFG_ZIPKIN_INSECURE);
	ep->bearer_token = config_secret(cfg, CFG_ZIPKIN_TOKEN);
	ep->username = config_str(cfg, CFG_ZIPKIN_USERNAME);
	ep->password = config_secret(cfg, CFG_ZIPKIN_PASSWORD);
	ep->headers = config_list(cfg, CFG_ZIPKIN_HEADER, &nh);
	ep->nheaders = nh;
	ep->timeout_ms = (long)config_ms(cfg, CFG_ZIPKIN_TIMEOUT);
	ep->max_body = (size_t)config_size(cfg, CFG_ZIPKIN_MAX_BODY);
	ep->auth_hint = s->traces_auth_hint;
	ep->is_read = zipkin_is_read;
	ts->cache_traces = (size_t)config_int(cfg, CFG_TRACES_CACHE);
	ts->cache_bytes = (size_t)config_size(cfg, CFG_TRACES_MAX_BYTES);
	ts->max_spans = (size_t)config_int(cfg, CFG_TRACES_MAX_SPANS);
	ts->lookback_s = (double)config_ms(cfg, CFG_TRACES_LOOKBACK) / 1000.0;
	ts->limit = (int)config_int(cfg, CFG_TRACES_LIMIT);
	ts->deps_lookback_s = (double)config_ms(cfg, CFG_TRACES_DEPENDENCIES) / 1000.0;
	ts->refresh_ms = config_ms(cfg, CFG_GENERAL_REFRESH);
	ts->utc = strcmp(config_str(cfg, CFG_GENERAL_TIMEZONE), "UTC") == 0;
	ts->zipkin_name = zipkin_external;
	ts->display_name = zipkin_display;
	ts->ud = (void *)cfg;
}

int
setup_init(struct setup *s, const struct config *cfg, const char *config_path, struct err *e)
{
	const struct prom_preset *preset =
		prometheus_preset(config_str(cfg, CFG_PROMETHEUS_PRESET));
	const char *label = config_str(cfg, CFG_PROMETHEUS_SERVICE_LABEL);
	const char *window = config_str(cfg, CFG_PROMETHEUS_RATE_WINDOW);
	struct http_endpoint *ep = &s->poll.prom_ep;
	size_t nh;
	int m;

	memset(s, 0, sizeof *s);
	if (preset == NULL)
		return err_set(e, ERR_CONFIG, "unknown [prometheus] preset '%s' (known: %s)",
			       config_str(cfg, CFG_PROMETHEUS_PRESET), prometheus_preset_names());
	if (label == NULL || *label == '\0')
		label = preset->service_label;
	if (window == NULL || *window == '\0')
		window = "1m";
	for (m = 0; m < PROM_METRIC_COUNT; m++) {
		const char *t = config_str(cfg, metric_keys[m]);

		if (t == NULL || *t == '\0')
			t = preset->query[m];
		s->queries[m] = prometheus_expand(t, label, window);
		s->poll.prom_query[m] = s->queries[m];
	}
	s->poll.prometheus = config_prometheus_configured(cfg);
	s->poll.service_label = label;
	s->poll.refresh_ms = config_ms(cfg, CFG_GENERAL_REFRESH);
	s->poll.history = (size_t)config_int(cfg, CFG_GENERAL_HISTORY);
	s->max_services = (size_t)config_int(cfg, CFG_GENERAL_MAX_SERVICES);
	s->mono = strcmp(config_str(cfg, CFG_GENERAL_THEME), "mono") == 0;
	s->theme = canvas_theme_named(config_str(cfg, CFG_GENERAL_THEME));

	s->auth_hint = xstrdup("set [prometheus] token_file (or OPSDECK_PROMETHEUS_TOKEN), or "
			       "username and password_file");
	ep->name = "prometheus";
	ep->url = config_str(cfg, CFG_PROMETHEUS_URL);
	ep->ca_file = config_str(cfg, CFG_PROMETHEUS_CA_FILE);
	ep->insecure = config_bool(cfg, CFG_PROMETHEUS_INSECURE);
	ep->bearer_token = config_secret(cfg, CFG_PROMETHEUS_TOKEN);
	ep->username = config_str(cfg, CFG_PROMETHEUS_USERNAME);
	ep->password = config_secret(cfg, CFG_PROMETHEUS_PASSWORD);
	ep->headers = config_list(cfg, CFG_PROMETHEUS_HEADER, &nh);
	ep->nheaders = nh;
	ep->timeout_ms = (long)config_ms(cfg, CFG_PROMETHEUS_TIMEOUT);
	ep->max_body = (size_t)config_size(cfg, CFG_PROMETHEUS_MAX_BODY);
	ep->auth_hint = s->auth_hint;
	ep->is_read = prometheus_is_read;

	s->th.error_warn = config_ratio(cfg, CFG_THRESHOLDS_ERROR_WARN);
	s->th.error_crit = config_ratio(cfg, CFG_THRESHOLDS_ERROR_CRIT);
	s->th.p99_warn = (double)config_ms(cfg, CFG_THRESHOLDS_P99_WARN) / 1000.0;
	s->th.p99_crit = (double)config_ms(cfg, CFG_THRESHOLDS_P99_CRIT) / 1000.0;
	s->config_path = xstrdup(config_path);
	s->cfg = cfg;
	s->poll.display_name = prometheus_display;
	s->poll.ud = (void *)cfg;

	s->docker_auth_hint = xstrdup("check [docker] host and that you may use the Docker socket");
	s->docker_poll.ep.name = "docker";
	s->docker_poll.ep.timeout_ms = (long)config_ms(cfg, CFG_DOCKER_TIMEOUT);
	s->docker_poll.ep.max_body = (size_t)config_size(cfg, CFG_DOCKER_MAX_BODY);
	s->docker_poll.ep.auth_hint = s->docker_auth_hint;
	s->docker_poll.ep.url_key = "[docker] host (or DOCKER_HOST, --docker)";
	s->docker_poll.ep.is_read = docker_is_read;
	s->docker_poll.refresh_ms = s->poll.refresh_ms;
	s->docker_poll.display_name = runtime_display;
	s->docker_poll.ud = (void *)cfg;

	s->actions.read_only = config_bool(cfg, CFG_GENERAL_READ_ONLY);
	s->actions.timeout_ms = config_ms(cfg, CFG_GENERAL_ACTION_TIMEOUT);
	s->actions.audit_path = config_str(cfg, CFG_GENERAL_AUDIT_LOG);
	if (s->actions.audit_path != NULL && *s->actions.audit_path == '\0')
		s->actions.audit_path = NULL;
	s->actions.mode = "console";
	s->env_name = config_env_selected(cfg);
	if (s->env_name == NULL && config_env_count(cfg) > 0)
		s->env_name = "default";
	s->actions.env = s->env_name;
	s->env_protected = config_env_protected(cfg);
	/* Protected: the service's name is typed, whatever [general] confirm says. */
	s->actions.confirm_name =
		s->env_protected || strcmp(config_str(cfg, CFG_GENERAL_CONFIRM), "name") == 0;
	s->k8s_poll.refresh_ms = s->poll.refresh_ms;
	s->k8s_poll.page = K8S_PAGE;
	s->k8s_poll.display_name = k8s_display;
	s->k8s_poll.ud = (void *)cfg;
	logs_setup(s, cfg);
	traces_setup(s, cfg);
	alerts_settings_init(&s->alerts, cfg, &s->poll.prom_ep, label);
	s->ecs_poll.refresh_ms = s->poll.refresh_ms;
	s->ecs_poll.display_name = ecs_display;
	s->ecs_poll.ud = (void *)cfg;
	s->wall.rotate_ms = config_ms(cfg, CFG_WALL_ROTATE);
	s->wall.large = strcmp(config_str(cfg, CFG_WALL_DENSITY), "large") == 0;
	if (wall_screens_parse(config_str(cfg, CFG_WALL_SCREENS), &s->wall.rotation, e) < 0) {
		setup_done(s);
		return -1;
	}
	if (k8s_setup(s, cfg, e) < 0 || ecs_setup(s, cfg, e) < 0) {
		setup_done(s);
		return -1;
	}
	/* Last: it may start ssh, which setup_done stops. */
	if (docker_setup(s, cfg, e) < 0) {
		setup_done(s);
		return -1;
	}
	return 0;
}

void
setup_done(struct setup *s)
{
	size_t i;
	int m;

	for (m = 0; m < PROM_METRIC_COUNT; m++)
		free(s->queries[m]);
	free(s->auth_hint);
	free(s->config_path);
	for (i = 0; i < s->nk8s; i++)
		k8s_endpoint_free(s->k8s[i]);
	free(s->k8s);
	for (i = 0; i < s->necs; i++)
		ecs_endpoint_free(s->ecs[i]);
	free(s->ecs);
	ssh_tunnel_free(s->docker_tunnel);
	docker_endpoint_done(&s->docker_ep);
	free(s->docker_url);
	free(s->docker_auth_hint);
	free(s->logs_auth_hint);
	free(s->traces_auth_hint);
	free(s->logs_headers);
	if (s->logs_api_key_header != NULL) {
		explicit_bzero(s->logs_api_key_header, strlen(s->logs_api_key_header));
		free(s->logs_api_key_header);
	}
	memset(s, 0, sizeof *s);
}
