/*
 * setup.h - turn the effective configuration into what the running parts
 * need: poll settings with expanded PromQL, the thresholds, the Prometheus,
 * Docker, Kubernetes, ECS and Elasticsearch endpoints, the logs settings.  Shared by the
 * console and snapshot so both poll alike.
 */
#ifndef OPSDECK_TUI_SETUP_H
#define OPSDECK_TUI_SETUP_H

#include "actions.h"
#include "alerts_settings.h"
#include "config.h"
#include "docker_endpoint.h"
#include "docker_poll.h"
#include "ecs_endpoint.h"
#include "ecs_poll.h"
#include "k8s_endpoint.h"
#include "k8s_poll.h"
#include "logs_settings.h"
#include "traces_settings.h"
#include "model.h"
#include "poller.h"
#include "ssh_tunnel.h"
#include "wall.h"

struct setup {
	struct poll_settings poll; /* points into the fields below and cfg */
	struct thresholds th;
	char *queries[PROM_METRIC_COUNT]; /* owned: expanded templates */
	char *auth_hint;                  /* owned */
	size_t max_services;
	bool mono;                               /* theme = mono */
	const struct theme_entry *theme;         /* [general] theme: a canvas_theme_* table */
	char *config_path;                       /* owned; the file looked for, or NULL */
	bool docker;                             /* a Docker endpoint is configured */
	struct docker_poll_settings docker_poll; /* points into the fields below and cfg */
	char *docker_url;                        /* owned */
	struct docker_endpoint docker_ep;        /* owned: where docker_url came from */
	struct ssh_tunnel *docker_tunnel;        /* owned: for ssh://, else NULL */
	char *docker_auth_hint;                  /* owned */
	struct k8s_endpoint **k8s;               /* owned: one per Kubernetes context */
	size_t nk8s;
	char k8s_note[ERR_MSG_MAX + 96];   /* why an unasked-for kubeconfig was left out; "" */
	struct k8s_poll_settings k8s_poll; /* for every context: its ep is NULL here */
	struct ecs_endpoint **ecs;         /* owned: one per ECS cluster */
	size_t necs;
	struct ecs_poll_settings ecs_poll; /* for every cluster: its ep is NULL here */
	struct actions_settings actions;   /* points into cfg */
	struct logs_settings logs;         /* points into the fields below and cfg */
	struct traces_settings traces;     /* points into the fields below and cfg */
	struct alerts_settings alerts;     /* [alertmanager], [alerts]; points into cfg */
	char *traces_auth_hint;            /* owned */
	char *logs_auth_hint;              /* owned */
	const char **logs_headers;         /* owned array; items: cfg's, then the next */
	char *logs_api_key_header;         /* owned secret: "Authorization: ApiKey ..." */
	const struct config *cfg;          /* borrowed */
	/*
	 * The environment actions hit: the [env] selected, "default" when
	 * there are [env] sections but none is selected, else NULL (borrowed
	 * from cfg or static).  A protected one makes every action confirmed
	 * by typing the service's name (actions.confirm_name).
	 */
	const char *env_name;
	bool env_protected;
	struct wall_settings wall;         /* [wall]: the --wall rotation and density */
};

/*
 * Fill s from cfg (finalized).  cfg is borrowed and must outlive s: the
 * endpoints' strings point into it.  s->logs.enabled is whether an
 * Elasticsearch URL is configured; its endpoint carries the [elasticsearch]
 * headers plus, for an API key, an "Authorization: ApiKey" header owned by
 * s (a secret: setup_done wipes it).  Fails on an unknown preset, a
 * Docker endpoint that cannot be resolved (docker_endpoint.h), or a
 * kubeconfig that cannot be read or a context that does not resolve
 * (k8s_endpoint.h), or an [ecs] cluster whose AWS profile, region or
 * credentials cannot be resolved (ecs_endpoint.h; ECS is on when [ecs]
 * cluster names one or more).  Kubernetes is on when [kubernetes] is configured
 * (kubeconfig, context or namespace from the file or a flag), else when
 * the kubeconfig ($KUBECONFIG, else ~/.kube/config) exists and names a
 * current-context; [kubernetes] kubeconfig = "" turns it off.  For an
 * ssh:// endpoint it starts ssh (ssh_tunnel.h), without waiting for it;
 * setup_done stops it.  [wall] screens naming an unknown screen fails too
 * (wall.h).  On failure nothing is left to undo.
 */
int setup_init(struct setup *s, const struct config *cfg, const char *config_path, struct err *e);
void setup_done(struct setup *s);

#endif
