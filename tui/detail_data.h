/*
 * detail_data.h - what the Service detail screen shows beyond the model:
 * its instances, deployment history, rollout state and chart series, and
 * for a Kubernetes workload its pods, revisions and events, for an ECS
 * service its tasks, deployments, revisions, target groups and events, as
 * plain records (tui/detail_poll*.c fill them; tests build them by hand),
 * and the pure functions that turn Docker answers into instances
 * (tui/k8s_detail.h turns Kubernetes answers into the k8s part,
 * tui/ecs_detail.h ECS answers into the ecs part).
 */
#ifndef OPSDECK_TUI_DETAIL_DATA_H
#define OPSDECK_TUI_DETAIL_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "docker.h"
#include "err.h"

/* The charts, in display order of importance. */
enum detail_chart { DETAIL_RPS, DETAIL_ERRORS, DETAIL_P99, DETAIL_NCHARTS };

/* One instance: a Swarm task or a container.  Strings owned, never NULL. */
struct detail_instance {
	char *id;           /* task id, or container id */
	char *container_id; /* "" unknown (a task not started yet) */
	char *name;         /* container name; "" unknown */
	long slot;          /* Swarm slot; 0 none (global services, containers) */
	char *state;        /* "running", "failed", "exited", ... */
	char *desired;      /* desired state ("running", "shutdown"); "" none */
	char *health;       /* "healthy", "unhealthy", "starting"; "" none or unknown */
	char *node;         /* node id, or the runtime context; "" unknown */
	char *version;      /* image tag */
	char *error;        /* why it failed (Status.Err, exit status); "" none */
	double created;     /* unix seconds; 0 unknown */
	long restarts;      /* -1 unknown */
	double cpu_pct;     /* 100 = one core; NAN unknown */
	double mem_used;    /* bytes; NAN unknown */
	double mem_limit;   /* bytes; NAN unknown */
};

struct detail_series {
	double *t, *v; /* owned, n each */
	size_t n;
};

/* A pod of a Kubernetes workload.  Strings owned, never NULL. */
struct detail_pod {
	char *name;
	char *phase;     /* "Running", "Pending", ...; "Terminating" while being deleted */
	long ready;      /* containers ready */
	long containers; /* containers in the pod */
	long restarts;   /* summed over its containers */
	char *node;      /* "" not scheduled */
	double started;  /* unix seconds; 0 unknown */
	char *reason;    /* the worst container reason: "CrashLoopBackOff", "OOMKilled", "" */
	char *last_exit; /* why that container last ended, when reason is it waiting: "OOMKilled" */
	char *revision;  /* its ReplicaSet's revision ("3"), "" unknown */
};

/* A revision of a Deployment (one of its ReplicaSets).  Strings owned, never NULL. */
struct detail_revision {
	char *revision; /* "3"; "" unknown */
	char *name;     /* the ReplicaSet's name */
	char *images;   /* its containers' images, ", "-joined */
	long replicas;  /* desired */
	long ready;
	double created;
	bool current;  /* the Deployment's revision */
	bool rollback; /* the revision a rollback (B) goes to */
};

/* A Kubernetes Event of the workload, its ReplicaSets or its pods.  Strings owned. */
struct detail_event {
	char *type;   /* "Normal", "Warning" */
	char *reason; /* "BackOff", "FailedScheduling" */
	char *object; /* "pod/payments-7d9f-x2x", "deployment/payments" */
	char *message;
	long count;  /* times seen, >= 1 */
	double last; /* unix seconds; 0 unknown */
};

/* The Kubernetes part of the detail.  Strings owned, never NULL ("" none). */
struct detail_k8s {
	bool present;   /* the service is a Kubernetes workload and a round completed */
	char *kind;     /* "Deployment", "StatefulSet" */
	char *ns;       /* namespace */
	char *revision; /* the workload's current revision ("3", or a StatefulSet's revision hash) */
	char *update_revision; /* a StatefulSet's updateRevision hash when it differs; else "" */
	long replicas, ready, updated, available; /* spec and status counts */
	bool paused;
	struct detail_pod *pods; /* problems first, then by name */
	size_t npods;
	bool more_pods;               /* the pods' list had more than one page: not all are shown */
	struct detail_revision *revs; /* newest first */
	size_t nrevs;
	struct detail_event *events; /* newest first */
	size_t nevents;
	struct err events_err; /* the events' request failed; the rest stands */
};

/* A task of an ECS service, running or stopped.  Strings owned, never NULL. */
struct detail_ecs_task {
	char *id;          /* the ARN's last part */
	char *last_status; /* "RUNNING", "PENDING", "STOPPED", ... */
	char *desired;     /* desired status */
	char *health;      /* "HEALTHY", "UNHEALTHY", "UNKNOWN"; "" none */
	char *revision;    /* its task definition's revision ("41"); "" unknown */
	char *az;          /* availability zone; "" unknown */
	char *exits;       /* the containers' exit codes, "app=1 envoy=0"; "" none */
	char *reason;      /* why it stopped (stoppedReason, then a container's reason); "" */
	bool failed;       /* it stopped by a failure: exits and reason in CRIT */
	double created, started, stopped; /* unix seconds; 0 unknown */
};

