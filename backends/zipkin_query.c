/*
 * zipkin_query.c - the search line of the Traces screen, read into a
 * trace search (struct zk_query), and the durations it is written in
 * (see zipkin.h).
 *
 * The line is words separated by blanks; double quotes group blanks into
 * a word (span="get /orders") and are removed.  Every word is one of the
 * keywords or a term of Zipkin's annotationQuery.  Nothing is guessed: a
 * bare word is an annotation key, as Zipkin itself reads it, even when it
 * is also a service's name.  A word that is none of these, or a value
 * that does not parse, is refused with the word quoted and an example,
 * rather than searched for something the user did not ask.
 */
#include "zipkin.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

/* ---- durations --------------------------------------------------------- */

static const struct {
	const char *name;
	double us;
} units[] = {
	/* longest first: "ms" before "m" */
	{ "us", 1.0 }, { "\xc2\xb5s", 1.0 }, { "ms", 1e3 },    { "s", 1e6 },
	{ "m", 60e6 }, { "h", 3600e6 },      { "d", 86400e6 },
};

int64_t
zipkin_duration_us(const char *s)
{
	double total = 0;
	bool any = false;

	if (s == NULL)
		return -1;
	while (*s != '\0') {
		double v = 0, scale = 0.1;
		bool digits = false;
		size_t i, n = 0;

		for (; *s >= '0' && *s <= '9'; s++, digits = true)
			v = v * 10 + (*s - '0');
		if (*s == '.') {
			for (s++; *s >= '0' && *s <= '9'; s++, digits = true, scale /= 10)
				v += (*s - '0') * scale;
		}
		if (!digits)
			return -1;
		for (i = 0; i < sizeof units / sizeof units[0]; i++) {
			n = strlen(units[i].name);
			if (strncmp(s, units[i].name, n) == 0)
				break;
		}
		if (i == sizeof units / sizeof units[0])
			return -1; /* no unit, or one we do not know */
		total += v * units[i].us;
		s += n;
		any = true;
	}
	if (!any || !(total < 9.2e18))
		return -1;
	return (int64_t)llround(total);
}

/* ---- the search line --------------------------------------------------- */

/* Where the kept strings go: the caller's store, filled from the front. */
struct store {
	char *p;
	size_t len, used;
};

/* A copy of s in the store, or NULL when it does not fit. */
static const char *
keep(struct store *st, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (st->p == NULL || st->len - st->used < n)
		return NULL;
	p = st->p + st->used;
	memcpy(p, s, n);
	st->used += n;
	return p;
}

static int
too_long(struct err *e)
{
	return err_set(e, ERR_USAGE,
		       "zipkin: the search line is too long — shorten it (fewer or shorter words)");
}

/*
 * The next word of *line into w (quotes removed), *line advanced.
 * Returns 1 for a word, 0 at the end, -1 for an unclosed quote.
 */
static int
next_word(const char **line, struct buf *w, struct buf *raw)
{
	const char *p = *line;

	buf_reset(w);
	buf_reset(raw);
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '\0')
		return 0;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
		if (*p == '"') {
			const char *q = strchr(p + 1, '"');

			if (q == NULL) {
				buf_puts(raw, p);
				*line = p + strlen(p);
				return -1;
			}
			buf_append(w, p + 1, (size_t)(q - p - 1));
			buf_append(raw, p, (size_t)(q - p + 1));
			p = q + 1;
		} else {
			buf_putc(w, *p);
			buf_putc(raw, *p);
			p++;
		}
	}
	*line = p;
	return 1;
}

/* The value of word w when it begins with one of the keys (each ending in '=' or '<' '>'). */
static const char *
value_of(const char *w, const char *const *keys)
{
	size_t n;

	for (; *keys != NULL; keys++) {
		n = strlen(*keys);
		if (strncmp(w, *keys, n) == 0)
			return w + n;
	}
	return NULL;
}

static int
bad_duration(struct err *e, const char *raw, const char *v, const char *example)
{
	if (*v == '-')
		return err_set(e, ERR_USAGE,
			       "zipkin: search: \"%.60s\": a duration cannot be negative — write "
			       "e.g. %s",
			       raw, example);
	return err_set(e, ERR_USAGE,
		       "zipkin: search: \"%.60s\" is not a duration — write e.g. %s (units us, "
		       "ms, s, m, h, d)",
		       raw, example);
}

static const char *const k_service[] = { "service=", "serviceName=", NULL };
static const char *const k_span[] = { "span=", "spanName=", NULL };
static const char *const k_min[] = { ">=", ">", "min=", "minDuration=", NULL };
static const char *const k_max[] = { "<=", "<", "max=", "maxDuration=", NULL };
static const char *const k_since[] = { "since=", "lookback=", NULL };
static const char *const k_limit[] = { "limit=", NULL };

/* The words read so far that later checks quote. */
struct seen {
	char min[64], max[64];
};

