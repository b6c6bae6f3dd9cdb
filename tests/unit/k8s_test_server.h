/*
 * k8s_test_server.h - shared by test_k8s_poll.c and test_k8s_action.c: a
 * scripted HTTP server forked by the test (plain HTTP on 127.0.0.1:0; the
 * TLS and credential paths are the integration test's, against
 * tests/stack/k8sserver.py), and a kubeconfig pointing at it.
 *
 * Routes live in shared memory, so a test may change an answer between
 * rounds: each matches a method and a path with its query (exactly, or as
 * a prefix when it ends in '*'); the first match answers.  Every request
 * is recorded (method, path, Content-Type header, body) for the test to
 * check what left the process.  One connection at a time, "Connection:
 * close".  Include after <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_K8S_TEST_SERVER_H
#define OPSDECK_TESTS_K8S_TEST_SERVER_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "http.h"
#include "k8s_endpoint.h"
#include "kubeconfig.h"
#include "poller.h"

#define KS_ROUTES 32
#define KS_REQS 128
#define KS_BODY 16384

struct ks_route {
	char method[8];
	char path[512];
	int status;
	char body[KS_BODY];
};

struct ks_req {
	char method[8];
	char path[512];
	char ctype[96];
	char body[1024];
};

struct ks_shared {
	struct ks_route routes[KS_ROUTES];
	int nroutes;
	struct ks_req reqs[KS_REQS];
	int nreqs;
};

static struct ks_shared *ks;
static pid_t ks_pid = -1;
static int ks_port;
static char ks_url[64];
static char ks_dir[64];
static char ks_kubeconfig[128];

/* Add or replace the answer to METHOD PATH. */
static inline void
ks_route(const char *method, const char *path, int status, const char *body)
{
	int i;

	for (i = 0; i < ks->nroutes; i++)
		if (strcmp(ks->routes[i].method, method) == 0 &&
		    strcmp(ks->routes[i].path, path) == 0)
			break;
	assert_true(i < KS_ROUTES);
	snprintf(ks->routes[i].method, sizeof ks->routes[i].method, "%s", method);
	snprintf(ks->routes[i].path, sizeof ks->routes[i].path, "%s", path);
	ks->routes[i].status = status;
	snprintf(ks->routes[i].body, sizeof ks->routes[i].body, "%s", body);
	if (i == ks->nroutes)
		ks->nroutes++;
}

static inline void
ks_reset(void)
{
	ks->nroutes = 0;
	ks->nreqs = 0;
}

