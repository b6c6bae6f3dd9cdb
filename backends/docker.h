/*
 * docker.h - the Docker Engine API (1.41) with Swarm: request paths, pure
 * response parsers, mutating request builders and the read-only allow-list.
 *
 * Works against dockerd 20.10+ and, for the containers API, Podman's
 * Docker-compatible service (its /services answers 404 "page not found").
 * Paths carry the API version ("/v1.41/..."); pass them to http_submit()
 * with an endpoint url of unix:///run/docker.sock or http(s)://host:port.
 *
 * Parsers are pure functions of (status, body, len).  A Docker error body
 * {"message": "..."} is reported verbatim as "docker: <message>" and
 * classified (enum docker_fail) so callers can act on it: re-read and retry
 * once on DOCKER_FAIL_OUT_OF_SEQUENCE, show the runtime as "not a Swarm
 * manager" on DOCKER_FAIL_NOT_MANAGER.  Codes: ERR_BACKEND for Docker's own
 * errors, ERR_AUTH for 401/403, ERR_PARSE for bodies that are not the API's
 * JSON (the message names the status and the body's first bytes).  On
 * failure every output is left empty (NULL / 0).
 *
 * Times are unix seconds as double; Docker's zero time
 * (0001-01-01T00:00:00Z) and absent times are 0.  Strings in records are
 * owned by the record and never NULL unless the field says so.
 */
#ifndef OPSDECK_BACKENDS_DOCKER_H
#define OPSDECK_BACKENDS_DOCKER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"

#define DOCKER_API_VERSION "1.41"

/* What a failed answer means to the caller. */
enum docker_fail {
	DOCKER_FAIL_NONE,            /* no failure */
	DOCKER_FAIL_NOT_MANAGER,     /* 503 "This node is not a swarm manager..." */
	DOCKER_FAIL_OUT_OF_SEQUENCE, /* 500 "update out of sequence": re-read, retry once */
	DOCKER_FAIL_NO_PREVIOUS,     /* rollback: "does not have a previous spec" */
	DOCKER_FAIL_NOT_FOUND,       /* 404 "service X not found", "No such container" */
	DOCKER_FAIL_UNSUPPORTED,     /* 404 "page not found": endpoint absent (Podman /services) */
	DOCKER_FAIL_OTHER            /* anything else, including non-JSON bodies */
};

/* /info */
struct docker_info {
	char *name;           /* host name */
	char *server_version; /* "20.10.24+dfsg1" */
	char *swarm_state; /* Swarm.LocalNodeState: "inactive", "active", "pending", "error", "locked"; "" absent */
	char *node_id;           /* Swarm.NodeID; "" none */
	bool swarm_manager;      /* state "active" and Swarm.ControlAvailable */
	long containers;         /* -1 unknown */
	long containers_running; /* -1 unknown */
};

/* /version */
struct docker_version {
	char *version;         /* "20.10.24+dfsg1" */
	char *api_version;     /* "1.41" */
	char *min_api_version; /* "1.12"; "" absent */
	char *os;              /* "linux"; "" absent */
	bool podman;           /* a component is named "Podman Engine" */
};

enum docker_mode {
	DOCKER_MODE_REPLICATED,
	DOCKER_MODE_GLOBAL,
	DOCKER_MODE_OTHER /* replicated-job, global-job, unknown */
};

/* One Swarm service, from /services?status=true or /services/{id}. */
struct docker_service {
	char *id;
	char *name;                 /* Spec.Name */
	unsigned long long version; /* Version.Index: the ?version= of updates */
	char *image;                /* Spec.TaskTemplate.ContainerSpec.Image, verbatim */
	char *tag;                  /* what users see as the version: docker_image_tag(image) */
	enum docker_mode mode;
	long replicas;           /* Spec.Mode.Replicated.Replicas; -1 when not replicated */
	long running;            /* ServiceStatus.RunningTasks; -1 without ?status=true */
	long desired;            /* ServiceStatus.DesiredTasks; -1 without ?status=true */
	long force_update;       /* Spec.TaskTemplate.ForceUpdate */
	char *update_state;      /* UpdateStatus.State ("updating", "paused", "completed",
				     "rollback_started", "rollback_paused",
				     "rollback_completed"); "" none */
	char *update_message;    /* UpdateStatus.Message; "" none */
	double update_started;   /* UpdateStatus.StartedAt; 0 none */
	double update_completed; /* UpdateStatus.CompletedAt; 0 none */
	double created;          /* CreatedAt */
	double updated;          /* UpdatedAt */
	bool has_previous;       /* PreviousSpec present: a rollback is possible */
	char *previous_image;    /* PreviousSpec's image; "" none */
	char *previous_tag;      /* docker_image_tag(previous_image); "" none */
};

