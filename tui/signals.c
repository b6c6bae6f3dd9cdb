#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t sig_quit;
volatile sig_atomic_t sig_winch;
volatile sig_atomic_t sig_tstp;
volatile sig_atomic_t sig_cont;
int sig_pipe_fd[2] = { -1, -1 };

static void (*fatal_restore)(void);

static void
wake(void)
{
	int saved = errno;
	ssize_t r = write(sig_pipe_fd[1], "x", 1);

	(void)r;
	errno = saved;
}

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGWINCH:
		sig_winch = 1;
		break;
	case SIGTSTP:
		sig_tstp = 1;
		break;
	case SIGCONT:
		sig_cont = 1;
		break;
	default:
		sig_quit = sig;
		break;
	}
	wake();
}

static void
on_fatal(int sig)
{
	if (fatal_restore != NULL)
		fatal_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	return sigaction(sig, &sa, NULL);
}

int
signals_install(int interactive, struct err *e)
{
	int i;

	if (sig_pipe_fd[0] < 0) {
		if (pipe(sig_pipe_fd) < 0)
			return err_set(e, ERR_IO, "cannot create the signal pipe: %s",
				       strerror(errno));
		for (i = 0; i < 2; i++) {
			fcntl(sig_pipe_fd[i], F_SETFL, fcntl(sig_pipe_fd[i], F_GETFL) | O_NONBLOCK);
			fcntl(sig_pipe_fd[i], F_SETFD, FD_CLOEXEC);
		}
	}
	set_handler(SIGPIPE, SIG_IGN);
	set_handler(SIGINT, on_signal);
	set_handler(SIGTERM, on_signal);
	set_handler(SIGHUP, on_signal);
	if (interactive) {
		set_handler(SIGWINCH, on_signal);
		set_handler(SIGTSTP, on_signal);
		set_handler(SIGCONT, on_signal);
	}
	return 0;
}

void
signals_drain(void)
{
	char tmp[64];

	while (read(sig_pipe_fd[0], tmp, sizeof tmp) > 0)
		;
}

void
signals_on_fatal(void (*restore)(void))
{
	static const int fatal[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
	size_t i;

	fatal_restore = restore;
	for (i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fatal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESETHAND;
		sigaction(fatal[i], &sa, NULL);
	}
}
