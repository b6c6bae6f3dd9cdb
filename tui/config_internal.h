/*
 * config_internal.h - private to tui/config*.c; no other file includes it.
 *
 * config.c owns the key table, the loading and the accessors;
 * config_check.c checks single values against their key's type;
 * config_print.c prints the configuration and the key reference.  The
 * printer reads the per-source slots directly, so struct config is laid
 * out here rather than in config.h, where it stays opaque.
 */
#ifndef OPSDECK_TUI_CONFIG_INTERNAL_H
#define OPSDECK_TUI_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "err.h"

/* Longest excerpt of user text quoted in a message (ini_excerpt). */
#define CONFIG_EXCERPT_MAX 80

/* One source's value of one key. */
struct config_slot {
	char *text;   /* owned; NULL when unset (not used by LIST keys) */
	char **items; /* owned; LIST keys only */
	int *lines;   /* owned; the file line of each item */
	size_t nitems;
	char *where;  /* owned: file name, variable, flag, or "preset http" */
	int line;     /* file line of text */
	unsigned gen; /* the file load that set it; 0 = none */
};

struct config {
	struct config_slot slot[CFG_KEY_COUNT][CFG_SRC_COUNT];
	char *secret[CFG_KEY_COUNT]; /* owned: content of a SECRET key's *_file */
	unsigned gen;                /* number of file loads so far */
};

/* ---- config.c ---------------------------------------------------------- */

/*
 * borrowed (valid until cfg changes): the slot of the highest-precedence
 * source that sets k, or NULL.  *src (if src != NULL) gets that source,
 * or CFG_SRC_COUNT when none sets k.
 */
const struct config_slot *config_effective(const struct config *cfg, enum config_key k,
					   enum config_source *src);
/* Whether ki takes its default from the [prometheus] preset. */
bool config_is_preset_default(const struct config_key_info *ki);
/* The PATH key holding the file of SECRET key k ("token" -> "token_file"), or -1. */
int config_secret_file_key(enum config_key k);

/* ---- config_check.c ---------------------------------------------------- */

/*
 * Check text v (borrowed) against key k's type.  Returns 0, or -1 with an
 * ERR_CONFIG error in e naming the key and what to write instead.
 * Messages never quote a secret or a header's value.
 */
int config_check_value(enum config_key k, const char *v, struct err *e);
/*
 * borrowed (static): the known section (section NULL) or key of section
 * closest to word, within an edit distance of 2; NULL when none is.
 */
const char *config_check_closest(const char *section, const char *word);
/* Whether some key lives in [section]. */
bool config_check_known_section(const char *section);
/* Whether header h ("Name: value") carries a credential ("Authorization", "X-Api-Key"). */
bool config_check_secret_header(const char *h);

#endif
