/*
 * ecs_test_server.h - shared by test_ecs_poll.c, test_ecs_endpoint.c and
 * test_ecs_action.c: a scripted ECS (and STS) server forked by the test
 * (plain HTTP on 127.0.0.1:0; SigV4 itself is checked against botocore in
 * the integration test, tests/stack/ecsserver.py), and endpoints pointing
 * at it built from a fake environment.
 *
 * Every request is POST /; it is routed by its operation - the
 * X-Amz-Target's last part for ECS ("DescribeServices"), Action= of the
 * form body for STS ("AssumeRole") - and an optional substring of its
 * body (a nextToken, a family).  A route may answer a number of times
 * only (a throttled answer, then the real one).  Routes live in shared
 * memory, so a test may change an answer between rounds; each request is
 * recorded (operation, body, Authorization, X-Amz-Security-Token,
 * Content-Type) for the test to check what left the process.  One
 * connection at a time.  Include after <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_ECS_TEST_SERVER_H
#define OPSDECK_TESTS_ECS_TEST_SERVER_H

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

#include "ecs_endpoint.h"
#include "http.h"
#include "poller.h"

#define ES_ROUTES 48
#define ES_REQS 256
#define ES_BODY 24576

struct es_route {
	char op[48];
	char match[256]; /* a substring of the body; "" = any */
	int times;       /* answers left; -1 = always */
	int status;
	char body[ES_BODY];
};

struct es_req {
	char op[48];
	char body[1024];
	char auth[512];
	char token[512];
	char ctype[96];
};

struct es_shared {
	struct es_route routes[ES_ROUTES];
	int nroutes;
	struct es_req reqs[ES_REQS];
	int nreqs;
};

static struct es_shared *es;
static pid_t es_pid = -1;
static char es_url[64];
static char es_dir[64];

/* Answer op (with body containing match, "" any) times times (-1 always). */
static inline void
es_route_n(const char *op, const char *match, int times, int status, const char *body)
{
	int i = es->nroutes;

	assert_true(i < ES_ROUTES);
	snprintf(es->routes[i].op, sizeof es->routes[i].op, "%s", op);
	snprintf(es->routes[i].match, sizeof es->routes[i].match, "%s", match);
	es->routes[i].times = times;
	es->routes[i].status = status;
	snprintf(es->routes[i].body, sizeof es->routes[i].body, "%s", body);
	__sync_synchronize();
	es->nroutes++;
}

/* es_route_n() ahead of every route already there: it answers first. */
static inline void
es_route_first(const char *op, const char *match, int times, int status, const char *body)
{
	struct es_route r;

	assert_true(es->nroutes < ES_ROUTES);
	memset(&r, 0, sizeof r);
	snprintf(r.op, sizeof r.op, "%s", op);
	snprintf(r.match, sizeof r.match, "%s", match);
	r.times = times;
	r.status = status;
	snprintf(r.body, sizeof r.body, "%s", body);
	memmove(&es->routes[1], &es->routes[0], (size_t)es->nroutes * sizeof es->routes[0]);
	es->routes[0] = r;
	__sync_synchronize();
	es->nroutes++;
}

/* Answer op always; an earlier route of op and match is replaced. */
static inline void
es_route(const char *op, const char *match, int status, const char *body)
{
	int i;

	for (i = 0; i < es->nroutes; i++)
		if (strcmp(es->routes[i].op, op) == 0 && strcmp(es->routes[i].match, match) == 0 &&
		    es->routes[i].times < 0) {
			es->routes[i].status = status;
			snprintf(es->routes[i].body, sizeof es->routes[i].body, "%s", body);
			return;
		}
	es_route_n(op, match, -1, status, body);
}

static inline void
es_reset(void)
{
	es->nroutes = 0;
	es->nreqs = 0;
}

/* How many recorded requests were op ("" = any). */
static inline int
es_count(const char *op)
{
	int i, n = 0;

	for (i = 0; i < es->nreqs && i < ES_REQS; i++)
		if (op[0] == '\0' || strcmp(es->reqs[i].op, op) == 0)
			n++;
	return n;
}

/* The last recorded request of op, or NULL. */
static inline const struct es_req *
es_last(const char *op)
{
	int i;

	for (i = (es->nreqs < ES_REQS ? es->nreqs : ES_REQS) - 1; i >= 0; i--)
		if (strcmp(es->reqs[i].op, op) == 0)
			return &es->reqs[i];
	return NULL;
}

