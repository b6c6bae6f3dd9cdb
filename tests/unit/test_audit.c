/*
 * test_audit.c - the audit log: records round-trip through a JSON parser,
 * concurrent appenders never tear a line, the file is private, the default
 * path follows XDG, secrets never reach the file, and failures name the
 * path and what to do.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "audit.h"
#include "buf.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/opsdeck-audit-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/state/opsdeck/audit.jsonl", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char tmp[4096];
	size_t n;

	assert_non_null(fp);
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_append(&b, tmp, n);
	fclose(fp);
	return buf_steal(&b);
}

/* Split the file into lines; every line must end in '\n'.  Returns count. */
static size_t
lines_of(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		assert_non_null(nl); /* no unterminated (torn) last line */
		*nl = '\0';
		if (n < max)
			lines[n] = p;
		n++;
		p = nl + 1;
	}
	return n;
}

static const char *
str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	return json_is_null(v) ? NULL : json_string_value(v);
}

static const struct audit_record base = {
	.time = 1714566896.789,
	.mode = "console",
	.runtime = "swarm",
	.context = "local",
	.service = "payments",
	.action = "scale",
	.before = "2",
	.after = "4",
	.result = AUDIT_SUCCEEDED,
	.error = NULL,
};

static void
test_round_trip(void **state)
{
	static const char *const order[] = { "time",    "user",    "host",    "mode",
					     "runtime", "context", "service", "action",
					     "before",  "after",   "result",  "error" };
	struct fixture *f = *state;
	struct audit a;
	struct err e;
	struct audit_record r[3];
	char *text, *lines[8];
	const unsigned char *p;
	size_t i, n;

	r[0] = base;
	r[1] = base;
	r[1].service = "\xea\xb2\xb0\xec\xa0\x9c"; /* 결제 */
	r[1].action = "rollback";
	r[1].before = "shop/pay:1.4.2";
	r[1].after = NULL;
	r[1].result = AUDIT_FAILED;
	r[1].error = "rpc error: \"no previous spec\"\n\ttab\x1b[31m and \xff bad byte";
	r[1].user = "kim";
	r[1].host = "ops-1";
	r[2] = base;
	r[2].result = AUDIT_CANCELLED;
	r[2].time = 0; /* now */

	assert_int_equal(audit_open(&a, f->path, &e), 0);
	assert_string_equal(audit_path(&a), f->path);
	for (i = 0; i < 3; i++)
		assert_int_equal(audit_append(&a, &r[i], &e), 0);
	audit_close(&a);
	audit_close(&a); /* harmless twice */

	text = slurp(f->path);
	for (p = (const unsigned char *)text; *p; p++)
		assert_true(*p < 0x80); /* ensure_ascii */
	n = lines_of(text, lines, 8);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		json_error_t je;
		json_t *o = json_loads(lines[i], 0, &je);
		const char *key;
		json_t *v;
		size_t k = 0;

		assert_non_null(o);
		/* Keys in the fixed order, and no others. */
		json_object_foreach(o, key, v)
		{
			assert_true(k < 12);
			assert_string_equal(key, order[k]);
			k++;
		}
		assert_int_equal(k, 12);
		assert_string_equal(str_of(o, "mode"), "console");
		assert_string_equal(str_of(o, "runtime"), "swarm");
		assert_string_equal(str_of(o, "context"), "local");
		assert_string_equal(str_of(o, "service"), r[i].service);
		assert_string_equal(str_of(o, "action"), r[i].action);
		assert_string_equal(str_of(o, "before"), r[i].before);
		assert_string_equal(str_of(o, "result"), audit_result_name(r[i].result));
		assert_non_null(str_of(o, "user"));
		assert_non_null(str_of(o, "host"));
		assert_true(strlen(str_of(o, "time")) == strlen("2024-05-01T12:34:56.789Z"));
		if (i == 0) {
			assert_string_equal(str_of(o, "time"), "2024-05-01T12:34:56.789Z");
			assert_null(str_of(o, "error"));
			assert_string_equal(str_of(o, "after"), "4");
		}
		if (i == 1) {
			assert_string_equal(str_of(o, "user"), "kim");
			assert_string_equal(str_of(o, "host"), "ops-1");
			assert_null(str_of(o, "after"));
			/* Quotes, newline, tab and ESC survive; a bad byte is U+FFFD. */
			assert_string_equal(str_of(o, "error"),
					    "rpc error: \"no previous spec\"\n\ttab\x1b[31m and "
					    "\xef\xbf\xbd bad byte");
		}
		if (i == 2)
			assert_true(strncmp(str_of(o, "time"), "20", 2) == 0);
		json_decref(o);
	}
	free(text);
}