/* One Swarm task (/tasks). */
struct docker_task {
	char *id;
	char *service_id;
	char *node_id;       /* "" before it is scheduled */
	long slot;           /* 0 for global services */
	char *desired_state; /* DesiredState: "running", "shutdown", "ready", ... */
	char *state;         /* Status.State: "new" ... "running", "complete",
				"shutdown", "failed", "rejected", "remove", "orphaned" */
	char *message;       /* Status.Message; "" none */
	char *error; /* Status.Err ("No such image: x", "task: non-zero exit (137)"); "" none */
	double timestamp;   /* Status.Timestamp */
	double created;     /* CreatedAt */
	char *container_id; /* Status.ContainerStatus.ContainerID; "" none */
	long exit_code;     /* Status.ContainerStatus.ExitCode; 0 none */
	char *image;        /* Spec.ContainerSpec.Image */
};

/* One container from /containers/json (no restart count there: see docker_parse_container). */
struct docker_container {
	char *id;
	char *name; /* first of Names without the leading '/'; "" none */
	char *image;
	char *state;           /* "created", "running", "paused", "restarting", "exited", "dead" */
	char *status;          /* "Up 5 minutes", "Exited (3) 2 seconds ago" */
	double created;        /* unix seconds */
	char *swarm_service;   /* label com.docker.swarm.service.name; NULL none */
	char *swarm_task;      /* label com.docker.swarm.task.id; NULL none */
	char *compose_project; /* label com.docker.compose.project; NULL none */
	char *compose_service; /* label com.docker.compose.service; NULL none */
};

/* /containers/{id}/json: what the list lacks. */
struct docker_container_detail {
	char *id;
	char *name;         /* without the leading '/' */
	long restart_count; /* RestartCount: restarts by the daemon's restart policy */
	char *state;        /* State.Status */
	long exit_code;     /* State.ExitCode */
	double started;     /* State.StartedAt; 0 never */
	double finished;    /* State.FinishedAt; 0 never */
	char *health;       /* State.Health.Status; "" no health check */
	bool oom_killed;    /* State.OOMKilled */
};

/* One sample of /containers/{id}/stats?stream=false&one-shot=true. */
struct docker_stats {
	double read;                   /* when the sample was taken; 0 unknown */
	unsigned long long cpu_total;  /* cpu_stats.cpu_usage.total_usage, ns */
	unsigned long long cpu_system; /* cpu_stats.system_cpu_usage, ns; 0 unknown */
	unsigned online_cpus;          /* online_cpus, else len(percpu_usage); 0 unknown */
	bool has_cpu;                  /* cpu_stats present (a stopped container has none) */
	double mem_used;               /* bytes: usage minus inactive file; NAN unknown */
	double mem_limit;              /* bytes; NAN unknown */
};

enum docker_group_kind {
	DOCKER_GROUP_COMPOSE,   /* a compose project's service: one row for its containers */
	DOCKER_GROUP_CONTAINER, /* a container of no Swarm service and no compose project */
	DOCKER_GROUP_SWARM      /* Swarm task containers, when no service list is available */
};

/* One row made of containers (docker_group_containers). */
struct docker_group {
	enum docker_group_kind kind;
	char *name;      /* compose service, Swarm service or container name */
	char *project;   /* compose project; "" otherwise */
	char *image;     /* the newest member's image */
	char *tag;       /* docker_image_tag(image) */
	size_t *members; /* indexes into the container array, newest first */
	size_t nmembers;
	long running;    /* members in state "running" */
	long restarting; /* members in state "restarting" (a crash-loop hint) */
	double created;  /* the newest member's creation time */
};