/* One word (w unquoted, raw as typed) into q; terms collects the annotation query. */
static int
word(const char *w, const char *raw, struct zk_query *q, struct store *st, struct buf *terms,
     struct seen *seen, struct err *e)
{
	const char *v;
	int64_t us;

	if ((v = value_of(w, k_service)) != NULL || (v = value_of(w, k_span)) != NULL) {
		bool svc = value_of(w, k_service) != NULL;
		const char *k;

		if (*v == '\0')
			return err_set(e, ERR_USAGE,
				       "zipkin: search: \"%.60s\" needs a name — write e.g. %s",
				       raw, svc ? "service=checkout" : "span=\"get /orders\"");
		if ((k = keep(st, v)) == NULL)
			return too_long(e);
		if (svc)
			q->service = k;
		else
			q->span_name = k;
		return 0;
	}
	if ((v = value_of(w, k_min)) != NULL) {
		if ((us = zipkin_duration_us(v)) < 0)
			return bad_duration(e, raw, v, ">250ms or min=1.5s");
		q->min_duration_us = us;
		snprintf(seen->min, sizeof seen->min, "%s", raw);
		return 0;
	}
	if ((v = value_of(w, k_max)) != NULL) {
		if ((us = zipkin_duration_us(v)) < 0)
			return bad_duration(e, raw, v, "<2s or max=800ms");
		q->max_duration_us = us;
		snprintf(seen->max, sizeof seen->max, "%s", raw);
		return 0;
	}
	if ((v = value_of(w, k_since)) != NULL) {
		if ((us = zipkin_duration_us(v)) < 0)
			return bad_duration(e, raw, v, "since=15m or since=2h");
		if (us == 0)
			return err_set(
				e, ERR_USAGE,
				"zipkin: search: \"%.60s\" looks back no time at all — write "
				"e.g. since=15m",
				raw);
		q->lookback_s = (double)us / 1e6;
		return 0;
	}
	if ((v = value_of(w, k_limit)) != NULL) {
		char *end;
		long n = v[0] >= '0' && v[0] <= '9' ? strtol(v, &end, 10) : -1;

		if (n < 1 || n > 1000 || *end != '\0')
			return err_set(e, ERR_USAGE,
				       "zipkin: search: \"%.60s\" is not a limit from 1 to 1000 — "
				       "write e.g. limit=50",
				       raw);
		q->limit = (int)n;
		return 0;
	}
	/* an annotationQuery term: KEY=VALUE or KEY */
	if (strcasecmp(w, "and") == 0)
		return 0; /* the terms are joined with "and" anyway */
	if (w[0] == '=' || w[0] == '<' || w[0] == '>' ||
	    (strchr(w, '=') != NULL && strchr(w, '=')[1] == '\0'))
		return err_set(e, ERR_USAGE,
			       "zipkin: search: \"%.60s\" is not a term — write KEY=VALUE or KEY, "
			       "e.g. http.status_code=500 or error",
			       raw);
	if (strstr(w, " and ") != NULL)
		return err_set(
			e, ERR_USAGE,
			"zipkin: search: \"%.60s\" holds \" and \", which Zipkin reads as two "
			"terms — search for a part without it",
			raw);
	if (terms->len > 0)
		buf_puts(terms, " and ");
	buf_puts(terms, w);
	return 0;
}

int
zipkin_query_parse(const char *line, struct zk_query *q, char *store, size_t store_len,
		   struct err *e)
{
	struct store st = { store, store_len, 0 };
	struct buf w, raw, terms;
	struct seen seen = { "", "" };
	int r, rc = 0;

	memset(q, 0, sizeof *q);
	if (line == NULL)
		line = "";
	buf_init(&w);
	buf_init(&raw);
	buf_init(&terms);
	while ((r = next_word(&line, &w, &raw)) != 0) {
		if (r < 0) {
			rc = err_set(
				e, ERR_USAGE,
				"zipkin: search: the quote opened in %.60s is not closed — write "
				"e.g. span=\"get /orders\"",
				raw.data);
			break;
		}
		if (w.len == 0)
			continue; /* "" */
		if ((rc = word(w.data, raw.data, q, &st, &terms, &seen, e)) < 0)
			break;
	}
	if (rc == 0 && terms.len > 0 && (q->annotation_query = keep(&st, terms.data)) == NULL)
		rc = too_long(e);
	if (rc == 0 && q->min_duration_us > 0 && q->max_duration_us > 0 &&
	    q->min_duration_us > q->max_duration_us)
		rc = err_set(e, ERR_USAGE,
			     "zipkin: search: \"%s\" asks for more than \"%s\" allows — write "
			     "the minimum below the maximum, e.g. >100ms <2s",
			     seen.min, seen.max);
	if (rc < 0)
		memset(q, 0, sizeof *q);
	buf_done(&w);
	buf_done(&raw);
	buf_done(&terms);
	return rc;
}
