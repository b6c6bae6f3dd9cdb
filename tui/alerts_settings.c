/*
 * alerts_settings.c - [alertmanager] and [alerts] into struct alerts_settings.
 */
#include "alerts_settings.h"

#include <string.h>

#include "alertmanager.h"

static const char *
alert_display(void *ud, const char *label_value)
{
	return config_service_display_name(ud, CFG_ALIAS_PROMETHEUS, label_value);
}

static void
add_label(struct alerts_settings *s, const char *l)
{
	size_t i;

	if (l == NULL || l[0] == '\0' || s->nservice_labels >= 4)
		return;
	for (i = 0; i < s->nservice_labels; i++)
		if (strcmp(s->service_labels[i], l) == 0)
			return;
	s->service_labels[s->nservice_labels++] = l;
}

void
alerts_settings_init(struct alerts_settings *s, const struct config *cfg,
		     const struct http_endpoint *prom_ep, const char *prom_label)
{
	struct http_endpoint *ep = &s->am_ep;
	const char *url = config_str(cfg, CFG_ALERTMANAGER_URL);
	const char *own = config_str(cfg, CFG_ALERTS_SERVICE_LABEL);

	memset(s, 0, sizeof *s);
	s->prometheus = config_prometheus_configured(cfg);
	s->prom_ep = *prom_ep;
	s->alertmanager = url != NULL && url[0] != '\0';
	s->am_url = s->alertmanager ? url : NULL;
	ep->name = "alertmanager";
	ep->url = s->am_url;
	ep->ca_file = config_str(cfg, CFG_ALERTMANAGER_CA_FILE);
	ep->insecure = config_bool(cfg, CFG_ALERTMANAGER_INSECURE);
	ep->bearer_token = config_secret(cfg, CFG_ALERTMANAGER_TOKEN);
	ep->username = config_str(cfg, CFG_ALERTMANAGER_USERNAME);
	ep->password = config_secret(cfg, CFG_ALERTMANAGER_PASSWORD);
	ep->timeout_ms = (long)config_ms(cfg, CFG_ALERTMANAGER_TIMEOUT);
	ep->max_body = (size_t)config_size(cfg, CFG_ALERTMANAGER_MAX_BODY);
	ep->auth_hint = "set [alertmanager] token_file, or username and password_file";
	ep->url_key = "[alertmanager] url (or --alertmanager, OPSDECK_ALERTMANAGER_URL)";
	ep->is_read = alertmanager_is_read;
	/* [alerts] service_label, else the preset's, then service, then job. */
	add_label(s, own);
	add_label(s, prom_label);
	add_label(s, "service");
	add_label(s, "job");
	s->silence_ms = config_ms(cfg, CFG_ALERTS_SILENCE_DURATION);
	s->refresh_ms = config_ms(cfg, CFG_GENERAL_REFRESH);
	s->display_name = alert_display;
	s->ud = (void *)cfg;
}