/* A mutating request: POST path with body (both owned). */
struct docker_request {
	enum http_method method;
	char *path;
	char *body; /* NULL for requests without one */
};

/* ---- paths (all new) ---------------------------------------------------- */

char *docker_ping_path(void);     /* /_ping (unversioned) */
char *docker_info_path(void);     /* /v1.41/info */
char *docker_version_path(void);  /* /v1.41/version */
char *docker_services_path(void); /* /v1.41/services?status=true */
/* /v1.41/services/{id or name}, percent-encoded. */
char *docker_service_path(const char *id);
/*
 * /v1.41/tasks, filtered by service (id or name; NULL = all services) and,
 * if running_only, desired-state running.  Without running_only the answer
 * includes the task history Swarm keeps (TaskHistoryRetentionLimit per slot).
 */
char *docker_tasks_path(const char *service, bool running_only);
char *docker_containers_path(bool all);      /* /v1.41/containers/json[?all=1] */
char *docker_container_path(const char *id); /* /v1.41/containers/{id}/json */
char *docker_stats_path(const char *id);     /* .../stats?stream=false&one-shot=true */

/* ---- parsers ------------------------------------------------------------ */

/*
 * Classify a non-2xx answer and fill e with Docker's message verbatim
 * ("docker: update out of sequence" keeps the daemon's full text).  Returns
 * the class; DOCKER_FAIL_NONE (e untouched) for a 2xx status.
 */
enum docker_fail docker_parse_error(long status, const char *body, size_t len, struct err *e);
/* "not a manager", "out of sequence", ...; never NULL. */
const char *docker_fail_name(enum docker_fail f);

/* /info.  out filled (free with docker_info_done) or empty on failure. */
int docker_parse_info(long status, const char *body, size_t len, struct docker_info *out,
		      struct err *e);
void docker_info_done(struct docker_info *i);

/* /version. */
int docker_parse_version(long status, const char *body, size_t len, struct docker_version *out,
			 struct err *e);
void docker_version_done(struct docker_version *v);

/*
 * /services (an array) or /services/{id} (one object, n = 1).  *out new,
 * sorted by name; free with docker_services_free.  *fail (may be NULL)
 * gets the class of a failure.
 */
int docker_parse_services(long status, const char *body, size_t len, struct docker_service **out,
			  size_t *n, enum docker_fail *fail, struct err *e);
void docker_services_free(struct docker_service *s, size_t n);

/* /tasks.  *out new, by service, slot (node for global), newest first. */
int docker_parse_tasks(long status, const char *body, size_t len, struct docker_task **out,
		       size_t *n, struct err *e);
void docker_tasks_free(struct docker_task *t, size_t n);

/*
 * Restarts of a Swarm service as the task history shows them: tasks of
 * service_id (NULL = all) whose state is "failed", "rejected" or
 * "complete" - each one was replaced by the orchestrator because its
 * container ended or could not start.  Tasks in state "shutdown" are not
 * counted: those were stopped on purpose (update, scale down, restart).
 * Swarm keeps only TaskHistoryRetentionLimit (default 5) tasks per slot,
 * so the count saturates; rising between refreshes is the signal.
 */
long docker_task_restarts(const struct docker_task *t, size_t n, const char *service_id);

/* /containers/json.  *out new, in the daemon's order (newest first). */
int docker_parse_containers(long status, const char *body, size_t len,
			    struct docker_container **out, size_t *n, struct err *e);
void docker_containers_free(struct docker_container *c, size_t n);

/*
 * /containers/{id}/json.  Containers' restarts are counted from its
 * RestartCount (restarts by the restart policy), one request per container:
 * meant for the instances on a detail screen, not for every refresh.
 */
int docker_parse_container(long status, const char *body, size_t len,
			   struct docker_container_detail *out, struct err *e);
void docker_container_detail_done(struct docker_container_detail *d);

/*
 * Rows made of containers.  Containers of a Swarm service are left out when
 * have_services (the node is a manager and its services are rows of their
 * own), else grouped by service name as DOCKER_GROUP_SWARM.  The others are
 * grouped by compose project and service into one row each; the rest stand
 * as their own rows.  Groups are sorted by name, then project.  *out new;
 * free with docker_groups_free.  Returns the number of groups.
 */
