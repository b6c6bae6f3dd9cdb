/*
 * elasticsearch_terms.c - the words of a query_string worth highlighting
 * in the hits it found (see elasticsearch.h).
 *
 * This is not a Lucene parser: it never rejects a query (the server does
 * that, with a message) and only has to find what a matching line can
 * contain.  It walks the query once, tracking parentheses so that a
 * negated group ("NOT (a OR b)", "-(a b)") contributes nothing, and
 * drops the syntax around values: field prefixes, boosts, fuzziness,
 * ranges, regular expressions and operators.
 */
#include "elasticsearch.h"
#include "elasticsearch_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

#define MAX_DEPTH 64

struct terms {
	char **v;
	size_t n, cap;
};

static void
add(struct terms *t, struct buf *b)
{
	size_t i;

	if (b->len == 0 || strcmp(b->data, "*") == 0)
		return;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i], b->data) == 0)
			return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	t->v[t->n++] = xstrdup(b->data);
}

/* Characters that end a bare word (unless escaped). */
static bool
ends_word(char c)
{
	return c == '\0' || isspace((unsigned char)c) || c == '(' || c == ')' || c == '"' ||
	       c == '[' || c == ']' || c == '{' || c == '}';
}

/* Skip a boost (^2, ^0.5) or fuzziness / proximity (~, ~1, ~0.8) after a term or group. */
static const char *
skip_modifiers(const char *p)
{
	while (*p == '^' || *p == '~') {
		p++;
		while (isdigit((unsigned char)*p) || *p == '.')
			p++;
	}
	return p;
}

/* Skip [a TO b] or {a TO b}, including the other kind of closing bracket. */
static const char *
skip_range(const char *p)
{
	for (p++; *p != '\0' && *p != ']' && *p != '}'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	return *p != '\0' ? p + 1 : p;
}

/* Skip /regex/ (escapes honoured). */
static const char *
skip_regex(const char *p)
{
	for (p++; *p != '\0' && *p != '/'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	return *p != '\0' ? p + 1 : p;
}

char **
elasticsearch_query_terms(const char *query, size_t *n)
{
	struct terms t = { NULL, 0, 0 };
	struct buf b;
	bool neg_stack[MAX_DEPTH];
	size_t depth = 0;
	bool pending_neg = false, skip_value = false;
	const char *p = query;

	*n = 0;
	if (query == NULL)
		return NULL;
	buf_init(&b);
	for (;;) {
		bool neg;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		neg = pending_neg || (depth > 0 && depth <= MAX_DEPTH && neg_stack[depth - 1]);
		if (*p == '(') {
			if (depth < MAX_DEPTH)
				neg_stack[depth] = neg || skip_value;
			depth++;
			pending_neg = skip_value = false;
			p++;
			continue;
		}
		if (*p == ')') {
			if (depth > 0)
				depth--;
			p = skip_modifiers(p + 1);
			continue;
		}
		if (*p == '+' || *p == ']' || *p == '}') {
			p++; /* required; a stray closing bracket */
			continue;
		}
		if (*p == '-' || *p == '!') {
			pending_neg = true;
			p++;
			continue;
		}
		if ((p[0] == '&' && p[1] == '&') || (p[0] == '|' && p[1] == '|')) {
			p += 2;
			continue;
		}
		if (*p == '[' || *p == '{') {
			p = skip_range(p);
			pending_neg = skip_value = false;
			continue;
		}
		if (*p == '/') {
			p = skip_regex(p);
			pending_neg = skip_value = false;
			continue;
		}
		if (*p == '>' || *p == '<') {
			/* field:>=10 — a range on its value */
			p++;
			if (*p == '=')
				p++;
			while (!ends_word(*p))
				p++;
			pending_neg = skip_value = false;
			continue;
		}
		buf_reset(&b);
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				buf_putc(&b, *p);
			}
			if (*p == '"')
				p++;
			p = skip_modifiers(p);
			if (!neg && !skip_value)
				add(&t, &b);
			pending_neg = skip_value = false;
			continue;
		}
		/* a bare word, possibly FIELD: in front of a value */
		{
			bool field = false, modifier = false;

			while (!ends_word(*p)) {
				if (*p == '\\' && p[1] != '\0') {
					if (!modifier)
						buf_putc(&b, p[1]);
					p += 2;
					continue;
				}
				if (*p == ':') {
					field = true;
					p++;
					break;
				}
				if (*p == '^' || *p == '~')
					modifier = true;
				if (!modifier)
					buf_putc(&b, *p);
				p++;
			}
			if (field) {
				/* the value follows (a word, phrase, group, range...) */
				skip_value = skip_value || strcmp(b.data, "_exists_") == 0;
				continue;
			}
		}
		if (!skip_value && (strcmp(b.data, "AND") == 0 || strcmp(b.data, "OR") == 0 ||
				    strcmp(b.data, "TO") == 0)) {
			continue;
		}
		if (!skip_value && strcmp(b.data, "NOT") == 0) {
			pending_neg = true;
			continue;
		}
		if (!neg && !skip_value)
			add(&t, &b);
		pending_neg = skip_value = false;
	}
	buf_done(&b);
	*n = t.n;
	if (t.n == 0) {
		free(t.v);
		return NULL;
	}
	return t.v;
}

void
elasticsearch_terms_free(char **terms, size_t n)
{
	size_t i;

	if (terms == NULL)
		return;
	for (i = 0; i < n; i++)
		free(terms[i]);
	free(terms);
}
