/*
 * test_elasticsearch_errors.c - the Elasticsearch error answers: the error bodies in the shapes
 * of the 7.x / 8.x / OpenSearch 2.x documentation (tests/fixtures/
 * elasticsearch), long reasons, and answers that are not search answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elasticsearch.h"
#include "es_test.h"

/* ---- errors ------------------------------------------------------------ */

static void
expect_error(const char *name, enum err_code code, const char *const *parts)
{
	struct es_hits h;
	struct err e;
	size_t len;
	long st;
	char *b = fixture(name, &len, &st);

	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), -1);
	assert_null(h.hits);
	assert_int_equal(h.n, 0);
	if (e.code != code)
		fail_msg("%s: code %s, message %s", name, err_code_name(e.code), e.msg);
	assert_true(strncmp(e.msg, "elasticsearch: ", 15) == 0);
	for (; *parts != NULL; parts++)
		if (strstr(e.msg, *parts) == NULL)
			fail_msg("%s: \"%s\" not in \"%s\"", name, *parts, e.msg);
	assert_true(valid_utf8(e.msg, strlen(e.msg)));
	/* the error parser says the same */
	{
		struct err e2;

		assert_int_equal(elasticsearch_parse_error(st, b, len, &e2), -1);
		assert_string_equal(e.msg, e2.msg);
	}
	free(b);
}

static void
test_error_bodies(void **state)
{
	static const char *const parsing[] = { "elasticsearch: parsing_exception: [query_string] "
					       "unknown token [START_ARRAY] after "
					       "[query]",
					       NULL };
	static const char *const shard[] = {
		"elasticsearch: search_phase_execution_exception: all shards failed; "
		"query_shard_exception: Failed to parse query [level:(error]; parse_exception: "
		"Cannot parse 'level:(error': Encountered \"<EOF>\" at line 1, column 12.",
		NULL
	};
	static const char *const notfound[] = {
		"elasticsearch: index_not_found_exception: no such "
		"index [logs-missing] — check [elasticsearch] index",
		NULL
	};
	static const char *const security[] = {
		"elasticsearch: security_exception: missing authentication credentials for REST "
		"request [/logs-*/_search] — set [elasticsearch] token_file, username + "
		"password_file, or api_key_file",
		NULL
	};
	static const char *const forbidden[] = { "security_exception: action "
						 "[indices:data/read/search] is unauthorized",
						 "check [elasticsearch] index", NULL };
	static const char *const rejected[] = { "elasticsearch: es_rejected_execution_exception: "
						"rejected execution of",
						"Retry-After", NULL };
	static const char *const circuit[] = {
		"circuit_breaking_exception: [parent] Data too large", "Retry-After", NULL
	};
	static const char *const html[] = { "HTTP 502 Bad Gateway with a non-JSON body (starts "
					    "with '<html>...')",
					    "[elasticsearch] url", NULL };
	static const char *const os401[] = { "HTTP 401 Unauthorized (body starts with "
					     "'Unauthorized')",
					     "api_key_file", NULL };
	static const char *const fielddata[] = {
		"illegal_argument_exception: Fielddata is disabled on [service.name]",
		"— [service.name] is a text field: set [elasticsearch] service_field or "
		"tiebreak_field to its keyword sub-field (service.name.keyword)",
		NULL
	};
	static const char *const legacy[] = { "elasticsearch: IndexMissingException[[logs-x] "
					      "missing]",
					      NULL };

	(void)state;
	expect_error("error_parsing", ERR_BACKEND, parsing);
	expect_error("error_query_shard", ERR_BACKEND, shard);
	expect_error("error_index_not_found", ERR_BACKEND, notfound);
	expect_error("error_security", ERR_AUTH, security);
	expect_error("error_forbidden", ERR_AUTH, forbidden);
	expect_error("error_rejected", ERR_BACKEND, rejected);
	expect_error("error_circuit_breaking", ERR_BACKEND, circuit);
	expect_error("error_html_502", ERR_PARSE, html);
	expect_error("error_opensearch_401", ERR_AUTH, os401);
	expect_error("error_legacy_string", ERR_BACKEND, legacy);
	expect_error("error_fielddata", ERR_BACKEND, fielddata);
}

static void
test_error_long_reason_keeps_advice(void **state)
{
	struct buf_s {
		char b[4096];
	} *big = malloc(sizeof *big);
	struct err e;
	size_t i, n;

	(void)state;
	n = (size_t)snprintf(big->b, sizeof big->b,
			     "{\"error\":{\"type\":\"security_exception\",\"reason\":\"");
	for (i = 0; i < 900; i++)
		n += (size_t)snprintf(big->b + n, sizeof big->b - n, "한");
	n += (size_t)snprintf(big->b + n, sizeof big->b - n,
			      "\",\"root_cause\":[{\"type\":\"x\",\"reason\":\"other\"}]},"
			      "\"status\":401}");
	assert_int_equal(elasticsearch_parse_error(401, big->b, n, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_true(valid_utf8(e.msg, strlen(e.msg)));
	assert_non_null(strstr(e.msg, "api_key_file"));
	assert_non_null(strstr(e.msg, "; x: other"));
	free(big);
}

static void
test_not_search_answers(void **state)
{
	static const struct {
		long status;
		const char *body;
		enum err_code code;
		const char *part;
	} cases[] = {
		{ 200, "", ERR_PARSE, "empty body" },
		{ 200, "<html><body>login</body></html>", ERR_PARSE, "non-JSON body" },
		{ 200, "{\"hits\":{\"total\":3,\"hits\":[{\"_id\":", ERR_PARSE, "malformed JSON" },
		{ 200, "[1,2]", ERR_PARSE, "not a JSON object" },
		{ 200, "{\"name\":\"es01\",\"tagline\":\"You Know, for Search\"}", ERR_PARSE,
		  "no \"hits\"" },
		{ 200, "{\"hits\":{\"hits\":{}}}", ERR_PARSE, "no \"hits\"" },
		{ 200, "{\"hits\":{\"hits\":[1]}}", ERR_PARSE, "not an object" },
		{ 200, "{\"hits\":{\"hits\":[{\"_source\":[]}]}}", ERR_PARSE, "not an object" },
		{ 200, "{\"error\":{\"type\":\"x\",\"reason\":\"y\"},\"status\":500}", ERR_BACKEND,
		  "x: y" },
		{ 404, "{\"_index\":\"a\",\"found\":false}", ERR_HTTP, "HTTP 404 Not Found" },
		{ 503, "", ERR_HTTP, "HTTP 503 Service Unavailable with an empty body" },
		{ 504, "", ERR_TIMEOUT, "504" },
		{ 429, "", ERR_BACKEND, "Retry-After" },
		{ 403, "Forbidden", ERR_AUTH, "read access" },
		{ 500, "{\"error\":{}}", ERR_BACKEND, "error: (no reason)" },
	};
	struct es_hits h;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err_clear(&e);
		assert_int_equal(elasticsearch_parse_hits(cases[i].status, cases[i].body,
							  strlen(cases[i].body), NULL, 0, &h, &e),
				 -1);
		if (e.code != cases[i].code || strstr(e.msg, cases[i].part) == NULL)
			fail_msg("case %zu: %s: %s", i, err_code_name(e.code), e.msg);
		assert_null(h.hits);
	}
	/* NULL body */
	assert_int_equal(elasticsearch_parse_hits(200, NULL, 5, NULL, 0, &h, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_bodies),
		cmocka_unit_test(test_error_long_reason_keeps_advice),
		cmocka_unit_test(test_not_search_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
