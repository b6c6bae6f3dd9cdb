/*
 * config_internal.h - private to tui/config*.c; no other file includes it.
 *
 * config.c owns the key table, the loading and the accessors;
 * config_finalize.c reads the secret files, fills the preset's defaults
 * and checks the rules across keys;
 * config_check.c checks single values against their key's type;
 * config_service.c loads and looks up the [service "NAME"] sections;
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

/* One [service "NAME"] section.  Services come from files only. */
struct config_svc {
	struct config_service pub;          /* handed out; points at name and alias[] */
	char *name;                         /* owned: NAME */
	char *where;                        /* owned: file of the header last loaded */
	int line;                           /* that header's line */
	unsigned gen;                       /* the file load of that header */
	char *alias[CFG_ALIAS_COUNT];       /* owned; NULL when unset */
	char *alias_where[CFG_ALIAS_COUNT]; /* owned: file that set alias[a] */
	int alias_line[CFG_ALIAS_COUNT];
	unsigned alias_gen[CFG_ALIAS_COUNT];
};

struct config {
	struct config_slot slot[CFG_KEY_COUNT][CFG_SRC_COUNT];
	char *secret[CFG_KEY_COUNT]; /* owned: content of a SECRET key's *_file */
	unsigned gen;                /* number of file loads so far */
	struct config_svc **svc;     /* owned, each owned; in the order first loaded */
	size_t nsvc;
	struct config_envs *envs;     /* owned by config_env.c: the [env "NAME"] sections */
	struct config_keymap *keymap; /* owned by config_keymap.c: the [keys] section */
};

/*
 * The [service ...] headers of the file being loaded.  lib/ini reports
 * keys only, so an empty section, or the same section opened twice in a
 * row, would be invisible: config_svc_scan() finds the headers first, and
 * the loader opens each when parsing passes its line.
 */
struct config_svc_header {
	int line;
	char *name; /* owned: the decoded subsection; NULL for a bare [service] */
};

struct config_svc_load {
	const char *file;             /* borrowed: names messages and origins */
	struct config_svc_header *hd; /* owned */
	size_t nhd, next;             /* next: the first header not opened yet */
	struct config_svc *cur;       /* borrowed from cfg: the section being read */
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
/* The key named name in [section], or -1. */
int config_find_key(const char *section, const char *name);
/*
 * Set source src of key k to v (borrowed; checked as the loader checks
 * it; "~/" expanded for a PATH), from where at line.  A LIST key appends
 * to the items of the same file load (clear the slot first to replace).
 */
int config_set_value(struct config *cfg, enum config_key k, enum config_source src, const char *v,
		     const char *where, int line, struct err *e);
/* Overwrite s (may be NULL) with NUL bytes, so a secret does not outlive its use. */
void config_wipe(char *s);
/* Free what sl owns and mark it unset. */
void config_slot_clear(struct config_slot *sl);
/* Whether sl holds a value (text or list items). */
bool config_slot_set(const struct config_slot *sl);
/*
 * new: at most cap bytes of the file at path, NUL-terminated, its length
 * in *len.  NULL with *err_no set (EISDIR for a directory, EFBIG when
 * larger than cap); a partial read is wiped before it is freed.
 */
char *config_slurp(const char *path, size_t cap, size_t *len, int *err_no);

/* ---- config_finalize.c ------------------------------------------------- */

/* Largest secret file (token_file, password_file, api_key_file). */
#define CONFIG_SECRET_FILE_MAX (64 * 1024)

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
/* Whether s is valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
bool config_check_utf8(const char *s);
/*
 * Check v (borrowed) as the value of the service key of alias source a in
 * [service "name"].  Returns 0, or -1 with an ERR_CONFIG error in e.
 */
int config_check_alias(enum config_alias_source a, const char *name, const char *v, struct err *e);

/* ---- config_service.c -------------------------------------------------- */

/* borrowed (static): the key name ("runtime_name") and help of alias source a. */
const char *config_svc_key_name(enum config_alias_source a);
const char *config_svc_key_help(enum config_alias_source a);
/* Find the [service] headers of len bytes of text into sl (zeroed first). */
void config_svc_scan(struct config_svc_load *sl, const char *text, size_t len, const char *file);
/*
 * Open every [service] header of sl above line (INT_MAX: all that are
 * left): checks NAME and that this file has no other section for it.
 * Errors start with "file:line: ", the header's line.
 */
int config_svc_open_until(struct config *cfg, struct config_svc_load *sl, int line, struct err *e);
/* Load key = value (borrowed) of [service "sub"] at line. */
int config_svc_key(struct config *cfg, struct config_svc_load *sl, const char *sub, const char *key,
		   const char *value, int line, struct err *e);
/* Frees what config_svc_scan() allocated.  NULL-safe members. */
void config_svc_load_done(struct config_svc_load *sl);
/* Check that no runtime name or label value is aliased by two sections. */
int config_svc_finalize(const struct config *cfg, struct err *e);
/* Frees every service section of cfg. */
void config_svc_free(struct config *cfg);

/* ---- config_env.c ------------------------------------------------------ */

/* One "section.key = value" of an [env "NAME"] section. */
struct config_env_item {
	enum config_key key;
	char *text;  /* owned: the value as written */
	char *where; /* owned: the file that set it */
	int line;
	unsigned gen; /* the file load that set it */
};

/* One [env "NAME"] section, merged over every file loaded. */
struct config_env {
	char *name;                    /* owned: NAME */
	struct config_env_item *items; /* owned; in the order loaded */
	size_t nitems;
	int protect;         /* protected: -1 unset, 0 false, 1 true */
	char *protect_where; /* owned */
	int protect_line;
	unsigned protect_gen;
};

struct config_envs {
	struct config_env **env; /* owned, each owned; in the order first loaded */
	size_t n;
	char *selected; /* owned: config_select_env()'s NAME; NULL = none */
	bool protect;   /* the selected one's protected */
};

/* One key of an [env "sub"] section (file is the file's name for messages). */
int config_env_key(struct config *cfg, const char *sub, const char *key, const char *value,
		   const char *file, int line, struct err *e);
void config_env_free(struct config *cfg);

/* ---- config_keymap.c --------------------------------------------------- */

/* One key of the [keys] section: an action's name = the keys bound to it. */
int config_keymap_key(struct config *cfg, const char *key, const char *value, const char *file,
		      int line, struct err *e);
void config_keymap_free(struct config *cfg);

#endif
