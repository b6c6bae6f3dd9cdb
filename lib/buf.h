/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Embedded: buf_init() / buf_done().  data is owned by the buffer; it is
 * never NULL after buf_init().  Growth goes through xrealloc (aborts on OOM).
 */
#ifndef OPSDECK_LIB_BUF_H
#define OPSDECK_LIB_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* owned, NUL-terminated */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
};

void buf_init(struct buf *b);
void buf_done(struct buf *b);  /* frees data; NULL-safe */
void buf_reset(struct buf *b); /* len = 0, keeps the allocation */
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Hand the data to the caller (new).  The buffer is left empty and owns
 * nothing, as after buf_done(); appending to it again allocates anew, and
 * buf_done() on it is harmless.
 */
char *buf_steal(struct buf *b);

#endif
