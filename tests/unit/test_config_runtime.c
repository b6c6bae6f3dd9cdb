/*
 * test_config_runtime.c - tui/config: the keys of actions ([general]
 * confirm, audit_log, read_only, action_timeout) and of [docker]: values,
 * messages, the --read-only flag without an argument, DOCKER_* variables
 * and Docker's reading of DOCKER_TLS_VERIFY.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_test.h"
#include "xalloc.h"

static void
test_action_keys(void **state)
{
	static const char *const env[] = { "OPSDECK_READ_ONLY=yes", NULL };
	static const char *const bad_env[] = { "OPSDECK_READ_ONLY=perhaps", NULL };
	struct config *cfg;
	struct err e;

	(void)state;
	cfg = load_text("[general]\nconfirm = name\naudit_log = ~/audit.jsonl\n"
			"action_timeout = 90s\n",
			&e);
	assert_non_null(cfg);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_GENERAL_CONFIRM), "name");
	assert_int_equal(config_ms(cfg, CFG_GENERAL_ACTION_TIMEOUT), 90000);
	assert_non_null(getenv("HOME"));
	assert_ends_with(config_str(cfg, CFG_GENERAL_AUDIT_LOG), "/audit.jsonl");
	assert_int_equal(config_str(cfg, CFG_GENERAL_AUDIT_LOG)[0], '/');
	expect_printed(cfg, "confirm = name", "; config.ini:2");
	expect_printed(cfg, "action_timeout = 90s", "; config.ini:4");
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_true(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	assert_int_equal(config_source(cfg, CFG_GENERAL_READ_ONLY), CFG_SRC_ENV);
	expect_printed(cfg, "read_only = yes", "; env OPSDECK_READ_ONLY");
	config_free(cfg);

	cfg = config_new();
	fake_env = bad_env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), -1);
	assert_string_equal(e.msg, "environment variable OPSDECK_READ_ONLY: invalid boolean "
				   "'perhaps' for read_only (write true or false)");
	config_free(cfg);

	expect_load_error(
		"[general]\nconfirm = ask\n",
		"config.ini:2: invalid value 'ask' for confirm (choose one of: yes, name)");
	expect_load_error(
		"[general]\nconfirm = Name\n",
		"config.ini:2: invalid value 'Name' for confirm (choose one of: yes, name)");
	expect_load_error("[general]\naudit_log =\n",
			  "config.ini:2: empty file name for audit_log");
	expect_load_error(
		"[general]\nread_only = maybe\n",
		"config.ini:2: invalid boolean 'maybe' for read_only (write true or false)");
	expect_load_error(
		"[general]\naction_timeout = 0s\n",
		"config.ini:2: invalid duration '0s' for action_timeout (must be more than 0)");
	expect_load_error("[general]\naction_timeout = 2 minutes\n",
			  "config.ini:2: invalid duration '2 minutes' for action_timeout "
			  "(write e.g. 250ms, 2s, 5m, 1h)");
}

static void
test_audit_path(void **state)
{
	static const char *const xdg[] = { "XDG_STATE_HOME=/st", "HOME=/home/u", NULL };
	static const char *const rel[] = { "XDG_STATE_HOME=st", "HOME=/home/u", NULL };
	struct config *cfg = config_new();
	struct err e;
	char *path;

	(void)state;
	fake_env = xdg;
	path = config_audit_path(cfg, fake_getenv);
	assert_string_equal(path, "/st/opsdeck/audit.jsonl");
	free(path);
	fake_env = rel;
	path = config_audit_path(cfg, fake_getenv);
	assert_string_equal(path, "/home/u/.local/state/opsdeck/audit.jsonl");
	free(path);
	assert_null(config_audit_path(cfg, no_env));
	assert_int_equal(config_load_buffer(cfg, "[general]\naudit_log = /var/log/o.jsonl\n", 38,
					    "c.ini", &e),
			 0);
	path = config_audit_path(cfg, fake_getenv);
	assert_string_equal(path, "/var/log/o.jsonl");
	free(path);
	config_free(cfg);
}

static void
test_read_only_flag(void **state)
{
	static const char *const env[] = { "OPSDECK_READ_ONLY=true", NULL };
	struct config *cfg = config_new();
	struct err e;

	(void)state;
	assert_int_equal(config_key_by_flag("--read-only"), CFG_GENERAL_READ_ONLY);
	assert_int_equal(config_key_by_flag("--docker"), CFG_DOCKER_HOST);
	/* no argument on the command line: NULL means true */
	assert_int_equal(config_set_flag(cfg, "--read-only", NULL, &e), 0);
	assert_true(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	assert_int_equal(config_source(cfg, CFG_GENERAL_READ_ONLY), CFG_SRC_FLAG);
	expect_printed(cfg, "read_only = true", "; flag --read-only");
	/* what tui/main.c passes */
	assert_int_equal(config_set_flag(cfg, "--read-only", "true", &e), 0);
	assert_true(config_bool(cfg, CFG_GENERAL_READ_ONLY));
	assert_int_equal(config_set_flag(cfg, "--read-only", "sure", &e), -1);
	assert_string_equal(e.msg, "--read-only: invalid boolean 'sure' for read_only "
				   "(write true or false)");
	/* the flag beats the file and the environment */
	assert_int_equal(config_load_buffer(cfg, "[general]\nread_only = no\n", 25, "c.ini", &e),
			 0);
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	expect_printed(cfg, "read_only = true", "; flag --read-only");
	/* only a boolean flag may come without a value */
	assert_int_equal(config_set_flag(cfg, "--docker", NULL, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_string_equal(e.msg, "option '--docker' needs a value");
	assert_int_equal(config_set_flag(cfg, "--refresh", NULL, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_int_equal(config_set_flag(cfg, "--docker", "tcp://10.0.0.5:2376", &e), 0);
	expect_printed(cfg, "host = tcp://10.0.0.5:2376", "; flag --docker");
	config_free(cfg);
}

static void
expect_host_ok(const char *host)
{
	struct config *cfg = config_new();
	struct err e;

	if (config_set_flag(cfg, "--docker", host, &e) != 0)
		fail_msg("'%s' refused: %s", host, e.msg);
	assert_string_equal(config_str(cfg, CFG_DOCKER_HOST), host);
	config_free(cfg);
}

static void
expect_host_bad(const char *host)
{
	struct config *cfg = config_new();
	struct err e;
	char *want = xasprintf("--docker: invalid endpoint '%s' for host (write e.g. "
			       "unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or "
			       "ssh://deploy@build-host)",
			       host);

	if (config_set_flag(cfg, "--docker", host, &e) == 0)
		fail_msg("'%s' accepted", host);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, want);
	free(want);
	config_free(cfg);
}

static void
test_docker_host(void **state)
{
	static const char *const env[] = { "DOCKER_HOST=docker.sock", NULL };
	struct config *cfg;
	struct err e;

	(void)state;
	expect_host_ok("unix:///var/run/docker.sock");
	expect_host_ok("unix:///run/user/1000/podman/podman.sock");
	expect_host_ok("tcp://10.0.0.5:2376");
	expect_host_ok("tcp://docker.example.com:2375/");
	expect_host_ok("tcp://[::1]:2375");
	expect_host_ok("tcp://build-host");
	expect_host_ok("ssh://deploy@build-host");
	expect_host_ok("ssh://deploy@127.0.0.1:2222");
	expect_host_ok("ssh://build-host");
	expect_host_ok(""); /* explicitly no Docker */
	expect_host_bad("docker.sock");
	expect_host_bad("/var/run/docker.sock");
	expect_host_bad("unix://");
	expect_host_bad("unix://var/run/docker.sock");
	expect_host_bad("tcp://");
	expect_host_bad("tcp://:2375");
	expect_host_bad("tcp://h:0");
	expect_host_bad("tcp://h:65536");
	expect_host_bad("tcp://h:2375x");
	expect_host_bad("tcp://h:2375/v1.43");
	expect_host_bad("tcp://[::1");
	expect_host_bad("http://h:2375");
	expect_host_bad("npipe:////./pipe/docker_engine");
	expect_host_bad("ssh://@h");
	expect_host_bad("ssh://deploy@");
	expect_host_bad("ssh://deploy@h/path");
	expect_host_bad("tcp://h :2375");

	/* a password in ssh:// is refused without being echoed */
	cfg = config_new();
	assert_int_equal(config_set_flag(cfg, "--docker", "ssh://deploy:pw-Xq7@h", &e), -1);
	assert_string_equal(e.msg, "--docker: host must not contain a password "
				   "(ssh://user:password@host): let ssh use a key or the agent");
	config_free(cfg);

	/* DOCKER_HOST is checked like the flag */
	cfg = config_new();
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), -1);
	assert_string_equal(e.msg,
			    "environment variable DOCKER_HOST: invalid endpoint 'docker.sock' "
			    "for host (write e.g. unix:///var/run/docker.sock, "
			    "tcp://10.0.0.5:2376 or ssh://deploy@build-host)");
	config_free(cfg);
	expect_load_error("[docker]\nhost = tcp://h:99999\n",
			  "config.ini:2: invalid endpoint 'tcp://h:99999' for host (write e.g. "
			  "unix:///var/run/docker.sock, tcp://10.0.0.5:2376 or "
			  "ssh://deploy@build-host)");
}

static void
test_docker_keys(void **state)
{
	static const char *const env[] = {
		"DOCKER_HOST=unix:///run/docker.sock",
		"DOCKER_CONTEXT=prod-eu",
		"DOCKER_CERT_PATH=/etc/docker/certs",
		NULL,
	};
	struct config *cfg;
	struct err e;

	(void)state;
	cfg = load_text("[docker]\nhost = tcp://10.0.0.5:2376\ncontext = staging\nname = staging "
			"☁\ntimeout = 750ms\nmax_body = 1MiB\n",
			&e);
	assert_non_null(cfg);
	fake_env = env;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_int_equal(config_finalize(cfg, &e), 0);
	assert_string_equal(config_str(cfg, CFG_DOCKER_HOST), "unix:///run/docker.sock");
	assert_string_equal(config_str(cfg, CFG_DOCKER_CONTEXT), "prod-eu");
	assert_string_equal(config_str(cfg, CFG_DOCKER_CERT_PATH), "/etc/docker/certs");
	assert_string_equal(config_str(cfg, CFG_DOCKER_NAME), "staging ☁");
	assert_int_equal(config_ms(cfg, CFG_DOCKER_TIMEOUT), 750);
	assert_true(config_size(cfg, CFG_DOCKER_MAX_BODY) == 1024 * 1024);
	expect_printed(cfg, "host = unix:///run/docker.sock", "; env DOCKER_HOST");
	expect_printed(cfg, "context = prod-eu", "; env DOCKER_CONTEXT");
	expect_printed(cfg, "cert_path = /etc/docker/certs", "; env DOCKER_CERT_PATH");
	expect_printed(cfg, "name = staging ☁", "; config.ini:4");
	config_free(cfg);

	expect_load_error(
		"[docker]\ncontext = -prod\n",
		"config.ini:2: invalid context name '-prod' for context (a Docker context "
		"name: a letter or digit, then letters, digits, '_', '.', '+' or '-')");
	expect_load_error(
		"[docker]\ncontext = my ctx\n",
		"config.ini:2: invalid context name 'my ctx' for context (a Docker context "
		"name: a letter or digit, then letters, digits, '_', '.', '+' or '-')");
	expect_load_error("[docker]\ncontext = \"\"\n",
			  "config.ini:2: invalid context name '' for context (a Docker context "
			  "name: a letter or digit, then letters, digits, '_', '.', '+' or '-')");
	expect_load_error("[docker]\ncert_path =\n", "config.ini:2: empty file name for cert_path");
	expect_load_error(
		"[docker]\ntls_verify = sometimes\n",
		"config.ini:2: invalid boolean 'sometimes' for tls_verify (write true or false)");
	expect_load_error("[docker]\ntimeout = 0ms\n",
			  "config.ini:2: invalid duration '0ms' for timeout (must be more than 0)");
	expect_load_error(
		"[docker]\nmax_body = 0\n",
		"config.ini:2: invalid size '0' for max_body (write e.g. 512KiB, 32MiB, 1GiB)");
	expect_load_error("[docker]\nname =\n",
			  "config.ini:2: empty name in [docker] (write e.g. local)");
	expect_load_error("[docker]\nname = \"a\tb\"\n",
			  "config.ini:2: control character in the value of name");
	expect_load_error("[docker]\nname = caf\xe9\n",
			  "config.ini:2: invalid UTF-8 in the value of name");
	expect_load_error("[docker]\nname = \xed\xa0\x80\n",
			  "config.ini:2: invalid UTF-8 in the value of name");
	expect_load_error("[docker]\nnmae = x\n",
			  "config.ini:2: unknown key 'nmae' in [docker] (did you mean 'name'?)");
	expect_load_error("[doker]\nhost = unix:///x\n",
			  "config.ini:2: unknown section [doker] (did you mean [docker]?)");
	expect_load_error("[general]\nhost = unix:///x\n",
			  "config.ini:2: unknown key 'host' in [general] (it belongs in [docker])");
}

static void
test_docker_tls_verify_env(void **state)
{
	static const char *const zero[] = { "DOCKER_TLS_VERIFY=0", NULL };
	static const char *const no[] = { "DOCKER_TLS_VERIFY=false", NULL };
	static const char *const one[] = { "DOCKER_TLS_VERIFY=1", NULL };
	static const char *const empty[] = { "DOCKER_TLS_VERIFY=", NULL };
	static const char *const junk[] = { "DOCKER_TLS_VERIFY=whatever", NULL };
	struct config *cfg;
	struct err e;

	(void)state;
	/* as in Docker, any non-empty value turns TLS on, "0" and "false" too */
	cfg = load_text("[docker]\ntls_verify = false\n", &e);
	fake_env = zero;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_true(config_bool(cfg, CFG_DOCKER_TLS_VERIFY));
	assert_int_equal(config_source(cfg, CFG_DOCKER_TLS_VERIFY), CFG_SRC_ENV);
	expect_printed(cfg, "tls_verify = true",
		       "; env DOCKER_TLS_VERIFY=0 (Docker reads any value as true)");
	fake_env = no;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_true(config_bool(cfg, CFG_DOCKER_TLS_VERIFY));
	expect_printed(cfg, "tls_verify = true",
		       "; env DOCKER_TLS_VERIFY=false (Docker reads any value as true)");
	fake_env = junk;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_true(config_bool(cfg, CFG_DOCKER_TLS_VERIFY));
	fake_env = one;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_true(config_bool(cfg, CFG_DOCKER_TLS_VERIFY));
	expect_printed(cfg, "tls_verify = true", "; env DOCKER_TLS_VERIFY");
	config_free(cfg);

	/* an empty variable is unset: the file's value stands */
	cfg = load_text("[docker]\ntls_verify = false\n", &e);
	fake_env = empty;
	assert_int_equal(config_load_env(cfg, fake_getenv, &e), 0);
	assert_false(config_bool(cfg, CFG_DOCKER_TLS_VERIFY));
	assert_int_equal(config_source(cfg, CFG_DOCKER_TLS_VERIFY), CFG_SRC_FILE);
	config_free(cfg);
}

static void
test_docker_cert_path(void **state)
{
	struct config *cfg;
	struct err e;
	char *file, *dir, *text;

	(void)state;
	/* checked only when TLS is on */
	cfg = load_text("[docker]\ncert_path = /nonexistent/certs\n", &e);
	assert_int_equal(config_finalize(cfg, &e), 0);
	config_free(cfg);
	expect_finalize_error("[docker]\ncert_path = /nonexistent/certs\ntls_verify = true\n",
			      "cannot read cert_path '/nonexistent/certs' ([docker]): "
			      "No such file or directory");
	file = temp_file("not a directory\n", 0600);
	text = xasprintf("[docker]\ntls_verify = yes\ncert_path = %s\n", file);
	cfg = load_text(text, &e);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_non_null(strstr(e.msg, "is not a directory: name the directory holding ca.pem, "
				      "cert.pem and key.pem"));
	config_free(cfg);
	free(text);
	dir = xstrdup(file);
	*strrchr(dir, '/') = '\0';
	text = xasprintf("[docker]\ntls_verify = yes\ncert_path = %s\n", dir);
	cfg = load_text(text, &e);
	assert_int_equal(config_finalize(cfg, &e), 0);
	config_free(cfg);
	free(text);
	free(dir);
	remove_temp(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_keys),
		cmocka_unit_test(test_audit_path),
		cmocka_unit_test(test_read_only_flag),
		cmocka_unit_test(test_docker_host),
		cmocka_unit_test(test_docker_keys),
		cmocka_unit_test(test_docker_tls_verify_env),
		cmocka_unit_test(test_docker_cert_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
