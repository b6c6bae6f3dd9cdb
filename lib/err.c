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
	char old[ERR_MSG_MAX];
	va_list ap;
	int n;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 >= sizeof e->msg)
		return -1; /* the prefix alone fills the message */
	e->msg[n] = ':';
	e->msg[n + 1] = ' ';
	/* copy what fits of the old message, always NUL-terminated */
	{
		size_t room = sizeof e->msg - (size_t)n - 3, len = strnlen(old, room);

		memcpy(e->msg + n + 2, old, len);
		e->msg[n + 2 + len] = '\0';
	}
	e->msg[sizeof e->msg - 1] = '\0';
	return -1;
}

const char *
err_code_name(enum err_code code)
{
	if ((int)code < 0 || code >= ERR_CODE_COUNT)
		return "unknown";
	return err_names[code];
}