static void
test_format_time_and_results(void **state)
{
	struct audit_record r = base;
	char *line;

	(void)state;
	r.time = 0.9996; /* rounds up into the next second */
	line = audit_format(&r);
	assert_non_null(strstr(line, "\"time\":\"1970-01-01T00:00:01.000Z\""));
	assert_non_null(strstr(line, "\"user\":null,\"host\":null"));
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_null(strchr(line, ' ')); /* compact */
	free(line);
	assert_string_equal(audit_result_name(AUDIT_CANCELLED), "cancelled");
	assert_string_equal(audit_result_name(AUDIT_REFUSED), "refused");
	assert_string_equal(audit_result_name(AUDIT_FAILED), "failed");
	assert_string_equal(audit_result_name(AUDIT_UNKNOWN), "unknown");
	assert_string_equal(audit_result_name(AUDIT_SUCCEEDED), "succeeded");
	assert_string_equal(audit_result_name(AUDIT_STARTED), "started");
	assert_string_equal(audit_result_name((enum audit_result)99), "unknown");
}

/* With environments, every line names the one the action hit, right after "mode". */
static void
test_env(void **state)
{
	struct fixture *f = *state;
	struct audit_record r = base;
	struct audit a;
	struct err e;
	char *line, *text;

	r.env = "prod";
	line = audit_format(&r);
	assert_non_null(strstr(line, "\"mode\":\"console\",\"env\":\"prod\",\"runtime\":"));
	free(line);
	r.env = NULL;
	line = audit_format(&r);
	assert_null(strstr(line, "\"env\"")); /* a single fleet's lines stay as they were */
	free(line);

	assert_int_equal(audit_open(&a, f->path, &e), 0);
	a.env = "staging"; /* the log's environment, for records that name none */
	assert_int_equal(audit_append(&a, &r, &e), 0);
	r.env = "prod";
	assert_int_equal(audit_append(&a, &r, &e), 0);
	audit_close(&a);
	text = slurp(f->path);
	assert_non_null(strstr(text, "\"env\":\"staging\""));
	assert_non_null(strstr(text, "\"env\":\"prod\""));
	free(text);
}

#define NPROC 4
#define NAPPEND 100

static void
test_concurrent_appends_never_tear(void **state)
{
	struct fixture *f = *state;
	char *text, **lines;
	pid_t pids[NPROC];
	int i, k, status, per[NPROC] = { 0 };
	size_t n;

	/* Open once to create the directories, as the console would. */
	{
		struct audit a;
		struct err e;

		assert_int_equal(audit_open(&a, f->path, &e), 0);
		audit_close(&a);
	}
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct audit a;
			struct err e;
			struct audit_record r = base;
			char err_text[6000], svc[16];

			/* Long lines (bigger than PIPE_BUF) make tearing likely if it can happen. */
			memset(err_text, 'a' + i, sizeof err_text - 1);
			err_text[sizeof err_text - 1] = '\0';
			snprintf(svc, sizeof svc, "svc-%d", i);
			r.service = svc;
			r.error = err_text;
			if (audit_open(&a, f->path, &e) != 0)
				_exit(2);
			for (k = 0; k < NAPPEND; k++)
				if (audit_append(&a, &r, &e) != 0)
					_exit(3);
			audit_close(&a);
			_exit(0);
		}
	}
	for (i = 0; i < NPROC; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	text = slurp(f->path);
	lines = calloc(NPROC * NAPPEND + 8, sizeof *lines);
	n = lines_of(text, lines, NPROC * NAPPEND + 8);
	assert_int_equal(n, NPROC * NAPPEND);
	for (k = 0; k < (int)n; k++) {
		json_error_t je;
		json_t *o = json_loads(lines[k], 0, &je);
		const char *svc, *err;

		if (o == NULL)
			fail_msg("line %d is not JSON: %s", k + 1, je.text);
		svc = str_of(o, "service");
		err = str_of(o, "error");
		assert_true(strncmp(svc, "svc-", 4) == 0);
		i = svc[4] - '0';
		assert_true(i >= 0 && i < NPROC);
		/* The error text is all one letter: no other record got inside it. */
		assert_int_equal(strspn(err, (char[]){ (char)('a' + i), 0 }), 5999);
		per[i]++;
		json_decref(o);
	}
	for (i = 0; i < NPROC; i++)
		assert_int_equal(per[i], NAPPEND);
	free(lines);
	free(text);
}

