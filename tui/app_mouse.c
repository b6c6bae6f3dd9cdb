/*
 * app_mouse.c - mouse events.  (First version: ignored.)
 */
#include "app_internal.h"

void
app_mouse(struct app *a)
{
	(void)a;
}