size_t docker_group_containers(const struct docker_container *c, size_t n, bool have_services,
			       struct docker_group **out);
void docker_groups_free(struct docker_group *g, size_t n);

/*
 * One stats sample.  Memory used is usage minus inactive file pages, as the
 * docker CLI counts it (cgroup v1 total_inactive_file, else v2
 * inactive_file; never below zero).  CPU is only the raw counters: the
 * one-shot answer has no previous sample, so CPU % needs two of our own.
 */
int docker_parse_stats(long status, const char *body, size_t len, struct docker_stats *out,
		       struct err *e);
/*
 * CPU % between two samples of one container, as `docker stats` shows it
 * (100 = one core busy): cpu delta / system delta * online CPUs * 100.
 * When the system counter is missing (Podman, Windows) the read times are
 * used instead: cpu delta / wall delta * 100.  NAN when it cannot be known:
 * either sample without CPU data, counters that went backwards (the
 * container restarted) or no time between the samples.
 */
double docker_cpu_percent(const struct docker_stats *prev, const struct docker_stats *cur);

/*
 * Answer to a service update (scale, restart, rollback, image).  2xx gives
 * 0 and, if warnings is not NULL, the daemon's warnings joined with "; "
 * (new; NULL when none).  Failures fill e and *fail (may be NULL).
 */
int docker_parse_update(long status, const char *body, size_t len, char **warnings,
			enum docker_fail *fail, struct err *e);

/* ---- mutating requests -------------------------------------------------- */

/*
 * Each builder takes the service as GET /services/{id} returned it (raw
 * JSON, borrowed), edits a copy of its Spec and fills out (owned; free with
 * docker_request_done): POST /v1.41/services/{id}/update?version=N with
 * the Spec as body, N being the Version.Index read.  Fields the builder does
 * not change are sent back verbatim.  On "update out of sequence" the
 * caller re-reads the service, builds again and retries once.
 * Fail with ERR_PARSE on a body that is not a service, ERR_USAGE on a
 * request the service cannot take (scaling a global service).
 */
/* Spec.Mode.Replicated.Replicas = replicas (>= 0). */
int docker_scale_request(const char *service_json, size_t len, long replicas,
			 struct docker_request *out, struct err *e);
/* Spec.TaskTemplate.ForceUpdate + 1: every task is replaced (rolling restart). */
int docker_restart_request(const char *service_json, size_t len, struct docker_request *out,
			   struct err *e);
/*
 * &rollback=previous with the current Spec: the daemon swaps in
 * PreviousSpec.  Built even without a PreviousSpec so the daemon's own
 * refusal reaches the user (DOCKER_FAIL_NO_PREVIOUS).
 */
int docker_rollback_request(const char *service_json, size_t len, struct docker_request *out,
			    struct err *e);
/* Spec.TaskTemplate.ContainerSpec.Image = image. */
int docker_image_request(const char *service_json, size_t len, const char *image,
			 struct docker_request *out, struct err *e);
/* POST /v1.41/containers/{id}/restart?t=N: restart one plain container. */
int docker_container_restart_request(const char *id, int timeout_s, struct docker_request *out);
void docker_request_done(struct docker_request *r); /* NULL-safe */

/* ---- helpers ------------------------------------------------------------ */

/*
 * The read-only allow-list: true only for GETs of the paths opsdeck reads
 * (/_ping, /version, /info, /services[/{id}], /tasks[/{id}], /nodes[/{id}],
 * /containers/json, /containers/{id}/json|stats|logs|top), with or without
 * a /vN.NN prefix.  Every POST and DELETE is a write; so is any GET not on
 * the list (attach, export, events).
 */
bool docker_is_read(enum http_method m, const char *path);

/*
 * new: the version users see for an image reference: the tag (the part
 * after the last ':' of the name, before any '@digest'): "orders:1.4.2" ->
 * "1.4.2", "reg:5000/app:2@sha256:..." -> "2".  No tag: "sha256:" and the
 * first 12 hex digits of the digest if there is one, else "latest".
 */
char *docker_image_tag(const char *image);

/* RFC 3339 time ("2026-11-23T00:11:38.73260202Z", offsets allowed) to unix seconds; 0 for zero or bad times. */
double docker_parse_time(const char *s);

#endif
