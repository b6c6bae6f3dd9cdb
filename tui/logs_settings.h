/*
 * logs_settings.h - what the Logs screen, its poller and the Overview's
 * errors/min need from the configuration.  Plain record filled by
 * tui/setup.c from [elasticsearch] and [logs]; strings borrowed from the
 * configuration (valid while it lives).
 */
#ifndef OPSDECK_TUI_LOGS_SETTINGS_H
#define OPSDECK_TUI_LOGS_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "elasticsearch.h"
#include "http.h"

struct logs_settings {
	bool enabled;            /* an Elasticsearch URL is configured */
	struct http_endpoint ep; /* name "elasticsearch"; is_read = elasticsearch_is_read */
	const char *index;       /* index pattern, default "logs-*" */
	struct es_fields fields; /* field names, ECS defaults */
	size_t max_lines;        /* [logs] max_lines, default 10000 */
	size_t max_bytes;        /* [logs] max_bytes, default 16 MiB */
	size_t max_message;      /* [logs] max_message, default 64 KiB */
	size_t page;             /* hits per request, default 200 */
	bool utc;                /* [general] timezone = UTC (else local) */
	long long refresh_ms;    /* the general refresh interval */
	double default_range_s;  /* [logs] range, default 15 minutes */
	/* Display name for a service name in the logs (aliases); NULL = identity. */
	const char *(*display_name)(void *ud, const char *log_name);
	/* The logs' name for a displayed service; NULL = identity. */
	const char *(*log_name)(void *ud, const char *display);
	void *ud;
};

#endif
