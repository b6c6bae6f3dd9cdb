/*
 * logs_history.c - the query history, deduplicated, bounded, saved whole.
 */
#include "logs_history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

struct logs_history {
	char *path;   /* owned; NULL = memory only */
	char **items; /* owned, oldest first */
	size_t n;
	size_t pos;  /* recall position: n = not recalling */
	char *typed; /* owned: the line before recall began */
};

char *
logs_history_default_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (state != NULL && state[0] == '/')
		return xasprintf("%s/opsdeck/history", state);
	if (home != NULL && home[0] != '\0')
		return xasprintf("%s/.local/state/opsdeck/history", home);
	return NULL;
}

/* Remove entry i. */
static void
drop(struct logs_history *h, size_t i)
{
	free(h->items[i]);
	memmove(&h->items[i], &h->items[i + 1], (h->n - i - 1) * sizeof *h->items);
	h->n--;
}

/* Append s (owned) as the newest, removing an older copy and the overflow. */
static void
push(struct logs_history *h, char *s)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->items[i], s) == 0) {
			drop(h, i);
			break;
		}
	if (h->n == LOGS_HISTORY_MAX)
		drop(h, 0);
	h->items[h->n++] = s;
}

static char *
clean(const char *q)
{
	char *s = xstrdup(q), *c;

	for (c = s; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	return s;
}

struct logs_history *
logs_history_new(const char *path)
{
	struct logs_history *h = xcalloc(1, sizeof *h);
	FILE *f;
	char line[4096];

	h->items = xcalloc(LOGS_HISTORY_MAX, sizeof *h->items);
	h->path = path != NULL ? xstrdup(path) : NULL;
	if (path != NULL && (f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			size_t len = strcspn(line, "\r\n");

			line[len] = '\0';
			if (len > 0)
				push(h, xstrdup(line));
		}
		fclose(f);
	}
	h->pos = h->n;
	return h;
}

void
logs_history_free(struct logs_history *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->items[i]);
	free(h->items);
	free(h->path);
	free(h->typed);
	free(h);
}

/* mkdir -p of the directories above path (mode 0700, as XDG asks). */
static void
make_parents(const char *path)
{
	char *d = xstrdup(path), *c;

	for (c = d + 1; *c != '\0'; c++)
		if (*c == '/') {
			*c = '\0';
			mkdir(d, 0700);
			*c = '/';
		}
	free(d);
}

static int
save(const struct logs_history *h, struct err *e)
{
	char *tmp;
	FILE *f;
	size_t i;
	int bad;

	if (h->path == NULL)
		return 0;
	make_parents(h->path);
	tmp = xasprintf("%s.tmp.%ld", h->path, (long)getpid());
	f = fopen(tmp, "w");
	if (f == NULL) {
		err_set(e, ERR_IO, "history: cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	for (i = 0; i < h->n; i++)
		fprintf(f, "%s\n", h->items[i]);
	bad = ferror(f);
	if (fclose(f) != 0 || bad || rename(tmp, h->path) != 0) {
		err_set(e, ERR_IO, "history: cannot write %s: %s", h->path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
logs_history_add(struct logs_history *h, const char *q, struct err *e)
{
	logs_history_reset(h);
	if (q == NULL || q[0] == '\0')
		return 0;
	push(h, clean(q));
	h->pos = h->n;
	return save(h, e);
}

size_t
logs_history_len(const struct logs_history *h)
{
	return h->n;
}

const char *
logs_history_at(const struct logs_history *h, size_t i)
{
	return i < h->n ? h->items[i] : NULL;
}

const char *
logs_history_recall(struct logs_history *h, int dir, const char *typed)
{
	if (dir < 0) {
		if (h->pos == 0)
			return NULL;
		if (h->pos == h->n) {
			free(h->typed);
			h->typed = xstrdup(typed != NULL ? typed : "");
		}
		return h->items[--h->pos];
	}
	if (h->pos >= h->n)
		return NULL;
	h->pos++;
	return h->pos == h->n ? (h->typed != NULL ? h->typed : "") : h->items[h->pos];
}

void
logs_history_reset(struct logs_history *h)
{
	h->pos = h->n;
	free(h->typed);
	h->typed = NULL;
}
