/*
 * test_child_run.c - tui/child_run: a command run as a child of the loop,
 * driven as the loop drives it (poll its pipes, child_run_poll):
 *
 *   - its stdout captured, its exit status given; argv with extra
 *     variables over ours; sh -c;
 *   - stdout beyond the bound dropped and said, the child not blocked;
 *   - stderr's last non-empty line kept, controls as '?'; a program that
 *     cannot be executed says so there (status 127);
 *   - killed at its deadline, with a grandchild holding its pipes, and
 *     when let go while it runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "child_run.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Drive c from a poll loop until it ends. */
static enum child_run_event
run_to_end(struct child_run *c)
{
	enum child_run_event ev;

	while ((ev = child_run_poll(c)) == CHILD_RUN_BUSY) {
		struct pollfd fds[2];

		assert_true(child_run_running(c));
		poll(fds, child_run_pollfds(c, fds), 20);
	}
	assert_false(child_run_running(c));
	assert_int_equal(child_run_pollfds(c, NULL), 0);
	return ev;
}

static enum child_run_event
run_shell(struct child_run *c, const char *cmd, size_t out_max, long timeout_ms)
{
	struct child_run_spec s;

	memset(&s, 0, sizeof s);
	s.shell = cmd;
	s.what = "/bin/sh";
	s.out_max = out_max;
	s.timeout_ms = timeout_ms;
	assert_int_equal(child_run_start(c, &s), CHILD_RUN_STARTED);
	assert_true(child_run_running(c));
	return run_to_end(c);
}

static void
test_output_and_status(void **state)
{
	struct child_run c;

	(void)state;
	child_run_init(&c);
	assert_int_equal(run_shell(&c, "printf 'hello\\nworld'; exit 0", 1024, 5000),
			 CHILD_RUN_EXITED);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 0);
	assert_string_equal(c.out.data, "hello\nworld");
	assert_false(c.out_too_big);
	assert_string_equal(c.last, "");

	/* started again: a fresh run, its own status */
	assert_int_equal(run_shell(&c, "echo again; exit 7", 1024, 5000), CHILD_RUN_EXITED);
	assert_int_equal(WEXITSTATUS(c.status), 7);
	assert_string_equal(c.out.data, "again\n");

	child_run_wipe_out(&c);
	assert_int_equal(c.out.len, 0);
	child_run_done(&c);
}

static void
test_argv_env(void **state)
{
	char *argv[] = { "sh", "-c", "printf '%s|%s' \"$CHILD_RUN_A\" \"$CHILD_RUN_B\"", NULL };
	char *env[] = { "CHILD_RUN_A=new", "CHILD_RUN_B=b", NULL };
	struct child_run_spec s;
	struct child_run c;

	(void)state;
	setenv("CHILD_RUN_A", "old", 1);
	child_run_init(&c);
	memset(&s, 0, sizeof s);
	s.argv = argv;
	s.env = env;
	s.out_max = 1024;
	s.timeout_ms = 5000;
	assert_int_equal(child_run_start(&c, &s), CHILD_RUN_STARTED);
	assert_int_equal(run_to_end(&c), CHILD_RUN_EXITED);
	assert_int_equal(WEXITSTATUS(c.status), 0);
	assert_string_equal(c.out.data, "new|b");
	/* ours is untouched */
	assert_string_equal(getenv("CHILD_RUN_A"), "old");
	unsetenv("CHILD_RUN_A");
	child_run_done(&c);
}

static void
test_big_output_bounded(void **state)
{
	struct child_run c;

	(void)state;
	child_run_init(&c);
	/* 4 MiB against a bound of 64 KiB: read to the end, kept to the bound */
	assert_int_equal(run_shell(&c, "head -c 4194304 /dev/zero", 64 * 1024, 10000),
			 CHILD_RUN_EXITED);
	assert_int_equal(WEXITSTATUS(c.status), 0);
	assert_true(c.out_too_big);
	assert_true(c.out.len <= 64 * 1024);
	child_run_done(&c);
}

