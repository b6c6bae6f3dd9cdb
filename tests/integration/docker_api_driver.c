/*
 * docker_api_driver.c - a small command-line front to backends/docker.c for
 * tests/integration/docker_api.sh, which compiles it with the Makefile's
 * flags and talks to a real dockerd with curl: the builders make the
 * requests that curl sends, the parsers read what the daemon answered.
 *
 *   driver scale N FILE | restart FILE | rollback FILE | image IMAGE FILE
 *       FILE is GET /services/{id}'s answer; prints the method and path on
 *       the first line, the body on the second
 *   driver services STATUS FILE   one line per service:
 *       name version tag mode replicas running desired force_update
 *       update_state previous_tag  (or "error CLASS: MESSAGE", exit 1)
 *   driver update STATUS FILE     "updated" or "error CLASS: MESSAGE" (exit 1)
 *   driver info STATUS FILE       "manager" or "not-manager"
 *   driver tasks STATUS FILE      id slot desired state image | error
 *   driver groups STATUS FILE     kind name project members running tag (manager view)
 *   driver cpu FILE1 FILE2        CPU % between two stats samples, memory used
 *   driver is-read METHOD PATH    exit 0 if the allow-list calls it a read
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read failed\n", path);
		exit(2);
	}
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static int
fail(enum docker_fail f, const struct err *e)
{
	printf("error %s: %s\n", docker_fail_name(f), e->msg);
	return 1;
}

static const char *
kind_name(enum docker_group_kind k)
{
	return k == DOCKER_GROUP_COMPOSE ? "compose"
	       : k == DOCKER_GROUP_SWARM ? "swarm"
					 : "container";
}

static int
build(int argc, char **argv)
{
	struct docker_request r;
	struct err e;
	size_t len;
	char *b;
	int rc;

	if (strcmp(argv[1], "scale") == 0 && argc == 4) {
		b = slurp(argv[3], &len);
		rc = docker_scale_request(b, len, atol(argv[2]), &r, &e);
	} else if (strcmp(argv[1], "image") == 0 && argc == 4) {
		b = slurp(argv[3], &len);
		rc = docker_image_request(b, len, argv[2], &r, &e);
	} else if (strcmp(argv[1], "restart") == 0 && argc == 3) {
		b = slurp(argv[2], &len);
		rc = docker_restart_request(b, len, &r, &e);
	} else if (strcmp(argv[1], "rollback") == 0 && argc == 3) {
		b = slurp(argv[2], &len);
		rc = docker_rollback_request(b, len, &r, &e);
	} else {
		fprintf(stderr, "driver: bad arguments\n");
		return 2;
	}
	free(b);
	if (rc < 0) {
		printf("error: %s\n", e.msg);
		return 1;
	}
	printf("%s %s\n%s\n", r.method == HTTP_POST ? "POST" : "?", r.path, r.body);
	docker_request_done(&r);
	return 0;
}

static int
services(long status, const char *b, size_t len)
{
	struct docker_service *s;
	enum docker_fail f;
	struct err e;
	size_t n, i;

	if (docker_parse_services(status, b, len, &s, &n, &f, &e) < 0)
		return fail(f, &e);
	for (i = 0; i < n; i++)
		printf("%s %llu %s %s %ld %ld %ld %ld %s %s\n", s[i].name, s[i].version, s[i].tag,
		       s[i].mode == DOCKER_MODE_REPLICATED ? "replicated"
		       : s[i].mode == DOCKER_MODE_GLOBAL   ? "global"
							   : "other",
		       s[i].replicas, s[i].running, s[i].desired, s[i].force_update,
		       *s[i].update_state ? s[i].update_state : "-",
		       *s[i].previous_tag ? s[i].previous_tag : "-");
	docker_services_free(s, n);
	return 0;
}

static int
tasks(long status, const char *b, size_t len)
{
	struct docker_task *t;
	struct err e;
	size_t n, i;

	if (docker_parse_tasks(status, b, len, &t, &n, &e) < 0)
		return fail(docker_parse_error(status, b, len, &e), &e);
	for (i = 0; i < n; i++)
		printf("%s %ld %s %s %s\n", t[i].id, t[i].slot, t[i].desired_state, t[i].state,
		       t[i].image);
	docker_tasks_free(t, n);
	return 0;
}

static int
groups(long status, const char *b, size_t len)
{
	struct docker_container *c;
	struct docker_group *g;
	struct err e;
	size_t n, ng, i;

	if (docker_parse_containers(status, b, len, &c, &n, &e) < 0)
		return fail(DOCKER_FAIL_OTHER, &e);
	ng = docker_group_containers(c, n, true, &g);
	for (i = 0; i < ng; i++)
		printf("%s %s %s %zu %ld %s\n", kind_name(g[i].kind), g[i].name,
		       *g[i].project ? g[i].project : "-", g[i].nmembers, g[i].running, g[i].tag);
	docker_groups_free(g, ng);
	docker_containers_free(c, n);
	return 0;
}

static int
cpu(const char *f1, const char *f2)
{
	struct docker_stats s1, s2;
	struct err e;
	size_t l1, l2;
	char *b1 = slurp(f1, &l1), *b2 = slurp(f2, &l2);

	if (docker_parse_stats(200, b1, l1, &s1, &e) < 0 ||
	    docker_parse_stats(200, b2, l2, &s2, &e) < 0)
		return fail(DOCKER_FAIL_OTHER, &e);
	printf("%.2f %.0f\n", docker_cpu_percent(&s1, &s2), s2.mem_used);
	free(b1);
	free(b2);
	return isnan(docker_cpu_percent(&s1, &s2)) ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct err e;
	size_t len;
	char *b;
	long status;
	int rc = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: see the top of docker_api_driver.c\n");
		return 2;
	}
	if (strcmp(argv[1], "is-read") == 0 && argc == 4) {
		enum http_method m = strcmp(argv[2], "GET") == 0    ? HTTP_GET
				     : strcmp(argv[2], "POST") == 0 ? HTTP_POST
								    : HTTP_DELETE;
		return docker_is_read(m, argv[3]) ? 0 : 1;
	}
	if (strcmp(argv[1], "cpu") == 0 && argc == 4)
		return cpu(argv[2], argv[3]);
	if (strcmp(argv[1], "scale") == 0 || strcmp(argv[1], "restart") == 0 ||
	    strcmp(argv[1], "rollback") == 0 || strcmp(argv[1], "image") == 0)
		return build(argc, argv);
	if (argc != 4) {
		fprintf(stderr, "driver: bad arguments\n");
		return 2;
	}
	status = atol(argv[2]);
	b = slurp(argv[3], &len);
	if (strcmp(argv[1], "services") == 0) {
		rc = services(status, b, len);
	} else if (strcmp(argv[1], "tasks") == 0) {
		rc = tasks(status, b, len);
	} else if (strcmp(argv[1], "groups") == 0) {
		rc = groups(status, b, len);
	} else if (strcmp(argv[1], "update") == 0) {
		enum docker_fail f;
		char *w;

		if (docker_parse_update(status, b, len, &w, &f, &e) < 0) {
			rc = fail(f, &e);
		} else {
			printf("updated%s%s\n", w ? ", warnings: " : "", w ? w : "");
			free(w);
			rc = 0;
		}
	} else if (strcmp(argv[1], "info") == 0) {
		struct docker_info i;

		if (docker_parse_info(status, b, len, &i, &e) < 0) {
			rc = fail(DOCKER_FAIL_OTHER, &e);
		} else {
			printf("%s\n", i.swarm_manager ? "manager" : "not-manager");
			docker_info_done(&i);
			rc = 0;
		}
	}
	free(b);
	return rc;
}
