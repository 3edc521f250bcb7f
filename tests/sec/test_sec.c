/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Security on the emulated modem (issue 4), through the modem's console AT channel (same
 * groups, same state as the pty) with an in-memory transport and a fake clock: RoT commands,
 * +USECPSK, +USECPRF, +USECMNG, the file system, NVM persistence, console helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "afile.h"
#include "at_engine.h"
#include "buf.h"
#include "cmd_security.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "mem_transport.h"
#include "modem.h"
#include "nvm.h"
#include "persona.h"
#include "rot/platform.h"
#include "rot/rot.h"
#include "secprof.h"

struct fx {
	struct loop *loop;
	uint64_t now;
	struct modem *m;
	struct mem_transport t;
	char dir[64];
	struct modem_config cfg;
};

static uint64_t fake_now(void *data)
{
	return *(uint64_t *)data;
}

static void pump(struct fx *f, uint64_t advance_ms)
{
	f->now += advance_ms;
	for (int i = 0; i < 4; i++)
		loop_run_once(f->loop, 0);
}

static void feed(void *target, const uint8_t *bytes, size_t len)
{
	struct modem *m = target;

	at_engine_input(m->console_at, bytes, len);
}

/* Sends one command line and returns everything the modem answered. */
static const char *at(struct fx *f, const char *line)
{
	mem_transport_clear(&f->t);
	modem_console_input(f->m, line);
	pump(f, 0);
	return mem_transport_text(&f->t);
}

#define EXPECT(f, line, want) assert_string_equal(at(f, line), want)

static int start_modem(struct fx *f)
{
	char err[256] = "";

	f->m = modem_create(f->loop, &f->cfg, err, sizeof(err));
	if (f->m == NULL)
		return -1;
	mem_transport_init(&f->t);
	modem_attach_console(f->m, mem_transport_output, &f->t);
	EXPECT(f, "AT+CMEE=1", "\r\nOK\r\n");
	return 0;
}

static void stop_modem(struct fx *f)
{
	modem_destroy(f->m);
	f->m = NULL;
	mem_transport_finish(&f->t);
}

/* New fixture: device (NULL = default), persistent state dir or ephemeral, --sec-busy-ms. */
static struct fx *fx_new_busy(const char *device, const char *platform, bool persistent,
			      long sec_busy_ms)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->loop = loop_create();
	f->now = 1000000;
	loop_set_clock(f->loop, fake_now, &f->now);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ukms-sec-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	config_defaults(&f->cfg);
	f->cfg.headless = true;
	f->cfg.log_level = LOG_LEVEL_ERROR;
	f->cfg.reg_delay_ms = 10;
	f->cfg.device = device;
	f->cfg.platform_path = platform;
	f->cfg.state_dir = persistent ? f->dir : NULL;
	f->cfg.ephemeral = !persistent;
	f->cfg.sec_busy_ms = sec_busy_ms;
	assert_int_equal(start_modem(f), 0);
	return f;
}

static struct fx *fx_new(const char *device, const char *platform, bool persistent)
{
	return fx_new_busy(device, platform, persistent, CONFIG_SEC_BUSY_PERSONA);
}

