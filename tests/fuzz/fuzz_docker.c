/*
 * fuzz_docker.c - libFuzzer harness for the Docker Engine parsers and the
 * update builders.
 *
 * Every input goes to each parser under the statuses the daemon and proxies
 * answer with, and the results are checked for the parsers' promises:
 * empty output and a "docker: " message on failure, a failure class that
 * matches the status, sorted services, container rows that account for
 * every container, CPU % that is NAN or finite and not negative.  The input
 * is also handed to each update builder as the service read: a body it
 * builds must be a JSON object and the path must carry ?version=.  The
 * corpus holds the captured fixtures verbatim, so the replay driver
 * re-checks them on every `make test`.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docker.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(strncmp(e->msg, "docker: ", 8) == 0);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
}

static void
services(long status, const char *body, size_t len)
{
	struct docker_service *s;
	enum docker_fail f;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (docker_parse_services(status, body, len, &s, &n, &f, &e) < 0) {
		check_err(&e);
		CHECK(s == NULL && n == 0 && f != DOCKER_FAIL_NONE);
		return;
	}
	CHECK(f == DOCKER_FAIL_NONE && status >= 200 && status <= 299);
	for (i = 0; i < n; i++) {
		CHECK(s[i].id && s[i].name && s[i].image && s[i].tag && s[i].update_state);
		CHECK(s[i].update_message && s[i].previous_image && s[i].previous_tag);
		CHECK(s[i].mode == DOCKER_MODE_REPLICATED || s[i].replicas == -1);
		if (i > 0)
			CHECK(strcmp(s[i - 1].name, s[i].name) <= 0);
	}
	docker_services_free(s, n);
}

static void
tasks(long status, const char *body, size_t len)
{
	struct docker_task *t;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (docker_parse_tasks(status, body, len, &t, &n, &e) < 0) {
		check_err(&e);
		CHECK(t == NULL && n == 0);
		return;
	}
	for (i = 0; i < n; i++)
		CHECK(t[i].id && t[i].state && t[i].error && t[i].container_id && t[i].node_id);
	CHECK(docker_task_restarts(t, n, NULL) <= (long)n);
	docker_tasks_free(t, n);
}

static void
containers(long status, const char *body, size_t len)
{
	struct docker_container *c;
	struct docker_group *g;
	struct err e;
	size_t n, i, ng, members;
	int pass;

	err_clear(&e);
	if (docker_parse_containers(status, body, len, &c, &n, &e) < 0) {
		check_err(&e);
		CHECK(c == NULL && n == 0);
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		ng = docker_group_containers(c, n, pass == 0, &g);
		members = 0;
		for (i = 0; i < ng; i++) {
			CHECK(g[i].nmembers > 0 && g[i].name && g[i].project && g[i].tag);
			CHECK((size_t)(g[i].running + g[i].restarting) <= g[i].nmembers);
			members += g[i].nmembers;
		}
		CHECK(members <= n);
		if (pass == 1)
			CHECK(members == n);
		docker_groups_free(g, ng);
	}
	docker_containers_free(c, n);
}

static void
singles(long status, const char *body, size_t len)
{
	struct docker_info i;
	struct docker_version v;
	struct docker_container_detail d;
	struct docker_stats s;
	struct err e;
	char *w;
	enum docker_fail f;
	double pct;

	if (docker_parse_info(status, body, len, &i, &e) == 0)
		docker_info_done(&i);
	else {
		check_err(&e);
		CHECK(i.name == NULL);
	}
	if (docker_parse_version(status, body, len, &v, &e) == 0)
		docker_version_done(&v);
	else {
		check_err(&e);
		CHECK(v.version == NULL);
	}
	if (docker_parse_container(status, body, len, &d, &e) == 0)
		docker_container_detail_done(&d);
	else {
		check_err(&e);
		CHECK(d.id == NULL);
	}
	if (docker_parse_stats(status, body, len, &s, &e) == 0) {
		struct docker_stats prev = s;

		prev.cpu_total /= 2;
		prev.cpu_system /= 2;
		prev.read -= 1;
		pct = docker_cpu_percent(&prev, &s);
		CHECK(isnan(pct) || (pct >= 0 && isfinite(pct)));
	} else {
		check_err(&e);
	}
	if (docker_parse_update(status, body, len, &w, &f, &e) == 0) {
		CHECK(f == DOCKER_FAIL_NONE);
		free(w);
	} else {
		check_err(&e);
		CHECK(w == NULL && f != DOCKER_FAIL_NONE);
	}
	err_clear(&e);
	f = docker_parse_error(status, body, len, &e);
	CHECK((f == DOCKER_FAIL_NONE) == (status >= 200 && status <= 299));
	if (f != DOCKER_FAIL_NONE)
		check_err(&e);
}

static void
check_request(int rc, struct docker_request *r, const struct err *e)
{
	json_t *j;

	if (rc < 0) {
		check_err(e);
		CHECK(r->path == NULL && r->body == NULL);
		return;
	}
	CHECK(r->method == HTTP_POST && strstr(r->path, "/update?version=") != NULL);
	CHECK(!docker_is_read(r->method, r->path));
	j = json_loads(r->body, 0, NULL);
	CHECK(json_is_object(j));
	json_decref(j);
	docker_request_done(r);
}

static void
builders(const char *body, size_t len)
{
	struct docker_request r;
	struct err e;

	check_request(docker_scale_request(body, len, 3, &r, &e), &r, &e);
	check_request(docker_restart_request(body, len, &r, &e), &r, &e);
	check_request(docker_rollback_request(body, len, &r, &e), &r, &e);
	check_request(docker_image_request(body, len, "local/busybox:2", &r, &e), &r, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 404, 500, 503, 400, 401, 502 };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *nul = malloc(size + 1);
	size_t i;

	if (size > 0)
		memcpy(body, data, size);
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		services(statuses[i], body, size);
		tasks(statuses[i], body, size);
		containers(statuses[i], body, size);
		singles(statuses[i], body, size);
	}
	builders(body, size);
	/* the allow-list and the small helpers on the input as text */
	memcpy(nul, data, size);
	nul[size] = '\0';
	(void)docker_is_read(HTTP_GET, nul);
	free(docker_image_tag(nul));
	(void)docker_parse_time(nul);
	free(nul);
	free(body);
	return 0;
}
