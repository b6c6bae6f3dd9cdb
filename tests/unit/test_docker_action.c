/*
 * test_docker_action.c - one Swarm update done the safe way (tui/docker_action)
 * against a scripted Docker daemon (docker_action_test.h), when it works,
 * and the action's life cycle:
 *
 *   - the update is built from the service as read (?version=N, the Spec
 *     with only the change made) and sent once;
 *   - "update out of sequence" reads again and retries exactly once, with
 *     the new version and a Spec built from the new read;
 *   - a cancelled action never calls back, and leaks nothing (ASan);
 *   - an action that cannot start says so without a callback.
 *
 * The failures (a second "out of sequence", timeouts, the daemon's
 * refusals, read-only mode) are in test_docker_action_fail.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "docker.h"
#include "docker_action.h"
#include "http.h"
#include "docker_action_test.h"

/* ---- tests ----------------------------------------------------------------- */

/* (a) GET, then one POST with ?version=N from the GET and the Spec with replicas changed. */
static void
test_scale_ok(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep;
	struct outcome o;

	(void)state;
	daemon_add_fixture(&dmn, "service_plain");
	daemon_add_fixture(&dmn, "update_ok");
	daemon_start(&dmn);
	ep = endpoint(&dmn);
	run_action(h, &ep, "inventory", OP_SCALE, 3, &o);
	assert_true(o.r.ok);
	assert_false(o.r.unknown);
	assert_int_equal(o.r.fail, DOCKER_FAIL_NONE);
	assert_int_equal(o.r.err.code, ERR_OK);
	assert_int_equal(o.r.attempts, 1);
	assert_false(o.had_warnings); /* "Warnings":null */
	http_free(h);

	daemon_stop(&dmn);
	assert_int_equal(dmn.nrec, 2);
	assert_get(&dmn.rec[0], "inventory");
	assert_update(&dmn.rec[1], dmn.steps[0].body, "version=20", replicas_3);
	assert_string_equal(op_kind_name(OP_SCALE), "scale");
	assert_string_equal(op_kind_name(OP_RESTART), "restart");
	assert_string_equal(op_kind_name(OP_ROLLBACK), "rollback");
}

/* Restart: ForceUpdate + 1; the daemon's warnings come back verbatim. */
static void
test_restart_warnings(void **state)
{
	static const char warning[] =
		"image local/busybox:1 could not be accessed on a registry to record\n"
		"its digest. Each node will access local/busybox:1 independently,\n"
		"possibly leading to different nodes running different\n"
		"versions of the image.\n";
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep;
	struct outcome o;
	json_t *w = json_pack("{s:[s]}", "Warnings", warning);
	char *wbody = json_dumps(w, JSON_COMPACT);

	(void)state;
	json_decref(w);
	daemon_add_fixture(&dmn, "service_plain");
	daemon_add(&dmn, REPLY_ANSWER, 200, wbody);
	daemon_start(&dmn);
	ep = endpoint(&dmn);
	run_action(h, &ep, "inventory", OP_RESTART, 0, &o);
	assert_true(o.r.ok);
	assert_int_equal(o.r.attempts, 1);
	assert_true(o.had_warnings);
	assert_string_equal(o.warnings, warning);
	http_free(h);

	daemon_stop(&dmn);
	assert_int_equal(dmn.nrec, 2);
	assert_get(&dmn.rec[0], "inventory");
	assert_update(&dmn.rec[1], dmn.steps[0].body, "version=20", force_update_1);
}

/* (b) out of sequence once: a second read, a second POST with the new version and Spec. */
static void
test_out_of_sequence_retried_once(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep;
	struct outcome o;

	(void)state;
	daemon_add_fixture(&dmn, "service_plain");
	daemon_add_fixture(&dmn, "error_out_of_sequence");
	daemon_add(&dmn, REPLY_ANSWER, 200, service_updated_elsewhere());
	daemon_add_fixture(&dmn, "update_ok");
	assert_int_equal(dmn.steps[1].status, 500);
	daemon_start(&dmn);
	ep = endpoint(&dmn);
	run_action(h, &ep, "inventory", OP_SCALE, 3, &o);
	assert_true(o.r.ok);
	assert_false(o.r.unknown);
	assert_int_equal(o.r.err.code, ERR_OK);
	assert_int_equal(o.r.attempts, 2);
	http_free(h);

	daemon_stop(&dmn);
	assert_int_equal(dmn.nrec, 4);
	assert_get(&dmn.rec[0], "inventory");
	assert_update(&dmn.rec[1], dmn.steps[0].body, "version=20", replicas_3);
	assert_get(&dmn.rec[2], "inventory");
	/* built from the second read: its version, its label, replicas 2 -> 3 */
	assert_update(&dmn.rec[3], dmn.steps[2].body, "version=23", replicas_3);
	assert_non_null(strstr(dmn.rec[3].body, "\"owner\":\"team-b\""));
}

