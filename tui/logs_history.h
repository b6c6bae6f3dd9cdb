/*
 * logs_history.h - the queries typed on the Logs screen's query line,
 * recalled with Up/Down and kept across runs in
 * $XDG_STATE_HOME/opsdeck/history (else ~/.local/state/opsdeck/history):
 * one query per line, oldest first, no duplicates (a query used again
 * moves to the end), the last LOGS_HISTORY_MAX.  The file is rewritten
 * whole through a temporary file and rename(), so a crash never leaves it
 * half written.  A file that cannot be read or written is not an error
 * the user must act on: the history then lives in memory only.
 */
#ifndef OPSDECK_TUI_LOGS_HISTORY_H
#define OPSDECK_TUI_LOGS_HISTORY_H

#include <stddef.h>

#include "err.h"

#define LOGS_HISTORY_MAX 200

struct logs_history; /* opaque */

/* new, loaded from path (copied; NULL = memory only). */
struct logs_history *logs_history_new(const char *path);
void logs_history_free(struct logs_history *h); /* NULL-safe */

/* new: the default path from XDG_STATE_HOME or HOME; NULL when neither is set. */
char *logs_history_default_path(void);

/*
 * Add q (not empty; newlines become spaces) as the newest entry and save.
 * Returns 0, or -1 with e when the file could not be written (kept in
 * memory).  Resets the recall position.
 */
int logs_history_add(struct logs_history *h, const char *q, struct err *e);

/* Entries held; entry i, 0 = oldest (borrowed until the next add). */
size_t logs_history_len(const struct logs_history *h);
const char *logs_history_at(const struct logs_history *h, size_t i);

/*
 * Recall: Up (dir < 0) goes to older entries, Down (dir > 0) to newer and
 * past the newest back to `typed` (what was on the line when recall
 * began, saved by the first Up).  Returns the text to show (borrowed), or
 * NULL when there is nothing further that way.
 */
const char *logs_history_recall(struct logs_history *h, int dir, const char *typed);
/* Forget the recall position (the line was edited or accepted). */
void logs_history_reset(struct logs_history *h);

#endif
