/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the control protocol (sim/ctl.c): request lines (JSON, any bytes) and
 * the console's word form, dispatched against a real modem (ephemeral, headless). Every
 * request gets exactly one response, and every response is a JSON object with a boolean "ok"
 * and either "result" or an "error" with a known code; anything else aborts.
 *
 * Input: byte 0 picks the form (even: JSON lines, odd: console words "op rest"); the rest is
 * split at '\n' into requests.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "modem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One modem for the whole run: building it per input would be all the fuzzer measures. */
static struct loop *loop;
static struct modem *modem;
static size_t replies;

static void check_reply(void *data, const char *line, size_t len)
{
	cJSON *r = cJSON_ParseWithLength(line, len);
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(r, "ok");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(r, "error");

	(void)data;
	if (!cJSON_IsBool(ok) || strlen(line) != len)
		abort();
	if (cJSON_IsTrue(ok) != cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "result")))
		abort();
	if (cJSON_IsFalse(ok) &&
	    (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(err, "code")) ||
	     !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(err, "message")) ||
	     strcmp(cJSON_GetObjectItemCaseSensitive(err, "code")->valuestring, "internal") == 0))
		abort();
	cJSON_Delete(r);
	replies++;
}

static void setup(void)
{
	struct modem_config cfg;
	char err[256];

	log_set_level(LOG_LEVEL_ERROR);
	config_defaults(&cfg);
	cfg.ephemeral = true;
	cfg.headless = true;
	cfg.reg_delay_ms = 0;
	loop = loop_create();
	modem = loop != NULL ? modem_create(loop, &cfg, err, sizeof(err)) : NULL;
	if (modem == NULL)
		abort();
}

static void words(struct ctl_session *s, char *line)
{
	char *rest = line + strcspn(line, " ");

	if (*rest != '\0')
		*rest++ = '\0';
	ctl_session_command(s, line, rest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_session_config sc = { .reply = check_reply };
	struct ctl_session *s;
	char *text, *save = NULL;
	size_t asked = 0;

	if (modem == NULL)
		setup();
	if (size < 1 || size > 4 * CTL_LINE_MAX)
		return 0;
	sc.m = modem;
	s = ctl_session_create(&sc);
	text = malloc(size);
	if (s == NULL || text == NULL)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	replies = 0;
	for (char *l = strtok_r(text, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		if (ctl_session_busy(s)) /* an `at` is waiting: let the loop answer it */
			for (int i = 0; i < 4 && ctl_session_busy(s); i++)
				loop_run_once(loop, 0);
		if (ctl_session_busy(s))
			break;
		asked++;
		if (data[0] & 1)
			words(s, l);
		else
			ctl_session_request(s, l, strlen(l));
	}
	for (int i = 0; i < 4 && ctl_session_busy(s); i++)
		loop_run_once(loop, 0);
	if (replies + (ctl_session_busy(s) ? 1 : 0) != asked)
		abort(); /* one response per request */
	ctl_session_destroy(s);
	free(text);
	return 0;
}
