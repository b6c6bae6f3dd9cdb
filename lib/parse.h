/*
 * parse.h - strict parsing of the value types the config and flags use.
 *
 * Strict means: the whole string must be consumed, no sign where none makes
 * sense, no silent clamping.  On failure each function returns -1 and fills
 * e with a message that quotes the input and shows an accepted example.
 */
#ifndef OPSDECK_LIB_PARSE_H
#define OPSDECK_LIB_PARSE_H

#include <stddef.h>

#include "err.h"

/* "250ms", "2s", "5m", "1h", "1d", also "1.5s" and "1h30m".  Out: ms. */
int parse_duration_ms(const char *s, long long *out_ms, struct err *e);

/* "512", "64KiB", "32MiB", "1GiB", "10kB", "2MB" (SI).  Out: bytes. */
int parse_size(const char *s, unsigned long long *out, struct err *e);

/* "1%", "0.5%", or a bare ratio "0.01".  Out: a ratio (1% -> 0.01). */
int parse_percent(const char *s, double *out_ratio, struct err *e);

/* A non-negative integer in [min, max]. */
int parse_long(const char *s, long min, long max, long *out, struct err *e);

/* "true/false/yes/no/on/off/1/0" (case-insensitive). */
int parse_bool(const char *s, int *out, struct err *e);

/*
 * An RFC 3339 time as servers write it: "2026-11-22T23:38:42.644818081Z",
 * "...+02:00"; T, t or a blank between date and time, "+0200" too.
 * Out: unix seconds with the fraction (negative before 1970).  Returns 0,
 * or -1 on anything else (no message: callers say what the time was of).
 */
int parse_rfc3339(const char *s, double *out_seconds);

/*
 * Human formatting, into a caller buffer (always NUL-terminated):
 * format_duration_ms: "850ms", "2.5s", "3m05s", "2h10m", "3d04h".
 * format_si: 3 significant figures with k/M/G suffix ("1.23k").
 * format_bytes: binary units ("512B", "1.5Ki", "230Mi", "1.2Gi").
 */
void format_duration_ms(long long ms, char *out, size_t n);
void format_si(double v, char *out, size_t n);
void format_bytes(double v, char *out, size_t n);

#endif