static void
test_stderr_last_line(void **state)
{
	struct child_run c;

	(void)state;
	child_run_init(&c);
	assert_int_equal(
		run_shell(&c,
			  "echo out; printf 'first\\nerror: \\033[1mno login\\r\\n\\n  \\n' "
			  ">&2; exit 3",
			  1024, 5000),
		CHILD_RUN_EXITED);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 3);
	assert_string_equal(c.out.data, "out\n");
	assert_string_equal(c.last, "error: ?[1mno login");

	/* a last line without a newline counts */
	assert_int_equal(run_shell(&c, "printf 'one\\ntwo' >&2; exit 1", 1024, 5000),
			 CHILD_RUN_EXITED);
	assert_string_equal(c.last, "two");

	/* killed by a signal */
	assert_int_equal(run_shell(&c, "echo dying >&2; kill -TERM $$", 1024, 5000),
			 CHILD_RUN_EXITED);
	assert_true(WIFSIGNALED(c.status));
	assert_int_equal(WTERMSIG(c.status), SIGTERM);
	assert_string_equal(c.last, "dying");
	child_run_done(&c);
}

static void
test_cannot_execute(void **state)
{
	char *argv[] = { "/nonexistent/child-run-plugin", "--secret-free", NULL };
	struct child_run_spec s;
	struct child_run c;

	(void)state;
	child_run_init(&c);
	memset(&s, 0, sizeof s);
	s.argv = argv;
	s.what = "the plugin";
	s.out_max = 1024;
	s.timeout_ms = 5000;
	assert_int_equal(child_run_start(&c, &s), CHILD_RUN_STARTED);
	assert_int_equal(run_to_end(&c), CHILD_RUN_EXITED);
	assert_int_equal(WEXITSTATUS(c.status), 127);
	assert_string_equal(c.last, "cannot execute the plugin: No such file or directory");
	child_run_done(&c);
}

static void
test_timeout_kills(void **state)
{
	struct child_run c;
	double t0 = now();

	(void)state;
	child_run_init(&c);
	/* a grandchild keeps the pipes open: the whole session goes */
	assert_int_equal(run_shell(&c,
				   "echo secret-part; echo waiting >&2; sleep 30 & sleep 30; "
				   "echo never",
				   1024, 300),
			 CHILD_RUN_TIMED_OUT);
	assert_true(now() - t0 < 5);
	assert_true(now() - t0 >= 0.3);
	assert_string_equal(c.last, "waiting");
	assert_int_equal(c.out.len, 0); /* wiped */
	child_run_done(&c);
}

static void
test_done_while_running(void **state)
{
	struct child_run_spec s;
	struct child_run c;
	double t0 = now();

	(void)state;
	child_run_init(&c);
	memset(&s, 0, sizeof s);
	s.shell = "sleep 30";
	s.out_max = 1024;
	s.timeout_ms = 60000;
	assert_int_equal(child_run_start(&c, &s), CHILD_RUN_STARTED);
	assert_int_equal(child_run_poll(&c), CHILD_RUN_BUSY);
	child_run_kill(&c);
	assert_false(child_run_running(&c));
	assert_int_equal(child_run_poll(&c), CHILD_RUN_BUSY);
	assert_int_equal(child_run_start(&c, &s), CHILD_RUN_STARTED);
	child_run_done(&c);
	assert_true(now() - t0 < 5);
	/* an idle one lets go as well */
	child_run_init(&c);
	child_run_done(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),  cmocka_unit_test(test_argv_env),
		cmocka_unit_test(test_big_output_bounded), cmocka_unit_test(test_stderr_last_line),
		cmocka_unit_test(test_cannot_execute),     cmocka_unit_test(test_timeout_kills),
		cmocka_unit_test(test_done_while_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
