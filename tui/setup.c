#include "setup.h"

#include <stdlib.h>
#include <string.h>
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
	s->actions.confirm_name = strcmp(config_str(cfg, CFG_GENERAL_CONFIRM), "name") == 0;
	logs_setup(s, cfg);
	traces_setup(s, cfg);
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
	int m;

	for (m = 0; m < PROM_METRIC_COUNT; m++)
		free(s->queries[m]);
	free(s->auth_hint);
	free(s->config_path);
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
