/*
 * test_keys.c - the key table and [keys] remapping: key names both ways,
 * action names, rebinding per context, keys taken over, actions left
 * without a key (noted and in the help), errors with file:line, and the
 * help overlay listing the keys in force.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config_test.h"
#include "keys.h"

static int
reset(void **state)
{
	(void)state;
	keys_reset();
	return 0;
}

/* The help line of act in ctx: its key label (borrowed until h is freed), or NULL. */
static const char *
help_keys_of(const struct help_entry *h, size_t n, const char *heading, enum action act)
{
	size_t i;
	bool in = false;

	for (i = 0; i < n; i++) {
		if (h[i].key == NULL) {
			in = strcmp(h[i].text, heading) == 0;
			continue;
		}
		if (in &&
		    strncmp(h[i].text, keys_action_help(act), strlen(keys_action_help(act))) == 0)
			return h[i].key;
	}
	return NULL;
}

static void
test_key_names_round_trip(void **state)
{
	static const int keys[] = { 'j',    'G',      '/',           ' ',           K_ENTER,
				    K_TAB,  K_ESC,    K_BACKSPACE,   K_UP,          K_DOWN,
				    K_LEFT, K_RIGHT,  K_HOME,        K_END,         K_PGUP,
				    K_PGDN, K_DELETE, K_INSERT,      K_BTAB,        K_F1,
				    K_F6,   K_F10,    CTRL_KEY('l'), CTRL_KEY('r'), 0xE9 };
	size_t i;
	char name[32];
	int k;

	(void)state;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		keys_name(keys[i], name, sizeof name);
		if (keys_parse_key(name, &k) < 0)
			fail_msg("'%s' (key %d) does not parse", name, keys[i]);
		assert_int_equal(k, keys[i]);
	}
	assert_string_equal(keys_name(K_PGDN, name, sizeof name), "PgDn");
	assert_string_equal(keys_name(CTRL_KEY('l'), name, sizeof name), "Ctrl-L");
	/* Other spellings. */
	assert_int_equal(keys_parse_key("ctrl-l", &k), 0);
	assert_int_equal(k, CTRL_KEY('l'));
	assert_int_equal(keys_parse_key("C-l", &k), 0);
	assert_int_equal(k, CTRL_KEY('l'));
	assert_int_equal(keys_parse_key("^L", &k), 0);
	assert_int_equal(k, CTRL_KEY('l'));
	assert_int_equal(keys_parse_key("space", &k), 0);
	assert_int_equal(k, ' ');
	assert_int_equal(keys_parse_key("Comma", &k), 0);
	assert_int_equal(k, ',');
	assert_int_equal(keys_parse_key("f2", &k), 0);
	assert_int_equal(k, K_F2);
	/* Not keys. */
	assert_int_equal(keys_parse_key("", &k), -1);
	assert_int_equal(keys_parse_key("F11", &k), -1);
	assert_int_equal(keys_parse_key("F1x", &k), -1);
	assert_int_equal(keys_parse_key("Ctl-L", &k), -1);
	assert_int_equal(keys_parse_key("Ctrl-1", &k), -1);
	assert_int_equal(keys_parse_key("xy", &k), -1);
	assert_int_equal(keys_parse_key("\xff", &k), -1);
}

static void
test_action_names(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(keys_action_name(ACT_SCALE, b, sizeof b), "scale");
	assert_string_equal(keys_action_name(ACT_LOGS_ALL, b, sizeof b), "logs_all");
	assert_string_equal(keys_action_name(ACT_INPUT_COMPLETE, b, sizeof b), "input_complete");
	assert_string_equal(keys_action_name(ACT_NONE, b, sizeof b), "");
}

static void
test_defaults(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'S'), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'r'), ACT_REFRESH); /* from global */
	assert_int_equal(keys_lookup(CTX_INPUT, 'r'), ACT_NONE);       /* no fallback */
	assert_int_equal(keys_lookup(CTX_INPUT, K_TAB), ACT_INPUT_COMPLETE);
}

static void
test_rebind_every_context(void **state)
{
	struct err e;
	char note[512] = "";

	(void)state;
	assert_int_equal(keys_rebind("scale", "x", "k.ini", 2, note, sizeof note, &e), 0);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'x'), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_DETAIL, 'x'), ACT_SCALE);
	/* The old key no longer scales. */
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'S'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_DETAIL, 'S'), ACT_NONE);
	assert_string_equal(note, "");
}

