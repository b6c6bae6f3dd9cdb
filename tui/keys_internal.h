/*
 * keys_internal.h - the key table's record, shared by keys.c (lookups,
 * remapping, help) and keys_defaults.c (the default bindings).  Nothing
 * else includes it.
 */
#ifndef OPSDECK_TUI_KEYS_INTERNAL_H
#define OPSDECK_TUI_KEYS_INTERNAL_H

#include <stddef.h>

#include "keys.h"

/* One binding: key does action in ctx. */
struct binding {
	enum key_ctx ctx;
	int key;
	enum action action;
};

/*
 * The default key table (keys_defaults.c).  Order within a context is the
 * order shown in help.  The table in force starts as a copy and [keys]
 * edits it.
 */
extern const struct binding keys_defaults[];
extern const size_t keys_ndefaults;

#endif
