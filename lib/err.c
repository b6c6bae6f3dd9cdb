#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ERR_NAME_ITEM(name, text) text,
static const char *const err_names[] = { ERR_CODES(ERR_NAME_ITEM) };
#undef ERR_NAME_ITEM

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_OK;
	e->msg[0] = '\0';
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char head[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	snprintf(e->msg, sizeof e->msg, "%s: %s", head, old);
	return -1;
}

const char *
err_code_name(enum err_code code)
{
	if ((int)code < 0 || code >= ERR_CODE_COUNT)
		return "unknown";
	return err_names[code];
}
