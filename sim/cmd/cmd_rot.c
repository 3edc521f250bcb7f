/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Root-of-Trust commands: +USECROTUID +USECDEVINFO +USECCONN +USECPSK +USECDEVCERT
 * (ublox-at.md §2.1-2.3, §2.9; quirks Q2-Q5), the RoT PSK source of profile op 11
 * (modem_rot_psk) and the console's :psk / :rot / :unseal. Error codes: docs/security.md.
 */
#define LOG_MODULE "rot"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "cmd.h"
#include "cmd_security.h"
#include "hex.h"
#include "image.h"
#include "fault.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "nvm.h"
#include "persona.h"
#include "rot/counter.h"
#include "rot/platform.h"
#include "rot/rot.h"

#define PEM_MAX 4096

/* ---- the RoT: checks, generation, remembered pairs ---- */

static int rot_check(const struct modem *m)
{
	const struct cmd_sec_state *st = m->sec;

	if (!m->persona->has_rot || st == NULL || st->counter == NULL)
		return -EOPNOTSUPP;
	if (!st->bootstrapped)
		return -EACCES;
	if (!st->sealed)
		return -EPERM; /* Q3: code configurable, see unsealed_fail() */
	if (!st->provisioning || faults_is_on(m->faults, FAULT_Q6))
		return -EACCES; /* Q6: bootstrapped, not provisioned */
	return 0;
}

static void remember(struct cmd_sec_state *st, const struct rot_identity *id,
		     const struct rot_psk *psk)
{
	struct sec_pair *p = &st->pairs[st->pair_next];

	rot_identity_format(id, p->id, sizeof(p->id));
	p->psk = *psk;
	p->counter = rot_identity_counter(id);
	st->pair_next = (st->pair_next + 1) % SEC_PAIRS_MAX;
	if (st->n_pairs < SEC_PAIRS_MAX)
		st->n_pairs++;
	st->pairs_total++;
}

/* A fresh counter, its identity and PSK; the pair is remembered for :psk. */
static int rot_next(struct modem *m, size_t len, struct rot_identity *id, struct rot_psk *psk)
{
	struct cmd_sec_state *st = m->sec;
	uint32_t counter = 0;
	char fp[9];
	int rc = rot_check(m);

	if (rc == 0)
		rc = rot_counter_next(st->counter, &counter);
	if (rc == 0)
		rc = rot_generate(&st->dev, counter, len, id, psk);
	if (rc < 0)
		return rc;
	remember(st, id, psk);
	log_fingerprint(psk->bytes, psk->len, fp);
	log_debug("RoT PSK: counter %u, %zu bytes, fingerprint %s", counter, len, fp);
	return 0;
}

int modem_rot_psk(struct modem *m, size_t len, uint8_t *id, size_t *id_len, uint8_t *psk)
{
	struct rot_identity ident;
	struct rot_psk key = { { 0 }, 0 };
	char text[ROT_IDENTITY_HEX + 1];
	int rc = -EINVAL;

	if (m == NULL || id == NULL || id_len == NULL || psk == NULL || *id_len < ROT_IDENTITY_HEX)
		goto out;
	rc = rot_next(m, len, &ident, &key);
	if (rc < 0)
		goto out;
	rot_identity_format(&ident, text, sizeof(text));
	memcpy(id, text, ROT_IDENTITY_HEX);
	*id_len = ROT_IDENTITY_HEX;
	memcpy(psk, key.bytes, key.len);
out:
	rot_psk_clear(&key);
	return rc;
}

static enum at_rc rot_fail(struct at_req *req, int rc)
{
	const struct modem *m = at_req_ctx(req);

	if (rc == -EPERM && m->sec != NULL)
		return at_fail(req, m->sec->unsealed_cme);
	return cmd_fail(req, rc);
}

/* ---- device key and certificate (ZTP), made at sealing ---- */

static int devkey_scalar(const struct rot_device *dev, uint8_t out[32])
{
	static const char label[] = "ukms-v1 device certificate key";
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	uint8_t info[sizeof(label) - 1 + ROT_UID_LEN];
	OSSL_PARAM p[4];
	int rc = -EIO;

	memcpy(info, label, sizeof(label) - 1);
	memcpy(info + sizeof(label) - 1, dev->uid, ROT_UID_LEN);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)(uintptr_t) "SHA256",
						0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)(uintptr_t)dev->key.bytes, ROT_KEY_LEN);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info));
	p[3] = OSSL_PARAM_construct_end();
	if (ctx != NULL && EVP_KDF_derive(ctx, out, 32, p) == 1)
		rc = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

