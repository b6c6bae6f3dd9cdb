/*
 * test_docker_endpoint.c - which Docker daemon opsdeck talks to: a fake
 * ~/.docker tree in a temporary HOME (config.json, contexts/meta/DIR/
 * meta.json, contexts/tls/DIR/docker/ca.pem ...), a fake environment and the
 * configuration's own sources.  Covers the current context, a named context
 * (file and DOCKER_CONTEXT), the context "default", an unknown context, TLS
 * files of a context and of cert_path, ssh:// parts, and the precedence
 * flag > environment > file > context > default socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "config_test.h"
#include "docker_endpoint.h"

static char home[64];      /* the fake HOME */
static char sock[96];      /* the fake default socket (exists when made) */
static char home_env[96];  /* "HOME=..." */
static const char *env[8]; /* the fake environment, NULL-terminated */

/* ---- the fake tree ----------------------------------------------------- */

static void
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	mkdir(p, 0700);
	free(p);
}

/* Write text to HOME/rel, creating directories. */
static void
put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", home, rel), *slash = strrchr(path, '/');
	FILE *f;

	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* A context named name in meta/<dir>, with host (NULL: no Docker endpoint). */
static void
put_context(const char *dir, const char *name, const char *host, bool skip)
{
	char *rel = xasprintf(".docker/contexts/meta/%s/meta.json", dir);
	char *text =
		host != NULL
			? xasprintf("{\"Name\":\"%s\",\"Metadata\":{},\"Endpoints\":{\"docker\":"
				    "{\"Host\":\"%s\",\"SkipTLSVerify\":%s}}}",
				    name, host, skip ? "true" : "false")
			: xasprintf("{\"Name\":\"%s\",\"Metadata\":{},\"Endpoints\":{}}", name);

	put(rel, text);
	free(rel);
	free(text);
}

static void
make_socket(void)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd); /* the file stays: that is all "exists" means */
}

static int
rm_tree(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(home, sizeof home, "/tmp/opsdeck-dep-XXXXXX");
	assert_non_null(mkdtemp(home));
	snprintf(sock, sizeof sock, "%s/default.sock", home);
	snprintf(home_env, sizeof home_env, "HOME=%s", home);
	memset(env, 0, sizeof env);
	env[0] = home_env;
	fake_env = env;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fake_env = NULL;
	return rm_tree(home) == 0 ? 0 : -1;
}

/* ---- resolving ----------------------------------------------------------- */

/* new: a finalized config from text, the fake environment and an optional flag. */
static struct config *
cfg_from(const char *text, const char *flag_host)
{
	struct err e;
	struct config *cfg = load_text(text != NULL ? text : "", &e);

	if (cfg == NULL)
		fail_msg("load: %s", e.msg);
	if (config_load_env(cfg, fake_getenv, &e) < 0)
		fail_msg("env: %s", e.msg);
	if (flag_host != NULL && config_set_flag(cfg, "--docker", flag_host, &e) < 0)
		fail_msg("flag: %s", e.msg);
	if (config_finalize(cfg, &e) < 0)
		fail_msg("finalize: %s", e.msg);
	return cfg;
}

/* Resolve; fails the test on an error. */
static void
resolve_ok(struct docker_endpoint *de, const char *text, const char *flag_host)
{
	struct config *cfg = cfg_from(text, flag_host);
	struct err e;

	err_clear(&e);
	if (docker_endpoint_resolve(de, cfg, fake_getenv, sock, &e) < 0)
		fail_msg("resolve: %s", e.msg);
	config_free(cfg);
}

