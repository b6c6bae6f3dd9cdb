/*
 * ssh_tunnel.h - a remote Docker daemon reached through an ssh forward
 * that opsdeck starts and stops:
 *
 *   ssh -nNT -o ExitOnForwardFailure=yes -o BatchMode=yes [OPTIONS...]
 *       -L LOCAL.sock:REMOTE.sock [-p PORT] -- [user@]host
 *
 * ssh is exec'd directly (no shell) in a session of its own, so it has no
 * terminal to prompt on or to take signals from; LOCAL.sock lives in a
 * private (0700) temporary directory.  Nothing here blocks: the socket
 * appears once ssh has authenticated and listens, and until then requests
 * to it fail to connect.  ssh_tunnel_poll() reads ssh's stderr from a
 * non-blocking pipe, reaps ssh when it exits and tells the state;
 * ssh_tunnel_explain() turns a failed connection into what the tunnel
 * knows ("waiting for the ssh tunnel to deploy@build", "ssh to
 * deploy@build exited (255): Permission denied (publickey).").
 *
 * ssh_tunnel_free() stops ssh (SIGTERM, a bounded wait, then SIGKILL) and
 * removes the directory.  Should opsdeck die without calling it (a fatal
 * signal, SIGKILL), ssh gets SIGTERM from the kernel (Linux
 * PR_SET_PDEATHSIG), so no ssh outlives opsdeck.
 *
 * Call order: t = ssh_tunnel_start(); use ssh_tunnel_url(t) as the
 * endpoint; call ssh_tunnel_tick() or ssh_tunnel_poll() from the loop (or
 * ssh_tunnel_wait() where blocking is fine, as in a snapshot);
 * ssh_tunnel_free(t).
 */
#ifndef OPSDECK_TUI_SSH_TUNNEL_H
#define OPSDECK_TUI_SSH_TUNNEL_H

#include <stdbool.h>

#include "err.h"

/* What to start.  Plain record, all strings borrowed for the call only. */
struct ssh_tunnel_settings {
	const char *dest;          /* "user@host" or "host", as ssh takes it */
	const char *port;          /* "2222", or NULL for ssh's default */
	const char *remote_socket; /* the daemon's socket on the remote host */
	const char *options;       /* extra ssh arguments separated by blanks (no
				      quoting), or NULL */
	const char *program;       /* ssh's file name, looked up in PATH; NULL = "ssh" */
};

enum ssh_tunnel_state {
	SSH_TUNNEL_STARTING, /* ssh runs, the local socket is not there yet */
	SSH_TUNNEL_READY,    /* ssh runs and listens on the local socket */
	SSH_TUNNEL_EXITED,   /* ssh has exited; see ssh_tunnel_explain */
};

struct ssh_tunnel; /* opaque */

/*
 * new: start ssh.  Fails (ERR_IO, ERR_CONFIG) when the temporary directory,
 * the pipe or the fork fail; an ssh that cannot be executed is reported
 * later as an exit with status 127.
 */
struct ssh_tunnel *ssh_tunnel_start(const struct ssh_tunnel_settings *s, struct err *e);
/* Stop ssh, wait for it (at most ~2 s) and remove the directory.  NULL-safe. */
void ssh_tunnel_free(struct ssh_tunnel *t);

/* borrowed (until ssh_tunnel_free): "unix:///tmp/opsdeck-ssh.XXXXXX/docker.sock". */
const char *ssh_tunnel_url(const struct ssh_tunnel *t);
/* borrowed: the destination as given ("deploy@build-host"). */
const char *ssh_tunnel_dest(const struct ssh_tunnel *t);
/* ssh's process id, or -1 once it has been reaped. */
int ssh_tunnel_pid(const struct ssh_tunnel *t);
/* The read end of ssh's stderr for a caller's poll(), or -1 after ssh exited. */
int ssh_tunnel_fd(const struct ssh_tunnel *t);

/* Read ssh's stderr, reap ssh if it exited, and tell the state.  Never blocks. */
enum ssh_tunnel_state ssh_tunnel_poll(struct ssh_tunnel *t);
/* ssh_tunnel_poll(), and whether the state changed since the last tick. */
bool ssh_tunnel_tick(struct ssh_tunnel *t);
/*
 * Wait until the tunnel is ready or ssh exited, at most timeout_ms, or
 * until also_fd (>= 0; the self-pipe) becomes readable.  Returns the state.
 */
enum ssh_tunnel_state ssh_tunnel_wait(struct ssh_tunnel *t, long timeout_ms, int also_fd);

/*
 * Replace e's message (a failed connection to the local socket) with what
 * the tunnel knows: still starting, ssh's exit status and the last line it
 * wrote to stderr, or, when the tunnel is up, ssh's complaint about the
 * remote socket.  Leaves e alone when the tunnel has nothing to add.
 * Code ERR_CONNECT.
 */
void ssh_tunnel_explain(struct ssh_tunnel *t, struct err *e);

#endif