/* (h) cancelled while the read is in flight: no callback, no update sent, nothing leaked. */
static void
test_cancel_during_read(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep;
	struct outcome o;
	struct docker_action *a;

	(void)state;
	daemon_add(&dmn, REPLY_HOLD, 200, fixture("service_plain", &(int){ 0 }));
	daemon_add_fixture(&dmn, "update_ok");
	daemon_start(&dmn);
	ep = endpoint(&dmn);
	memset(&o, 0, sizeof o);
	a = docker_action_start(h, &ep, "inventory", OP_SCALE, 3, on_done, &o, &e);
	assert_non_null(a);
	drive(h, &dmn, saw_get, &dmn, 20000);
	docker_action_cancel(a);
	daemon_go(&dmn);
	drive(h, &dmn, idle, h, 20000);
	assert_int_equal(o.calls, 0);
	http_free(h);

	daemon_stop(&dmn);
	assert_int_equal(dmn.nrec, 1);
	assert_int_equal(count(&dmn, "POST"), 0);
}

/* Cancelled while the update is in flight: the answer arrives, no callback, nothing leaked. */
static void
test_cancel_during_update(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep;
	struct outcome o;
	struct docker_action *a;

	(void)state;
	daemon_add_fixture(&dmn, "service_plain");
	daemon_add(&dmn, REPLY_HOLD, 500, fixture("error_out_of_sequence", &(int){ 0 }));
	daemon_add_fixture(&dmn, "service_plain");
	daemon_add_fixture(&dmn, "update_ok");
	daemon_start(&dmn);
	ep = endpoint(&dmn);
	memset(&o, 0, sizeof o);
	a = docker_action_start(h, &ep, "inventory", OP_SCALE, 3, on_done, &o, &e);
	assert_non_null(a);
	drive(h, &dmn, saw_post, &dmn, 20000);
	docker_action_cancel(a);
	daemon_go(&dmn); /* "out of sequence": a cancelled action must not read again */
	drive(h, &dmn, idle, h, 20000);
	assert_int_equal(o.calls, 0);
	http_free(h);

	daemon_stop(&dmn);
	assert_int_equal(dmn.nrec, 2);
	assert_int_equal(count(&dmn, "POST"), 1);
}

/* A request that will never answer: http_free drops it, abandon frees the handle. */
static void
test_abandon_after_free(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep;
	struct outcome o;
	struct docker_action *a;

	(void)state;
	daemon_add(&dmn, REPLY_HANG, 0, NULL);
	daemon_start(&dmn);
	ep = endpoint(&dmn);
	memset(&o, 0, sizeof o);
	a = docker_action_start(h, &ep, "inventory", OP_RESTART, 0, on_done, &o, &e);
	assert_non_null(a);
	drive(h, &dmn, saw_get, &dmn, 20000);
	http_free(h);
	docker_action_abandon(a);
	assert_int_equal(o.calls, 0);
	docker_action_cancel(NULL);
	docker_action_abandon(NULL);
}

/* A request that cannot start: NULL, e filled, no callback, nothing sent. */
static void
test_start_fails_without_callback(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep;
	struct outcome o;

	(void)state;
	daemon_start(&dmn);
	ep = endpoint(&dmn);
	ep.url = "ftp://127.0.0.1/";
	memset(&o, 0, sizeof o);
	err_clear(&e);
	assert_null(docker_action_start(h, &ep, "inventory", OP_SCALE, 3, on_done, &o, &e));
	assert_int_equal(e.code, ERR_CONFIG);
	assert_int_equal(http_pending(h), 0);
	assert_int_equal(o.calls, 0);
	http_free(h);
	daemon_stop(&dmn);
	assert_int_equal(dmn.nrec, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_scale_ok, daemon_teardown),
		cmocka_unit_test_teardown(test_restart_warnings, daemon_teardown),
		cmocka_unit_test_teardown(test_out_of_sequence_retried_once, daemon_teardown),
		cmocka_unit_test_teardown(test_cancel_during_read, daemon_teardown),
		cmocka_unit_test_teardown(test_cancel_during_update, daemon_teardown),
		cmocka_unit_test_teardown(test_abandon_after_free, daemon_teardown),
		cmocka_unit_test_teardown(test_start_fails_without_callback, daemon_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
