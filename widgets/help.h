/*
 * help.h - a centred overlay listing keys and what they do.
 *
 * The entries come from the key table (tui/keys.c), so the help can never
 * drift from the bindings.  Entries with key == NULL are section headings.
 * Scrolls when taller than the screen; `scroll` is the first entry shown.
 */
#ifndef OPSDECK_WIDGETS_HELP_H
#define OPSDECK_WIDGETS_HELP_H

#include <stddef.h>

#include "canvas.h"

struct help_entry {
	const char *key;  /* "j / Down"; NULL for a heading */
	const char *text; /* description, or heading text */
};

struct help_view {
	const char *title; /* "opsdeck — keys" */
	const struct help_entry *entries;
	size_t nentries;
	size_t scroll;
	const char *footer; /* "Esc or ? closes" */
};

/* Draw the overlay centred in screen (boxed, with a shadow-free border). */
void help_draw(struct canvas *c, struct rect screen, const struct help_view *v);

/* Number of entry rows that fit when drawn in screen (for scrolling). */
int help_visible_rows(struct rect screen, const struct help_view *v);

#endif
