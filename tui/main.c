/*
 * main.c - command line: the console, `opsdeck snapshot` and `opsdeck config`.
 *
 * Exit status: 0 success; 1 usage or configuration error; 2 snapshot with a
 * failing backend; 128+N when ended by signal N.  With --check anywhere on
 * the command line: snapshot's health verdict (0 OK, 1 WARN, 2 CRIT, 3
 * UNKNOWN), and 3 for usage and configuration errors.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "parse.h"
#include "setup.h"
#include "snapshot.h"
#include "term.h"
#include "xalloc.h"

enum {
	OPT_NO_COLOR = 256,
	OPT_DEBUG_LOG,
	OPT_SCREEN,
	OPT_FORMAT,
	OPT_WIDTH,
	OPT_HEIGHT,
	OPT_TIMEOUT,
	OPT_QUERY,
	OPT_SINCE,
	OPT_CONFIG_FLAG,
	OPT_CONTEXT,
	OPT_ECS_CLUSTER,
	OPT_WALL,
	OPT_ENV,
	OPT_NO_MOUSE,
	OPT_CHECK,
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "prometheus", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "refresh", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "docker", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "elasticsearch", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "zipkin", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "namespace", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "all-namespaces", no_argument, NULL, 'A' },
	{ "ecs-cluster", required_argument, NULL, OPT_ECS_CLUSTER },
	{ "alertmanager", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "read-only", no_argument, NULL, OPT_CONFIG_FLAG },
	{ "theme", required_argument, NULL, OPT_CONFIG_FLAG },
	{ "wall", no_argument, NULL, OPT_WALL },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "debug-log", required_argument, NULL, OPT_DEBUG_LOG },
	{ "screen", required_argument, NULL, OPT_SCREEN },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "height", required_argument, NULL, OPT_HEIGHT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "query", required_argument, NULL, OPT_QUERY },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fputs("usage: opsdeck [OPTIONS]                 the interactive console\n"
	      "       opsdeck snapshot [OPTIONS]        print one screen and exit\n"
	      "       opsdeck config [OPTIONS]          print the effective configuration\n"
	      "\n"
	      "Options (accepted before or after the command word):\n"
	      "  -c, --config FILE       config file (default "
	      "$XDG_CONFIG_HOME/opsdeck/config.ini)\n"
	      "      --prometheus URL    Prometheus base URL (env OPSDECK_PROMETHEUS_URL)\n"
	      "      --refresh DURATION  poll interval, e.g. 2s (env OPSDECK_REFRESH)\n"
	      "      --docker HOST       Docker endpoint: unix:///path, tcp://host:port or\n"
	      "                          ssh://user@host (env DOCKER_HOST)\n"
	      "      --elasticsearch URL Elasticsearch base URL for logs\n"
	      "                          (env OPSDECK_ELASTICSEARCH_URL)\n"
	      "      --zipkin URL        Zipkin base URL for traces and topology\n"
	      "                          (env OPSDECK_ZIPKIN_URL)\n"
	      "      --context NAME      kubeconfig context to watch; repeat it, or separate\n"
	      "                          names by commas, for several (default: the\n"
	      "                          current-context of KUBECONFIG or ~/.kube/config)\n"
	      "      --namespace NS      Kubernetes namespace (default: the context's)\n"
	      "  -A, --all-namespaces    every Kubernetes namespace\n"
	      "      --ecs-cluster NAME  Amazon ECS cluster (name or ARN) to watch; repeat it,\n"
	      "                          or separate names by commas, for several (AWS\n"
	      "                          credentials and region as the AWS CLI finds them:\n"
	      "                          AWS_PROFILE, AWS_REGION, ~/.aws/config)\n"
	      "      --alertmanager URL  Alertmanager base URL for alerts and silences\n"
	      "                          (env OPSDECK_ALERTMANAGER_URL)\n"
	      "      --env NAME          environment: the [env \"NAME\"] section's backends\n"
	      "                          (env OPSDECK_ENV)\n"
	      "      --read-only         refuse every action: scale, restart, roll back, silence\n"
	      "                          (env OPSDECK_READ_ONLY)\n"
	      "      --wall              wall monitor: read-only, rotating screens, banners\n"
	      "      --theme NAME        default, light, high-contrast or mono\n"
	      "                          (env OPSDECK_THEME)\n"
	      "      --no-mouse          leave the mouse to the terminal (select text as usual)\n"
	      "      --no-color          attributes only, no colours (also NO_COLOR=1)\n"
	      "      --debug-log FILE    append one line per HTTP request to FILE\n"
	      "  -h, --help              show this help\n"
	      "  -V, --version           show the version\n"
	      "\n"
	      "Snapshot options:\n"
	      "      --screen NAME       screen to print: overview (default), service:NAME\n"
	      "                          (one service's detail), logs, traces, trace:ID (the\n"
	      "                          waterfall), topology, alerts, or all (every screen\n"
	      "                          in order under headings, and the detail of the\n"
	      "                          services not OK)\n"
	      "      --query QUERY       logs: Lucene query_string (default: everything);\n"
	      "                          traces: the search, e.g. 'service=payments >250ms error'\n"
	      "      --since DURATION    logs, traces, topology: the range up to now, e.g. 15m\n"
	      "      --format FMT        text (default), ansi, markdown or json (one object:\n"
	      "                          {schema: 1, generated_at, env, backends, screens:\n"
	      "                          {NAME: {...}}}; see SNAPSHOT JSON in opsdeck(1))\n"
	      "      --width N           columns for text/ansi (default: terminal or 120)\n"
	      "      --height N          rows for text/ansi (default: terminal or 40)\n"
	      "      --timeout DURATION  wait at most this long for every backend (default 10s)\n"
	      "      --check             exit status as a health verdict: 0 OK, 1 WARN, 2 CRIT,\n"
	      "                          3 UNKNOWN (a backend unreachable, a usage or config\n"
	      "                          error); CRIT wins over UNKNOWN, UNKNOWN over WARN;\n"
	      "                          one line per problem on stderr\n"
	      "  Snapshot exits 0 when every configured backend answered, 2 when any\n"
	      "  failed (the output still names the failure), 1 on usage errors.\n"
	      "\n"
	      "Secrets never go on the command line: use token_file / password_file /\n"
	      "api_key_file in the config, or OPSDECK_PROMETHEUS_TOKEN,\n"
	      "OPSDECK_PROMETHEUS_PASSWORD, OPSDECK_ELASTICSEARCH_TOKEN,\n"
	      "OPSDECK_ELASTICSEARCH_PASSWORD, OPSDECK_ELASTICSEARCH_API_KEY,\n"
	      "OPSDECK_ZIPKIN_TOKEN, OPSDECK_ZIPKIN_PASSWORD, OPSDECK_ALERTMANAGER_TOKEN,\n"
	      "OPSDECK_ALERTMANAGER_PASSWORD.\n"
	      "In the console, press ? for keys.  See opsdeck(1).\n",
	      f);
}

static int
usage_error(const char *msg)
{
	fprintf(stderr, "opsdeck: %s\nTry 'opsdeck --help' for usage.\n", msg);
	return 1;
}

/*
 * Whether --check is among the options (looked for before the parse, which
 * may fail): then a usage or configuration error exits 3 (UNKNOWN), so a
 * monitoring check never reads a broken invocation as WARN.
 */
