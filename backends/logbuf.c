/*
 * logbuf.c - the log lines held for the Logs screen (see logbuf.h).
 *
 * A ring of records (a deque: the tail adds at the newest end, paging at
 * the oldest, drops happen at either) plus an open-addressing set of
 * (_index, _id) for the dedupe, whose keys borrow the strings of the
 * records, which never move when the ring does.  Adds and drops are O(1)
 * amortised; the ring and the set grow by doubling up to what max_lines
 * needs and are never larger.
 *
 * What a line costs is counted as glibc's malloc would charge it: each
 * string rounded up to a 16-byte chunk with its 8-byte header (32 at
 * least), plus the record itself; the ring and the set count against
 * max_bytes too, so logbuf_bytes() is close to what the heap really holds.
 */
#include "logbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct slot {
	const char *index; /* borrowed from a held line; NULL = empty slot */
	const char *id;
	size_t hash;
};

struct logbuf {
	struct log_line *ring; /* cap records; line i is ring[(head + i) % cap] */
	size_t cap, head, len;
	size_t max_lines, max_bytes;
	size_t line_bytes; /* sum of the held lines' bytes */
	struct slot *set;  /* set_cap slots, a power of two; at most half full */
	size_t set_cap, set_n;
	/* The newest line dropped from the newest end, the oldest from the oldest end. */
	struct es_cursor dropped_new, dropped_old;
	bool has_dropped_new, has_dropped_old;
};

/* ---- costs and order --------------------------------------------------- */

static size_t
chunk(const char *s)
{
	size_t n = strlen(s) + 1 + 8;

	n = (n + 15) & ~(size_t)15;
	return n < 32 ? 32 : n;
}

static size_t
line_cost(const struct es_hit *h)
{
	return sizeof(struct log_line) + chunk(h->index) + chunk(h->id) + chunk(h->level) +
	       chunk(h->service) + chunk(h->message) + chunk(h->trace_id) + chunk(h->source);
}

/* A hit's place in the order: its cursor, or its time when it has none. */
static struct es_cursor
key_of(const struct es_hit *h)
{
	struct es_cursor c = h->cursor;

	if (!c.set) {
		c.t = h->t * 1000.0;
		c.tiebreak[0] = '\0';
	}
	return c;
}

/* A JSON integer ("42", "-7")?  Then *v is its value. */
static bool
json_int(const char *s, long long *v)
{
	char *end;

	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	*v = strtoll(s, &end, 10);
	return *end == '\0';
}

/* <0, 0, >0 as a is older than, level with, newer than b. */
static int
key_cmp(const struct es_cursor *a, const struct es_cursor *b)
{
	long long x, y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (json_int(a->tiebreak, &x) && json_int(b->tiebreak, &y))
		return x < y ? -1 : x > y;
	return strcmp(a->tiebreak, b->tiebreak);
}

/* ---- the dedupe set ---------------------------------------------------- */

static size_t
hash_key(const char *index, const char *id)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)index; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = (const unsigned char *)id; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

