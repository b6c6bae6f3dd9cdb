/*
 * alerts_settings.h - what the alerts poller, the Alerts screen and
 * silences need from the configuration: the Prometheus alerts endpoint,
 * the [alertmanager] endpoint and the [alerts] settings.  Plain record
 * filled by alerts_settings_init() (called by tui/setup.c); strings
 * borrowed from the configuration.
 */
#ifndef OPSDECK_TUI_ALERTS_SETTINGS_H
#define OPSDECK_TUI_ALERTS_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "http.h"

struct alerts_settings {
	bool prometheus;              /* poll Prometheus' /api/v1/alerts */
	struct http_endpoint prom_ep; /* the [prometheus] endpoint (copied, strings borrowed) */
	bool alertmanager;            /* an [alertmanager] url is configured */
	struct http_endpoint am_ep;   /* name "alertmanager"; is_read = alertmanager_is_read */
	const char *am_url;           /* [alertmanager] url, for the empty screen; NULL none */
	/* Labels naming an alert's service, tried in order. */
	const char *service_labels[4];
	size_t nservice_labels;
	long long silence_ms; /* [alerts] silence_duration: the first offer */
	long long refresh_ms; /* [general] refresh */
	/* The displayed name for a label value ([service] aliases); NULL = identity. */
	const char *(*display_name)(void *ud, const char *label_value);
	void *ud;
};

/*
 * Fill s from cfg.  prom_ep is the Prometheus endpoint already built
 * (copied); prom_label the [prometheus] service label of the preset.
 * cfg must outlive s.
 */
void alerts_settings_init(struct alerts_settings *s, const struct config *cfg,
			  const struct http_endpoint *prom_ep, const char *prom_label);

#endif