/* EC P-256 key whose private scalar is HKDF(K_dev, label || uid) mod n: same key every time. */
static EVP_PKEY *devkey_make(const struct rot_device *dev)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *d = BN_secure_new();
	BN_CTX *bctx = BN_CTX_secure_new();
	EC_POINT *pub = g != NULL ? EC_POINT_new(g) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	uint8_t seed[32], pubraw[65];

	if (g == NULL || d == NULL || bctx == NULL || pub == NULL || bld == NULL ||
	    devkey_scalar(dev, seed) < 0)
		goto out;
	if (BN_bin2bn(seed, sizeof(seed), d) == NULL ||
	    !BN_mod(d, d, EC_GROUP_get0_order(g), bctx) || (BN_is_zero(d) && !BN_one(d)) ||
	    !EC_POINT_mul(g, pub, d, NULL, NULL, bctx) ||
	    EC_POINT_point2oct(g, pub, POINT_CONVERSION_UNCOMPRESSED, pubraw, sizeof(pubraw),
			       NULL) != sizeof(pubraw))
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pubraw,
					      sizeof(pubraw)) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1)
		key = NULL;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(pub);
	BN_clear_free(d);
	BN_CTX_free(bctx);
	EC_GROUP_free(g);
	return key;
}

static int cert_names(X509 *x, const struct cmd_sec_state *st)
{
	X509_NAME *n = X509_NAME_new();
	char uid[2 * ROT_UID_LEN + 1];
	int ok = n != NULL;

	hex_encode(st->dev.uid, ROT_UID_LEN, uid, sizeof(uid));
	ok = ok &&
	     X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
					(const unsigned char *)"ukms emulated module", -1, -1, 0);
	if (ok && st->seal_serial[0] != '\0')
		ok = X509_NAME_add_entry_by_txt(n, "serialNumber", MBSTRING_ASC,
						(const unsigned char *)st->seal_serial, -1, -1, 0);
	ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)uid, -1,
					      -1, 0);
	ok = ok && X509_set_subject_name(x, n) && X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	return ok ? 0 : -EIO;
}

static char *pem_text(BIO *bio)
{
	char *data = NULL, *out = NULL;
	long len = BIO_get_mem_data(bio, &data);

	if (len > 0 && len < PEM_MAX && (out = malloc((size_t)len + 1)) != NULL) {
		memcpy(out, data, (size_t)len);
		out[len] = '\0';
	}
	return out;
}

/* Self-signed X.509 of the device key: subject O, serialNumber (seal serial), CN (RoT UID). */
static char *devcert_make(const struct cmd_sec_state *st)
{
	EVP_PKEY *key = devkey_make(&st->dev);
	X509 *x = X509_new();
	BIO *bio = BIO_new(BIO_s_mem());
	uint64_t serial = 0;
	char *pem = NULL;

	for (size_t i = 0; i < ROT_UID_LEN; i++)
		serial = serial << 8 | st->dev.uid[i];
	if (key == NULL || x == NULL || bio == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial | 1) ||
	    !ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "20240101000000Z") ||
	    !ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "20491231235959Z") ||
	    cert_names(x, st) < 0 || !X509_set_pubkey(x, key) || !X509_sign(x, key, EVP_sha256()) ||
	    !PEM_write_bio_X509(bio, x))
		goto out;
	pem = pem_text(bio);
out:
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	return pem;
}