static void
es_write_all(int fd, const char *p, size_t n)
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
es_header(const char *head, const char *name, char *out, size_t n)
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
es_serve(int fd)
{
	static char buf[131072];
	char clen[16], target[160], head[256], *hend, *body;
	size_t len = 0, body_len;
	struct es_route *r = NULL;
	struct es_req *q;
	const char *op;
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
	es_header(buf, "Content-Length", clen, sizeof clen);
	body_len = (size_t)atol(clen);
	while (len < (size_t)(hend + 4 - buf) + body_len && len < sizeof buf - 1) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	*hend = '\0';
	body = hend + 4;
	body[body_len] = '\0';
	q = &es->reqs[es->nreqs < ES_REQS ? es->nreqs : ES_REQS - 1];
	memset(q, 0, sizeof *q);
	es_header(buf, "X-Amz-Target", target, sizeof target);
	op = strrchr(target, '.') != NULL ? strrchr(target, '.') + 1 : target;
	if (op[0] == '\0' && strncmp(body, "Action=", 7) == 0)
		snprintf(q->op, sizeof q->op, "%.*s", (int)strcspn(body + 7, "&"), body + 7);
	else
		snprintf(q->op, sizeof q->op, "%.47s", op);
	snprintf(q->body, sizeof q->body, "%s", body);
	es_header(buf, "Authorization", q->auth, sizeof q->auth);
	es_header(buf, "X-Amz-Security-Token", q->token, sizeof q->token);
	es_header(buf, "Content-Type", q->ctype, sizeof q->ctype);
	__sync_synchronize();
	es->nreqs++;
	for (i = 0; i < es->nroutes && r == NULL; i++) {
		struct es_route *c = &es->routes[i];

		if (strcmp(c->op, q->op) == 0 && c->times != 0 &&
		    (c->match[0] == '\0' || strstr(body, c->match) != NULL))
			r = c;
	}
	if (r == NULL) {
		static const char nf[] = "{\"__type\":\"UnknownOperationException\",\"message\":"
					 "\"no route in the test\"}";

		snprintf(head, sizeof head,
			 "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 sizeof nf - 1);
		es_write_all(fd, head, strlen(head));
		es_write_all(fd, nf, sizeof nf - 1);
		return;
	}
	if (r->times > 0)
		r->times--;
	snprintf(head, sizeof head,
		 "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 r->status, r->body[0] == '<' ? "text/xml" : "application/x-amz-json-1.1",
		 strlen(r->body));
	es_write_all(fd, head, strlen(head));
	es_write_all(fd, r->body, strlen(r->body));
}

/* Group setup: the shared memory, the server, a directory for AWS files. */
static int
es_start(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int lfd, one = 1;

	(void)state;
	es = mmap(NULL, sizeof *es, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (es == MAP_FAILED)
		return -1;
	memset(es, 0, sizeof *es);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 64) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	snprintf(es_url, sizeof es_url, "http://127.0.0.1:%d", ntohs(sa.sin_port));
	es_pid = fork();
	if (es_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				continue;
			es_serve(c);
			close(c);
		}
	}
	close(lfd);
	snprintf(es_dir, sizeof es_dir, "/tmp/opsdeck-ecstest.XXXXXX");
	if (mkdtemp(es_dir) == NULL)
		return -1;
	return 0;
}

static int
es_stop(void **state)
{
	char cmd[128];

	(void)state;
	if (es_pid > 0) {
		kill(es_pid, SIGKILL);
		waitpid(es_pid, NULL, 0);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", es_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", es_dir);
	munmap(es, sizeof *es);
	return 0;
}

/* ---- a fake environment ---------------------------------------------------- */

#define ES_ENV 16
static char es_env_names[ES_ENV][64];
static char es_env_values[ES_ENV][512];
static int es_nenv;

static inline void
es_env_clear(void)
{
	es_nenv = 0;
}

static inline void
es_setenv(const char *name, const char *value)
{
	int i;

	for (i = 0; i < es_nenv; i++)
		if (strcmp(es_env_names[i], name) == 0)
			break;
	assert_true(i < ES_ENV);
	snprintf(es_env_names[i], sizeof es_env_names[i], "%s", name);
	snprintf(es_env_values[i], sizeof es_env_values[i], "%s", value);
	if (i == es_nenv)
		es_nenv++;
}

static char *
es_getenv(const char *name)
{
	int i;

	for (i = 0; i < es_nenv; i++)
		if (strcmp(es_env_names[i], name) == 0)
			return es_env_values[i];
	return NULL;
}

