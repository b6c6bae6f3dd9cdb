/*
 * traces_settings.h - what the Traces, Trace and Topology screens and their
 * poller need from the configuration.  Plain record filled by tui/setup.c
 * from [zipkin] and [traces]; strings borrowed from the configuration.
 */
#ifndef OPSDECK_TUI_TRACES_SETTINGS_H
#define OPSDECK_TUI_TRACES_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

struct traces_settings {
	bool enabled;            /* a Zipkin URL is configured */
	struct http_endpoint ep; /* name "zipkin"; is_read = zipkin_is_read */
	size_t cache_traces;     /* [traces] cache, default 200 */
	size_t cache_bytes;      /* [traces] max_bytes, default 64 MiB */
	size_t max_spans;        /* [traces] max_spans, default 50,000 */
	double lookback_s;       /* [traces] lookback: the search's default, 1 h */
	int limit;               /* [traces] limit: traces per search, default 20 */
	double deps_lookback_s;  /* [traces] dependencies: the Topology's range, default 1 h */
	long long refresh_ms;    /* the general refresh interval */
	bool utc;                /* [general] timezone = UTC (else local) */
	/* Zipkin's name for a displayed service (lowercase; aliases); NULL = identity. */
	const char *(*zipkin_name)(void *ud, const char *display);
	/* The displayed name for a Zipkin service; NULL = identity. */
	const char *(*display_name)(void *ud, const char *zipkin);
	void *ud;
};

#endif
