/*
 * xalloc.h - checked allocation.
 *
 * Out of memory is not an error a terminal UI can recover from: these
 * functions call the hook set with xalloc_set_oom_hook() (tui/ sets one that
 * restores the terminal), print a message to stderr and abort().  They never
 * return NULL.
 */
#ifndef OPSDECK_LIB_XALLOC_H
#define OPSDECK_LIB_XALLOC_H

#include <stddef.h>

/* Called once before aborting on out-of-memory.  NULL removes the hook. */
void xalloc_set_oom_hook(void (*hook)(void));

void *xmalloc(size_t n);                  /* new */
void *xcalloc(size_t nmemb, size_t size); /* new, zeroed */
void *xrealloc(void *p, size_t n);        /* steals p, returns new */
char *xstrdup(const char *s);             /* new; NULL in, NULL out */
char *xstrndup(const char *s, size_t n);  /* new; copies at most n bytes */
/* new: a printf-formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