/* Write text to DIR/name; returns the path (static buffer of the call's). */
static inline const char *
es_file(const char *name, const char *text)
{
	static char path[8][160];
	static int turn;
	char *p = path[turn++ % 8];
	FILE *f;

	snprintf(p, sizeof path[0], "%s/%s", es_dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* The environment of static keys (AKIDSTATIC / the secret), region us-east-1, no files. */
static inline void
es_env_static(void)
{
	es_env_clear();
	es_setenv("AWS_ACCESS_KEY_ID", "AKIDSTATIC");
	es_setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-static-never-shown");
	es_setenv("AWS_REGION", "us-east-1");
	es_setenv("AWS_CONFIG_FILE", "/nonexistent/opsdeck-test/config");
	es_setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/opsdeck-test/credentials");
}

/* An endpoint to cluster at the test server from the fake environment (profile NULL: its own). */
static inline struct ecs_endpoint *
es_endpoint(const char *cluster, const char *profile)
{
	struct ecs_endpoint_settings s;
	struct ecs_endpoint *x;
	struct err e;

	memset(&s, 0, sizeof s);
	s.cluster = cluster;
	s.profile = profile;
	s.endpoint_url = es_url;
	s.timeout_ms = 5000;
	s.process_timeout_ms = 5000;
	s.getenv_fn = es_getenv;
	s.home = es_dir;
	x = ecs_endpoint_new(&s, &e);
	if (x == NULL)
		fail_msg("endpoint: %s", e.msg);
	return x;
}

/* Drive h (and x's credential_process) until done() says so or 10 s pass. */
static inline bool
es_run_until(struct http *h, struct ecs_endpoint *x, bool (*done)(void *), void *ud)
{
	double deadline = poller_mono_now() + 10.0;
	struct err e;

	while (!done(ud)) {
		if (poller_mono_now() > deadline)
			return false;
		http_wait(h, NULL, 0, 20, &e);
		http_perform(h);
		if (x != NULL)
			ecs_endpoint_tick(x);
	}
	return true;
}

/* ---- answers ------------------------------------------------------------------- */

/*
 * One service of DescribeServices as ECS writes it: cluster shop, its task
 * definition family:rev, desired/running/pending, launch type, the
 * PRIMARY's rolloutState (and reason), a second ACTIVE deployment when
 * two, the newest event's message.  Appended to out.
 */
static inline void
es_service_json(char *out, size_t n, const char *name, int rev, long desired, long running,
		long pending, const char *rollout, const char *reason, bool two, const char *event)
{
	size_t l = strlen(out);

	snprintf(out + l, n - l,
		 "%s{\"serviceArn\":\"arn:aws:ecs:us-east-1:123456789012:service/shop/%s\","
		 "\"serviceName\":\"%s\",\"clusterArn\":\"arn:aws:ecs:us-east-1:123456789012:"
		 "cluster/shop\",\"status\":\"ACTIVE\",\"desiredCount\":%ld,\"runningCount\":%ld,"
		 "\"pendingCount\":%ld,\"launchType\":\"FARGATE\",\"taskDefinition\":"
		 "\"arn:aws:ecs:us-east-1:123456789012:task-definition/%s:%d\","
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,"
		 "\"rollback\":true}},\"deployments\":[{\"id\":\"ecs-svc/2\",\"status\":"
		 "\"PRIMARY\",\"taskDefinition\":\"arn:aws:ecs:us-east-1:123456789012:"
		 "task-definition/%s:%d\",\"desiredCount\":%ld,\"runningCount\":%ld,"
		 "\"pendingCount\":%ld,\"failedTasks\":0,\"createdAt\":1795000000.5,"
		 "\"updatedAt\":1795000100.0,\"rolloutState\":\"%s\",\"rolloutStateReason\":"
		 "\"%s\"}%s],\"events\":[{\"id\":\"e1\",\"createdAt\":1795000100.0,\"message\":"
		 "\"%s\"}],\"createdAt\":1790000000.0}",
		 l > 0 && out[l - 1] == '}' ? "," : "", name, name, desired, running, pending, name,
		 rev, name, rev, desired, running, pending, rollout, reason,
		 two ? ",{\"id\":\"ecs-svc/1\",\"status\":\"ACTIVE\",\"taskDefinition\":"
		       "\"arn:aws:ecs:us-east-1:123456789012:task-definition/x:1\","
		       "\"desiredCount\":2,\"runningCount\":2,\"pendingCount\":0,\"failedTasks\":0,"
		       "\"createdAt\":1794000000.0,\"updatedAt\":1794000000.0,\"rolloutState\":"
		       "\"COMPLETED\"}"
		     : "",
		 event);
}

/* The task definition ARNs of family, revisions hi down to lo, as ListTaskDefinitions (DESC). */
static inline void
es_revisions_json(char *out, size_t n, const char *family, int hi, int lo, const char *next)
{
	size_t l;
	int r;

	snprintf(out, n, "{\"taskDefinitionArns\":[");
	for (r = hi; r >= lo; r--) {
		l = strlen(out);
		snprintf(out + l, n - l,
			 "%s\"arn:aws:ecs:us-east-1:123456789012:task-definition/%s:%d\"",
			 r == hi ? "" : ",", family, r);
	}
	l = strlen(out);
	if (next != NULL)
		snprintf(out + l, n - l, "],\"nextToken\":\"%s\"}", next);
	else
		snprintf(out + l, n - l, "]}");
}

#endif