static void
test_rebind_global(void **state)
{
	struct err e;
	char note[512] = "";
	int k[4];

	(void)state;
	assert_int_equal(keys_rebind("refresh", "F2, Ctrl-R", "k.ini", 3, note, sizeof note, &e),
			 0);
	assert_int_equal(keys_lookup(CTX_LOGS, K_F2), ACT_REFRESH);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, CTRL_KEY('r')), ACT_REFRESH);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'r'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, K_F5), ACT_NONE);
	assert_int_equal(keys_for(CTX_GLOBAL, ACT_REFRESH, k, 4), 2);
	assert_int_equal(k[0], K_F2);
	assert_int_equal(k[1], CTRL_KEY('r'));
	/* The wall binds refresh too: the same keys there. */
	assert_int_equal(keys_lookup(CTX_WALL, K_F2), ACT_REFRESH);
	assert_string_equal(note, "");
}

static void
test_one_context(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(keys_rebind("overview.scale", "x", "k.ini", 2, NULL, 0, &e), 0);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'x'), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_DETAIL, 'S'), ACT_SCALE); /* untouched */
	assert_int_equal(keys_lookup(CTX_DETAIL, 'x'), ACT_NONE);
	/* A global action may get a key of its own on one screen. */
	assert_int_equal(keys_rebind("logs.quit", "x", "k.ini", 3, NULL, 0, &e), 0);
	assert_int_equal(keys_lookup(CTX_LOGS, 'x'), ACT_QUIT);
	assert_int_equal(keys_lookup(CTX_LOGS, 'Q'), ACT_QUIT); /* global still */
}

static void
test_take_over(void **state)
{
	struct err e;
	char note[512] = "";
	struct help_entry *h;
	size_t n;
	static const enum key_ctx ov[] = { CTX_OVERVIEW };

	(void)state;
	/* j was "down" on the Overview; Down still is. */
	assert_int_equal(keys_rebind("scale", "j", "k.ini", 4, note, sizeof note, &e), 0);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'j'), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, K_DOWN), ACT_DOWN);
	assert_string_equal(note, "");
	/* t was the only key of traces on the Overview: said, not silent. */
	assert_int_equal(keys_rebind("overview.alerts", "t", "k.ini", 5, note, sizeof note, &e), 0);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 't'), ACT_ALERTS);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'a'), ACT_NONE);
	assert_string_equal(note, "k.ini:5: [keys] overview.alerts = t takes the last key of "
				  "traces on Overview (no key now; bind it with traces = KEY)");
	h = keys_help(ov, 1, &n);
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_ALERTS), "t");
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_SCALE), "j");
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_TRACES), "-");
	keys_help_free(h, n);
}

static void
test_help_lists_keys_in_force(void **state)
{
	struct err e;
	struct help_entry *h;
	size_t n;
	static const enum key_ctx ctxs[] = { CTX_GLOBAL, CTX_OVERVIEW, CTX_INPUT };

	(void)state;
	h = keys_help(ctxs, 3, &n);
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_SCALE), "S");
	assert_string_equal(help_keys_of(h, n, "Everywhere", ACT_REFRESH), "r / Ctrl-R / F5");
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_OPEN), "Enter");
	keys_help_free(h, n);
	assert_int_equal(keys_rebind("scale", "x, F6", "k.ini", 1, NULL, 0, &e), 0);
	assert_int_equal(keys_rebind("refresh", "F2", "k.ini", 2, NULL, 0, &e), 0);
	assert_int_equal(keys_rebind("open", "o, Enter", "k.ini", 3, NULL, 0, &e), 0);
	h = keys_help(ctxs, 3, &n);
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_SCALE), "x / F6");
	/* F6 was sort_next's second key: > stays. */
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_SORT_NEXT), ">");
	assert_string_equal(help_keys_of(h, n, "Everywhere", ACT_REFRESH), "F2");
	assert_string_equal(help_keys_of(h, n, "Overview", ACT_OPEN), "o / Enter");
	keys_help_free(h, n);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, '\r'), ACT_OPEN);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, K_ENTER), ACT_OPEN);
}

static void
test_errors(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(keys_rebind("scalle", "x", "k.ini", 7, NULL, 0, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "k.ini:7: [keys] unknown action 'scalle' (use an action"));
	assert_non_null(strstr(e.msg, "context.action (overview.scale"));
	assert_int_equal(keys_rebind("scale", "x, Ctl-L", "k.ini", 8, NULL, 0, &e), -1);
	assert_non_null(strstr(e.msg, "k.ini:8: [keys] scale: unknown key 'Ctl-L' (keys: a "
				      "character"));
	assert_non_null(strstr(e.msg, "F1..F10 or Ctrl-A..Ctrl-Z"));
	assert_int_equal(keys_rebind("wall.scale", "x", "k.ini", 9, NULL, 0, &e), -1);
	assert_non_null(strstr(e.msg, "k.ini:9: [keys] 'wall.scale': the wall context has no "
				      "scale action"));
	assert_int_equal(keys_rebind("screen.scale", "x", "k.ini", 10, NULL, 0, &e), -1);
	assert_non_null(strstr(e.msg, "k.ini:10: [keys] unknown context in 'screen.scale'"));
	assert_int_equal(keys_rebind("scale", "", "k.ini", 11, NULL, 0, &e), -1);
	assert_non_null(strstr(e.msg, "k.ini:11: [keys] scale: no key given"));
	assert_int_equal(keys_rebind("scale", "x,,y", "k.ini", 12, NULL, 0, &e), -1);
	assert_non_null(strstr(e.msg, "k.ini:12: [keys] scale: an empty or overlong key name"));
	assert_int_equal(keys_rebind("none", "x", "k.ini", 13, NULL, 0, &e), -1);
	/* Nothing changed by the failures. */
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'S'), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'x'), ACT_NONE);
}

