/*
 * child_run.h - run a command as a child of the event loop.
 *
 * The command is a program and its arguments (looked up in PATH) or a
 * command line for /bin/sh -c; it gets opsdeck's environment with some
 * variables added or replaced, and stdin from /dev/null (opsdeck owns the
 * terminal: a child is never interactive).  Its stdout is captured up to a
 * bound (it may be secret: what is read is wiped when let go), its
 * stderr's last line kept for messages.  It runs in a session of its own,
 * its pipes non-blocking; the loop polls it (child_run_poll), which reaps
 * it with WNOHANG or kills it at its deadline.  child_run_kill kills it
 * (the whole session) and reaps it, as when opsdeck stops; the kernel
 * kills it should opsdeck die first (PR_SET_PDEATHSIG).
 *
 * Nothing here writes a message: the caller names the command as it
 * likes, from the exit status and the last line of stderr.
 */
#ifndef OPSDECK_TUI_CHILD_RUN_H
#define OPSDECK_TUI_CHILD_RUN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define CHILD_RUN_LINE_MAX 240

struct child_run {
	pid_t pid; /* while it runs, else -1 */
	int out_fd, err_fd;
	struct buf out;   /* its stdout so far (may be secret) */
	size_t out_max;   /* stdout beyond this is dropped ... */
	bool out_too_big; /* ... and this set */
	char partial[CHILD_RUN_LINE_MAX];
	char last[CHILD_RUN_LINE_MAX]; /* stderr's last non-empty line, controls as '?' */
	size_t plen;
	double deadline; /* monotonic seconds */
	int status;      /* the wait status, once CHILD_RUN_EXITED */
};

struct child_run_spec {
	char *const *argv; /* the program and its arguments, NULL-terminated; or */
	const char *shell; /* a command line for /bin/sh -c (argv NULL) */
	/*
	 * "NAME=value" entries, NULL-terminated, put after opsdeck's
	 * environment less the variables they name; NULL: opsdeck's as is.
	 */
	char *const *env;
	/* named on stderr when it cannot be executed: "cannot execute <what>: <why>" */
	const char *what;
	size_t out_max;
	long timeout_ms;
};

enum child_run_start_result {
	CHILD_RUN_STARTED = 0,
	CHILD_RUN_NO_PIPE = -1, /* errno says why */
	CHILD_RUN_NO_FORK = -2, /* likewise */
};

enum child_run_event {
	CHILD_RUN_BUSY,      /* not ended (or not running) */
	CHILD_RUN_EXITED,    /* reaped: status, out and last hold what it left */
	CHILD_RUN_TIMED_OUT, /* killed at its deadline and reaped; out wiped, last kept */
};

/* An idle child_run; child_run_done() lets it go. */
void child_run_init(struct child_run *c);
/* Kill it if it runs, wipe and free its stdout. */
void child_run_done(struct child_run *c);
/*
 * Start s (c idle).  Clears out, out_too_big and last; sets the deadline.
 * On failure nothing is left open and errno says why.
 */
enum child_run_start_result child_run_start(struct child_run *c, const struct child_run_spec *s);
bool child_run_running(const struct child_run *c);
/* Read what its pipes hold, reap it, or kill it at its deadline. */
enum child_run_event child_run_poll(struct child_run *c);
/*
 * Its open pipes as POLLIN entries at fds (room for two); returns how
 * many.  Its exit is no event on them while a grandchild holds them:
 * poll with a short timeout (20 ms) as well.
 */
nfds_t child_run_pollfds(const struct child_run *c, struct pollfd *fds);
/* SIGKILL to its session, reap it, close its pipes, wipe out (last kept). */
void child_run_kill(struct child_run *c);
/* Overwrite out with zeros and empty it. */
void child_run_wipe_out(struct child_run *c);

#endif
