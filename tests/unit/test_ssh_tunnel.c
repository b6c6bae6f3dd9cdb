/*
 * test_ssh_tunnel.c - the ssh tunnel's life with a fake ssh: a shell
 * script the test writes, which records its arguments and, by FAKE_MODE,
 * is refused like ssh with a wrong key, dies of a signal, exits silently,
 * or waits for its -L socket (which the test creates, as ssh would once
 * it listens) and then complains about the remote socket.  The real ssh is
 * tested in tests/integration/docker_ssh.sh.
 *
 * Checks: the command line; the states starting, ready and exited; the
 * messages of ssh_tunnel_explain; stopping removes ssh and the private
 * directory; an ssh left behind by a dying opsdeck gets SIGTERM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ssh_tunnel.h"
#include "xalloc.h"

static const char fake_ssh[] =
	"#!/bin/sh\n"
	"printf '%s\\n' \"$@\" >\"$FAKE_DIR/argv\"\n"
	"echo $$ >\"$FAKE_DIR/pid\"\n"
	"sock= prev=\n"
	"for a; do [ \"$prev\" = -L ] && sock=${a%%:*}; prev=$a; done\n"
	"case $FAKE_MODE in\n"
	"denied)\n"
	"  echo \"Warning: Permanently added 'h' (ED25519) to the list of known hosts.\" >&2\n"
	"  echo 'deploy@h: Permission denied (publickey).' >&2\n"
	"  exit 255 ;;\n"
	"signal) kill -9 $$ ;;\n"
	"silent) exit 3 ;;\n"
	"listen)\n"
	"  trap 'exit 0' TERM\n"
	"  while [ ! -S \"$sock\" ]; do sleep 0.02; done\n"
	"  echo 'channel 2: open failed: connect failed: No such file or directory' >&2\n"
	"  while :; do sleep 0.05; done ;;\n"
	"esac\n";

static char dir[64];
static char program[96];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static int
setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/opsdeck-sshT-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(program, sizeof program, "%s/fake-ssh", dir);
	f = fopen(program, "w");
	assert_non_null(f);
	fputs(fake_ssh, f);
	fclose(f);
	chmod(program, 0755);
	setenv("FAKE_DIR", dir, 1);
	setenv("TMPDIR", dir, 1);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);

	(void)state;
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* new: the content of FAKE_DIR/name, or NULL. */
static char *
slurp(const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *text = NULL;
	FILE *f = fopen(path, "r");
	size_t n;

	free(path);
	if (f == NULL)
		return NULL;
	text = xcalloc(1, 4096);
	n = fread(text, 1, 4095, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static struct ssh_tunnel *
start(const char *mode, const char *options)
{
	struct ssh_tunnel_settings s = { "deploy@h", "2222", "/remote/docker.sock", options,
					 program };
	struct ssh_tunnel *t;
	struct err e;
	char *path = xasprintf("%s/argv", dir);

	unlink(path);
	free(path);
	setenv("FAKE_MODE", mode, 1);
	t = ssh_tunnel_start(&s, &e);
	if (t == NULL)
		fail_msg("start: %s", e.msg);
	return t;
}

/* Bind a socket at the tunnel's local path, as ssh does once it listens. */
static int
listen_at(const struct ssh_tunnel *t)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ssh_tunnel_url(t) + 7);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

/* Whether pid is gone (or a zombie nobody reaps). */
static bool
gone(pid_t pid)
{
	char path[64], st[512];
	FILE *f;
	bool zombie = false;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	if (fgets(st, sizeof st, f) != NULL && strstr(st, ") Z ") != NULL)
		zombie = true;
	fclose(f);
	return zombie;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_denied(void **state)
{
	struct ssh_tunnel *t;
	struct err e;
	char *argv, *want;

	(void)state;
	t = start("denied", "-i /keys/id -o ConnectTimeout=5");
	assert_true(strncmp(ssh_tunnel_url(t), "unix://", 7) == 0);
	assert_string_equal(ssh_tunnel_dest(t), "deploy@h");
	assert_int_equal(ssh_tunnel_wait(t, 10000, -1), SSH_TUNNEL_EXITED);
	assert_int_equal(ssh_tunnel_pid(t), -1);
	assert_int_equal(ssh_tunnel_fd(t), -1);
	err_clear(&e);
	ssh_tunnel_explain(t, &e);
	assert_int_equal(e.code, ERR_CONNECT);
	assert_string_equal(e.msg, "docker: ssh to deploy@h exited (255): deploy@h: Permission "
				   "denied (publickey).");

	argv = slurp("argv");
	assert_non_null(argv);
	want = xasprintf("-nNT\n-o\nExitOnForwardFailure=yes\n-o\nBatchMode=yes\n-i\n/keys/id\n"
			 "-o\nConnectTimeout=5\n-L\n%s:/remote/docker.sock\n-p\n2222\n--\n"
			 "deploy@h\n",
			 ssh_tunnel_url(t) + 7);
	assert_string_equal(argv, want);
	free(want);
	free(argv);
	ssh_tunnel_free(t);
}

static void
test_other_exits(void **state)
{
	struct ssh_tunnel *t;
	struct ssh_tunnel_settings s = { "h", NULL, "/r.sock", NULL, "/nonexistent/ssh" };
	struct err e;

	(void)state;
	t = start("signal", NULL);
	assert_int_equal(ssh_tunnel_wait(t, 10000, -1), SSH_TUNNEL_EXITED);
	ssh_tunnel_explain(t, &e);
	assert_string_equal(e.msg, "docker: ssh to deploy@h was killed by signal 9");
	ssh_tunnel_free(t);

	t = start("silent", NULL);
	assert_int_equal(ssh_tunnel_wait(t, 10000, -1), SSH_TUNNEL_EXITED);
	ssh_tunnel_explain(t, &e);
	assert_string_equal(e.msg, "docker: ssh to deploy@h exited (3) — run `ssh deploy@h` by "
				   "hand to see why");
	ssh_tunnel_free(t);

	t = ssh_tunnel_start(&s, &e);
	assert_non_null(t);
	assert_int_equal(ssh_tunnel_wait(t, 10000, -1), SSH_TUNNEL_EXITED);
	ssh_tunnel_explain(t, &e);
	assert_string_equal(e.msg, "docker: ssh to h exited (127): cannot execute ssh: No such "
				   "file or directory");
	ssh_tunnel_free(t);
}

static void
test_listen_and_stop(void **state)
{
	struct ssh_tunnel *t;
	struct err e;
	char *sockdir, *pidtext;
	double deadline;
	pid_t pid;
	int fd;
	struct stat st;

	(void)state;
	t = start("listen", NULL);
	assert_true(ssh_tunnel_pid(t) > 0);
	assert_true(ssh_tunnel_fd(t) >= 0);
	assert_int_equal(ssh_tunnel_poll(t), SSH_TUNNEL_STARTING);
	assert_false(ssh_tunnel_tick(t));
	assert_int_equal(ssh_tunnel_wait(t, 50, -1), SSH_TUNNEL_STARTING);
	err_set(&e, ERR_CONNECT, "docker: cannot connect");
	ssh_tunnel_explain(t, &e);
	assert_string_equal(e.msg, "docker: waiting for the ssh tunnel to deploy@h");

	/* the private directory is ours alone */
	sockdir = xstrdup(ssh_tunnel_url(t) + 7);
	*strrchr(sockdir, '/') = '\0';
	assert_int_equal(stat(sockdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	fd = listen_at(t);
	assert_int_equal(ssh_tunnel_wait(t, 10000, -1), SSH_TUNNEL_READY);
	assert_true(ssh_tunnel_tick(t));
	assert_false(ssh_tunnel_tick(t));

	/* a connection error while ready: ssh's complaint, once it has written it */
	deadline = now_s() + 10.0;
	do {
		err_set(&e, ERR_CONNECT, "docker: closed the connection");
		ssh_tunnel_explain(t, &e);
		if (strcmp(e.msg, "docker: closed the connection") != 0)
			break;
		pause_ms(10);
	} while (now_s() < deadline);
	assert_string_equal(e.msg, "docker: ssh to deploy@h: channel 2: open failed: connect "
				   "failed: No such file or directory — check that "
				   "/remote/docker.sock is the Docker socket there ([docker] "
				   "ssh_socket) and that the user may use it");

	pidtext = slurp("pid");
	assert_non_null(pidtext);
	pid = (pid_t)atoi(pidtext);
	free(pidtext);
	assert_int_equal(pid, ssh_tunnel_pid(t));
	ssh_tunnel_free(t);
	close(fd);
	assert_true(gone(pid));
	assert_int_equal(stat(sockdir, &st), -1); /* removed with its socket */
	free(sockdir);
}

static void
test_orphan_gets_sigterm(void **state)
{
	double deadline;
	char *pidtext = NULL;
	pid_t child, pid;
	int status;

	(void)state;
	pidtext = xasprintf("%s/pid", dir);
	unlink(pidtext);
	free(pidtext);
	pidtext = NULL;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct ssh_tunnel *t = start("listen", NULL);

		/* die without ssh_tunnel_free, once the fake has written its pid */
		deadline = now_s() + 10.0;
		while ((pidtext = slurp("pid")) == NULL && now_s() < deadline)
			pause_ms(10);
		(void)t;
		_exit(pidtext != NULL ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	pidtext = slurp("pid");
	assert_non_null(pidtext);
	pid = (pid_t)atoi(pidtext);
	free(pidtext);
	deadline = now_s() + 10.0;
	while (!gone(pid) && now_s() < deadline)
		pause_ms(10);
	assert_true(gone(pid));
}

static void
test_too_many_options(void **state)
{
	struct ssh_tunnel_settings s = { "h", NULL, "/r.sock", NULL, program };
	char opts[200] = "";
	struct err e;
	int i;

	(void)state;
	for (i = 0; i < 33; i++)
		strcat(opts, "-v ");
	s.options = opts;
	assert_null(ssh_tunnel_start(&s, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "[docker] ssh_options: more than 32 arguments — put them in an "
				   "ssh config file (-F FILE)");
	ssh_tunnel_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_denied),           cmocka_unit_test(test_other_exits),
		cmocka_unit_test(test_listen_and_stop),  cmocka_unit_test(test_orphan_gets_sigterm),
		cmocka_unit_test(test_too_many_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
