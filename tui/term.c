#include "term.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "keys.h"

static bool is_open;
static bool has_color;
static SCREEN *screen;
static struct termios saved_tio;
static bool saved_tio_ok;
/* Terminal strings for the emergency restore, copied while it is safe to. */
static char restore_seq[128];
static size_t restore_len;

bool
term_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static void
add_cap(const char *name)
{
	char *s = tigetstr((char *)name);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

/*
 * How each role is drawn, worked out once at term_open for the theme and
 * the terminal's colours: its pair and attributes.
 */
static attr_t role_attr[ROLE_COUNT];
static int mouse_x, mouse_y, mouse_button; /* the last mouse event (K_MOUSE) */

/*
 * A theme colour on this terminal: 256 colours take the finer colour when
 * the theme has one; 8 colours fold the bright ones onto the basic ones -
 * grey becomes the default colour made faint, the others bold.
 */
static short
map_color(int c, int c256, unsigned *attr, bool is_fg)
{
	if (c < 0 && c256 <= 0)
		return -1;
	if (COLORS >= 256 && c256 > 0)
		return (short)c256;
	if (c < 0)
		return -1;
	if (c >= 8 && COLORS < 16) {
		if (is_fg)
			*attr |= c == 8 ? ATTR_DIM : ATTR_BOLD;
		return c == 8 ? -1 : (short)(c - 8);
	}
	return (short)c;
}

static attr_t
curses_attrs(unsigned a)
{
	attr_t out = 0;

	if (a & ATTR_BOLD)
		out |= A_BOLD;
	if (a & ATTR_REVERSE)
		out |= A_REVERSE;
	if (a & ATTR_UNDERLINE)
		out |= A_UNDERLINE;
	if (a & ATTR_DIM)
		out |= A_DIM;
	return out;
}

static void
init_theme(const struct theme_entry *theme, bool color)
{
	int r;

	has_color = false;
	if (color && theme != canvas_theme_mono && has_colors()) {
		start_color(); /* COLORS is known from here on */
		use_default_colors();
		has_color = COLORS >= 8;
	}
	for (r = 0; r < ROLE_COUNT; r++) {
		const struct theme_entry *t = has_color ? &theme[r] : &canvas_theme_mono[r];
		unsigned a = t->attr;

		role_attr[r] = 0;
		if (has_color) {
			short fg = map_color(t->fg, t->fg256, &a, true);
			short bg = map_color(t->bg, t->bg256, &a, false);

			init_pair((short)(r + 1), fg, bg);
			role_attr[r] = COLOR_PAIR(r + 1);
		}
		role_attr[r] |= curses_attrs(a);
	}
}

int
term_open(bool color, const struct theme_entry *theme, bool mouse, struct err *e)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(e, ERR_USAGE,
			       "the console needs a terminal on stdin and stdout; for scripts use "
			       "'opsdeck snapshot'");
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		saved_tio_ok = true;
	set_escdelay(25);
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL)
		return err_set(e, ERR_USAGE,
			       "cannot start the terminal (TERM=%s): set TERM to your terminal "
			       "type, e.g. xterm-256color",
			       getenv("TERM") ? getenv("TERM") : "");
	set_term(screen);
	is_open = true;
	restore_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmcup");
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	init_theme(theme != NULL ? theme : canvas_theme_color, color);
	if (mouse) {
		/*
		 * Presses, not clicks: with no click interval curses hands each
		 * press over at once instead of waiting to see a double click.
		 * Shift+drag still selects text in most terminals.
		 */
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		/* The mouse-off sequence for the emergency restore. */
		if (restore_len + 8 < sizeof restore_seq) {
			memcpy(restore_seq + restore_len, "\033[?1000l", 8);
			restore_len += 8;
		}
	}
	return 0;
}

void
term_mouse(int *x, int *y, int *button)
{
	*x = mouse_x;
	*y = mouse_y;
	*button = mouse_button;
}

bool
term_is_open(void)
{
	return is_open;
}

void
term_close(void)
{
	if (!is_open)
		return;
	is_open = false;
	curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
	fflush(stdout);
}

void
term_emergency_restore(void)
{
	ssize_t r;

	if (!is_open)
		return;
	if (restore_len > 0)
		r = write(STDOUT_FILENO, restore_seq, restore_len);
	r = write(STDOUT_FILENO, "\r\n", 2);
	(void)r;
	if (saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
}

void
term_size(int *w, int *h)
{
	*w = COLS;
	*h = LINES;
}

void
term_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

void
term_suspend(void)
{
	struct sigaction sa, old;

	endwin();
	fflush(stdout);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, &old);
	raise(SIGTSTP); /* stops here until SIGCONT */
	sigaction(SIGTSTP, &old, NULL);
	term_resize();
	refresh();
}

void
term_invalidate(void)
{
	clearok(curscr, TRUE);
}

static attr_t
cell_attrs(const struct cell *cl)
{
	unsigned r = cl->role < ROLE_COUNT ? cl->role : ROLE_NORMAL;

	return role_attr[r] | curses_attrs(cl->attr);
}

void
term_blit(const struct canvas *c)
{
	int x, y;

	for (y = 0; y < c->h && y < LINES; y++) {
		for (x = 0; x < c->w && x < COLS; x++) {
			const struct cell *cl = &c->cells[y * c->w + x];

			if (cl->width == 0)
				continue; /* the right half of a wide character */
			attrset(cell_attrs(cl));
			mvaddstr(y, x, cl->ch[0] ? cl->ch : " ");
		}
	}
	attrset(A_NORMAL);
	refresh();
}

static int
translate(int code)
{
	static const struct {
		int curses;
		int key;
	} map[] = {
		{ KEY_UP, K_UP },       { KEY_DOWN, K_DOWN },     { KEY_LEFT, K_LEFT },
		{ KEY_RIGHT, K_RIGHT }, { KEY_HOME, K_HOME },     { KEY_END, K_END },
		{ KEY_PPAGE, K_PGUP },  { KEY_NPAGE, K_PGDN },    { KEY_DC, K_DELETE },
		{ KEY_IC, K_INSERT },   { KEY_BTAB, K_BTAB },     { KEY_BACKSPACE, K_BACKSPACE },
		{ KEY_ENTER, K_ENTER }, { KEY_RESIZE, K_RESIZE },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].curses == code)
			return map[i].key;
	if (code >= KEY_F(1) && code <= KEY_F(10))
		return K_F1 + (code - KEY_F(1));
	return K_NONE;
}

int
term_read_key(int *key)
{
	wint_t wc;
	int r;

	for (;;) {
		r = get_wch(&wc);
		if (r == ERR)
			return 0;
		if (r == KEY_CODE_YES && wc == KEY_MOUSE) {
			MEVENT ev;

			if (getmouse(&ev) != OK)
				continue;
			mouse_x = ev.x;
			mouse_y = ev.y;
			mouse_button = (ev.bstate & BUTTON1_PRESSED)   ? TERM_MOUSE_LEFT
				       : (ev.bstate & BUTTON4_PRESSED) ? TERM_MOUSE_WHEEL_UP
				       : (ev.bstate & BUTTON5_PRESSED) ? TERM_MOUSE_WHEEL_DOWN
								       : 0;
			if (mouse_button == 0)
				continue;
			*key = K_MOUSE;
			return 1;
		}
		if (r == KEY_CODE_YES) {
			*key = translate((int)wc);
			if (*key == K_NONE)
				continue;
			return 1;
		}
		if (wc == '\r')
			wc = K_ENTER;
		else if (wc == 8)
			wc = K_BACKSPACE;
		*key = (int)wc;
		return 1;
	}
}
