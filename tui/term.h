/*
 * term.h - the terminal: ncurses set-up and restore, key input, and the blit
 * of a canvas (roles mapped through the widgets' theme tables).
 *
 * Restoring is idempotent and happens on every way out: normal exit, a
 * signal, a fatal error, out-of-memory (xalloc hook) and abort
 * (term_emergency_restore is async-signal-safe).
 */
#ifndef OPSDECK_TUI_TERM_H
#define OPSDECK_TUI_TERM_H

#include <stdbool.h>

#include "canvas.h"
#include "err.h"

/*
 * Start curses on the controlling terminal.  color: use colours if the
 * terminal has them, from theme (a canvas_theme_* table; NULL = the
 * default), folded onto 8, 16 or 256 colours; without colours (or with
 * canvas_theme_mono) attributes only.  mouse: report left presses and the
 * wheel as K_MOUSE (else the terminal keeps the mouse).
 */
int term_open(bool color, const struct theme_entry *theme, bool mouse, struct err *e);
/* Leave curses and restore the terminal.  Safe to call more than once. */
void term_close(void);
/* Async-signal-safe restore (termios, cursor, alternate screen). */
void term_emergency_restore(void);
bool term_is_open(void);
/* The current size in columns and rows. */
void term_size(int *w, int *h);
/* After SIGWINCH: ask the kernel for the new size and tell curses. */
void term_resize(void);
/* Ctrl-Z: restore the terminal and stop; returns after SIGCONT with curses back. */
void term_suspend(void);
/* Copy the canvas to the screen (curses sends only what changed). */
void term_blit(const struct canvas *c);
/* Force a full repaint on the next blit (Ctrl-L, after resume). */
void term_invalidate(void);
/* Read one pending key without blocking: 1 and *key set, or 0 when none. */
int term_read_key(int *key);

/* The mouse buttons term_mouse reports. */
enum term_mouse_button {
	TERM_MOUSE_LEFT = 1,       /* a left press */
	TERM_MOUSE_WHEEL_UP = 4,   /* the wheel away from the user */
	TERM_MOUSE_WHEEL_DOWN = 5, /* the wheel towards the user */
};
/* After K_MOUSE: where (0-based column and row) and which button. */
void term_mouse(int *x, int *y, int *button);
/* Is the locale's character set UTF-8? */
bool term_locale_utf8(void);

#endif