static char *devkey_pem(const struct cmd_sec_state *st)
{
	EVP_PKEY *key = devkey_make(&st->dev);
	BIO *bio = BIO_new(BIO_s_secmem());
	char *pem = NULL;

	if (key != NULL && bio != NULL &&
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		pem = pem_text(bio);
	BIO_free(bio);
	EVP_PKEY_free(key);
	return pem;
}

/* ---- seal state ---- */

static void seal_done(void *data)
{
	struct modem *m = data;
	struct cmd_sec_state *st = m->sec;

	st->seal_timer = NULL;
	st->sealed = true;
	free(st->devcert_pem);
	st->devcert_pem = devcert_make(st);
	if (st->devcert_pem == NULL)
		log_warn("sealed, but the device certificate could not be made");
	log_info("device %s sealed (profile %s, serial %s)", m->device->uid_hex, st->seal_uid,
		 st->seal_serial);
	cmd_sec_save(m, SEC_SEAL);
}

static int seal_start(struct modem *m, const struct at_req *req)
{
	struct cmd_sec_state *st = m->sec;

	if (!m->persona->has_rot || st->counter == NULL)
		return -EOPNOTSUPP;
	if (!st->bootstrapped)
		return -EACCES;
	if (st->sealed)
		return -EALREADY; /* Q4: once only */
	if (st->seal_timer != NULL)
		return -EBUSY;
	if (cmd_arg_copy(req, 0, st->seal_uid, sizeof(st->seal_uid)) < 0 ||
	    cmd_arg_copy(req, 1, st->seal_serial, sizeof(st->seal_serial)) < 0)
		return -EINVAL;
	st->seal_timer = loop_add_timer(m->loop, st->seal_delay_ms, seal_done, m);
	return st->seal_timer != NULL ? 0 : -ENOMEM;
}

/* Back to unsealed: no seal request pending, no seal identity, no device certificate. */
static void unseal(struct modem *m)
{
	struct cmd_sec_state *st = m->sec;

	loop_remove(m->loop, st->seal_timer);
	st->seal_timer = NULL;
	st->sealed = false;
	st->seal_uid[0] = st->seal_serial[0] = '\0';
	free(st->devcert_pem);
	st->devcert_pem = NULL;
}

int cmd_sec_console_unseal(struct modem *m, struct buf *out)
{
	struct cmd_sec_state *st = m->sec;

	if (st == NULL)
		return -EOPNOTSUPP;
	unseal(m);
	log_info("seal reset by the console (factory state: 1,0,1)");
	buf_appendf(out, "seal reset: +USECDEVINFO now answers %d,0,%d\n", st->bootstrapped,
		    st->bootstrapped);
	return cmd_sec_save(m, SEC_SEAL);
}

int cmd_rot_ctl_seal(struct modem *m, const char *action)
{
	struct cmd_sec_state *st = m->sec;

	if (st == NULL || st->counter == NULL)
		return -EOPNOTSUPP;
	if (strcmp(action, "seal") == 0) {
		loop_remove(m->loop, st->seal_timer);
		st->seal_timer = NULL;
		st->bootstrapped = true;
		snprintf(st->seal_uid, sizeof(st->seal_uid), "ukms-control");
		seal_done(m); /* sealed, certificate, persisted, logged */
		modem_state_event(m, "sealed");
		return 0;
	}
	if (strcmp(action, "unseal") != 0 && strcmp(action, "reset") != 0)
		return -EINVAL;
	unseal(m);
	if (strcmp(action, "reset") == 0) {
		loop_remove(m->loop, st->bootstrap_timer);
		st->bootstrap_timer = NULL;
		st->bootstrapped = false;
	}
	log_info("seal %s by the control socket (+USECDEVINFO %s)", action,
		 st->bootstrapped ? "1,0,1" : "0,0,0");
	modem_state_event(m, "%s", st->bootstrapped ? "unsealed" : "factory");
	return cmd_sec_persist(m);
}

static void bootstrap_done(void *data)
{
	struct modem *m = data;

	m->sec->bootstrap_timer = NULL;
	m->sec->bootstrapped = true;
	log_info("device %s bootstrapped (control socket)", m->device->uid_hex);
	modem_state_event(m, "bootstrapped");
	cmd_sec_persist(m);
}

int cmd_rot_ctl_bootstrap(struct modem *m, uint32_t delay_ms)
{
	struct cmd_sec_state *st = m->sec;

	if (st == NULL || st->counter == NULL)
		return -EOPNOTSUPP;
	if (st->bootstrapped)
		return -EALREADY;
	loop_remove(m->loop, st->bootstrap_timer);
	st->bootstrap_timer = loop_add_timer(m->loop, delay_ms, bootstrap_done, m);
	return st->bootstrap_timer != NULL ? 0 : -ENOMEM;
}

/* ---- AT handlers ---- */

static void conn_end(struct cmd_sec_state *st, enum at_rc rc)
{
	struct at_req *req = st->conn_req;

	st->conn_req = NULL;
	if (req != NULL)
		at_req_complete(req, rc);
}

void cmd_rot_boot(struct modem *m)
{
	long ms = m->cfg.sec_busy_ms >= 0 ? m->cfg.sec_busy_ms : (long)m->persona->sec_busy_ms;

	if (m->sec == NULL)
		return;
	if (faults_is_on(m->faults, FAULT_Q1))
		ms = faults_get(m->faults, FAULT_Q1, "ms");
	m->sec->busy_until_ms = loop_now_ms(m->loop) + (uint64_t)ms;
	if (ms > 0)
		log_info("security commands busy for %ld ms after boot (quirk Q1)", ms);
	m->sec->files_listed = false;
	loop_remove(m->loop, m->sec->conn_timer);
	m->sec->conn_timer = NULL;
	conn_end(m->sec, AT_RC_ERROR);
}

void cmd_rot_fault(struct modem *m, enum fault_id id, bool on)
{
	long ms = faults_get(m->faults, FAULT_Q1, "ms");

	if (id != FAULT_Q1 || !on || m->sec == NULL)
		return;
	m->sec->busy_until_ms = loop_now_ms(m->loop) + (uint64_t)ms;
	log_info("security commands busy for %ld ms from now (quirk Q1)", ms);
}

/*
 * Quirk Q1: right after boot the security subsystem is not ready. AT+USECDEVINFO? answers a
 * bare ERROR, the other RoT commands +CME ERROR 1950 "SEC busy"; test commands always work.
 */
static bool sec_busy(struct at_req *req, enum at_rc *rc)
{
	const struct modem *m = at_req_ctx(req);

	if (m->sec == NULL || at_req_op(req) == AT_OP_TEST ||
	    loop_now_ms(m->loop) >= m->sec->busy_until_ms)
		return false;
	log_debug("%s while the security subsystem boots: busy (quirk Q1)", at_req_cmd(req)->name);
	*rc = at_req_op(req) == AT_OP_READ ? AT_RC_ERROR : cmd_fail(req, -EBUSY);
	return true;
}

static enum at_rc handle_rotuid(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	enum at_rc arc;

	if (sec_busy(req, &arc))
		return arc;
	if (!m->persona->has_rot)
		return cmd_fail(req, -EOPNOTSUPP);
	cmd_reply(req, "+USECROTUID", "\"%s\"", m->device->uid_hex);
	return AT_RC_OK;
}

static enum at_rc handle_devinfo(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const struct cmd_sec_state *st = m->sec;
	int rc;
	enum at_rc arc;

	if (sec_busy(req, &arc))
		return arc;
	if (at_req_op(req) == AT_OP_TEST) {
		cmd_reply(req, "+USECDEVINFO", "\"device_profile_uid\",\"serial_number\"");
		return AT_RC_OK;
	}
	if (at_req_op(req) == AT_OP_SET) {
		rc = seal_start(m, req);
		return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
	}
	if (!m->persona->has_rot)
		return cmd_fail(req, -EOPNOTSUPP);
	if (!st->bootstrapped)
		cmd_reply(req, "+USECDEVINFO", "0,0,0");
	else
		cmd_reply(req, "+USECDEVINFO", "1,%d,1", st->sealed ? 1 : 0);
	return AT_RC_OK;
}

static void handle_conn_done(void *data)
{
	struct cmd_sec_state *st = data;

	st->conn_timer = NULL;
	conn_end(st, AT_RC_OK);
}

/* Fault Q5: the heartbeat takes delay_ms before its OK. */
static enum at_rc slow_conn(struct at_req *req, struct cmd_sec_state *st)
{
	struct modem *m = at_req_ctx(req);
	long ms = faults_get(m->faults, FAULT_Q5, "delay_ms");

	if (!faults_is_on(m->faults, FAULT_Q5) || ms == 0 || st->conn_req != NULL)
		return AT_RC_OK;
	st->conn_timer = loop_add_timer(m->loop, (uint64_t)ms, handle_conn_done, st);
	if (st->conn_timer == NULL)
		return AT_RC_OK;
	log_info("+USECCONN takes %ld ms (quirk Q5)", ms);
	st->conn_req = req;
	return AT_RC_PENDING;
}

/* Heartbeat: allowed once per SEC_CONN_PERIOD_MS (Q5), then "SEC busy". */
static enum at_rc handle_conn(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_sec_state *st = m->sec;
	uint64_t now = loop_now_ms(m->loop);
	enum at_rc arc;

	if (sec_busy(req, &arc))
		return arc;
	if (!m->persona->has_rot)
		return cmd_fail(req, -EOPNOTSUPP);
	if (!st->bootstrapped)
		return cmd_fail(req, -EACCES);
	if (st->conn_used && now - st->last_conn_ms < SEC_CONN_PERIOD_MS)
		return cmd_fail(req, -EBUSY);
	st->conn_used = true;
	st->last_conn_ms = now;
	return slow_conn(req, st);
}

static enum at_rc handle_psk(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct rot_identity id;
	struct rot_psk psk = { { 0 }, 0 };
	char idhex[ROT_IDENTITY_HEX + 1], pskhex[2 * ROT_PSK_MAX + 1];
	enum at_rc arc = AT_RC_OK;
	int rc;

	if (sec_busy(req, &arc))
		return arc;
	if (at_req_op(req) == AT_OP_TEST) {
		cmd_reply(req, "+USECPSK", "(16,32)");
		return AT_RC_OK;
	}
	rc = rot_next(m, (size_t)at_arg_int(req, 0), &id, &psk);
	if (rc < 0) {
		arc = rot_fail(req, rc);
		goto out;
	}
	rot_identity_format(&id, idhex, sizeof(idhex));
	hex_encode(psk.bytes, psk.len, pskhex, sizeof(pskhex));
	cmd_reply(req, "+USECPSK", "\"%s\",\"%s\"", idhex, pskhex);
out:
	OPENSSL_cleanse(pskhex, sizeof(pskhex));
	rot_psk_clear(&psk);
	return arc;
}

/* Drops the PEM's last newline for the quoted reply; the inner ones stay. */
static void reply_pem(struct at_req *req, long type, char *pem)
{
	size_t len = strlen(pem);

	if (len > 0 && pem[len - 1] == '\n')
		pem[len - 1] = '\0';
	cmd_reply(req, "+USECDEVCERT", "%ld,\"%s\"", type, pem);
}

static enum at_rc handle_devcert(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_sec_state *st = m->sec;
	long type = at_arg_int(req, 0);
	char *pem = NULL;
	int rc = 0;
	enum at_rc arc;

	if (sec_busy(req, &arc))
		return arc;
	if (!m->persona->has_rot || strcmp(m->persona->family, "SARA-R5") != 0)
		rc = -EOPNOTSUPP; /* ZTP: SARA-R5 family only (ublox-at.md §7) */
	else if (!st->bootstrapped)
		rc = -EACCES;
	else if (!st->sealed || st->devcert_pem == NULL)
		rc = -EPERM;
	if (rc < 0)
		return rot_fail(req, rc);
	/* 0: device private key; 1: device certificate; 2: CA chain (self-signed: itself). */
	pem = type == 0 ? devkey_pem(st) : strdup(st->devcert_pem);
	if (pem == NULL)
		return cmd_fail(req, -ENOMEM);
	reply_pem(req, type, pem);
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	return AT_RC_OK;
}

static const long psk_sizes[] = { 16, 32, LONG_MIN };
static const long cert_types[] = { 0, 1, 2, LONG_MIN };

static const struct at_param devinfo_params[] = {
	{ "device_profile_uid", AT_P_STR, 0, 1, SEC_SEAL_UID_MAX, 0, NULL },
	{ "serial_number", AT_P_STR, 0, 1, SEC_SERIAL_MAX, 0, NULL },
};
static const struct at_param psk_params[] = {
	{ "psk_size", AT_P_ENUM, 0, 0, 0, 0, psk_sizes },
};
static const struct at_param devcert_params[] = {
	{ "type", AT_P_ENUM, 0, 0, 0, 0, cert_types },
};

static const struct at_cmd cmds[] = {
	{ "+USECCONN", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "", handle_conn,
	  "ubxlib u_cell_sec.c uCellSecHeartbeatTrigger" },
	{ "+USECDEVCERT", AT_OP_SET | AT_OP_TEST, AT_PARAMS(devcert_params), "+USECDEVCERT: (0-2)",
	  handle_devcert, "ubxlib u_cell_sec.c uCellSecZtpGet*" },
	{ "+USECDEVINFO", AT_OP_READ | AT_OP_SET | AT_OP_TEST, AT_PARAMS(devinfo_params), NULL,
	  handle_devinfo, "ubxlib u_cell_sec.c uCellSecIsBootstrapped/SealSet" },
	{ "+USECPSK", AT_OP_SET | AT_OP_TEST, AT_PARAMS(psk_params), NULL, handle_psk,
	  "ubxlib u_cell_sec.c uCellSecPskGenerate" },
	{ "+USECROTUID", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "", handle_rotuid,
	  "ubxlib u_cell_sec.c uCellSecGetRootOfTrustUid" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_rot_module = {
	.name = "rot",
	.group = &group,
};

/* ---- set-up and the "seal" NVM section ---- */

/* "<key> <hex of s>\n"; s is never empty here (callers check). */
static int put_hex_line(struct buf *out, const char *key, const char *s)
{
	int rc = buf_appendf(out, "%s ", key);

	if (rc == 0)
		rc = image_append_hex(out, s, strlen(s));
	return rc == 0 ? buf_appendf(out, "\n") : rc;
}

int cmd_rot_format(const struct cmd_sec_state *st, struct buf *out)
{
	int rc = buf_appendf(out, "sealed %d\nbootstrapped %d\n", st->sealed ? 1 : 0,
			     st->bootstrapped ? 1 : 0);

	if (rc == 0 && st->seal_uid[0] != '\0')
		rc = put_hex_line(out, "uid", st->seal_uid);
	if (rc == 0 && st->seal_serial[0] != '\0')
		rc = put_hex_line(out, "serial", st->seal_serial);
	if (rc == 0 && st->devcert_pem != NULL)
		rc = put_hex_line(out, "cert", st->devcert_pem);
	return rc;
}

static int hex_field(const char *hex, char *out, size_t cap)
{
	int n = hex_decode(hex, strlen(hex), (uint8_t *)out, cap - 1);

	if (n < 0)
		return -EINVAL;
	out[n] = '\0';
	return strlen(out) == (size_t)n ? 0 : -EINVAL;
}

static int seal_line(struct cmd_sec_state *st, const char *key, const char *val)
{
	char pem[PEM_MAX];

	if (strcmp(key, "sealed") == 0 && (strcmp(val, "0") == 0 || strcmp(val, "1") == 0)) {
		st->sealed = val[0] == '1';
		return 0;
	}
	if (strcmp(key, "bootstrapped") == 0 && (strcmp(val, "0") == 0 || strcmp(val, "1") == 0)) {
		st->bootstrapped = val[0] == '1'; /* control op `seal reset` / `bootstrap` */
		return 0;
	}
	if (strcmp(key, "uid") == 0)
		return hex_field(val, st->seal_uid, sizeof(st->seal_uid));
	if (strcmp(key, "serial") == 0)
		return hex_field(val, st->seal_serial, sizeof(st->seal_serial));
	if (strcmp(key, "cert") == 0 && hex_field(val, pem, sizeof(pem)) == 0) {
		free(st->devcert_pem);
		st->devcert_pem = strdup(pem);
		return st->devcert_pem != NULL ? 0 : -ENOMEM;
	}
	return -EINVAL;
}

static int seal_parse(struct cmd_sec_state *st, const uint8_t *data, size_t len)
{
	char *text = malloc(len + 1), *save = NULL, *line;
	int rc = -ENOMEM;

	if (text == NULL)
		return rc;
	memcpy(text, data, len);
	text[len] = '\0';
	rc = memchr(data, '\0', len) != NULL ? -EINVAL : 0;
	for (line = strtok_r(text, "\n", &save); rc == 0 && line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp == NULL || strchr(sp + 1, ' ') != NULL)
			rc = -EINVAL;
		else {
			*sp = '\0';
			rc = seal_line(st, line, sp + 1);
		}
	}
	free(text);
	return rc;
}

int cmd_rot_setup(struct modem *m, char *err, size_t errlen)
{
	struct cmd_sec_state *st = m->sec;
	const uint8_t *data;
	size_t len;
	int rc;

	st->bootstrapped = m->device->bootstrapped;
	st->sealed = m->device->sealed;
	st->provisioning = m->device->psk_provisioning;
	st->seal_delay_ms = m->cfg.seal_delay_ms;
	st->unsealed_cme = m->cfg.unsealed_cme;
	if (!m->persona->has_rot)
		return 0;
	rc = platform_device_rot(m->platform, m->device, &st->dev);
	if (rc < 0) {
		snprintf(err, errlen, "RoT of device %s: %s", m->device->uid_hex, strerror(-rc));
		return rc;
	}
	rc = cmd_rot_counter_open(m, err, errlen);
	if (rc < 0)
		return rc;
	if (nvm_get(st->nvm, "seal", &data, &len) == 0 && seal_parse(st, data, len) < 0) {
		snprintf(err, errlen, "%s/%s: corrupt \"seal\" section; refusing to start",
			 nvm_dir(st->nvm), NVM_FILE);
		return -EINVAL;
	}
	if (st->sealed && st->devcert_pem == NULL)
		st->devcert_pem = devcert_make(st); /* sealed in the platform file */
	return 0;
}

void cmd_rot_teardown(struct cmd_sec_state *st)
{
	rot_counter_close(st->counter);
	st->counter = NULL;
	rot_device_clear(&st->dev);
	for (size_t i = 0; i < SEC_PAIRS_MAX; i++)
		rot_psk_clear(&st->pairs[i].psk);
	free(st->devcert_pem);
	st->devcert_pem = NULL;
}

/* ---- console ---- */

int cmd_sec_console_psk(const struct modem *m, bool show, struct buf *out)
{
	const struct cmd_sec_state *st = m->sec;
	size_t first;
	int rc = 0;

	if (st == NULL || st->n_pairs == 0)
		return buf_appendf(out, "no PSK generated in this run\n");
	first = (st->pair_next + SEC_PAIRS_MAX - st->n_pairs) % SEC_PAIRS_MAX;
	rc = buf_appendf(out, "%zu pair(s) of %llu generated in this run, oldest first%s\n",
			 st->n_pairs, (unsigned long long)st->pairs_total,
			 show ? " (PSK in clear, as asked)" : "; PSK fingerprints (':psk show')");
	for (size_t k = 0; rc == 0 && k < st->n_pairs; k++) {
		const struct sec_pair *p = &st->pairs[(first + k) % SEC_PAIRS_MAX];
		char text[2 * ROT_PSK_MAX + 1];

		if (show)
			hex_encode(p->psk.bytes, p->psk.len, text, sizeof(text));
		else
			log_fingerprint(p->psk.bytes, p->psk.len, text);
		rc = buf_appendf(out, "counter %u identity %s psk%zu %s\n", p->counter, p->id,
				 p->psk.len, text);
		OPENSSL_cleanse(text, sizeof(text));
	}
	return rc;
}

int cmd_sec_console_rot(const struct modem *m, struct buf *out)
{
	const struct cmd_sec_state *st = m->sec;

	if (st == NULL || st->counter == NULL)
		return buf_appendf(out, "%s has no Root of Trust\n", m->persona->model);
	return buf_appendf(
		out,
		"RoT UID %s, next counter %u\n"
		"bootstrapped %s, sealed %s%s, PSK provisioning %s\n"
		"+USECDEVINFO: %s\nstate %s\n",
		m->device->uid_hex, rot_counter_peek(st->counter), st->bootstrapped ? "yes" : "no",
		st->sealed ? "yes" : "no", st->seal_timer != NULL ? " (seal pending)" : "",
		st->provisioning ? "on" : "off",
		!st->bootstrapped ? "0,0,0"
		: st->sealed      ? "1,1,1"
				  : "1,0,1",
		nvm_dir(st->nvm) != NULL ? nvm_dir(st->nvm) : "ephemeral (nothing kept)");
}