/* Resolving fails with ERR_CONFIG and a message; new. */
static char *
resolve_err(const char *text)
{
	struct config *cfg = cfg_from(text, NULL);
	struct docker_endpoint de;
	struct err e;

	err_clear(&e);
	assert_int_equal(docker_endpoint_resolve(&de, cfg, fake_getenv, sock, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_int_equal(de.kind, DOCKER_EP_NONE);
	assert_null(de.url);
	config_free(cfg);
	return xstrdup(e.msg);
}

static char *
home_path(const char *rel)
{
	return xasprintf("%s/%s", home, rel);
}

static void
assert_home_path(const char *got, const char *rel)
{
	char *want = home_path(rel);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_default_socket(void **state)
{
	struct docker_endpoint de;
	char *want;

	(void)state;
	resolve_ok(&de, NULL, NULL);
	assert_int_equal(de.kind, DOCKER_EP_NONE); /* no socket, nothing configured */
	assert_null(de.url);
	assert_string_equal(de.origin, "the default socket");
	docker_endpoint_done(&de);

	make_socket();
	resolve_ok(&de, NULL, NULL);
	assert_int_equal(de.kind, DOCKER_EP_UNIX);
	want = xasprintf("unix://%s", sock);
	assert_string_equal(de.url, want);
	free(want);
	assert_null(de.context);
	docker_endpoint_done(&de);
	docker_endpoint_done(&de); /* twice is harmless */
	docker_endpoint_done(NULL);

	/* a config.json without currentContext changes nothing */
	put(".docker/config.json", "{\"auths\":{}}");
	resolve_ok(&de, NULL, NULL);
	assert_int_equal(de.kind, DOCKER_EP_UNIX);
	docker_endpoint_done(&de);
}

static void
test_current_context(void **state)
{
	struct docker_endpoint de;

	(void)state;
	put(".docker/config.json", "{\"currentContext\":\"prod\"}");
	put_context("0a1b", "staging", "unix:///run/staging.sock", false);
	put_context("9f8e", "prod", "tcp://prod.example.com:2376", false);
	put(".docker/contexts/meta/broken/meta.json", "{not json"); /* hides only itself */
	put(".docker/contexts/tls/9f8e/docker/ca.pem", "CA\n");
	put(".docker/contexts/tls/9f8e/docker/cert.pem", "CERT\n");
	put(".docker/contexts/tls/9f8e/docker/key.pem", "KEY\n");
	resolve_ok(&de, NULL, NULL);
	assert_int_equal(de.kind, DOCKER_EP_TCP);
	assert_string_equal(de.url, "https://prod.example.com:2376");
	assert_home_path(de.ca_file, ".docker/contexts/tls/9f8e/docker/ca.pem");
	assert_home_path(de.cert_file, ".docker/contexts/tls/9f8e/docker/cert.pem");
	assert_home_path(de.key_file, ".docker/contexts/tls/9f8e/docker/key.pem");
	assert_false(de.insecure);
	assert_string_equal(de.context, "prod");
	assert_string_equal(de.origin, "context 'prod'");
	docker_endpoint_done(&de);

	/* no TLS data: plain http on Docker's plain port */
	put(".docker/config.json", "{\"currentContext\":\"lab\"}");
	put_context("lab", "lab", "tcp://10.0.0.7", false);
	resolve_ok(&de, NULL, NULL);
	assert_string_equal(de.url, "http://10.0.0.7:2375");
	assert_null(de.ca_file);
	assert_null(de.cert_file);
	docker_endpoint_done(&de);

	/* SkipTLSVerify: https without verification, as the docker command does */
	put_context("lab", "lab", "tcp://10.0.0.7:2376/", true);
	resolve_ok(&de, NULL, NULL);
	assert_string_equal(de.url, "https://10.0.0.7:2376");
	assert_true(de.insecure);
	docker_endpoint_done(&de);

	/* a context without a Docker host is the default socket's */
	put_context("lab", "lab", NULL, false);
	make_socket();
	resolve_ok(&de, NULL, NULL);
	assert_int_equal(de.kind, DOCKER_EP_UNIX);
	assert_string_equal(de.context, "lab");
	assert_ends_with(de.url, "/default.sock");
	docker_endpoint_done(&de);
}

static void
test_named_context(void **state)
{
	struct docker_endpoint de;

	(void)state;
	put(".docker/config.json", "{\"currentContext\":\"prod\"}");
	put_context("p", "prod", "unix:///run/prod.sock", false);
	put_context("s", "staging", "ssh://deploy@stage.example.com:2222", false);
	put_context("u", "unix-only", "unix:///run/u.sock", false);

	/* [docker] context beats currentContext */
	resolve_ok(&de, "[docker]\ncontext = staging\n", NULL);
	assert_int_equal(de.kind, DOCKER_EP_SSH);
	assert_null(de.url);
	assert_string_equal(de.ssh_dest, "deploy@stage.example.com");
	assert_string_equal(de.ssh_port, "2222");
	assert_string_equal(de.ssh_socket, "/var/run/docker.sock");
	assert_string_equal(de.context, "staging");
	docker_endpoint_done(&de);

	/* DOCKER_CONTEXT beats the file, and ssh_socket is read */
	env[1] = "DOCKER_CONTEXT=unix-only";
	resolve_ok(&de, "[docker]\ncontext = staging\nssh_socket = /run/user/1000/docker.sock\n",
		   NULL);
	assert_int_equal(de.kind, DOCKER_EP_UNIX);
	assert_string_equal(de.url, "unix:///run/u.sock");
	assert_string_equal(de.origin, "context 'unix-only'");
	docker_endpoint_done(&de);

	env[1] = "DOCKER_CONTEXT=staging";
	resolve_ok(&de, "[docker]\nssh_socket = /run/user/1000/docker.sock\n", NULL);
	assert_string_equal(de.ssh_socket, "/run/user/1000/docker.sock");
	docker_endpoint_done(&de);
}

static void
test_default_context(void **state)
{
	struct docker_endpoint de;

	(void)state;
	put(".docker/config.json", "{\"currentContext\":\"default\"}");
	resolve_ok(&de, NULL, NULL);
	assert_int_equal(de.kind, DOCKER_EP_NONE); /* the default socket is not there */
	docker_endpoint_done(&de);
	make_socket();
	resolve_ok(&de, NULL, NULL);
	assert_int_equal(de.kind, DOCKER_EP_UNIX);
	assert_string_equal(de.context, "default");
	assert_string_equal(de.origin, "the default socket");
	docker_endpoint_done(&de);
	/* named "default" explicitly, though currentContext says otherwise */
	put(".docker/config.json", "{\"currentContext\":\"gone\"}");
	resolve_ok(&de, "[docker]\ncontext = default\n", NULL);
	assert_int_equal(de.kind, DOCKER_EP_UNIX);
	docker_endpoint_done(&de);
}

static void
test_context_errors(void **state)
{
	char *msg, *want;

	(void)state;
	put_context("p", "prod", "unix:///run/prod.sock", false);
	msg = resolve_err("[docker]\ncontext = nope\n");
	assert_string_equal(msg, "docker context 'nope' not found in ~/.docker/contexts — run "
				 "`docker context ls`, or set [docker] context or host");
	free(msg);

	put(".docker/config.json", "{\"currentContext\":\"missing\"}");
	msg = resolve_err(NULL);
	assert_string_equal(msg, "docker context 'missing' not found in ~/.docker/contexts — run "
				 "`docker context ls`, or set [docker] context or host");
	free(msg);

	put(".docker/config.json", "{\"currentContext\": ");
	msg = resolve_err(NULL);
	assert_true(strncmp(msg, "docker: cannot read ~/.docker/config.json: ", 43) == 0);
	assert_ends_with(msg, "— fix it, or set [docker] host or context");
	free(msg);

	put(".docker/config.json", "[1]");
	msg = resolve_err(NULL);
	assert_string_equal(msg, "docker: ~/.docker/config.json is not a JSON object — fix it, "
				 "or set [docker] host or context");
	free(msg);

	put(".docker/config.json", "{}");
	put_context("w", "windows", "npipe:////./pipe/docker_engine", false);
	msg = resolve_err("[docker]\ncontext = windows\n");
	assert_string_equal(msg, "docker: endpoint 'npipe:////./pipe/docker_engine' from context "
				 "'windows' is not unix:///path, tcp://host[:port] or "
				 "ssh://[user@]host[:port] — fix it, or set [docker] host");
	free(msg);

	put_context("w", "bad-ssh", "ssh://deploy@host:99999", false);
	msg = resolve_err("[docker]\ncontext = bad-ssh\n");
	assert_true(strstr(msg, "'ssh://deploy@host:99999' from context 'bad-ssh'") != NULL);
	free(msg);

	/* a certificate without its key */
	put_context("t", "tls", "tcp://h:2376", false);
	put(".docker/contexts/tls/t/docker/cert.pem", "CERT\n");
	msg = resolve_err("[docker]\ncontext = tls\n");
	assert_string_equal(msg, "docker: ~/.docker/contexts/tls/t/docker/cert.pem is there but "
				 "~/.docker/contexts/tls/t/docker/key.pem is missing — run "
				 "`docker context inspect tls`");
	free(msg);

	/* ssh_socket must be absolute */
	put_context("s", "ssh", "ssh://h", false);
	msg = resolve_err("[docker]\ncontext = ssh\nssh_socket = docker.sock\n");
	assert_string_equal(msg, "[docker] ssh_socket 'docker.sock' is not an absolute path — "
				 "name the Docker socket on the remote host, e.g. "
				 "/var/run/docker.sock");
	free(msg);

	/* DOCKER_CONFIG moves the whole tree */
	want = xasprintf("DOCKER_CONFIG=%s/elsewhere", home);
	env[1] = want;
	msg = resolve_err("[docker]\ncontext = prod\n");
	assert_true(strstr(msg, "not found in ~/elsewhere/contexts") != NULL);
	free(msg);
	env[1] = NULL;
	free(want);
}

static void
test_docker_config_dir(void **state)
{
	struct docker_endpoint de;
	char *dc = xasprintf("DOCKER_CONFIG=%s/cfgdir", home);

	(void)state;
	put("cfgdir/config.json", "{\"currentContext\":\"x\"}");
	put("cfgdir/contexts/meta/x/meta.json",
	    "{\"Name\":\"x\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///run/x.sock\"}}}");
	put(".docker/config.json", "{\"currentContext\":\"ignored\"}");
	env[1] = dc;
	resolve_ok(&de, NULL, NULL);
	assert_string_equal(de.url, "unix:///run/x.sock");
	docker_endpoint_done(&de);
	env[1] = NULL;
	free(dc);
}

static void
test_tls_cert_path(void **state)
{
	struct docker_endpoint de;
	char *text, *msg;

	(void)state;
	put("certs/ca.pem", "CA\n");
	put("certs/cert.pem", "CERT\n");
	put("certs/key.pem", "KEY\n");
	text = xasprintf("[docker]\nhost = tcp://docker.example.com\ncert_path = %s/certs\n", home);
	env[1] = "DOCKER_TLS_VERIFY=1";
	resolve_ok(&de, text, NULL);
	assert_int_equal(de.kind, DOCKER_EP_TCP);
	assert_string_equal(de.url, "https://docker.example.com:2376");
	assert_home_path(de.ca_file, "certs/ca.pem");
	assert_home_path(de.cert_file, "certs/cert.pem");
	assert_home_path(de.key_file, "certs/key.pem");
	assert_false(de.insecure);
	assert_string_equal(de.origin, "[docker] host");
	docker_endpoint_done(&de);

	/* without tls_verify: plain http, no files */
	env[1] = NULL;
	resolve_ok(&de, text, NULL);
	assert_string_equal(de.url, "http://docker.example.com:2375");
	assert_null(de.ca_file);
	docker_endpoint_done(&de);
	free(text);

	/* the default cert directory is ~/.docker; only the files there are used */
	env[1] = "DOCKER_TLS_VERIFY=1";
	env[2] = "DOCKER_HOST=tcp://[::1]:3376";
	put(".docker/ca.pem", "CA\n");
	resolve_ok(&de, NULL, NULL);
	assert_string_equal(de.url, "https://[::1]:3376");
	assert_home_path(de.ca_file, ".docker/ca.pem");
	assert_null(de.cert_file);
	assert_null(de.key_file);
	assert_string_equal(de.origin, "DOCKER_HOST");
	docker_endpoint_done(&de);

	/* a key without its certificate, in DOCKER_CERT_PATH */
	put("half/key.pem", "KEY\n");
	text = xasprintf("DOCKER_CERT_PATH=%s/half", home);
	env[3] = text;
	msg = resolve_err(NULL);
	assert_string_equal(msg, "docker: ~/half/key.pem is there but ~/half/cert.pem is missing "
				 "— set [docker] cert_path (DOCKER_CERT_PATH) to the directory "
				 "holding ca.pem, cert.pem and key.pem");
	free(msg);
	free(text);

	/* an explicit cert_path with none of the files */
	put("empty/README", "nothing here\n");
	text = xasprintf("DOCKER_CERT_PATH=%s/empty", home);
	env[3] = text;
	msg = resolve_err(NULL);
	assert_string_equal(msg, "docker: none of ca.pem, cert.pem and key.pem in ~/empty — set "
				 "[docker] cert_path (DOCKER_CERT_PATH) to the directory holding "
				 "ca.pem, cert.pem and key.pem");
	free(msg);
	free(text);
	env[1] = env[2] = env[3] = NULL;
}

static void
test_ssh_host(void **state)
{
	struct docker_endpoint de;

	(void)state;
	resolve_ok(&de, "[docker]\nhost = ssh://build-host\n", NULL);
	assert_int_equal(de.kind, DOCKER_EP_SSH);
	assert_string_equal(de.ssh_dest, "build-host");
	assert_null(de.ssh_port);
	assert_null(de.context);
	docker_endpoint_done(&de);

	resolve_ok(&de, NULL, "ssh://root@[::1]:2222/");
	assert_string_equal(de.ssh_dest, "root@::1");
	assert_string_equal(de.ssh_port, "2222");
	assert_string_equal(de.origin, "--docker");
	docker_endpoint_done(&de);

	/* TLS settings do not apply to ssh:// or unix:// */
	env[1] = "DOCKER_TLS_VERIFY=1";
	resolve_ok(&de, NULL, "unix:///run/docker.sock");
	assert_string_equal(de.url, "unix:///run/docker.sock");
	assert_null(de.ca_file);
	docker_endpoint_done(&de);
	env[1] = NULL;
}

static void
test_precedence(void **state)
{
	static const char file[] = "[docker]\nhost = unix:///file.sock\n";
	struct docker_endpoint de;
	char *cj;

	(void)state;
	put(".docker/config.json", "{\"currentContext\":\"ctx\"}");
	put_context("c", "ctx", "unix:///context.sock", false);
	make_socket();

	env[1] = "DOCKER_HOST=unix:///env.sock";
	resolve_ok(&de, file, "unix:///flag.sock");
	assert_string_equal(de.url, "unix:///flag.sock");
	assert_string_equal(de.origin, "--docker");
	docker_endpoint_done(&de);

	resolve_ok(&de, file, NULL);
	assert_string_equal(de.url, "unix:///env.sock");
	assert_string_equal(de.origin, "DOCKER_HOST");
	docker_endpoint_done(&de);

	env[1] = NULL;
	resolve_ok(&de, file, NULL);
	assert_string_equal(de.url, "unix:///file.sock");
	assert_string_equal(de.origin, "[docker] host");
	assert_null(de.context);
	docker_endpoint_done(&de);

	/* a host in the file beats a context, even a named one */
	resolve_ok(&de, "[docker]\nhost = unix:///file.sock\ncontext = ctx\n", NULL);
	assert_string_equal(de.url, "unix:///file.sock");
	docker_endpoint_done(&de);

	resolve_ok(&de, NULL, NULL);
	assert_string_equal(de.url, "unix:///context.sock");
	docker_endpoint_done(&de);

	cj = home_path(".docker/config.json");
	unlink(cj);
	free(cj);
	resolve_ok(&de, NULL, NULL);
	assert_ends_with(de.url, "/default.sock");
	docker_endpoint_done(&de);

	/* host = "" turns Docker off, whatever else is there */
	resolve_ok(&de, "[docker]\nhost =\ncontext = ctx\n", NULL);
	assert_int_equal(de.kind, DOCKER_EP_NONE);
	assert_null(de.url);
	docker_endpoint_done(&de);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_current_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_config_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_cert_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssh_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
