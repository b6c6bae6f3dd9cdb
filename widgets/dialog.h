/*
 * dialog.h - the confirmation dialog in front of every mutating action.
 *
 * A boxed, centred overlay:
 *
 *   ┌─ Scale payments? ──────────────────────────┐
 *   │                                            │
 *   │ body text, wrapped by display width        │
 *   │                                            │
 *   │ payments — swarm @ local — replicas 2 → 4  │   (the change, highlighted)
 *   │                                            │
 *   │ y confirm · any other key cancels          │
 *   └────────────────────────────────────────────┘
 *
 * In typed mode (config `confirm = name`) the prompt is "type the service
 * name to confirm:", then an input field, then a note while the text typed
 * so far is not the name.  With danger set the border and title are
 * ROLE_CRIT.
 *
 * The change line is what the user agrees to, so it is never cut: it wraps
 * over as many rows as it needs and, when the screen is short, the body and
 * the blank rows give way first.  Text is drawn as given (sanitised by
 * widgets/text): in ascii mode callers pass ASCII ("->", "-") for the
 * arrows and dashes they would otherwise use, or text_draw shows '?'.
 *
 * The decision logic is dialog_key(), a pure function of the view, the
 * typed text and one key, so the rules are tested without a terminal.
 */
#ifndef OPSDECK_WIDGETS_DIALOG_H
#define OPSDECK_WIDGETS_DIALOG_H

#include <stdbool.h>

#include "canvas.h"
#include "input.h"

/*
 * Keys are Unicode codepoints as tui/keys.h delivers them; these are the
 * ones the dialog interprets (equal to K_ENTER, K_ESC, K_BACKSPACE there).
 * Codes >= DIALOG_KEY_SPECIAL are special keys (arrows, function keys,
 * tui/keys.h K_*).  0 and negative values mean "no key".
 */
enum {
	DIALOG_KEY_CTRL_C = 3,
	DIALOG_KEY_CTRL_G = 7,
	DIALOG_KEY_BS = 8, /* ^H, sent as Backspace by some terminals */
	DIALOG_KEY_ENTER = '\n',
	DIALOG_KEY_RETURN = '\r',
	DIALOG_KEY_CTRL_U = 21,
	DIALOG_KEY_CTRL_W = 23,
	DIALOG_KEY_ESC = 27,
	DIALOG_KEY_BACKSPACE = 0x7f,
	DIALOG_KEY_SPECIAL = 0x110000, /* above every codepoint */
};

enum dialog_result {
	DIALOG_PENDING, /* keep the dialog open */
	DIALOG_CONFIRM, /* run the action */
	DIALOG_CANCEL,  /* close without running it */
};

/* A plain record: the caller owns every pointer; drawing only reads. */
struct dialog_view {
	const char *title;         /* "Scale payments?" */
	const char *body;          /* wrapped; '\n' starts a row; NULL = none */
	const char *change;        /* "payments — swarm @ local — replicas 2 → 4" */
	bool danger;               /* border and title in ROLE_CRIT */
	bool typed;                /* confirm = name: the user types `expect` */
	const char *expect;        /* typed mode: the exact text that confirms */
	const struct input *input; /* typed mode: the text typed so far; NULL = "" */
};

/*
 * Draw the dialog centred in screen.  Reads v (borrowed for the call);
 * writes no cell outside screen (nor outside the canvas).  When the whole
 * change does not fit (see dialog_fits) it draws only a one-row "terminal
 * too small for the dialog - Esc cancels" note.
 */
void dialog_draw(struct canvas *c, struct rect screen, const struct dialog_view *v);

/*
 * Apply one key to the dialog and say what happens.  typed is the caller's
 * input (edited in place in typed mode; may be NULL in simple mode).
 *
 * Simple mode (!v->typed): 'y' or 'Y' confirms; every other key cancels.
 * The caller must not pass non-key events (a resize) here.
 *
 * Typed mode: Enter ('\n' or '\r') confirms only when the text equals
 * v->expect byte for byte (no trimming, no case folding), otherwise stays
 * pending; Esc, Ctrl-C and Ctrl-G cancel; Backspace (0x7f or ^H), Ctrl-U
 * and Ctrl-W edit; printable codepoints are inserted; other control
 * characters and special keys are ignored (pending).  With expect NULL or
 * "" nothing confirms: a typed dialog without a name can only be
 * cancelled.
 *
 * Keys <= 0 return DIALOG_PENDING in both modes.
 */
enum dialog_result dialog_key(const struct dialog_view *v, struct input *typed,
			      int key);

/*
 * True when dialog_draw would show the whole change line, the prompt and
 * (typed mode) the input in screen.  When false dialog_draw shows only a
 * "terminal too small" note, and the caller must not accept a confirmation
 * (treat every key as cancel): the user cannot see what they would agree
 * to.  c is only read (for its ascii flag).
 */
bool dialog_fits(struct canvas *c, struct rect screen, const struct dialog_view *v);

/* True when the text typed so far equals v->expect (typed mode). */
bool dialog_matches(const struct dialog_view *v, const struct input *typed);

#endif