/* The slot holding (index, id), or the empty slot where it would go. */
static size_t
set_find(const struct logbuf *b, const char *index, const char *id, size_t hash)
{
	size_t mask = b->set_cap - 1, i = hash & mask;

	while (b->set[i].index != NULL) {
		if (b->set[i].hash == hash && strcmp(b->set[i].id, id) == 0 &&
		    strcmp(b->set[i].index, index) == 0)
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

static void
set_grow(struct logbuf *b)
{
	struct slot *old = b->set;
	size_t oldcap = b->set_cap, i;

	b->set_cap = oldcap ? oldcap * 2 : 64;
	b->set = xcalloc(b->set_cap, sizeof *b->set);
	for (i = 0; i < oldcap; i++)
		if (old[i].index != NULL)
			b->set[set_find(b, old[i].index, old[i].id, old[i].hash)] = old[i];
	free(old);
}

/* Lines without an _id are never deduped (and never in the set). */
static bool
set_has(const struct logbuf *b, const struct es_hit *h)
{
	size_t i;

	if (h->id[0] == '\0' || b->set_n == 0)
		return false;
	i = set_find(b, h->index, h->id, hash_key(h->index, h->id));
	return b->set[i].index != NULL;
}

static void
set_add(struct logbuf *b, const struct es_hit *h)
{
	size_t hash, i;

	if (h->id[0] == '\0')
		return;
	if ((b->set_n + 1) * 2 > b->set_cap)
		set_grow(b);
	hash = hash_key(h->index, h->id);
	i = set_find(b, h->index, h->id, hash);
	if (b->set[i].index != NULL)
		return;
	b->set[i].index = h->index;
	b->set[i].id = h->id;
	b->set[i].hash = hash;
	b->set_n++;
}

/* Remove with backward shift, so probes never meet a tombstone. */
static void
set_remove(struct logbuf *b, const struct es_hit *h)
{
	size_t mask, i, j, k;

	if (h->id[0] == '\0' || b->set_n == 0)
		return;
	mask = b->set_cap - 1;
	i = set_find(b, h->index, h->id, hash_key(h->index, h->id));
	if (b->set[i].index == NULL || b->set[i].index != h->index)
		return; /* an equal key held by another line (cannot happen) */
	b->set[i].index = NULL;
	b->set_n--;
	for (j = (i + 1) & mask; b->set[j].index != NULL; j = (j + 1) & mask) {
		k = b->set[j].hash & mask;
		/* move j back to i unless its home k lies cyclically in (i, j] */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		b->set[i] = b->set[j];
		b->set[j].index = NULL;
		i = j;
	}
}

/* ---- the ring ---------------------------------------------------------- */

static void
hit_free(struct es_hit *h)
{
	free(h->index);
	free(h->id);
	free(h->level);
	free(h->service);
	free(h->message);
	free(h->trace_id);
	free(h->source);
	memset(h, 0, sizeof *h);
}

static struct log_line *
at(const struct logbuf *b, size_t i)
{
	return &b->ring[(b->head + i) % b->cap];
}

/* Room for one more record: double up to what max_lines (+1 in flight) needs. */
static void
reserve(struct logbuf *b)
{
	struct log_line *r;
	size_t ncap, i, limit = b->max_lines + 1;

	if (b->len < b->cap)
		return;
	ncap = b->cap ? b->cap * 2 : 16;
	if (ncap > limit)
		ncap = limit;
	if (ncap <= b->len)
		ncap = b->len + 1;
	r = xcalloc(ncap, sizeof *r);
	for (i = 0; i < b->len; i++)
		r[i] = *at(b, i);
	free(b->ring);
	b->ring = r;
	b->cap = ncap;
	b->head = 0;
}

static size_t
overhead(const struct logbuf *b)
{
	return sizeof *b + b->cap * sizeof *b->ring + b->set_cap * sizeof *b->set;
}

static bool
over(const struct logbuf *b)
{
	return b->len > b->max_lines || b->line_bytes + overhead(b) > b->max_bytes;
}

/* Make a record of h (its strings stolen). */
static struct log_line
line_of(struct es_hit *h)
{
	struct log_line l;

	l.hit = *h;
	l.bytes = line_cost(h);
	memset(h, 0, sizeof *h);
	return l;
}

static void
drop(struct logbuf *b, struct log_line *l)
{
	set_remove(b, &l->hit);
	b->line_bytes -= l->bytes;
	hit_free(&l->hit);
	l->bytes = 0;
}

/* Drop the oldest line, remembering the oldest dropped. */
static void
drop_oldest(struct logbuf *b)
{
	struct log_line *l = at(b, b->len - 1);
	struct es_cursor k = key_of(&l->hit);

	if (!b->has_dropped_old || key_cmp(&k, &b->dropped_old) < 0)
		b->dropped_old = k;
	b->has_dropped_old = true;
	drop(b, l);
	b->len--;
}

/* Drop the newest line, remembering the newest dropped. */
static void
drop_newest(struct logbuf *b)
{
	struct log_line *l = at(b, 0);
	struct es_cursor k = key_of(&l->hit);

	if (!b->has_dropped_new || key_cmp(&k, &b->dropped_new) > 0)
		b->dropped_new = k;
	b->has_dropped_new = true;
	drop(b, l);
	b->head = (b->head + 1) % b->cap;
	b->len--;
}

/* ---- public ------------------------------------------------------------ */

struct logbuf *
logbuf_new(size_t max_lines, size_t max_bytes)
{
	struct logbuf *b = xcalloc(1, sizeof *b);

	b->max_lines = max_lines > 0 ? max_lines : 1;
	b->max_bytes = max_bytes > 0 ? max_bytes : 1;
	return b;
}

void
logbuf_clear(struct logbuf *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->len; i++)
		hit_free(&at(b, i)->hit);
	b->len = 0;
	b->head = 0;
	b->line_bytes = 0;
	if (b->set != NULL)
		memset(b->set, 0, b->set_cap * sizeof *b->set);
	b->set_n = 0;
	b->has_dropped_new = b->has_dropped_old = false;
}

void
logbuf_free(struct logbuf *b)
{
	if (b == NULL)
		return;
	logbuf_clear(b);
	free(b->ring);
	free(b->set);
	free(b);
}

/* qsort order of a batch: newest first, then as given (a stable sort). */
struct ranked {
	struct es_cursor key;
	size_t pos;
};

static int
ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	int c = key_cmp(&b->key, &a->key);

	if (c != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* The batch's order, newest first (new array of h->n). */
static struct ranked *
rank(const struct es_hits *h)
{
	struct ranked *r = xmalloc(h->n * sizeof *r);
	size_t i;

	for (i = 0; i < h->n; i++) {
		r[i].key = key_of(&h->hits[i]);
		r[i].pos = i;
	}
	qsort(r, h->n, sizeof *r, ranked_cmp);
	return r;
}

/* Empty h: free what was not taken. */
static void
release(struct es_hits *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		hit_free(&h->hits[i]);
	free(h->hits);
	h->hits = NULL;
	h->n = 0;
}

size_t
logbuf_add_newer(struct logbuf *b, struct es_hits *h)
{
	struct ranked *r;
	size_t i, added = 0;

	if (h->n == 0) {
		release(h);
		return 0;
	}
	r = rank(h);
	/* oldest of the batch first, each one becoming the newest held */
	for (i = h->n; i-- > 0;) {
		struct es_hit *hit = &h->hits[r[i].pos];

		if (set_has(b, hit))
			continue;
		reserve(b);
		b->head = (b->head + b->cap - 1) % b->cap;
		*at(b, 0) = line_of(hit);
		b->len++;
		b->line_bytes += at(b, 0)->bytes;
		set_add(b, &at(b, 0)->hit);
		added++;
		while (b->len > 1 && over(b))
			drop_oldest(b);
	}
	free(r);
	release(h);
	if (b->has_dropped_new && b->len > 0) {
		struct es_cursor k = key_of(&at(b, 0)->hit);

		if (key_cmp(&k, &b->dropped_new) >= 0)
			b->has_dropped_new = false;
	}
	return added;
}

size_t
logbuf_add_older(struct logbuf *b, struct es_hits *h)
{
	struct ranked *r;
	size_t i, added = 0;

	if (h->n == 0) {
		release(h);
		return 0;
	}
	r = rank(h);
	/* newest of the batch first, each one becoming the oldest held */
	for (i = 0; i < h->n; i++) {
		struct es_hit *hit = &h->hits[r[i].pos];
		struct log_line *l;

		if (set_has(b, hit))
			continue;
		reserve(b);
		l = at(b, b->len);
		*l = line_of(hit);
		b->len++;
		b->line_bytes += l->bytes;
		set_add(b, &l->hit);
		added++;
		while (b->len > 1 && over(b))
			drop_newest(b);
	}
	free(r);
	release(h);
	if (b->has_dropped_old && b->len > 0) {
		struct es_cursor k = key_of(&at(b, b->len - 1)->hit);

		if (key_cmp(&k, &b->dropped_old) <= 0)
			b->has_dropped_old = false;
	}
	return added;
}

size_t
logbuf_len(const struct logbuf *b)
{
	return b != NULL ? b->len : 0;
}

const struct log_line *
logbuf_at(const struct logbuf *b, size_t i)
{
	if (b == NULL || i >= b->len)
		return NULL;
	return at(b, i);
}

size_t
logbuf_bytes(const struct logbuf *b)
{
	return b != NULL ? b->line_bytes + overhead(b) : 0;
}

bool
logbuf_dropped_newer(const struct logbuf *b)
{
	return b != NULL && b->has_dropped_new;
}

bool
logbuf_dropped_older(const struct logbuf *b)
{
	return b != NULL && b->has_dropped_old;
}

struct es_cursor
logbuf_newest(const struct logbuf *b)
{
	struct es_cursor none = { 0 };

	if (b == NULL || b->len == 0)
		return none;
	return at(b, 0)->hit.cursor;
}

struct es_cursor
logbuf_oldest(const struct logbuf *b)
{
	struct es_cursor none = { 0 };

	if (b == NULL || b->len == 0)
		return none;
	return at(b, b->len - 1)->hit.cursor;
}
