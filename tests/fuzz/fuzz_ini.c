/*
 * fuzz_ini.c - libFuzzer harness for lib/ini and config loading.
 *
 * Feeds the input to ini_parse() with a handler that touches every string,
 * then to config_load_buffer() and config_print().  config_finalize() runs
 * only when the input names no token_file / password_file / ca_file, so the
 * fuzzer never opens files it invents.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "ini.h"

static int
touch(void *ud, const char *section, const char *sub, const char *key, const char *value,
      int line, struct err *e)
{
	size_t *total = ud;

	(void)e;
	*total += strlen(section) + (sub != NULL ? strlen(sub) : 0) + strlen(key) +
		  strlen(value) + (size_t)line;
	/* Make the handler fail now and then to exercise error prefixing. */
	return strcmp(key, "fail") == 0 ? err_set(e, ERR_CONFIG, "handler failed") : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct config *cfg;
	struct err e;
	struct buf out;
	size_t total = 0;

	err_clear(&e);
	ini_parse(text, size, "fuzz.ini", touch, &total, &e);

	cfg = config_new();
	buf_init(&out);
	if (config_load_buffer(cfg, text, size, "fuzz.ini", &e) == 0 &&
	    !config_isset(cfg, CFG_PROMETHEUS_TOKEN_FILE) &&
	    !config_isset(cfg, CFG_PROMETHEUS_PASSWORD_FILE) &&
	    !config_isset(cfg, CFG_PROMETHEUS_CA_FILE))
		config_finalize(cfg, &e);
	config_print(cfg, &out);
	config_write(cfg, &out);
	buf_done(&out);
	config_free(cfg);
	return 0;
}