static void
test_file_mode_0600(void **state)
{
	struct fixture *f = *state;
	struct audit a;
	struct err e;
	struct stat st;
	char dir[160], path2[160];
	mode_t old = umask(0);
	int fd;

	assert_int_equal(audit_open(&a, f->path, &e), 0);
	assert_int_equal(audit_append(&a, &base, &e), 0);
	audit_close(&a);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(dir, sizeof dir, "%s/state/opsdeck", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	/* An existing log readable by others is made private. */
	snprintf(path2, sizeof path2, "%s/old.jsonl", f->dir);
	fd = open(path2, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(audit_open(&a, path2, &e), 0);
	audit_close(&a);
	assert_int_equal(stat(path2, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	umask(old);
}

static void
test_default_path_xdg(void **state)
{
	struct fixture *f = *state;
	struct audit a;
	struct err e;
	char want[160], got[256], *home = getenv("HOME"), *xdg = getenv("XDG_STATE_HOME");
	char *saved_home = home ? strdup(home) : NULL, *saved_xdg = xdg ? strdup(xdg) : NULL;
	struct stat st;

	setenv("XDG_STATE_HOME", f->dir, 1);
	snprintf(want, sizeof want, "%s/opsdeck/audit.jsonl", f->dir);
	assert_int_equal(audit_default_path(got, sizeof got, &e), 0);
	assert_string_equal(got, want);
	assert_int_equal(audit_open(&a, NULL, &e), 0);
	assert_string_equal(audit_path(&a), want);
	assert_int_equal(audit_append(&a, &base, &e), 0);
	audit_close(&a);
	assert_int_equal(stat(want, &st), 0);
	assert_true(st.st_size > 0);

	/* A relative XDG_STATE_HOME is ignored: HOME/.local/state. */
	setenv("XDG_STATE_HOME", "relative/dir", 1);
	setenv("HOME", f->dir, 1);
	snprintf(want, sizeof want, "%s/.local/state/opsdeck/audit.jsonl", f->dir);
	assert_int_equal(audit_open(&a, "", &e), 0);
	assert_string_equal(audit_path(&a), want);
	audit_close(&a);
	unsetenv("XDG_STATE_HOME");
	assert_int_equal(audit_default_path(got, sizeof got, &e), 0);
	assert_string_equal(got, want);

	if (saved_home)
		setenv("HOME", saved_home, 1);
	else
		unsetenv("HOME");
	if (saved_xdg)
		setenv("XDG_STATE_HOME", saved_xdg, 1);
	free(saved_home);
	free(saved_xdg);
}

static const char *const secrets[] = {
	"s3cr3tT0ken",          "hunter2pass", "ghp_abcdef123456",
	"dXNlcjpwYXNzd29yZA==", "apikey-999",  "xoxb-1-2-3",
};

static void
test_planted_secret_never_in_file(void **state)
{
	struct fixture *f = *state;
	struct audit a;
	struct err e;
	struct audit_record r = base;
	char *text;
	size_t i;

	r.result = AUDIT_FAILED;
	r.error = "POST https://deploy:hunter2pass@registry.local/v2 failed; "
		  "Authorization: Bearer s3cr3tT0ken\r\n"
		  "retry with Bearer ghp_abcdef123456 or ?api_key=apikey-999&x=1; "
		  "header \"Authorization: Basic dXNlcjpwYXNzd29yZA==\" "
		  "{\"token\": \"xoxb-1-2-3\"}";
	r.after = "https://deploy:hunter2pass@registry.local/shop/pay:1.5";
	assert_int_equal(audit_open(&a, f->path, &e), 0);
	assert_int_equal(audit_append(&a, &r, &e), 0);
	audit_close(&a);
	text = slurp(f->path);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(text, secrets[i]) != NULL)
			fail_msg("secret %s in the audit log: %s", secrets[i], text);
	assert_non_null(strstr(text, "deploy:<redacted>@registry.local"));
	assert_non_null(strstr(text, "registry.local/v2 failed"));
	free(text);
}

static void
test_redact_rules(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Authorization: Bearer abc.def\nnext line",
		  "Authorization: <redacted>\nnext line" },
		{ "proxy-authorization:Basic Zm9vOmJhcg==", "proxy-authorization: <redacted>" },
		{ "got 401 (Bearer abc123) from api", "got 401 (Bearer <redacted>) from api" },
		{ "Basic auth failed", "Basic auth failed" },
		{ "Basic Zm9vOmJhcg==", "Basic <redacted>" },
		{ "url?token=abc&user=x", "url?token=<redacted>&user=x" },
		{ "PASSWORD=pw1 DB_PASSWORD=pw2;", "PASSWORD=<redacted> DB_PASSWORD=<redacted>;" },
		{ "access_token=a client_secret=b x-api-token=c",
		  "access_token=<redacted> "
		  "client_secret=<redacted> x-api-token=<redacted>" },
		{ "tokenizer=on replicas=4 token=", "tokenizer=on replicas=4 token=" },
		{ "{\"password\": \"p\\\"w\", \"user\": \"kim\"}",
		  "{\"password\": \"<redacted>\", \"user\": \"kim\"}" },
		{ "tcp://u:p@host:2376/x", "tcp://u:<redacted>@host:2376/x" },
		{ "ssh://deploy@host", "ssh://deploy@host" },
		{ "https://host:443/a@b", "https://host:443/a@b" },
		{ "mail kim@example.com: ok", "mail kim@example.com: ok" },
		{ "plain error: no such service", "plain error: no such service" },
		{ "", "" },
	};
	char out[256], small[12];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		audit_redact(cases[i].in, out, sizeof out);
		assert_string_equal(out, cases[i].want);
	}
	/* Truncation keeps the NUL and never shows a masked value. */
	audit_redact("token=supersecretvalue", small, sizeof small);
	assert_string_equal(small, "token=<reda");
	audit_redact(NULL, out, sizeof out);
	assert_string_equal(out, "");
}

