/*
 * dialog.c - the confirmation dialog: layout, drawing and the key rules.
 *
 * One layout function serves dialog_draw() and dialog_fits(), so the
 * decision "can the user see the whole change?" is made on exactly the rows
 * that get drawn.  Rows are handed out by priority - change, prompt, input,
 * note, then the blank rows and the body - because on a short terminal the
 * change is the one thing the user must read in full before pressing 'y'.
 */
#include "dialog.h"

#include <string.h>

#include "text.h"

#define PAD 1        /* blank columns inside each vertical border */
#define MIN_INNER 36 /* a comfortable width when the screen allows it */
#define MAX_INNER 72 /* longer text wraps rather than spanning the screen */
#define MIN_W 8
#define MIN_H 3

#define PROMPT_SIMPLE "y confirm \xc2\xb7 any other key cancels"
#define PROMPT_SIMPLE_ASCII "y confirm, any other key cancels"
#define PROMPT_TYPED "type the service name to confirm:"
#define INPUT_PROMPT "> "
#define NOTE_EMPTY "Esc cancels"
#define NOTE_MISMATCH "not the name yet \xc2\xb7 Esc cancels"
#define NOTE_MISMATCH_ASCII "not the name yet, Esc cancels"
#define NOTE_MATCH "Enter confirms \xc2\xb7 Esc cancels"
#define NOTE_MATCH_ASCII "Enter confirms, Esc cancels"
#define TOO_SMALL "terminal too small for the dialog \xe2\x80\x94 Esc cancels"
#define TOO_SMALL_ASCII "terminal too small for the dialog - Esc cancels"

struct dialog_layout {
	struct rect box; /* border included */
	int inner;       /* text columns */
	int sp_top;      /* blank row above the body */
	int body;        /* body rows shown */
	int body_need;   /* body rows wrapped in full */
	int sp_body;     /* blank row between body and change */
	int change;      /* change rows (all of them when fits) */
	int sp_prompt;   /* blank row between change and prompt */
	int prompt;      /* prompt rows */
	int input;       /* typed mode: the input row */
	int note;        /* typed mode: the note row */
	bool fits;       /* the whole change and prompt are shown */
};

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

static int
min_int(int a, int b)
{
	return a < b ? a : b;
}

static const char *
str_or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static const char *
prompt_text(const struct dialog_view *v, bool ascii)
{
	if (v->typed)
		return PROMPT_TYPED;
	return ascii ? PROMPT_SIMPLE_ASCII : PROMPT_SIMPLE;
}

/* Rows text takes wrapped at w columns (measured, not drawn). */
static int
rows_of(struct canvas *c, int w, const char *s)
{
	return text_draw_wrapped(c, (struct rect){ 0, 0, w, 0 }, str_or_empty(s), ROLE_NORMAL,
				 ATTR_NONE);
}

/* Take up to `want` rows from *avail. */
static int
take(int *avail, int want)
{
	int n = min_int(want, *avail);

	*avail -= n;
	return n;
}

static bool
dialog_layout(struct canvas *c, struct rect screen, const struct dialog_view *v,
	      struct dialog_layout *l)
{
	int inner, bw, bh, avail, need_change, need_prompt;
	const char *prompt = prompt_text(v, c->ascii);

	memset(l, 0, sizeof *l);
	if (screen.w < MIN_W || screen.h < MIN_H)
		return false;
	inner = max_int(text_width(str_or_empty(v->title)) + 2, MIN_INNER);
	inner = max_int(inner, text_width(str_or_empty(v->change)));
	inner = max_int(inner, text_width(prompt));
	if (v->typed)
		inner = max_int(inner,
				text_width(INPUT_PROMPT) + text_width(str_or_empty(v->expect)) + 1);
	inner = min_int(inner, MAX_INNER);
	bw = min_int(inner + 2 * PAD + 2, screen.w);
	l->inner = inner = bw - 2 * PAD - 2;

	need_change = rows_of(c, inner, v->change);
	need_prompt = rows_of(c, inner, prompt);
	avail = screen.h - 2;
	l->change = take(&avail, need_change);
	l->prompt = take(&avail, need_prompt);
	if (v->typed) {
		l->input = take(&avail, 1);
		l->note = take(&avail, 1);
	}
	l->fits = l->change == need_change && l->prompt == need_prompt &&
		  (!v->typed || l->input == 1);
	l->sp_prompt = take(&avail, 1);
	l->body_need = rows_of(c, inner, v->body);
	if (l->body_need > 0 && avail >= 2) {
		l->sp_body = take(&avail, 1);
		l->body = take(&avail, l->body_need);
	}
	l->sp_top = take(&avail, 1);

	bh = 2 + l->sp_top + l->body + l->sp_body + l->change + l->sp_prompt + l->prompt +
	     l->input + l->note;
	l->box = (struct rect){ screen.x + (screen.w - bw) / 2, screen.y + (screen.h - bh) / 2, bw,
				bh };
	return true;
}

/* The screen clipped to the canvas. */
static struct rect
clip_to_canvas(const struct canvas *c, struct rect r)
{
	if (r.x < 0)
		r.w += r.x, r.x = 0;
	if (r.y < 0)
		r.h += r.y, r.y = 0;
	if (r.x + r.w > c->w)
		r.w = c->w - r.x;
	if (r.y + r.h > c->h)
		r.h = c->h - r.y;
	return r;
}

bool
dialog_fits(struct canvas *c, struct rect screen, const struct dialog_view *v)
{
	struct dialog_layout l;

	return dialog_layout(c, clip_to_canvas(c, screen), v, &l) && l.fits;
}

