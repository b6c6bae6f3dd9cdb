/*
 * signals.h - the process's only globals: signal flags and the self-pipe.
 *
 * Handlers only set a flag and write one byte to the self-pipe, whose read
 * end the event loop watches next to stdin and libcurl's sockets; all real
 * work (restore the terminal, relayout, suspend) happens in the loop.
 * SIGPIPE is ignored: a dead peer is an error value, never a death.
 */
#ifndef OPSDECK_TUI_SIGNALS_H
#define OPSDECK_TUI_SIGNALS_H

#include <signal.h>

#include "err.h"

extern volatile sig_atomic_t sig_quit;  /* SIGINT, SIGTERM or SIGHUP: the signal number */
extern volatile sig_atomic_t sig_winch; /* the terminal was resized */
extern volatile sig_atomic_t sig_tstp;  /* Ctrl-Z: suspend */
extern volatile sig_atomic_t sig_cont;  /* resumed after a stop */
extern int sig_pipe_fd[2];              /* [0] read end for the loop, [1] for handlers */

/*
 * Install the handlers and create the self-pipe (non-blocking, close-on-exec).
 * interactive: also handle SIGWINCH and SIGTSTP/SIGCONT (console only).
 */
int signals_install(int interactive, struct err *e);
/* Empty the self-pipe after a wake-up. */
void signals_drain(void);
/*
 * Fatal signals (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL) call restore (an
 * async-signal-safe function) and then die with the default action.
 */
void signals_on_fatal(void (*restore)(void));

#endif
