/*
 * trace_cache.c - the traces opened, least recently used first out,
 * bounded in count and in bytes (see trace_cache.h).
 *
 * A doubly linked list in recency order (head = most recent) and a hash
 * of the trace ids into it.  Going back to a trace is a user's key press,
 * but the cache may hold thousands of traces when configured so: lookups
 * stay O(1) rather than a walk of the list.  Bytes are the traces' own
 * count (struct trace.bytes), which the cache takes as it is when the
 * trace comes in.
 */
#include "trace_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "zipkin.h"

#define DEFAULT_TRACES 200
#define DEFAULT_BYTES ((size_t)64 << 20)

struct entry {
	struct trace *t;
	size_t bytes;              /* t->bytes when put */
	struct entry *prev, *next; /* recency: prev is more recent */
	struct entry *chain;       /* the next entry of the same hash bucket */
};

struct trace_cache {
	size_t max_traces, max_bytes;
	size_t count, bytes;
	struct entry *head, *tail; /* most and least recent */
	struct entry **buckets;
	size_t nbuckets; /* a power of two */
};

/* FNV-1a of the id. */
static size_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

struct trace_cache *
trace_cache_new(size_t max_traces, size_t max_bytes)
{
	struct trace_cache *c = xcalloc(1, sizeof *c);
	size_t want;

	c->max_traces = max_traces > 0 ? max_traces : DEFAULT_TRACES;
	c->max_bytes = max_bytes > 0 ? max_bytes : DEFAULT_BYTES;
	/* about two buckets per trace, at most 64 Ki buckets however large the bound */
	want = c->max_traces < 32768 ? c->max_traces * 2 : 65536;
	for (c->nbuckets = 16; c->nbuckets < want; c->nbuckets *= 2)
		;
	c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
	return c;
}

void
trace_cache_free(struct trace_cache *c)
{
	struct entry *x, *next;

	if (c == NULL)
		return;
	for (x = c->head; x != NULL; x = next) {
		next = x->next;
		trace_free(x->t);
		free(x);
	}
	free(c->buckets);
	free(c);
}

static struct entry **
slot(struct trace_cache *c, const char *id)
{
	struct entry **p = &c->buckets[hash(id) & (c->nbuckets - 1)];

	while (*p != NULL && strcmp((*p)->t->trace_id, id) != 0)
		p = &(*p)->chain;
	return p;
}

static void
unlink_lru(struct trace_cache *c, struct entry *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		c->head = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	else
		c->tail = x->prev;
	x->prev = x->next = NULL;
}

static void
push_front(struct trace_cache *c, struct entry *x)
{
	x->prev = NULL;
	x->next = c->head;
	if (c->head != NULL)
		c->head->prev = x;
	c->head = x;
	if (c->tail == NULL)
		c->tail = x;
}

/* Take x out of the cache and free it with its trace. */
static void
drop(struct trace_cache *c, struct entry *x)
{
	struct entry **p = slot(c, x->t->trace_id);

	*p = x->chain;
	unlink_lru(c, x);
	c->count--;
	c->bytes -= x->bytes;
	trace_free(x->t);
	free(x);
}

/* The id as the cache keys it: Zipkin's normal form when it is a trace id. */
static const char *
key(const char *id, char norm[33])
{
	return zipkin_trace_id_norm(id, norm) ? norm : id;
}

const struct trace *
trace_cache_get(struct trace_cache *c, const char *trace_id)
{
	char norm[33];
	struct entry *x;

	if (c == NULL || trace_id == NULL)
		return NULL;
	x = *slot(c, key(trace_id, norm));
	if (x == NULL)
		return NULL;
	if (x != c->head) {
		unlink_lru(c, x);
		push_front(c, x);
	}
	return x->t;
}

const struct trace *
trace_cache_put(struct trace_cache *c, struct trace *t)
{
	struct entry *x, **p;
	size_t bytes;

	if (t == NULL)
		return NULL;
	if (c == NULL) {
		trace_free(t);
		return NULL;
	}
	bytes = t->bytes;
	p = slot(c, t->trace_id);
	if (*p != NULL && (*p)->t == t) {
		/* the very trace again: only its recency and size change */
		x = *p;
		c->bytes = c->bytes - x->bytes + bytes;
		x->bytes = bytes;
		unlink_lru(c, x);
		push_front(c, x);
		if (bytes > c->max_bytes) {
			drop(c, x);
			return NULL;
		}
		while (c->bytes > c->max_bytes && c->tail != x)
			drop(c, c->tail);
		return t;
	}
	if (*p != NULL)
		drop(c, *p); /* replaced */
	if (bytes > c->max_bytes) {
		trace_free(t);
		return NULL;
	}
	while (c->tail != NULL && (c->count + 1 > c->max_traces || c->bytes + bytes > c->max_bytes))
		drop(c, c->tail);
	x = xcalloc(1, sizeof *x);
	x->t = t;
	x->bytes = bytes;
	p = slot(c, t->trace_id);
	x->chain = NULL;
	*p = x;
	push_front(c, x);
	c->count++;
	c->bytes += bytes;
	return t;
}

size_t
trace_cache_count(const struct trace_cache *c)
{
	return c != NULL ? c->count : 0;
}

size_t
trace_cache_bytes(const struct trace_cache *c)
{
	return c != NULL ? c->bytes : 0;
}