/* A deployment of an ECS service.  Strings owned, never NULL. */
struct detail_ecs_deployment {
	char *status;          /* "PRIMARY", "ACTIVE" */
	char *task_definition; /* "orders:41" */
	long desired, running, pending, failed;
	char *rollout_state;  /* "IN_PROGRESS", "COMPLETED", "FAILED"; "" none */
	char *rollout_reason; /* "" none */
	double created, updated;
};

/* The ECS part of the detail.  Strings owned, never NULL ("" none). */
struct detail_ecs {
	bool present;          /* the service is an ECS service and a round completed */
	char *cluster;         /* the cluster's name */
	char *region;          /* from the cluster's ARN; "" unknown */
	char *status;          /* "ACTIVE", "DRAINING" */
	char *family_revision; /* the service's task definition, "orders:41" */
	char *launch_type;     /* "FARGATE", "EC2", a capacity provider */
	long desired, running, pending;
	double deployed;      /* the PRIMARY deployment's creation; 0 unknown */
	char *rollout_state;  /* the PRIMARY's rolloutState; "" none */
	char *rollout_reason; /* its rolloutStateReason */
	struct detail_ecs_task
		*tasks; /* running by id, then stopped of the last hour, newest first */
	size_t ntasks;
	bool more_tasks; /* a task list had more than one page: not all are shown */
	struct detail_ecs_deployment *deps; /* PRIMARY first */
	size_t ndeps;
	struct detail_revision *revs; /* task-definition revisions, newest first; replicas -1 */
	size_t nrevs;
	struct err revs_err;  /* the revisions' requests failed: the last list stands */
	char **target_groups; /* target group ARNs */
	size_t ntarget_groups;
	struct detail_event *events; /* the service's, newest first; type "Warning" or "Normal" */
	size_t nevents;
};

/* Everything the detail screen shows beyond the model.  Strings owned, "" none. */
struct detail_data {
	/* runtime */
	bool have_runtime;            /* a runtime round has completed */
	struct err runtime_err;       /* the last runtime round's failure; ERR_OK none */
	struct detail_instance *inst; /* desired running by slot, then recent failures */
	size_t ninst;
	char *image;          /* current spec's image */
	char *tag;            /* its version */
	char *prev_image;     /* previous spec's image (Swarm PreviousSpec); "" none */
	char *prev_tag;       /* its version */
	char *update_state;   /* Swarm UpdateStatus.State; "" none */
	char *update_message; /* UpdateStatus.Message */
	double update_started;
	double update_completed;
	char *task_error;      /* the newest failed task's Status.Err */
	double task_error_at;  /* its time */
	struct detail_k8s k8s; /* a Kubernetes workload's pods, revisions, events */
	struct detail_ecs ecs; /* an ECS service's tasks, deployments, revisions, events */
	/* metrics */
	double range_s;    /* the charts' range */
	double step_s;     /* the range queries' step */
	double t0, t1;     /* the range queried; 0 before the first query */
	bool have_metrics; /* a metrics round has completed */
	struct err metrics_err;
	struct detail_series series[DETAIL_NCHARTS];
};

/* Empty data: every string "" (owned), no instances, the given range and step. */
void detail_data_init(struct detail_data *d, double range_s, double step_s);
/* Free everything d owns and zero it. */
void detail_data_done(struct detail_data *d);
void detail_data_series_done(struct detail_series *s);
void detail_data_instances_free(struct detail_instance *in, size_t n); /* NULL-safe */
/* The k8s part: every string "" (owned), nothing listed. */
void detail_data_k8s_init(struct detail_k8s *k);
/* Free everything k owns and zero it. */
void detail_data_k8s_done(struct detail_k8s *k);
/* The ECS part: every string "" (owned), nothing listed. */
void detail_data_ecs_init(struct detail_ecs *e);
/* Free everything e owns and zero it. */
void detail_data_ecs_done(struct detail_ecs *e);
/* Free n revisions and events (also for the ECS part's lists).  NULL-safe. */
void detail_data_revisions_free(struct detail_revision *r, size_t n);
void detail_data_events_free(struct detail_event *ev, size_t n);
/*
 * A target group's name from its ARN ("arn:aws:elasticloadbalancing:
 * REGION:ACCOUNT:targetgroup/orders-tg/6d0ecf83" -> "orders-tg"), into
 * out; anything else whole.
 */
void detail_data_target_group_name(const char *arn, char *out, size_t n);

/*
 * Swarm: the tasks of one service (t, as docker_parse_tasks sorted them)
 * as instances (*out new): those desired running, by slot, with their
 * slot's restarts (replaced tasks in its history), then up to 5 failed or
 * rejected ones of the last hour, newest first.  Container names come
 * from c.  Returns the count.
 */
size_t detail_data_from_tasks(const struct docker_task *t, size_t nt,
			      const struct docker_container *c, size_t nc, double now,
			      struct detail_instance **out);
/*
 * Compose groups, plain containers and Swarm task containers seen from a
 * worker: the members of the group named runtime_name (and, for compose,
 * runtime_id "project/name") as instances (*out new), on node context.
 * *image and *tag (new, NULL when no group matched) get the newest member's.
 */
size_t detail_data_from_containers(const struct docker_container *c, size_t nc,
				   const char *runtime_name, const char *runtime_id,
				   const char *context, struct detail_instance **out, char **image,
				   char **tag);
/* borrowed: the newest failed or rejected task with an error, or NULL. */
const struct docker_task *detail_data_newest_failed(const struct docker_task *t, size_t n);

#endif