static void
test_config_section(void **state)
{
	struct err e;
	struct config *cfg;
	char note[512];

	(void)state;
	cfg = load_text("[keys]\nscale = x\nrefresh = F2\nscale = z, Ctrl-S\n", &e);
	assert_non_null(cfg);
	assert_int_equal(config_keymap_count(cfg), 3);
	/* Loading only checks: the table is untouched until applied. */
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'S'), ACT_SCALE);
	assert_int_equal(keys_apply_config(cfg, note, sizeof note, &e), 0);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'z'), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, CTRL_KEY('s')), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'x'), ACT_NONE); /* the later line wins */
	assert_int_equal(keys_lookup(CTX_OVERVIEW, K_F2), ACT_REFRESH);
	assert_string_equal(note, "");
	config_free(cfg);

	/* Applied again (the console started anew): from the defaults, not on top. */
	cfg = load_text("[keys]\nrestart = x\n", &e);
	assert_non_null(cfg);
	assert_int_equal(keys_apply_config(cfg, note, sizeof note, &e), 0);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'x'), ACT_RESTART);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'S'), ACT_SCALE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'z'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_OVERVIEW, 'r'), ACT_REFRESH);
	config_free(cfg);

	/* `opsdeck config` shows the section, with where each line came from. */
	cfg = load_text("[keys]\nscale = x\nrefresh = F2, r\n", &e);
	assert_non_null(cfg);
	{
		struct buf out;

		buf_init(&out);
		config_print(cfg, &out);
		buf_putc(&out, '\0');
		assert_non_null(strstr(out.data, "\n[keys]"));
		assert_non_null(strstr(out.data, "\nscale = x "));
		assert_non_null(strstr(out.data, "\nrefresh = F2, r "));
		assert_non_null(strstr(out.data, "config.ini:3"));
		buf_done(&out);
	}
	config_free(cfg);

	expect_load_error("[keys]\nscale = x\nbogus = y\n",
			  "config.ini:3: [keys] unknown action 'bogus' (use an action as the man "
			  "page's KEYS section names it, in lowercase (scale, restart, logs_all, "
			  "input_complete), or context.action (overview.scale; contexts: global, "
			  "overview, detail, logs, input, traces, trace, topology, alerts, query, "
			  "wall))");
	cfg = load_text("[keys]\nrestart = Hyper-R\n", &e);
	assert_null(cfg);
	assert_non_null(strstr(e.msg, "config.ini:2: [keys] restart: unknown key 'Hyper-R'"));
}

/* The man page names every action [keys] accepts, with where it has keys. */
static void
test_man_page_lists_every_action(void **state)
{
	FILE *f = fopen(TESTS_DIR "/../man/opsdeck.1", "r");
	struct buf man;
	char chunk[4096], name[64], want[96];
	size_t n;
	int a;

	(void)state;
	if (f == NULL)
		skip();
	buf_init(&man);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_printf(&man, "%.*s", (int)n, chunk);
	fclose(f);
	for (a = 1; a < ACTION_COUNT; a++) {
		snprintf(want, sizeof want, "\n.BR %s \" (",
			 keys_action_name((enum action)a, name, sizeof name));
		if (strstr(man.data, want) == NULL)
			fail_msg("man/opsdeck.1 does not list the action '%s' under Remapping keys",
				 name);
	}
	buf_done(&man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_key_names_round_trip, reset),
		cmocka_unit_test_setup(test_action_names, reset),
		cmocka_unit_test_setup(test_defaults, reset),
		cmocka_unit_test_setup(test_rebind_every_context, reset),
		cmocka_unit_test_setup(test_rebind_global, reset),
		cmocka_unit_test_setup(test_one_context, reset),
		cmocka_unit_test_setup(test_take_over, reset),
		cmocka_unit_test_setup(test_help_lists_keys_in_force, reset),
		cmocka_unit_test_setup(test_errors, reset),
		cmocka_unit_test_setup_teardown(test_config_section, reset, reset),
		cmocka_unit_test(test_man_page_lists_every_action),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