static void fx_free(struct fx *f)
{
	char cmd[128];

	stop_modem(f);
	loop_destroy(f->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
}

/* ---- RoT ---- */

/* Splits "+USECPSK: \"<id>\",\"<psk>\"" and checks the platform re-derives the same PSK. */
static void check_psk_reply(const struct modem *m, const char *reply, size_t len)
{
	struct platform_device dev, *d = &dev;
	struct rot_identity id;
	struct rot_psk psk;
	char want[2 * ROT_PSK_MAX + 1] = "";

	assert_int_equal(strncmp(reply, "\r\n+USECPSK: \"11010008", 21), 0);
	assert_int_equal(strlen(reply), 13 + ROT_IDENTITY_HEX + 3 + 2 * len + 9);
	assert_int_equal(rot_identity_parse(reply + 13, ROT_IDENTITY_HEX, &id), 0);
	assert_int_equal(platform_derive_psk(m->platform, &id, len, d, &psk), 0);
	assert_string_equal(d->uid_hex, m->device->uid_hex);
	for (size_t i = 0; i < len; i++)
		snprintf(want + 2 * i, 3, "%02X", psk.bytes[i]);
	assert_memory_equal(reply + 13 + ROT_IDENTITY_HEX + 3, want, 2 * len);
	assert_string_equal(reply + 13 + ROT_IDENTITY_HEX + 3 + 2 * len, "\"\r\n\r\nOK\r\n");
}

static void write_file(const char *path, const char *text);

/* A fleet device (--device load:3): its computed UID and IMEI, and GetPSK's side agrees. */
static void test_rot_fleet_device(void **state)
{
	static const char doc[] =
		"{\"version\":1,\"platform_secret\":"
		"\"000102030405060708090a0b0c0d0e0f10111213141516"
		"1718191a1b1c1d1e1f\",\"accounts\":[{\"name\":\"a\",\"api_key\":\"k\","
		"\"api_secret\":\"s\"}],\"devices\":[],\"fleets\":[{\"name\":\"load\","
		"\"account\":\"a\",\"model\":\"SARA-R510M8S\",\"count\":5}]}";
	char dir[] = "/tmp/ukms-fleet-XXXXXX", path[64], err[256], want[80];
	struct platform_device d;
	struct platform *p;
	struct fx *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.json", dir);
	write_file(path, doc);
	p = platform_load(path, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(platform_select(p, "load:3", &d, err, sizeof(err)), 0);
	f = fx_new("load:3", path, false);
	snprintf(want, sizeof(want), "\r\n+USECROTUID: \"%s\"\r\n\r\nOK\r\n", d.uid_hex);
	EXPECT(f, "AT+USECROTUID", want);
	snprintf(want, sizeof(want), "\r\n%s\r\n\r\nOK\r\n", d.imei);
	EXPECT(f, "AT+CGSN", want);
	check_psk_reply(f->m, at(f, "AT+USECPSK=32"), 32);
	check_psk_reply(f->m, at(f, "AT+USECPSK=16"), 16);
	/* an index out of range and a malformed selector are refused at start, with the reason */
	f->cfg.device = "load:5";
	stop_modem(f);
	assert_null(modem_create(f->loop, &f->cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "index out of range (fleet load has 5 devices, 0-4)"));
	f->cfg.device = "load:";
	assert_null(modem_create(f->loop, &f->cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "must be a decimal number"));
	f->cfg.device = "load:4";
	assert_int_equal(start_modem(f), 0);
	fx_free(f);
	platform_destroy(p);
	unlink(path);
	rmdir(dir);
}

static void test_rot_sealed(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	char first[128];

	EXPECT(f, "AT+USECROTUID", "\r\n+USECROTUID: \"0A04F008003C9623\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n");
	snprintf(first, sizeof(first), "%s", at(f, "AT+USECPSK=16"));
	check_psk_reply(f->m, first, 16);
	check_psk_reply(f->m, at(f, "AT+USECPSK=32"), 32);
	check_psk_reply(f->m, at(f, "AT+USECPSK=16"), 16);
	assert_string_not_equal(at(f, "AT+USECPSK=16"), first); /* fresh counter each call */
	EXPECT(f, "AT+USECPSK=?", "\r\n+USECPSK: (16,32)\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECCONN", "\r\nOK\r\n");
	EXPECT(f, "AT+USECCONN", "\r\n+CME ERROR: 1950\r\n"); /* rate limit (Q5) */
	pump(f, SEC_CONN_PERIOD_MS);
	EXPECT(f, "AT+USECCONN", "\r\nOK\r\n");
	EXPECT(f, "AT+USECDEVINFO=\"AgbCtixjwqLjwV3VWpfPyz\",\"352753090000017\"",
	       "\r\n+CME ERROR: 3\r\n"); /* already sealed (Q4) */
	fx_free(f);
}

static void test_psk_bad_sizes(void **state)
{
	static const char *const bad[] = { "AT+USECPSK=0",  "AT+USECPSK=8",   "AT+USECPSK=17",
					   "AT+USECPSK=64", "AT+USECPSK=-16", "AT+USECPSK=",
					   "AT+USECPSK=1x", "AT+USECPSK=16,1" };
	struct fx *f = fx_new(NULL, NULL, false);

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		const char *r = at(f, bad[i]);

		if (strcmp(r, "\r\n+CME ERROR: 50\r\n") != 0 && strcmp(r, "\r\nERROR\r\n") != 0)
			fail_msg("%s -> %s", bad[i], r);
	}
	EXPECT(f, "AT+USECPSK", "\r\n+CME ERROR: 4\r\n"); /* no exec form */
	fx_free(f);
}

static void test_no_rot_persona(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	struct persona p = *f->m->persona;

	p.has_rot = false;
	f->m->persona = &p;
	EXPECT(f, "AT+USECROTUID", "\r\n+CME ERROR: 4\r\n");
	EXPECT(f, "AT+USECPSK=16", "\r\n+CME ERROR: 4\r\n");
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+CME ERROR: 4\r\n");
	EXPECT(f, "AT+USECDEVCERT=1", "\r\n+CME ERROR: 4\r\n");
	fx_free(f);
}

static void test_seal_flow(void **state)
{
	struct fx *f = fx_new("0A04F0080000000B", NULL, false); /* bootstrapped, unsealed */
	struct buf b;

	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,0,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPSK=16", "\r\n+CME ERROR: 3\r\n"); /* Q3 */
	EXPECT(f, "AT+USECDEVCERT=1", "\r\n+CME ERROR: 3\r\n");
	EXPECT(f, "AT+USECDEVINFO=\"AgbCtixjwqLjwV3VWpfPyz\",\"12345678901234567\"",
	       "\r\n+CME ERROR: 50\r\n"); /* serial > 16 chars */
	EXPECT(f, "AT+USECDEVINFO=\"AgbCtixjwqLjwV3VWpfPyz\",\"352753090000116\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,0,1\r\n\r\nOK\r\n"); /* not yet (Q2) */
	EXPECT(f, "AT+USECDEVINFO=\"AgbCtixjwqLjwV3VWpfPyz\",\"352753090000116\"",
	       "\r\n+CME ERROR: 1950\r\n"); /* seal in progress */
	pump(f, CONFIG_SEAL_DELAY_DEFAULT);
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n");
	check_psk_reply(f->m, at(f, "AT+USECPSK=16"), 16);
	assert_non_null(strstr(at(f, "AT+USECDEVCERT=1"), "-----BEGIN CERTIFICATE-----\n"));
	assert_non_null(strstr(at(f, "AT+USECDEVCERT=0"), "-----BEGIN PRIVATE KEY-----\n"));
	assert_non_null(strstr(at(f, "AT+USECDEVCERT=2"), "+USECDEVCERT: 2,\"-----BEGIN"));
	EXPECT(f, "AT+USECDEVINFO=\"x\",\"y\"", "\r\n+CME ERROR: 3\r\n"); /* once only */
	buf_init(&b, 4096);
	assert_int_equal(cmd_sec_console_unseal(f->m, &b), 0);
	buf_finish(&b);
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,0,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPSK=32", "\r\n+CME ERROR: 3\r\n");
	fx_free(f);
}

static void test_unsealed_code_configurable(void **state)
{
	struct fx *f = fx_new("0A04F0080000000B", NULL, false);

	stop_modem(f);
	f->cfg.unsealed_cme = 4; /* --unsealed-cme 4 */
	assert_int_equal(start_modem(f), 0);
	EXPECT(f, "AT+USECPSK=16", "\r\n+CME ERROR: 4\r\n");
	EXPECT(f, "AT+USECDEVCERT=1", "\r\n+CME ERROR: 4\r\n");
	fx_free(f);
}

static void test_seal_delay_configurable(void **state)
{
	struct fx *f = fx_new("0A04F0080000000B", NULL, false);

	stop_modem(f);
	f->cfg.seal_delay_ms = 40; /* --seal-delay-ms 40 */
	assert_int_equal(start_modem(f), 0);
	EXPECT(f, "AT+USECDEVINFO=\"AgbCtixjwqLjwV3VWpfPyz\",\"352753090000116\"", "\r\nOK\r\n");
	pump(f, 39);
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,0,1\r\n\r\nOK\r\n");
	pump(f, 1);
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n");
	fx_free(f);
}

/* config_parse of "ukms-sim <args>" (args separated by single spaces). */
static int parse_cmdline(struct modem_config *cfg, const char *args, char *err, size_t errlen)
{
	char line[256], *argv[16] = { line }, *save = NULL;
	int argc = 1, rc;
	FILE *out = fopen("/dev/null", "w");

	assert_non_null(out);
	snprintf(line, sizeof(line), "ukms-sim %s", args);
	strtok_r(line, " ", &save);
	while (argc < 15 && (argv[argc] = strtok_r(NULL, " ", &save)) != NULL)
		argc++;
	rc = config_parse(cfg, argc, argv, out, err, errlen);
	fclose(out);
	return rc;
}

/* The command line of ukms-sim: the two security options, their defaults and limits. */
static void test_config_options(void **state)
{
	struct modem_config cfg;
	char err[128] = "";

	assert_int_equal(parse_cmdline(&cfg, "", err, sizeof(err)), CONFIG_RUN);
	assert_int_equal(cfg.seal_delay_ms, 1500);
	assert_int_equal(cfg.unsealed_cme, 3);
	assert_int_equal(
		parse_cmdline(&cfg, "--seal-delay-ms 0 --unsealed-cme 4", err, sizeof(err)),
		CONFIG_RUN);
	assert_int_equal(cfg.seal_delay_ms, 0);
	assert_int_equal(cfg.unsealed_cme, 4);
	assert_int_equal(parse_cmdline(&cfg, "--seal-delay-ms 600001", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad --seal-delay-ms '600001' (expected 0..600000)");
	assert_int_equal(parse_cmdline(&cfg, "--unsealed-cme -1", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad --unsealed-cme '-1' (expected 0..65535)");
	assert_int_equal(parse_cmdline(&cfg, "--reg-delay-ms x", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad --reg-delay-ms 'x' (expected 0..4294967295)");
}

static void test_provisioning_off(void **state)
{
	struct fx *f = fx_new("0A04F0080000000C", NULL, false);

	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPSK=16", "\r\n+CME ERROR: 3\r\n");
	fx_free(f);
}

static void test_not_bootstrapped(void **state)
{
	struct platform *p = platform_load_default();
	struct platform_device d = *platform_find_device(p, "0A04F0080000000B");
	char path[128], err[128];
	struct fx *f;

	memcpy(d.uid, (const uint8_t[]){ 0x0A, 0x04, 0xF0, 0x08, 0, 0, 0, 0x42 }, ROT_UID_LEN);
	snprintf(d.uid_hex, sizeof(d.uid_hex), "0A04F00800000042");
	snprintf(d.imei, sizeof(d.imei), "352753090004200");
	d.bootstrapped = false;
	d.sealed = false;
	assert_int_equal(platform_add_device(p, &d, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "/tmp/ukms-sec-platform-%d.json", (int)getpid());
	assert_int_equal(platform_save(p, path), 0);
	f = fx_new("0A04F00800000042", path, false);
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 0,0,0\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPSK=16", "\r\n+CME ERROR: 3\r\n");
	EXPECT(f, "AT+USECDEVINFO=\"a\",\"b\"", "\r\n+CME ERROR: 3\r\n");
	fx_free(f);
	unlink(path);
	platform_destroy(p);
}

/* 10,000 AT+USECPSK calls: 10,000 distinct identities (and counters 1..10000 in order). */
static void test_psk_10000_distinct(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	enum { N = 10000 };
	char(*ids)[ROT_IDENTITY_HEX + 1] = calloc(N, sizeof(*ids));

	assert_non_null(ids);
	for (int i = 0; i < N; i++) {
		const char *r = at(f, "AT+USECPSK=16");
		struct rot_identity id;

		assert_int_equal(strncmp(r, "\r\n+USECPSK: \"", 13), 0);
		memcpy(ids[i], r + 13, ROT_IDENTITY_HEX);
		assert_int_equal(rot_identity_parse(ids[i], ROT_IDENTITY_HEX, &id), 0);
		assert_int_equal(rot_identity_counter(&id), (uint32_t)i + 1);
	}
	qsort(ids, N, sizeof(*ids), (int (*)(const void *, const void *))strcmp);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
	fx_free(f);
}

static void test_modem_rot_psk(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	uint8_t id[64], psk[32];
	size_t id_len = sizeof(id);
	struct rot_identity ident;
	struct rot_psk want;
	struct platform_device d;
	char hex[65];
	struct buf b;

	assert_int_equal(modem_rot_psk(f->m, 32, id, &id_len, psk), 0);
	assert_int_equal(id_len, ROT_IDENTITY_HEX);
	assert_int_equal(rot_identity_parse((const char *)id, id_len, &ident), 0);
	assert_int_equal(platform_derive_psk(f->m->platform, &ident, 32, &d, &want), 0);
	assert_memory_equal(psk, want.bytes, 32);
	id_len = 27;
	assert_int_equal(modem_rot_psk(f->m, 16, id, &id_len, psk), -EINVAL);
	/* :psk lists the pair: fingerprint by default, the PSK hex only with show */
	buf_init(&b, 8192);
	assert_int_equal(cmd_sec_console_psk(f->m, false, &b), 0);
	assert_non_null(strstr(buf_cstr(&b), "identity 11010008"));
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", want.bytes[i]);
	assert_null(strstr(buf_cstr(&b), hex));
	buf_reset(&b);
	assert_int_equal(cmd_sec_console_psk(f->m, true, &b), 0);
	assert_non_null(strstr(buf_cstr(&b), hex));
	buf_reset(&b);
	assert_int_equal(cmd_sec_console_rot(f->m, &b), 0);
	assert_non_null(strstr(buf_cstr(&b), "RoT UID 0A04F008003C9623, next counter 2"));
	buf_finish(&b);
	fx_free(f);
}

/* ---- +USECPRF ---- */

static void test_usecprf_ubxlib(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);

	EXPECT(f, "AT+USECPRF=?", "\r\n+USECPRF: (0-4),(0-14)\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,1,3", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,3,\"ubxlib_test_ca_cert\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2,100,\"00\",\"ae\",0", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,11,1", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,0,1", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,10,\"example.com\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,1", "\r\n+USECPRF: 0,1,3\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,3", "\r\n+USECPRF: 0,3,\"ubxlib_test_ca_cert\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2", "\r\n+USECPRF: 0,2,100,\"00AE\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2,100,\"C0\",\"2C\",0", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2", "\r\n+USECPRF: 0,2,100,\"00AE;C02C\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2,100,\"00\",\"ae\",1", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2", "\r\n+USECPRF: 0,2,100,\"C02C\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2,99,\"c0\",\"2f\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2", "\r\n+USECPRF: 0,2,99,\"C02F\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2,30", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2", "\r\n+USECPRF: 0,2,30\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,11", "\r\n+USECPRF: 0,11,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,0", "\r\n+USECPRF: 0,0,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,10", "\r\n+USECPRF: 0,10,\"example.com\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0", "\r\nOK\r\n"); /* reset: factory values (R5: quirk Q9) */
	EXPECT(f, "AT+USECPRF=0,0", "\r\n+USECPRF: 0,0,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,1", "\r\n+USECPRF: 0,1,3\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,3", "\r\n+USECPRF: 0,3,\"\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2", "\r\n+USECPRF: 0,2,0\r\n\r\nOK\r\n");
	fx_free(f);
}

static void test_usecprf_psk_forms(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	const struct secprof *p;

	/* seed form: hex with ",1"; ASCII without */
	EXPECT(f, "AT+USECPRF=1,8,\"E5DE45B367DB690F2E17CF9D80A18E87\",1", "\r\nOK\r\n");
	p = secprof_store_get(f->m->profiles, 1);
	assert_int_equal(p->psk_len, 16);
	assert_memory_equal(p->psk, "\xE5\xDE\x45\xB3", 4);
	EXPECT(f, "AT+USECPRF=1,8,\"e5de45b367db690f2e17cf9d80a18e87\",1", "\r\nOK\r\n");
	assert_memory_equal(p->psk, "\xE5\xDE\x45\xB3", 4);
	EXPECT(f, "AT+USECPRF=1,8,\"secret\"", "\r\nOK\r\n");
	assert_int_equal(p->psk_len, 6);
	EXPECT(f, "AT+USECPRF=1,8", "\r\n+CME ERROR: 3\r\n"); /* secret: not readable */
	EXPECT(f, "AT+USECPRF=1,7,\"keypass\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=1,7", "\r\n+CME ERROR: 3\r\n");
	EXPECT(f, "AT+USECPRF=1,9,\"11010008DC20FEAD000000016575\",1", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=1,9",
	       "\r\n+USECPRF: 1,9,\"11010008DC20FEAD000000016575\",1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=1,9,\"Client_identity\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=1,9", "\r\n+USECPRF: 1,9,\"Client_identity\"\r\n\r\nOK\r\n");
	/* bad hex, odd length, wrong form flag */
	EXPECT(f, "AT+USECPRF=1,8,\"E5DG\",1", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=1,8,\"E5D\",1", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=1,8,\"E5\",2", "\r\n+CME ERROR: 50\r\n");
	fx_free(f);
}

static void overlong(struct fx *f, const char *prefix, size_t n, const char *suffix,
		     const char *want)
{
	char line[1200];
	size_t k = (size_t)snprintf(line, sizeof(line), "%s", prefix);

	memset(line + k, 'A', n);
	snprintf(line + k + n, sizeof(line) - k - n, "%s", suffix);
	EXPECT(f, line, want);
}

static void test_usecprf_limits(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);

	overlong(f, "AT+USECPRF=2,3,\"", 200, "\"", "\r\nOK\r\n");
	overlong(f, "AT+USECPRF=2,3,\"", 201, "\"", "\r\n+CME ERROR: 24\r\n");
	overlong(f, "AT+USECPRF=2,4,\"", 256, "\"", "\r\nOK\r\n");
	overlong(f, "AT+USECPRF=2,4,\"", 257, "\"", "\r\n+CME ERROR: 24\r\n");
	overlong(f, "AT+USECPRF=2,10,\"", 129, "\"", "\r\n+CME ERROR: 24\r\n");
	overlong(f, "AT+USECPRF=2,8,\"", 64, "\"", "\r\nOK\r\n");
	overlong(f, "AT+USECPRF=2,8,\"", 65, "\"", "\r\n+CME ERROR: 24\r\n");
	overlong(f, "AT+USECPRF=2,8,\"", 128, "\",1", "\r\nOK\r\n");
	overlong(f, "AT+USECPRF=2,8,\"", 130, "\",1", "\r\n+CME ERROR: 24\r\n");
	overlong(f, "AT+USECPRF=2,9,\"", 128, "\"", "\r\nOK\r\n");
	overlong(f, "AT+USECPRF=2,9,\"", 129, "\"", "\r\n+CME ERROR: 24\r\n");
	overlong(f, "AT+USECPRF=2,9,\"", 256, "\",1", "\r\nOK\r\n");
	overlong(f, "AT+USECPRF=2,9,\"", 258, "\",1", "\r\n+CME ERROR: 24\r\n");
	/* ranges: profile 0..4, op 0..14, values per op */
	EXPECT(f, "AT+USECPRF=5", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,15", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,15,1", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,-1,1", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,0,4", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,1,5", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,11,2", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,14,3", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,14,2", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=4,14", "\r\n+USECPRF: 4,14,2\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=4,2,34", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,2,100,\"00\",\"00\",0", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,2,100,\"0\",\"AE\",0", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,2,100,\"00\",\"AE\",2", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,2,100,\"00\",\"AE\",1", "\r\n+CME ERROR: 22\r\n"); /* not listed */
	EXPECT(f, "AT+USECPRF=4,0,1,2", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,12,\"pin\",2", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=4,12", "\r\n+USECPRF: 4,12,\"pin\",2\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=4,12,\"pin\",3", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECPRF=4,13,0,1", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=4,13", "\r\n+USECPRF: 4,13,0,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=4,13,2,\"c2lk\",\"a2V5\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=4,13,3,1", "\r\n+CME ERROR: 50\r\n");
	fx_free(f);
}

static void test_usecprf_r4_persona(void **state)
{
	struct fx *f = fx_new("0A04F00800000006", NULL, false); /* SARA-R410M-63B */

	EXPECT(f, "AT+USECPRF=0,2,100,\"00\",\"ae\",0", "\r\n+CME ERROR: 4\r\n");
	EXPECT(f, "AT+USECPRF=0,2,99,\"00\",\"ae\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=0,2", "\r\n+USECPRF:0,2,99,\"00AE\"\r\n\r\nOK\r\n"); /* Q20 */
	EXPECT(f, "AT+USECPRF=0,14,1", "\r\n+CME ERROR: 4\r\n"); /* ZTP: SARA-R5 only */
	EXPECT(f, "AT+USECDEVCERT=1", "\r\n+CME ERROR: 4\r\n");
	fx_free(f);
}

/* ---- quirks Q1, Q8, Q9, Q24 ---- */

/* Q1: SARA-R422 security subsystem busy for 3 s after boot and after every reboot. */
static void test_quirk_sec_busy_r422(void **state)
{
	struct fx *f = fx_new("0A04F00800000004", NULL, false); /* SARA-R422S */

	(void)state;
	EXPECT(f, "AT+USECDEVINFO?", "\r\nERROR\r\n");
	EXPECT(f, "AT+USECROTUID", "\r\n+CME ERROR: 1950\r\n");
	EXPECT(f, "AT+USECPSK=32", "\r\n+CME ERROR: 1950\r\n");
	EXPECT(f, "AT+USECCONN", "\r\n+CME ERROR: 1950\r\n");
	EXPECT(f, "AT+USECDEVINFO=?",
	       "\r\n+USECDEVINFO:\"device_profile_uid\",\"serial_number\"\r\n"
	       "\r\nOK\r\n");
	EXPECT(f, "AT+CMEE=2", "\r\nOK\r\n");
	EXPECT(f, "AT+USECROTUID", "\r\n+CME ERROR: SEC busy\r\n");
	pump(f, 2999);
	EXPECT(f, "AT+USECDEVINFO?", "\r\nERROR\r\n");
	pump(f, 1);
	EXPECT(f, "AT+USECROTUID", "\r\n+USECROTUID:\"0A04F00800000004\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+CFUN=15", "\r\nOK\r\n");
	pump(f, 0);
	EXPECT(f, "AT+USECROTUID", "\r\n+CME ERROR: SEC busy\r\n"); /* again after a reboot */
	pump(f, 3000);
	EXPECT(f, "AT+USECROTUID", "\r\n+USECROTUID:\"0A04F00800000004\"\r\n\r\nOK\r\n");
	fx_free(f);
}

/* Q1: no window on SARA-R5 by default; --sec-busy-ms sets one for any persona, 0 removes it. */
static void test_quirk_sec_busy_option(void **state)
{
	struct fx *f = fx_new_busy(NULL, NULL, false, 500);

	(void)state;
	EXPECT(f, "AT+USECDEVINFO?", "\r\nERROR\r\n");
	pump(f, 500);
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n");
	fx_free(f);
	f = fx_new_busy("0A04F00800000004", NULL, false, 0);
	EXPECT(f, "AT+USECROTUID", "\r\n+USECROTUID:\"0A04F00800000004\"\r\n\r\nOK\r\n");
	fx_free(f);
}

/* Q9: reset profile: validation 1 and TLS 1.2 on R422, validation 0 and any TLS on R410M. */
static void test_quirk_profile_defaults(void **state)
{
	struct fx *f = fx_new_busy("0A04F00800000004", NULL, false, 0); /* SARA-R422S */

	(void)state;
	EXPECT(f, "AT+USECPRF=2,0", "\r\n+USECPRF:2,0,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2,1", "\r\n+USECPRF:2,1,3\r\n\r\nOK\r\n");
	fx_free(f);
	f = fx_new("0A04F00800000006", NULL, false); /* SARA-R410M-63B */
	EXPECT(f, "AT+USECPRF=2,0,2", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2,0", "\r\n+USECPRF:2,0,0\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2,1", "\r\n+USECPRF:2,1,0\r\n\r\nOK\r\n");
	/* Q8: no cipher list on R4; a new op 2 write replaces the previous one */
	EXPECT(f, "AT+USECPRF=2,2,100,\"C0\",\"2F\",0", "\r\n+CME ERROR: 4\r\n");
	EXPECT(f, "AT+USECPRF=2,2,99,\"C0\",\"2F\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2,2,99,\"00\",\"A8\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2,2", "\r\n+USECPRF:2,2,99,\"00A8\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2,2,30", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=2,2", "\r\n+USECPRF:2,2,30\r\n\r\nOK\r\n");
	fx_free(f);
}

/* ---- +USECMNG and the file system ---- */

/* A fresh self-signed EC certificate in PEM (caller frees). */
static char *make_cert_pem(size_t *len)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *out;
	long n;

	assert_non_null(k);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "20400530123456Z");
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"Test Root CA", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	PEM_write_bio_X509(bio, x);
	n = BIO_get_mem_data(bio, &data);
	out = malloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(k);
	return out;
}

/* MD5 of the DER form of a PEM certificate: what +USECMNG reports (the module stores DER). */
static void md5_of(const void *pem, size_t len, char out[33])
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	unsigned char md[16], *der = NULL;
	unsigned int n = 0;
	int der_len;

	assert_non_null(x);
	der_len = i2d_X509(x, &der);
	assert_true(der_len > 0);
	assert_int_equal(EVP_Digest(der, (size_t)der_len, md, &n, EVP_md5(), NULL), 1);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
}

/* "AT+..." then '>' then the bytes; returns the whole answer after the prompt. */
static const char *prompt_send(struct fx *f, const char *line, const void *data, size_t len)
{
	mem_transport_clear(&f->t);
	modem_console_input(f->m, line);
	pump(f, 0);
	assert_string_equal(mem_transport_text(&f->t), "\r\n>");
	mem_transport_clear(&f->t);
	mem_feed_chunks(feed, f->m, data, len, 97, 4);
	pump(f, 0);
	return mem_transport_text(&f->t);
}

static void test_usecmng(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	size_t len;
	char *pem = make_cert_pem(&len), md5[33], line[128], want[256];

	md5_of(pem, len, md5);
	snprintf(line, sizeof(line), "AT+USECMNG=0,0,\"ubxlib_test_ca_cert\",%zu", len);
	snprintf(want, sizeof(want),
		 "\r\n+USECMNG: 0,0,\"ubxlib_test_ca_cert\",\"%s\"\r\n\r\nOK\r\n", md5);
	assert_string_equal(prompt_send(f, line, pem, len), want);
	want[12] = '4'; /* same line for op 4 */
	EXPECT(f, "AT+USECMNG=4,0,\"ubxlib_test_ca_cert\"", want);
	EXPECT(f, "AT+USECMNG=3",
	       "\r\n\"CA\",\"ubxlib_test_ca_cert\",\"Test Root CA\",\"2040/05/30 "
	       "12:34:56\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECMNG=3,1", "\r\nOK\r\n");
	EXPECT(f, "AT+USECMNG=2,0,\"ubxlib_test_ca_cert\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECMNG=2,0,\"ubxlib_test_ca_cert\"", "\r\n+CME ERROR: 22\r\n"); /* Q24 */
	EXPECT(f, "AT+USECMNG=4,0,\"ubxlib_test_ca_cert\"", "\r\n+CME ERROR: 22\r\n");
	/* garbage in a PEM: the header is there, the base64 is not a certificate */
	pem[40] ^= 0x5a;
	pem[41] = '!';
	assert_string_equal(prompt_send(f, line, pem, len), "\r\n+CME ERROR: 50\r\n");
	/* bad type, op, name length */
	EXPECT(f, "AT+USECMNG=0,6,\"x\",10", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECMNG=5,0,\"x\"", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECMNG=0,0,\"\",10", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECMNG=0,0,\"x\",0", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECMNG=0,0,\"x\",16385", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECMNG=?", "\r\n+USECMNG: (0-4),(0-5)\r\n\r\nOK\r\n");
	free(pem);
	fx_free(f);
}

/* Q24: a PEM whose line breaks were lost (ubxlib#242) is refused; with them it is taken. */
static void test_quirk_pem_newlines(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	size_t len, n = 0;
	char *pem = make_cert_pem(&len), *flat = malloc(len), line[128];

	(void)state;
	assert_non_null(flat);
	for (size_t i = 0; i < len; i++)
		if (pem[i] != '\n' && pem[i] != '\r')
			flat[n++] = pem[i];
	snprintf(line, sizeof(line), "AT+USECMNG=0,0,\"flat\",%zu", n);
	assert_string_equal(prompt_send(f, line, flat, n), "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECMNG=3", "\r\nOK\r\n");
	snprintf(line, sizeof(line), "AT+USECMNG=0,0,\"lines\",%zu", len);
	assert_non_null(strstr(prompt_send(f, line, pem, len), "\r\nOK\r\n"));
	free(flat);
	free(pem);
	fx_free(f);
}

static void test_usecmng_prompt_counts(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	size_t len;
	char *pem = make_cert_pem(&len), line[128], *more, md5[33], want[256];

	/* fewer bytes than announced: CME 50 after the data timeout, nothing stored */
	snprintf(line, sizeof(line), "AT+USECMNG=0,0,\"short\",%zu", len + 5);
	assert_string_equal(prompt_send(f, line, pem, len), "");
	pump(f, 10000);
	assert_string_equal(mem_transport_text(&f->t), "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "AT+USECMNG=3", "\r\nOK\r\n");
	/* more bytes than announced: exactly the count is imported, the rest is command input
	 * (here a valid "AT\r", answered after the import; text without "AT" would be dropped) */
	more = malloc(len + 3);
	memcpy(more, pem, len);
	memcpy(more + len, "AT\r", 3);
	md5_of(pem, len, md5);
	snprintf(line, sizeof(line), "AT+USECMNG=0,0,\"long\",%zu", len);
	snprintf(want, sizeof(want), "\r\n+USECMNG: 0,0,\"long\",\"%s\"\r\n\r\nOK\r\n\r\nOK\r\n",
		 md5);
	assert_string_equal(prompt_send(f, line, more, len + 3), want);
	assert_non_null(strstr(at(f, "AT+USECMNG=3"), "\"CA\",\"long\""));
	free(more);
	free(pem);
	fx_free(f);
}

static void test_files(void **state)
{
	struct fx *f = fx_new(NULL, NULL, false);
	size_t len;
	char *pem = make_cert_pem(&len), md5[33], line[128], want[256];

	md5_of(pem, len, md5);
	EXPECT(f, "AT+ULSTFILE=0", "\r\n+ULSTFILE: \r\n\r\nOK\r\n");
	snprintf(line, sizeof(line), "AT+UDWNFILE=\"ca.pem\",%zu", len);
	assert_string_equal(prompt_send(f, line, pem, len), "\r\nOK\r\n");
	EXPECT(f, "AT+UDWNFILE=\"b.bin\",3", "\r\n>");
	mem_feed_bytes(feed, f->m, "\x00\r\n", 3);
	assert_string_equal(mem_transport_text(&f->t), "\r\n>\r\nOK\r\n");
	EXPECT(f, "AT+ULSTFILE", "\r\n+ULSTFILE: \"ca.pem\",\"b.bin\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+ULSTFILE=2,\"b.bin\"", "\r\n+ULSTFILE: 3\r\n\r\nOK\r\n");
	snprintf(want, sizeof(want), "\r\n+ULSTFILE: %zu\r\n\r\nOK\r\n", SEC_FS_SPACE - len - 3);
	EXPECT(f, "AT+ULSTFILE=1", want);
	snprintf(want, sizeof(want), "\r\n+USECMNG: 1,0,\"fromfile\",\"%s\"\r\n\r\nOK\r\n", md5);
	EXPECT(f, "AT+USECMNG=1,0,\"fromfile\",\"ca.pem\"", want);
	EXPECT(f, "AT+USECMNG=1,0,\"x\",\"b.bin\"", "\r\n+CME ERROR: 50\r\n"); /* not a cert */
	EXPECT(f, "AT+USECMNG=1,0,\"x\",\"nope\"", "\r\n+CME ERROR: 1612\r\n");
	EXPECT(f, "AT+UDELFILE=\"ca.pem\"", "\r\nOK\r\n");
	EXPECT(f, "AT+UDELFILE=\"ca.pem\"", "\r\n+CME ERROR: 1612\r\n");
	EXPECT(f, "AT+ULSTFILE=2,\"ca.pem\"", "\r\n+CME ERROR: 1612\r\n");
	EXPECT(f, "AT+UDWNFILE=\"big\",16385", "\r\n+CME ERROR: 50\r\n");
	free(pem);
	fx_free(f);
}

/* ---- NVM: reboot, restart, corrupt or newer state ---- */

static void test_persist_restart(void **state)
{
	struct fx *f = fx_new("0A04F0080000000B", NULL, true);
	size_t len;
	char *pem = make_cert_pem(&len), line[128], md5reply[256], counter[64];
	const char *r;

	EXPECT(f, "AT+USECPRF=3,9,\"dev-42\"", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=3,8,\"00112233\",1", "\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=3,2,100,\"c0\",\"2b\",0", "\r\nOK\r\n");
	snprintf(line, sizeof(line), "AT+USECMNG=0,0,\"ca\",%zu", len);
	snprintf(md5reply, sizeof(md5reply), "%s", prompt_send(f, line, pem, len));
	md5reply[12] = '4';
	snprintf(line, sizeof(line), "AT+UDWNFILE=\"ca.pem\",%zu", len);
	prompt_send(f, line, pem, len);
	EXPECT(f, "AT+USECDEVINFO=\"AgbCtixjwqLjwV3VWpfPyz\",\"352753090000116\"", "\r\nOK\r\n");
	pump(f, CONFIG_SEAL_DELAY_DEFAULT);
	r = at(f, "AT+USECPSK=16");
	snprintf(counter, sizeof(counter), "%.8s", r + 13 + 16); /* counter hex of identity */
	EXPECT(f, "AT+CFUN=4", "\r\nOK\r\n");
	EXPECT(f, "AT+UMNOPROF=90", "\r\nOK\r\n");
	/* reboot keeps everything */
	modem_reboot(f->m);
	pump(f, 0);
	pump(f, MODEM_REBOOT_MS);
	EXPECT(f, "AT+USECPRF=3,9", "\r\n+USECPRF: 3,9,\"dev-42\"\r\n\r\nOK\r\n");
	/* restart: a new modem on the same state directory */
	stop_modem(f);
	assert_int_equal(start_modem(f), 0);
	EXPECT(f, "AT+USECPRF=3,9", "\r\n+USECPRF: 3,9,\"dev-42\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECPRF=3,2", "\r\n+USECPRF: 3,2,100,\"C02B\"\r\n\r\nOK\r\n");
	assert_memory_equal(secprof_store_get(f->m->profiles, 3)->psk, "\x00\x11\x22\x33", 4);
	EXPECT(f, "AT+USECMNG=4,0,\"ca\"", md5reply);
	EXPECT(f, "AT+ULSTFILE", "\r\n+ULSTFILE: \"ca.pem\"\r\n\r\nOK\r\n");
	EXPECT(f, "AT+USECDEVINFO?", "\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+UMNOPROF?", "\r\n+UMNOPROF: 90\r\n\r\nOK\r\n");
	r = at(f, "AT+USECPSK=16");
	assert_true(strncmp(r + 13 + 16, counter, 8) > 0); /* never goes back */
	{
		struct stat st;
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", f->dir, NVM_FILE);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	free(pem);
	fx_free(f);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_corrupt_state_refused(void **state)
{
	static const char *const images[] = {
		"garbage\n",
		"ukms-nvm 2\nend\n",
		"ukms-nvm 1\nprofiles 5\nabc\n",
		"ukms-nvm 1\nprofiles 3\nabc\nend\n",
		"ukms-nvm 1\nseal 8\nsealed 7\nend\n",
	};
	struct fx *f = fx_new(NULL, NULL, true);
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/%s", f->dir, NVM_FILE);
	stop_modem(f);
	for (size_t i = 0; i < ARRAY_LEN(images); i++) {
		struct buf b;

		write_file(path, images[i]);
		assert_null(modem_create(f->loop, &f->cfg, err, sizeof(err)));
		buf_init(&b, 4096);
		assert_int_equal(afile_read(path, &b), 0);
		assert_string_equal(buf_cstr(&b), images[i]); /* nothing overwritten */
		buf_finish(&b);
	}
	unlink(path);
	assert_int_equal(start_modem(f), 0);
	fx_free(f);
}

static void test_nvm_roundtrip(void **state)
{
	char err[128];
	struct nvm *n = nvm_open(NULL, err, sizeof(err)), *n2 = nvm_open(NULL, err, sizeof(err));
	struct buf img;
	const uint8_t *d;
	size_t len;

	assert_int_equal(nvm_set(n, "a", "x\ny\0z", 5), 0);
	assert_int_equal(nvm_set(n, "empty", NULL, 0), 0);
	assert_int_equal(nvm_set(n, "Bad", "x", 1), -EINVAL);
	assert_int_equal(nvm_set(n, "end", "x", 1), -EINVAL);
	buf_init(&img, 0);
	assert_int_equal(nvm_format(n, &img), 0);
	assert_int_equal(nvm_parse(n2, img.data, img.len, err, sizeof(err)), 0);
	assert_int_equal(nvm_get(n2, "a", &d, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(d, "x\ny\0z", 5);
	assert_int_equal(nvm_get(n2, "empty", &d, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(nvm_get(n2, "missing", &d, &len), -ENOENT);
	/* truncations of a valid image are all refused, and leave the NVM as it was */
	for (size_t cut = 0; cut < img.len; cut++)
		assert_true(nvm_parse(n2, img.data, cut, err, sizeof(err)) < 0);
	assert_int_equal(nvm_get(n2, "a", &d, &len), 0);
	assert_int_equal(nvm_commit(n2), 0); /* ephemeral: no-op */
	buf_finish(&img);
	nvm_close(n);
	nvm_close(n2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rot_sealed),
		cmocka_unit_test(test_rot_fleet_device),
		cmocka_unit_test(test_psk_bad_sizes),
		cmocka_unit_test(test_no_rot_persona),
		cmocka_unit_test(test_seal_flow),
		cmocka_unit_test(test_unsealed_code_configurable),
		cmocka_unit_test(test_seal_delay_configurable),
		cmocka_unit_test(test_config_options),
		cmocka_unit_test(test_provisioning_off),
		cmocka_unit_test(test_not_bootstrapped),
		cmocka_unit_test(test_psk_10000_distinct),
		cmocka_unit_test(test_modem_rot_psk),
		cmocka_unit_test(test_usecprf_ubxlib),
		cmocka_unit_test(test_usecprf_psk_forms),
		cmocka_unit_test(test_usecprf_limits),
		cmocka_unit_test(test_usecprf_r4_persona),
		cmocka_unit_test(test_usecmng),
		cmocka_unit_test(test_usecmng_prompt_counts),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_persist_restart),
		cmocka_unit_test(test_corrupt_state_refused),
		cmocka_unit_test(test_nvm_roundtrip),
		cmocka_unit_test(test_quirk_sec_busy_r422),
		cmocka_unit_test(test_quirk_sec_busy_option),
		cmocka_unit_test(test_quirk_profile_defaults),
		cmocka_unit_test(test_quirk_pem_newlines),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