/* How many recorded requests have this method and path prefix. */
static inline int
ks_count(const char *method, const char *prefix)
{
	int i, n = 0;

	for (i = 0; i < ks->nreqs && i < KS_REQS; i++)
		if (strcmp(ks->reqs[i].method, method) == 0 &&
		    strncmp(ks->reqs[i].path, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

/* The last recorded request with this method and path prefix, or NULL. */
static inline inline const struct ks_req *
ks_last(const char *method, const char *prefix)
{
	int i;

	for (i = (ks->nreqs < KS_REQS ? ks->nreqs : KS_REQS) - 1; i >= 0; i--)
		if (strcmp(ks->reqs[i].method, method) == 0 &&
		    strncmp(ks->reqs[i].path, prefix, strlen(prefix)) == 0)
			return &ks->reqs[i];
	return NULL;
}

static void
ks_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* A header's value (into out) from the request head, case-insensitively. */
static void
ks_header(const char *head, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	const char *p = head;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *end = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(out, n, "%.*s", end ? (int)(end - v) : (int)strlen(v), v);
			return;
		}
	}
}

static void
ks_serve(int fd)
{
	char buf[65536], method[8] = "", path[512] = "", clen[16], *hend;
	size_t len = 0, body_len;
	const struct ks_route *r = NULL;
	struct ks_req *q;
	char head[256];
	int i;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);

		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
		if ((hend = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	ks_header(buf, "Content-Length", clen, sizeof clen);
	body_len = (size_t)atol(clen);
	while (len < (size_t)(hend + 4 - buf) + body_len && len < sizeof buf - 1) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	sscanf(buf, "%7s %511s", method, path);
	q = &ks->reqs[ks->nreqs < KS_REQS ? ks->nreqs : KS_REQS - 1];
	memset(q, 0, sizeof *q);
	snprintf(q->method, sizeof q->method, "%s", method);
	snprintf(q->path, sizeof q->path, "%s", path);
	*hend = '\0';
	ks_header(buf, "Content-Type", q->ctype, sizeof q->ctype);
	snprintf(q->body, sizeof q->body, "%.*s", (int)body_len, hend + 4);
	__sync_synchronize();
	ks->nreqs++;
	for (i = 0; i < ks->nroutes && r == NULL; i++) {
		const struct ks_route *c = &ks->routes[i];
		size_t pl = strlen(c->path);

		if (strcmp(c->method, method) != 0)
			continue;
		if ((pl > 0 && c->path[pl - 1] == '*' && strncmp(path, c->path, pl - 1) == 0) ||
		    strcmp(path, c->path) == 0)
			r = c;
	}
	if (r == NULL) {
		static const char nf[] =
			"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
			"\"Failure\",\"message\":\"the server could not find the "
			"requested resource\",\"reason\":\"NotFound\",\"code\":404}";

		snprintf(head, sizeof head,
			 "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 sizeof nf - 1);
		ks_write_all(fd, head, strlen(head));
		ks_write_all(fd, nf, sizeof nf - 1);
		return;
	}
	snprintf(head, sizeof head,
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 r->status, strlen(r->body));
	ks_write_all(fd, head, strlen(head));
	ks_write_all(fd, r->body, strlen(r->body));
}

/* Group setup: the shared memory, the server, and a kubeconfig naming it. */
static int
ks_start(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int lfd, one = 1;
	FILE *f;

	(void)state;
	ks = mmap(NULL, sizeof *ks, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ks == MAP_FAILED)
		return -1;
	memset(ks, 0, sizeof *ks);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 64) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	ks_port = ntohs(sa.sin_port);
	snprintf(ks_url, sizeof ks_url, "http://127.0.0.1:%d", ks_port);
	ks_pid = fork();
	if (ks_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				continue;
			ks_serve(c);
			close(c);
		}
	}
	close(lfd);
	snprintf(ks_dir, sizeof ks_dir, "/tmp/opsdeck-k8stest.XXXXXX");
	if (mkdtemp(ks_dir) == NULL)
		return -1;
	snprintf(ks_kubeconfig, sizeof ks_kubeconfig, "%s/kubeconfig", ks_dir);
	f = fopen(ks_kubeconfig, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
		"apiVersion: v1\nkind: Config\ncurrent-context: plain\n"
		"clusters:\n- name: local\n  cluster:\n    server: %s\n"
		"users:\n- name: nobody\n  user: {}\n"
		"contexts:\n"
		"- name: plain\n  context: {cluster: local, user: nobody, namespace: shop}\n"
		"- name: other\n  context: {cluster: local, user: nobody, namespace: shop}\n",
		ks_url);
	fclose(f);
	return 0;
}

static int
ks_stop(void **state)
{
	(void)state;
	if (ks_pid > 0) {
		kill(ks_pid, SIGKILL);
		waitpid(ks_pid, NULL, 0);
	}
	unlink(ks_kubeconfig);
	rmdir(ks_dir);
	munmap(ks, sizeof *ks);
	return 0;
}

/* A context of the test kubeconfig ("plain" or "other") as an endpoint; ns NULL = its own. */
static inline struct k8s_endpoint *
ks_endpoint(const char *context, const char *ns)
{
	struct err e;
	struct kubeconfig *kc = kubeconfig_load(ks_kubeconfig, NULL, &e);
	struct k8s_endpoint_settings s;
	struct k8s_endpoint *k;

	if (kc == NULL)
		fail_msg("kubeconfig: %s", e.msg);
	memset(&s, 0, sizeof s);
	s.context = context;
	s.namespace = ns;
	s.timeout_ms = 5000;
	k = k8s_endpoint_new(kc, &s, &e);
	if (k == NULL)
		fail_msg("endpoint: %s", e.msg);
	kubeconfig_free(kc);
	return k;
}

/* Drive h until done() says so or 10 s pass. */
static inline bool
ks_run_until(struct http *h, bool (*done)(void *), void *ud)
{
	double deadline = poller_mono_now() + 10.0;
	struct err e;

	while (!done(ud)) {
		if (poller_mono_now() > deadline)
			return false;
		http_wait(h, NULL, 0, 20, &e);
		http_perform(h);
	}
	return true;
}

#endif