static bool
argv_has_check(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--check") == 0)
			return true;
	return false;
}

struct flag_value {
	const char *flag;
	const char *value;
};

struct cli {
	const char *command;     /* NULL = console */
	const char *config_path; /* --config */
	struct flag_value flags[16];
	size_t nflags;
	bool no_color;
	const char *debug_log;
	const char *screen, *format, *width, *height, *timeout, *query, *since;
	char *contexts;      /* owned: every --context, joined by commas */
	char *clusters;      /* owned: every --ecs-cluster, joined by commas */
	bool all_namespaces; /* -A */
	bool wall, no_mouse, check;
	const char *env; /* --env */
};

static int
parse_cli(int argc, char **argv, struct cli *cli)
{
	int ch, idx;
	char msg[256];

	memset(cli, 0, sizeof *cli);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:hVA", longopts, &idx)) != -1) {
		switch (ch) {
		case 'c':
			cli->config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("opsdeck %s\n", OPSDECK_VERSION);
			exit(0);
		case OPT_CONFIG_FLAG:
			if (cli->nflags < sizeof cli->flags / sizeof cli->flags[0]) {
				cli->flags[cli->nflags].flag = longopts[idx].name;
				/* A flag without an argument (--read-only) sets true. */
				cli->flags[cli->nflags].value = optarg != NULL ? optarg : "true";
				cli->nflags++;
			}
			break;
		case OPT_CONTEXT:
		case OPT_ECS_CLUSTER: {
			/* Repeatable: the config key holds one comma list. */
			char **list = ch == OPT_CONTEXT ? &cli->contexts : &cli->clusters;
			char *joined =
				*list == NULL ? xstrdup(optarg) : xasprintf("%s,%s", *list, optarg);

			free(*list);
			*list = joined;
			break;
		}
		case 'A':
			cli->all_namespaces = true;
			break;
		case OPT_WALL:
			cli->wall = true;
			break;
		case OPT_ENV:
			cli->env = optarg;
			break;
		case OPT_NO_MOUSE:
			cli->no_mouse = true;
			break;
		case OPT_CHECK:
			cli->check = true;
			break;
		case OPT_NO_COLOR:
			cli->no_color = true;
			break;
		case OPT_DEBUG_LOG:
			cli->debug_log = optarg;
			break;
		case OPT_SCREEN:
			cli->screen = optarg;
			break;
		case OPT_FORMAT:
			cli->format = optarg;
			break;
		case OPT_WIDTH:
			cli->width = optarg;
			break;
		case OPT_HEIGHT:
			cli->height = optarg;
			break;
		case OPT_TIMEOUT:
			cli->timeout = optarg;
			break;
		case OPT_QUERY:
			cli->query = optarg;
			break;
		case OPT_SINCE:
			cli->since = optarg;
			break;
		case ':':
			snprintf(msg, sizeof msg, "option '%s' needs a value", argv[optind - 1]);
			return usage_error(msg);
		default:
			if (optopt != 0 && strncmp(argv[optind - 1], "--", 2) == 0)
				snprintf(msg, sizeof msg, "option '%.*s' takes no value",
					 (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			else if (optopt != 0)
				snprintf(msg, sizeof msg, "unknown option '-%c'", optopt);
			else
				snprintf(msg, sizeof msg, "unknown option '%s'", argv[optind - 1]);
			return usage_error(msg);
		}
	}
	if (optind < argc)
		cli->command = argv[optind++];
	if (optind < argc) {
		snprintf(msg, sizeof msg, "unexpected argument '%s'", argv[optind]);
		return usage_error(msg);
	}
	if (cli->command != NULL && strcmp(cli->command, "snapshot") != 0 &&
	    strcmp(cli->command, "config") != 0) {
		snprintf(msg, sizeof msg, "unknown command '%s' (commands: snapshot, config)",
			 cli->command);
		return usage_error(msg);
	}
	if ((cli->command == NULL || strcmp(cli->command, "snapshot") != 0) &&
	    (cli->screen || cli->format || cli->width || cli->height || cli->timeout ||
	     cli->query || cli->since || cli->check))
		return usage_error("--screen, --format, --width, --height, --timeout, --query, "
				   "--since and --check belong to 'opsdeck snapshot'");
	if (cli->wall && cli->command != NULL)
		return usage_error("--wall is a way to run the console: drop the command word");
	return 0;
}

/*
 * Load cfg from the file, the environment env ([env "NAME"]; NULL: none;
 * env_from + env starts its messages: "--env ", "OPSDECK_ENV="), the environment
 * variables and the flags, then finalize.  -1 with e filled.
 */
static int
load_config_env(const struct cli *cli, const char *env, const char *env_from, struct config *cfg,
		char **path_out, struct err *e)
{
	bool explicit_path = false;
	char *path = config_default_path(cli->config_path, getenv, &explicit_path);
	size_t i;
	char flag[64];

	*path_out = path;
	if (path != NULL && config_load_file(cfg, path, explicit_path, e) < 0)
		return -1;
	if (config_select_env(cfg, env, e) < 0)
		return err_prefix(e, "%s%s", env_from, env);
	if (config_load_env(cfg, getenv, e) < 0)
		return -1;
	for (i = 0; i < cli->nflags; i++) {
		snprintf(flag, sizeof flag, "--%s", cli->flags[i].flag);
		if (config_set_flag(cfg, flag, cli->flags[i].value, e) < 0)
			return -1;
	}
	if (cli->contexts != NULL && config_set_flag(cfg, "--context", cli->contexts, e) < 0)
		return -1;
	if (cli->clusters != NULL && config_set_flag(cfg, "--ecs-cluster", cli->clusters, e) < 0)
		return -1;
	/* The wall can change nothing: both read-only guards are on. */
	if (cli->wall && config_set_flag(cfg, "--read-only", "true", e) < 0)
		return -1;
	/* As in kubectl, -A wins over --namespace. */
	if (cli->all_namespaces && config_set_flag(cfg, "--namespace", "*", e) < 0)
		return -1;
	return config_finalize(cfg, e);
}

/* load_config_env() for --env, else OPSDECK_ENV; the error on stderr. */
static int
load_config(const struct cli *cli, struct config *cfg, char **path_out)
{
	const char *env = cli->env != NULL ? cli->env : getenv("OPSDECK_ENV");
	struct err e;

	if (load_config_env(cli, env, cli->env != NULL ? "--env " : "OPSDECK_ENV=", cfg, path_out,
			    &e) < 0) {
		fprintf(stderr, "opsdeck: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static bool
color_wanted(const struct cli *cli, const struct setup *s)
{
	const char *nc = getenv("NO_COLOR");

	return !cli->no_color && !s->mono && (nc == NULL || *nc == '\0');
}

/* A snapshot's usage error: 1, or 3 (UNKNOWN) under --check. */
static int
snapshot_usage(const struct cli *cli, const char *msg)
{
	usage_error(msg);
	return cli->check ? 3 : 1;
}

static int
run_snapshot(const struct cli *cli, const struct setup *s, const char *env, FILE *debug_log)
{
	struct snapshot_options o;
	struct err e;
	struct buf out, problems;
	struct winsize ws;
	long n;
	int status;

	memset(&o, 0, sizeof o);
	o.setup = s;
	o.screen = cli->screen ? cli->screen : "overview";
	o.query = cli->query;
	o.check = cli->check;
	o.env = env;
	o.since = cli->since;
	o.width = 120;
	o.height = 40;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		o.width = ws.ws_col;
		o.height = ws.ws_row;
	}
	o.timeout_ms = 10000;
	o.format = SNAP_TEXT;
	if (cli->format && snapshot_parse_format(cli->format, &o.format, &e) < 0)
		return snapshot_usage(cli, e.msg);
	if (cli->width) {
		if (parse_long(cli->width, 20, 1000, &n, &e) < 0)
			return snapshot_usage(cli, e.msg);
		o.width = (int)n;
	}
	if (cli->height) {
		if (parse_long(cli->height, 5, 1000, &n, &e) < 0)
			return snapshot_usage(cli, e.msg);
		o.height = (int)n;
	}
	if (cli->timeout && parse_duration_ms(cli->timeout, &o.timeout_ms, &e) < 0)
		return snapshot_usage(cli, e.msg);
	o.color = color_wanted(cli, s);
	o.ascii = !term_locale_utf8();
	o.debug_log = debug_log;
	buf_init(&out);
	buf_init(&problems);
	status = snapshot_run(&o, &out, &problems, &e);
	if (status < 0) {
		buf_done(&out);
		buf_done(&problems);
		return snapshot_usage(cli, e.msg);
	}
	fwrite(out.data, 1, out.len, stdout);
	fflush(stdout);
	fwrite(problems.data, 1, problems.len, stderr);
	buf_done(&out);
	buf_done(&problems);
	return status;
}

/*
 * The console, run again on another environment after each ":env NAME":
 * the configuration is loaded anew from the same sources with the new
 * NAME and set up before the old one is let go, so a NAME that fails
 * leaves the console on the environment it was on, the error on its
 * status line.  *cfg, *path and *cur are replaced by the current ones
 * (first: main's setup, which the caller frees; the others are freed here
 * as they are left, the current one by the caller).
 */
static int
run_console(const struct cli *cli, FILE *debug_log, struct config **cfg, char **path,
	    struct setup *first, struct setup **cur)
{
	char want[128], notice[ERR_MSG_MAX + 160] = "";
	bool notice_error = false;
	struct err e;
	int status = 0;

	for (;;) {
		struct app_options o = { *cur, color_wanted(cli, *cur), debug_log };
		struct config *ncfg;
		struct setup *ns;
		char *npath = NULL;

		o.wall = cli->wall;
		o.mouse = !cli->no_mouse && config_bool(*cfg, CFG_GENERAL_MOUSE);
		want[0] = '\0';
		o.switch_env = want;
		o.switch_env_size = sizeof want;
		o.notice = notice[0] != '\0' ? notice : NULL;
		o.notice_error = notice_error;
		if (app_run(&o, &status, &e) < 0) {
			fprintf(stderr, "opsdeck: %s\n", e.msg);
			return 1;
		}
		if (want[0] == '\0' || status != 0)
			return status;
		ncfg = config_new();
		ns = xcalloc(1, sizeof *ns);
		if (load_config_env(cli, want, ":env ", ncfg, &npath, &e) < 0 ||
		    setup_init(ns, ncfg, npath, &e) < 0) {
			snprintf(notice, sizeof notice, "still on %s: env %s: %s",
				 (*cur)->env_name != NULL ? (*cur)->env_name : "default", want,
				 e.msg);
			notice_error = true;
			config_free(ncfg);
			free(npath);
			free(ns);
			continue;
		}
		if (*cur != first) {
			setup_done(*cur);
			free(*cur);
			config_free(*cfg);
			free(*path);
		}
		/* else main's: the caller frees it (with the first cfg, kept until then) */
		*cur = ns;
		*cfg = ncfg;
		*path = npath;
		snprintf(notice, sizeof notice, "environment %s%s", want,
			 ns->env_protected
				 ? " (protected: type the service's name to confirm an action)"
				 : "");
		notice_error = false;
	}
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct config *cfg;
	struct setup s, *cur = &s;
	struct err e;
	char *path = NULL;
	FILE *debug_log = NULL;
	int status = 0, fail;

	setlocale(LC_ALL, "");
	fail = argv_has_check(argc, argv) ? 3 : 1;
	if (parse_cli(argc, argv, &cli) != 0) {
		free(cli.contexts);
		free(cli.clusters);
		return fail;
	}
	cfg = config_new();
	if (load_config(&cli, cfg, &path) < 0) {
		config_free(cfg);
		free(path);
		free(cli.contexts);
		free(cli.clusters);
		return fail;
	}
	/* cli.contexts and cli.clusters are kept: :env loads the flags again. */
	if (cli.command != NULL && strcmp(cli.command, "config") == 0) {
		struct buf out;

		buf_init(&out);
		if (path != NULL)
			buf_printf(&out, "; config file: %s\n", path);
		config_print(cfg, &out);
		fwrite(out.data, 1, out.len, stdout);
		buf_done(&out);
		config_free(cfg);
		free(path);
		free(cli.contexts);
		free(cli.clusters);
		return 0;
	}
	if (setup_init(&s, cfg, path, &e) < 0) {
		fprintf(stderr, "opsdeck: %s\n", e.msg);
		config_free(cfg);
		free(path);
		free(cli.contexts);
		free(cli.clusters);
		return fail;
	}
	if (cli.debug_log != NULL) {
		debug_log = fopen(cli.debug_log, "a");
		if (debug_log == NULL) {
			fprintf(stderr, "opsdeck: cannot open --debug-log %s: %s\n", cli.debug_log,
				strerror(errno));
			status = fail;
			goto out;
		}
		setvbuf(debug_log, NULL, _IOLBF, 0);
	}
	if (cli.command != NULL) {
		status = run_snapshot(&cli, &s, config_env_selected(cfg), debug_log);
	} else {
		struct config *first_cfg = cfg;
		char *first_path = path;

		status = run_console(&cli, debug_log, &cfg, &path, &s, &cur);
		if (cur != &s) {
			/* left for another environment: the first one goes too */
			setup_done(cur);
			free(cur);
			config_free(cfg);
			free(path);
			cfg = first_cfg;
			path = first_path;
		}
	}
out:
	if (debug_log != NULL)
		fclose(debug_log);
	setup_done(&s);
	config_free(cfg);
	free(path);
	free(cli.contexts);
	free(cli.clusters);
	return status;
}
