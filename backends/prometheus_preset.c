/*
 * prometheus_preset.c - the metric query presets of prometheus.h: PromQL
 * templates per metric for common instrumentation libraries, and the
 * substitution of the service label and rate window into them.
 *
 * Every preset query is run against a real Prometheus by
 * tests/fixtures/prometheus/capture.sh (presets.txt), and test_prometheus
 * checks that presets.txt still matches this table.
 */
#include "prometheus.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* buf_steal re-initialises the buffer; a local buffer is done with. */
static char *
steal(struct buf *b)
{
	char *p = buf_steal(b);

	buf_done(b);
	return p;
}

/*
 * The error ratio adds "or <total> * 0" so a service that has traffic but
 * no 5xx series gets 0 instead of vanishing from the result (a vanished
 * metric reads as "unknown", which would hide healthy services).
 */
static const struct prom_preset presets[] = {
	{
		"http",
		"service",
		{
			"sum by (${label}) (rate(http_requests_total[${window}]))",
			"(sum by (${label}) (rate(http_requests_total{code=~\"5..\"}[${window}]))"
			" or sum by (${label}) (rate(http_requests_total[${window}])) * 0)"
			" / sum by (${label}) (rate(http_requests_total[${window}]))",
			"histogram_quantile(0.99, sum by (${label}, le) "
			"(rate(http_request_duration_seconds_bucket[${window}])))",
			"sum by (${label}) (rate(process_cpu_seconds_total[${window}]))",
			"sum by (${label}) (process_resident_memory_bytes)",
		},
	},
	{
		/*
		 * Spring Boot / Micrometer.  process_cpu_usage is a 0..1 share
		 * of the host per instance (Micrometer has no CPU-seconds
		 * counter), summed per application; memory is JVM heap plus
		 * non-heap.
		 */
		"micrometer",
		"application",
		{
			"sum by (${label}) (rate(http_server_requests_seconds_count[${window}]))",
			"(sum by (${label}) "
			"(rate(http_server_requests_seconds_count{status=~\"5..\"}[${window}]))"
			" or sum by (${label}) "
			"(rate(http_server_requests_seconds_count[${window}])) * 0)"
			" / sum by (${label}) "
			"(rate(http_server_requests_seconds_count[${window}]))",
			"histogram_quantile(0.99, sum by (${label}, le) "
			"(rate(http_server_requests_seconds_bucket[${window}])))",
			"sum by (${label}) (process_cpu_usage)",
			"sum by (${label}) (jvm_memory_used_bytes)",
		},
	},
};

const struct prom_preset *
prometheus_preset(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof presets / sizeof presets[0]; i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

const char *
prometheus_preset_names(void)
{
	return "http, micrometer";
}

char *
prometheus_expand(const char *tmpl, const char *label, const char *window)
{
	struct buf b;
	const char *p;

	buf_init(&b);
	if (tmpl == NULL)
		return steal(&b);
	for (p = tmpl; *p != '\0';) {
		if (strncmp(p, "${label}", 8) == 0 && label != NULL) {
			buf_puts(&b, label);
			p += 8;
		} else if (strncmp(p, "${window}", 9) == 0 && window != NULL) {
			buf_puts(&b, window);
			p += 9;
		} else {
			buf_putc(&b, *p++);
		}
	}
	return steal(&b);
}

const char *
prometheus_metric_name(enum prom_metric m)
{
	static const char *const names[PROM_METRIC_COUNT] = { "rps", "errors", "p99", "cpu",
							      "memory" };

	if ((int)m < 0 || m >= PROM_METRIC_COUNT)
		return "?";
	return names[m];
}

int
prometheus_check_label(const char *label, struct err *e)
{
	const char *p;

	if (label == NULL || *label == '\0')
		return err_set(e, ERR_CONFIG,
			       "prometheus: empty service label — set [prometheus] "
			       "label, e.g. label = service");
	for (p = label; *p != '\0'; p++)
		if (!(isalpha((unsigned char)*p) || *p == '_' ||
		      (p != label && isdigit((unsigned char)*p))) ||
		    (unsigned char)*p >= 0x80)
			return err_set(e, ERR_CONFIG,
				       "prometheus: label \"%.60s\" is not a Prometheus label name "
				       "([a-zA-Z_][a-zA-Z0-9_]*) — fix [prometheus] label",
				       label);
	return 0;
}

/* Path without its query string equals want, or starts with want + '/' when prefix. */
static bool
path_is(const char *path, const char *want, bool prefix)
{
	size_t n = strlen(want), len = strcspn(path, "?");

	if (len < n || strncmp(path, want, n) != 0)
		return false;
	if (len == n)
		return !prefix;
	return prefix && path[n] == '/';
}

bool
prometheus_is_read(enum http_method m, const char *path)
{
	static const char *const queries[] = {
		"/api/v1/query",  "/api/v1/query_range",     "/api/v1/series",
		"/api/v1/labels", "/api/v1/query_exemplars",
	};
	static const char *const gets[] = {
		"/api/v1/alerts",   "/api/v1/rules", "/api/v1/targets",
		"/api/v1/metadata", "/-/ready",      "/-/healthy",
	};
	size_t i;

	if (path == NULL || (m != HTTP_GET && m != HTTP_POST))
		return false;
	for (i = 0; i < sizeof queries / sizeof queries[0]; i++)
		if (path_is(path, queries[i], false))
			return true;
	/* /api/v1/label/NAME/values */
	if (strncmp(path, "/api/v1/label/", 14) == 0) {
		const char *v = strchr(path + 14, '/');

		if (v != NULL && v > path + 14 && path_is(v, "/values", false))
			return true;
	}
	if (m != HTTP_GET)
		return false;
	for (i = 0; i < sizeof gets / sizeof gets[0]; i++)
		if (path_is(path, gets[i], false))
			return true;
	return path_is(path, "/api/v1/status", true);
}
