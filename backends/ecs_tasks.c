/*
 * ecs_tasks.c - the DescribeTasks and DescribeTaskDefinition parsers (see
 * ecs.h).  The envelope and the readers are in ecs_parse.c.
 *
 * A container's exitCode is absent until it stops, and 0 is an exit code
 * like any other: has_exit_code tells the two apart.
 */
#include "ecs.h"
#include "ecs_internal.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "xalloc.h"

static void
parse_container(const json_t *j, struct ecs_container *c)
{
	json_t *code = json_object_get(j, "exitCode");

	c->name = ecs_str(j, "name");
	c->last_status = ecs_str(j, "lastStatus");
	c->health_status = ecs_str(j, "healthStatus");
	c->reason = ecs_str(j, "reason");
	c->has_exit_code = json_is_integer(code) && json_integer_value(code) >= -2147483647 - 1 &&
			   json_integer_value(code) <= 2147483647;
	c->exit_code = c->has_exit_code ? (int)json_integer_value(code) : -1;
}

static int
parse_task(const json_t *j, size_t idx, struct ecs_task *t, struct err *e)
{
	json_t *list, *v;
	size_t i, n;
	const char *arn = json_string_value(json_object_get(j, "taskArn"));

	if (!json_is_object(j) || arn == NULL || *arn == '\0')
		return err_set(e, ERR_PARSE, "ecs: DescribeTasks: tasks[%zu] has no taskArn", idx);
	t->arn = xstrdup(arn);
	t->id = ecs_arn_tail(arn);
	t->last_status = ecs_str(j, "lastStatus");
	t->desired_status = ecs_str(j, "desiredStatus");
	t->health_status = ecs_str(j, "healthStatus");
	t->stopped_reason = ecs_str(j, "stoppedReason");
	t->stop_code = ecs_str(j, "stopCode");
	t->availability_zone = ecs_str(j, "availabilityZone");
	t->task_definition = ecs_str(j, "taskDefinitionArn");
	t->launch_type = ecs_str(j, "launchType");
	if (t->launch_type[0] == '\0') {
		free(t->launch_type);
		t->launch_type = ecs_str(j, "capacityProviderName");
	}
	t->created = ecs_when(j, "createdAt");
	t->started = ecs_when(j, "startedAt");
	t->stopped = ecs_when(j, "stoppedAt");
	list = json_object_get(j, "containers");
	n = json_array_size(list);
	t->containers = xcalloc(n + 1, sizeof *t->containers);
	json_array_foreach(list, i, v)
	{
		if (json_is_object(v))
			parse_container(v, &t->containers[t->ncontainers++]);
	}
	return 0;
}

int
ecs_parse_tasks(long status, const char *body, size_t len, struct ecs_task **out, size_t *n,
		bool *throttled, struct err *e)
{
	json_t *root, *list, *v;
	struct ecs_task *t;
	size_t i, count;

	*out = NULL;
	*n = 0;
	err_clear(e);
	root = ecs_load(status, body, len, "DescribeTasks", throttled, e);
	if (root == NULL)
		return -1;
	list = json_object_get(root, "tasks");
	if (list != NULL && !json_is_array(list) && !json_is_null(list)) {
		json_decref(root);
		return err_set(e, ERR_PARSE, "ecs: DescribeTasks: tasks is not a list");
	}
	count = json_array_size(list);
	t = xcalloc(count + 1, sizeof *t);
	json_array_foreach(list, i, v)
	{
		if (parse_task(v, i, &t[i], e) < 0) {
			ecs_tasks_free(t, i + 1);
			json_decref(root);
			return -1;
		}
	}
	ecs_failures_warn(root, "DescribeTasks", e);
	json_decref(root);
	*out = t;
	*n = count;
	return 0;
}

void
ecs_tasks_free(struct ecs_task *t, size_t n)
{
	size_t i, k;

	if (t == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(t[i].arn);
		free(t[i].id);
		free(t[i].last_status);
		free(t[i].desired_status);
		free(t[i].health_status);
		free(t[i].stopped_reason);
		free(t[i].stop_code);
		free(t[i].availability_zone);
		free(t[i].task_definition);
		free(t[i].launch_type);
		for (k = 0; k < t[i].ncontainers; k++) {
			free(t[i].containers[k].name);
			free(t[i].containers[k].last_status);
			free(t[i].containers[k].health_status);
			free(t[i].containers[k].reason);
		}
		free(t[i].containers);
	}
	free(t);
}

int
ecs_parse_task_definition(long status, const char *body, size_t len,
			  struct ecs_task_definition *out, bool *throttled, struct err *e)
{
	json_t *root, *td, *v;
	const char *arn, *image;
	struct buf images;
	size_t i;

	memset(out, 0, sizeof *out);
	root = ecs_load(status, body, len, "DescribeTaskDefinition", throttled, e);
	if (root == NULL)
		return -1;
	td = json_object_get(root, "taskDefinition");
	arn = json_string_value(json_object_get(td, "taskDefinitionArn"));
	if (!json_is_object(td) || arn == NULL || *arn == '\0') {
		json_decref(root);
		return err_set(e, ERR_PARSE,
			       "ecs: DescribeTaskDefinition: the answer has no "
			       "taskDefinition.taskDefinitionArn");
	}
	out->arn = xstrdup(arn);
	out->family = ecs_str(td, "family");
	out->revision = ecs_num(td, "revision", 0);
	out->status = ecs_str(td, "status");
	out->registered = ecs_when(td, "registeredAt");
	buf_init(&images);
	json_array_foreach(json_object_get(td, "containerDefinitions"), i, v)
	{
		image = json_string_value(json_object_get(v, "image"));
		if (image == NULL || *image == '\0')
			continue;
		if (images.len > 0)
			buf_puts(&images, ", ");
		buf_puts(&images, image);
	}
	out->images = buf_steal(&images);
	json_decref(root);
	return 0;
}

void
ecs_task_definition_done(struct ecs_task_definition *t)
{
	if (t == NULL)
		return;
	free(t->arn);
	free(t->family);
	free(t->status);
	free(t->images);
	memset(t, 0, sizeof *t);
}