static void
draw_border(struct canvas *c, struct rect b, const char *title, bool danger)
{
	enum role br = danger ? ROLE_CRIT : ROLE_NORMAL;
	enum role tr = danger ? ROLE_CRIT : ROLE_HEADER;
	int tw;

	canvas_box(c, b, br);
	if (title == NULL || title[0] == '\0' || b.w < 7)
		return;
	canvas_put(c, b.x + 2, b.y, " ", 1, tr, ATTR_BOLD);
	tw = text_draw(c, b.x + 3, b.y, b.w - 6, title, tr, ATTR_BOLD);
	canvas_put(c, b.x + 3 + tw, b.y, " ", 1, tr, ATTR_BOLD);
}

static void
draw_too_small(struct canvas *c, struct rect screen)
{
	const char *note = c->ascii ? TOO_SMALL_ASCII : TOO_SMALL;
	int y = screen.y + screen.h / 2;

	if (screen.w < 1 || screen.h < 1)
		return;
	canvas_fill(c, (struct rect){ screen.x, y, screen.w, 1 }, ROLE_CRIT);
	text_draw(c, screen.x, y, screen.w, note, ROLE_CRIT, ATTR_BOLD);
}

static void
draw_note(struct canvas *c, int x, int y, int w, const struct dialog_view *v,
	  const struct input *in)
{
	bool a = c->ascii;

	if (dialog_matches(v, in))
		text_draw(c, x, y, w, a ? NOTE_MATCH_ASCII : NOTE_MATCH, ROLE_OK, ATTR_NONE);
	else if (in->text.len > 0)
		text_draw(c, x, y, w, a ? NOTE_MISMATCH_ASCII : NOTE_MISMATCH, ROLE_WARN,
			  ATTR_NONE);
	else
		text_draw(c, x, y, w, NOTE_EMPTY, ROLE_DIM, ATTR_NONE);
}

void
dialog_draw(struct canvas *c, struct rect screen, const struct dialog_view *v)
{
	struct dialog_layout l;
	struct input empty;
	const struct input *in = v->input;
	int x, y;

	screen = clip_to_canvas(c, screen);
	if (!dialog_layout(c, screen, v, &l) || !l.fits) {
		draw_too_small(c, screen);
		return;
	}
	canvas_fill(c, l.box, ROLE_NORMAL);
	draw_border(c, l.box, v->title, v->danger);
	x = l.box.x + 1 + PAD;
	y = l.box.y + 1 + l.sp_top;
	text_draw_wrapped(c, (struct rect){ x, y, l.inner, l.body }, str_or_empty(v->body),
			  ROLE_NORMAL, ATTR_NONE);
	if (l.body > 0 && l.body < l.body_need) /* the rest of the body is cut */
		text_draw(c, x + l.inner - 1, y + l.body - 1, 1, c->ascii ? "~" : "\xe2\x80\xa6",
			  ROLE_DIM, ATTR_NONE);
	y += l.body + l.sp_body;
	text_draw_wrapped(c, (struct rect){ x, y, l.inner, l.change }, str_or_empty(v->change),
			  ROLE_ACCENT, ATTR_BOLD);
	y += l.change + l.sp_prompt;
	text_draw_wrapped(c, (struct rect){ x, y, l.inner, l.prompt }, prompt_text(v, c->ascii),
			  ROLE_NORMAL, ATTR_NONE);
	if (!v->typed) {
		/* The key that confirms stands out. */
		canvas_paint(c, (struct rect){ x, y, 1, 1 }, ROLE_ACCENT, ATTR_BOLD);
		return;
	}
	y += l.prompt;
	input_init(&empty);
	if (in == NULL)
		in = &empty;
	input_draw(c, x, y, l.inner, INPUT_PROMPT, in, ROLE_NORMAL);
	if (l.note)
		draw_note(c, x, y + 1, l.inner, v, in);
	input_done(&empty);
}

bool
dialog_matches(const struct dialog_view *v, const struct input *typed)
{
	if (v->expect == NULL || v->expect[0] == '\0' || typed == NULL)
		return false;
	return strcmp(typed->text.data, v->expect) == 0;
}

enum dialog_result
dialog_key(const struct dialog_view *v, struct input *typed, int key)
{
	if (key <= 0)
		return DIALOG_PENDING;
	if (!v->typed)
		return key == 'y' || key == 'Y' ? DIALOG_CONFIRM : DIALOG_CANCEL;
	switch (key) {
	case DIALOG_KEY_ESC:
	case DIALOG_KEY_CTRL_C:
	case DIALOG_KEY_CTRL_G:
		return DIALOG_CANCEL;
	case DIALOG_KEY_ENTER:
	case DIALOG_KEY_RETURN:
		return dialog_matches(v, typed) ? DIALOG_CONFIRM : DIALOG_PENDING;
	}
	if (typed == NULL)
		return DIALOG_PENDING;
	switch (key) {
	case DIALOG_KEY_BACKSPACE:
	case DIALOG_KEY_BS:
		input_backspace(typed);
		break;
	case DIALOG_KEY_CTRL_U:
		input_kill_line(typed);
		break;
	case DIALOG_KEY_CTRL_W:
		input_kill_word(typed);
		break;
	default:
		/* Printable codepoints only; C1 controls are not typed names. */
		if (key >= 0x20 && key != 0x7f && !(key >= 0x80 && key < 0xa0) &&
		    key < DIALOG_KEY_SPECIAL)
			input_insert_codepoint(typed, (unsigned)key);
		break;
	}
	return DIALOG_PENDING;
}