static void
assert_names_path_and_fix(const struct err *e, const char *path)
{
	if (strstr(e->msg, path) == NULL)
		fail_msg("error does not name %s: %s", path, e->msg);
	if (strstr(e->msg, "audit_log") == NULL)
		fail_msg("error does not say what to do: %s", e->msg);
	assert_int_equal(e->code, ERR_IO);
}

static void
test_unwritable_path(void **state)
{
	struct fixture *f = *state;
	struct audit a;
	struct err e;
	char file[160], under_file[200], dir[160];
	struct audit_record r = base;
	int fd;
	pid_t pid;
	int status;

	/* A regular file where a directory should be. */
	snprintf(file, sizeof file, "%s/plain", f->dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(under_file, sizeof under_file, "%s/audit.jsonl", file);
	assert_int_equal(audit_open(&a, under_file, &e), -1);
	assert_names_path_and_fix(&e, file);
	audit_close(&a);

	/* A directory where the file should be. */
	snprintf(dir, sizeof dir, "%s/adir", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(audit_open(&a, dir, &e), -1);
	assert_names_path_and_fix(&e, dir);

	/* Appending to a closed log is an error, not a silent loss. */
	assert_int_equal(audit_append(&a, &r, &e), -1);
	assert_non_null(strstr(e.msg, "not recorded"));

	/* No permission: as an unprivileged user (dropping root when we have it). */
	assert_int_equal(chmod(f->dir, 0755), 0);
	snprintf(under_file, sizeof under_file, "%s/ro/audit.jsonl", f->dir);
	snprintf(dir, sizeof dir, "%s/ro", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(77);
		if (audit_open(&a, under_file, &e) != -1)
			_exit(1);
		if (strstr(e.msg, under_file) == NULL || strstr(e.msg, "audit_log") == NULL ||
		    strstr(e.msg, "Permission denied") == NULL) {
			fprintf(stderr, "%s\n", e.msg);
			_exit(2);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 77)
		assert_int_equal(WEXITSTATUS(status), 0);
}

/* A full disk, imitated with RLIMIT_FSIZE: the short write is reported. */
static void
test_short_write_is_an_error(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct audit a;
		struct err e;
		struct audit_record r = base;
		struct rlimit rl;
		char big[2000];

		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		r.error = big;
		signal(SIGXFSZ, SIG_IGN);
		if (audit_open(&a, f->path, &e) != 0 || audit_append(&a, &base, &e) != 0)
			_exit(1);
		rl.rlim_cur = rl.rlim_max = 1000; /* room for part of the next record */
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(77);
		if (audit_append(&a, &r, &e) != -1)
			_exit(2);
		if (strstr(e.msg, "short write") == NULL || strstr(e.msg, f->path) == NULL)
			_exit(3);
		/* Now at the limit: the next write fails outright. */
		if (audit_append(&a, &base, &e) != -1 || strstr(e.msg, "cannot write") == NULL)
			_exit(4);
		audit_close(&a);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 77)
		assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_login_and_host(void **state)
{
	char user[256], host[256];

	(void)state;
	audit_login(user, sizeof user);
	audit_host(host, sizeof host);
	assert_true(user[0] != '\0');
	assert_true(host[0] != '\0');
	audit_login(user, 3); /* truncated, still terminated */
	assert_true(strlen(user) <= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test(test_format_time_and_results),
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_appends_never_tear, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_file_mode_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_path_xdg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_secret_never_in_file, setup, teardown),
		cmocka_unit_test(test_redact_rules),
		cmocka_unit_test_setup_teardown(test_unwritable_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_write_is_an_error, setup, teardown),
		cmocka_unit_test(test_login_and_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
