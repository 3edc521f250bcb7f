/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "secprof"
#include "secprof.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "compiler.h"
#include "hex.h"
#include "image.h"
#include "log.h"

struct secprof_store {
	struct secprof p[SECPROF_COUNT];
	int factory_verify, factory_tls_min; /* quirks Q9 */
};

/* u-blox legacy cipher numbers 1..33 (index = number - 1), as mapped by ubxlib. */
static const uint16_t legacy_map[SECPROF_LEGACY_MAX] = {
	0x002f, 0x003c, 0x0035, 0x003d, 0x000a, 0x008c, 0x008d, 0x008b, 0x0094, 0x0095, 0x0093,
	0x00ae, 0x00af, 0x00b6, 0x00b7, 0x00a8, 0x00a9, 0x00ac, 0x00ad, 0xc008, 0xc009, 0xc00a,
	0xc012, 0xc013, 0xc014, 0xc023, 0xc024, 0xc027, 0xc028, 0xc02b, 0xc02c, 0xc02f, 0xc030,
};

enum field_kind { F_INT, F_STR, F_BYTES };

/* One row per stored field: drives the setters' limits and the NVM image. */
struct field {
	const char *key;
	int op;
	enum field_kind kind;
	size_t off;
	size_t cap;     /* F_STR: max chars; F_BYTES: max bytes; F_INT: max value */
	size_t len_off; /* F_BYTES only */
};

#define FI(k, o, m, max)                                                                           \
	{                                                                                          \
		k, o, F_INT, offsetof(struct secprof, m), max, 0                                   \
	}
#define FS(k, o, m)                                                                                \
	{                                                                                          \
		k, o, F_STR, offsetof(struct secprof, m), sizeof(((struct secprof *)0)->m) - 1, 0  \
	}
#define FB(k, o, m, l)                                                                             \
	{                                                                                          \
		k, o, F_BYTES, offsetof(struct secprof, m), sizeof(((struct secprof *)0)->m),      \
			offsetof(struct secprof, l)                                                \
	}

static const struct field fields[] = {
	FI("verify", SECPROF_OP_VERIFY, verify, 3),
	FI("tls_min", SECPROF_OP_TLS_MIN, tls_min, 4),
	FS("ca", SECPROF_OP_CA_NAME, ca_name),
	FS("host", SECPROF_OP_HOSTNAME, hostname),
	FS("cc", SECPROF_OP_CC_NAME, cc_name),
	FS("pk", SECPROF_OP_PK_NAME, pk_name),
	FS("pk_pw", SECPROF_OP_PK_PASSWORD, pk_password),
	FB("psk", SECPROF_OP_PSK, psk, psk_len),
	FB("psk_id", SECPROF_OP_PSK_ID, psk_id, psk_id_len),
	FS("sni", SECPROF_OP_SNI, sni),
	FI("rot_psk", SECPROF_OP_ROT_PSK, rot_psk, 1),
	FS("pin", SECPROF_OP_PINNING, pin_name),
	FI("pin_level", SECPROF_OP_PINNING, pin_level, 2),
	FI("resume", SECPROF_OP_RESUMPTION, resume_status, 1),
	FI("resume_type", SECPROF_OP_RESUMPTION, resume_type, 0),
	FS("resume_sid", SECPROF_OP_RESUMPTION, resume_session_id),
	FS("resume_key", SECPROF_OP_RESUMPTION, resume_master_key),
	FI("device_cert", SECPROF_OP_DEVICE_CERT, device_cert, 2),
};

static const struct field *field_by_op(int op, enum field_kind kind)
{
	for (size_t i = 0; i < ARRAY_LEN(fields); i++)
		if (fields[i].op == op && fields[i].kind == kind)
			return &fields[i];
	return NULL;
}

static struct secprof *prof(struct secprof_store *s, int id)
{
	return (s != NULL && id >= 0 && id < SECPROF_COUNT) ? &s->p[id] : NULL;
}

const struct secprof *secprof_store_get(const struct secprof_store *s, int id)
{
	return (s != NULL && id >= 0 && id < SECPROF_COUNT) ? &s->p[id] : NULL;
}

struct secprof_store *secprof_store_create(void)
{
	return calloc(1, sizeof(struct secprof_store));
}

void secprof_store_destroy(struct secprof_store *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

int secprof_reset(struct secprof_store *s, int id)
{
	struct secprof *p = prof(s, id);

	if (p == NULL)
		return -EINVAL;
	OPENSSL_cleanse(p, sizeof(*p));
	p->verify = s->factory_verify;
	p->tls_min = s->factory_tls_min;
	return 0;
}

int secprof_store_set_factory(struct secprof_store *s, int verify, int tls_min)
{
	if (s == NULL || verify < 0 || verify > 3 || tls_min < 0 || tls_min > 4)
		return -EINVAL;
	s->factory_verify = verify;
	s->factory_tls_min = tls_min;
	for (int id = 0; id < SECPROF_COUNT; id++)
		secprof_reset(s, id);
	return 0;
}

bool secprof_op_is_readable(int op)
{
	return op >= 0 && op < SECPROF_OP_COUNT && op != SECPROF_OP_PK_PASSWORD &&
	       op != SECPROF_OP_PSK;
}

int secprof_set_int(struct secprof_store *s, int id, int op, int value)
{
	struct secprof *p = prof(s, id);
	const struct field *f = field_by_op(op, F_INT);

	if (p == NULL || f == NULL || op == SECPROF_OP_PINNING || op == SECPROF_OP_RESUMPTION)
		return -EINVAL;
	if (value < 0 || (size_t)value > f->cap)
		return -EINVAL;
	*(int *)(void *)((char *)p + f->off) = value;
	return 0;
}

int secprof_get_int(const struct secprof_store *s, int id, int op, int *out)
{
	const struct secprof *p = secprof_store_get(s, id);
	const struct field *f = field_by_op(op, F_INT);

	if (p == NULL || f == NULL)
		return -EINVAL;
	*out = *(const int *)(const void *)((const char *)p + f->off);
	return 0;
}

static int put_str(char *dst, size_t cap, const char *str, size_t len)
{
	if (len > cap)
		return -ENAMETOOLONG;
	if (len > 0 && memchr(str, '\0', len) != NULL)
		return -EINVAL;
	OPENSSL_cleanse(dst, cap + 1);
	if (len > 0)
		memcpy(dst, str, len);
	dst[len] = '\0';
	return 0;
}

int secprof_set_str(struct secprof_store *s, int id, int op, const char *str, size_t len)
{
	struct secprof *p = prof(s, id);
	const struct field *f = field_by_op(op, F_STR);

	if (p == NULL || f == NULL || op == SECPROF_OP_PINNING || op == SECPROF_OP_RESUMPTION ||
	    (str == NULL && len > 0))
		return -EINVAL;
	return put_str((char *)p + f->off, f->cap, str, len);
}

int secprof_get_str(const struct secprof_store *s, int id, int op, const char **out)
{
	const struct secprof *p = secprof_store_get(s, id);
	const struct field *f = field_by_op(op, F_STR);

	if (p == NULL || f == NULL)
		return -EINVAL;
	if (!secprof_op_is_readable(op))
		return -EACCES;
	*out = (const char *)p + f->off;
	return 0;
}

int secprof_set_bytes(struct secprof_store *s, int id, int op, const uint8_t *data, size_t len)
{
	struct secprof *p = prof(s, id);
	const struct field *f = field_by_op(op, F_BYTES);
	uint8_t *dst;

	if (p == NULL || f == NULL || (data == NULL && len > 0))
		return -EINVAL;
	if (len > f->cap)
		return -ENAMETOOLONG;
	dst = (uint8_t *)p + f->off;
	OPENSSL_cleanse(dst, f->cap);
	if (len > 0)
		memcpy(dst, data, len);
	*(size_t *)(void *)((char *)p + f->len_off) = len;
	return 0;
}

int secprof_get_bytes(const struct secprof_store *s, int id, int op, const uint8_t **out,
		      size_t *len)
{
	const struct secprof *p = secprof_store_get(s, id);
	const struct field *f = field_by_op(op, F_BYTES);

	if (p == NULL || f == NULL)
		return -EINVAL;
	if (!secprof_op_is_readable(op))
		return -EACCES;
	*out = (const uint8_t *)p + f->off;
	*len = *(const size_t *)(const void *)((const char *)p + f->len_off);
	return 0;
}

int secprof_set_pinning(struct secprof_store *s, int id, const char *name, size_t len, int level)
{
	struct secprof *p = prof(s, id);
	int rc;

	if (p == NULL || level < 0 || level > 2 || (name == NULL && len > 0))
		return -EINVAL;
	rc = put_str(p->pin_name, SECPROF_NAME_MAX, name, len);
	if (rc == 0)
		p->pin_level = level;
	return rc;
}

int secprof_set_resumption(struct secprof_store *s, int id, int tag, int value, const char *sid,
			   const char *key)
{
	struct secprof *p = prof(s, id);
	int rc = 0;

	if (p == NULL)
		return -EINVAL;
	switch (tag) {
	case 0:
		if (value < 0 || value > 1)
			return -EINVAL;
		p->resume_status = value;
		break;
	case 1:
		if (value != 0)
			return -EINVAL;
		p->resume_type = value;
		break;
	case 2:
		if (sid == NULL || key == NULL)
			return -EINVAL;
		rc = put_str(p->resume_session_id, sizeof(p->resume_session_id) - 1, sid,
			     strlen(sid));
		if (rc == 0)
			rc = put_str(p->resume_master_key, sizeof(p->resume_master_key) - 1, key,
				     strlen(key));
		break;
	default:
		return -EINVAL;
	}
	return rc;
}

uint16_t secprof_legacy_to_iana(int legacy)
{
	if (legacy < 1 || legacy > SECPROF_LEGACY_MAX)
		return 0;
	return legacy_map[legacy - 1];
}

int secprof_iana_to_legacy(uint16_t iana)
{
	for (size_t i = 0; i < ARRAY_LEN(legacy_map); i++)
		if (legacy_map[i] == iana)
			return (int)i + 1;
	return -1;
}

int secprof_cipher_set_legacy(struct secprof_store *s, int id, int legacy)
{
	struct secprof *p = prof(s, id);

	if (p == NULL || legacy < 0 || legacy > SECPROF_LEGACY_MAX)
		return -EINVAL;
	p->n_ciphers = 0;
	p->cipher_form = SECPROF_CIPHER_AUTO;
	if (legacy > 0) {
		p->ciphers[p->n_ciphers++] = secprof_legacy_to_iana(legacy);
		p->cipher_form = SECPROF_CIPHER_LEGACY;
	}
	return 0;
}

int secprof_cipher_set_iana(struct secprof_store *s, int id, uint16_t iana)
{
	struct secprof *p = prof(s, id);

	if (p == NULL || iana == 0)
		return -EINVAL;
	p->ciphers[0] = iana;
	p->n_ciphers = 1;
	p->cipher_form = SECPROF_CIPHER_IANA;
	return 0;
}

int secprof_cipher_list_edit(struct secprof_store *s, int id, uint16_t iana, bool remove)
{
	struct secprof *p = prof(s, id);
	size_t i;

	if (p == NULL || iana == 0)
		return -EINVAL;
	for (i = 0; i < p->n_ciphers && p->ciphers[i] != iana; i++)
		;
	if (remove) {
		if (i == p->n_ciphers)
			return -ENOENT;
		memmove(&p->ciphers[i], &p->ciphers[i + 1],
			(p->n_ciphers - i - 1) * sizeof(p->ciphers[0]));
		p->n_ciphers--;
	} else if (i == p->n_ciphers) {
		if (p->n_ciphers == SECPROF_CIPHERS_MAX)
			return -ENOSPC;
		p->ciphers[p->n_ciphers++] = iana;
	}
	p->cipher_form = p->n_ciphers > 0 ? SECPROF_CIPHER_LIST : SECPROF_CIPHER_AUTO;
	return 0;
}

static int format_iana_list(const struct secprof *p, struct buf *out)
{
	int rc = buf_appendf(out, "%d,\"", (int)p->cipher_form);

	for (size_t i = 0; rc == 0 && i < p->n_ciphers; i++)
		rc = buf_appendf(out, "%s%04X", i > 0 ? ";" : "", (unsigned)p->ciphers[i]);
	return rc == 0 ? buf_appendf(out, "\"") : rc;
}

int secprof_cipher_format(const struct secprof_store *s, int id, struct buf *out)
{
	const struct secprof *p = secprof_store_get(s, id);

	if (p == NULL)
		return -EINVAL;
	switch (p->cipher_form) {
	case SECPROF_CIPHER_LEGACY:
		return buf_appendf(out, "%d", secprof_iana_to_legacy(p->ciphers[0]));
	case SECPROF_CIPHER_IANA:
	case SECPROF_CIPHER_LIST:
		return format_iana_list(p, out);
	case SECPROF_CIPHER_AUTO:
	default:
		return buf_appendf(out, "0");
	}
}

/* ---- NVM image ---- */

#define IMAGE_MAGIC "ukms-secprof 1"

static int format_field(const struct secprof *p, int id, const struct field *f, struct buf *out)
{
	const char *base = (const char *)p + f->off;
	size_t len;
	int rc;

	if (f->kind == F_INT)
		return buf_appendf(out, "%d %s %d\n", id, f->key, *(const int *)(const void *)base);
	len = f->kind == F_STR ? strlen(base)
			       : *(const size_t *)(const void *)((const char *)p + f->len_off);
	if (len == 0)
		return 0;
	rc = buf_appendf(out, "%d %s ", id, f->key);
	if (rc == 0)
		rc = image_append_hex(out, base, len);
	if (rc == 0)
		rc = buf_appendf(out, "\n");
	return rc;
}

static int format_profile(const struct secprof *p, int id, struct buf *out)
{
	int rc = buf_appendf(out, "%d cipher_form %d\n", id, (int)p->cipher_form);

	for (size_t i = 0; rc == 0 && i < p->n_ciphers; i++)
		rc = buf_appendf(out, "%d cipher %04X\n", id, (unsigned)p->ciphers[i]);
	for (size_t i = 0; rc == 0 && i < ARRAY_LEN(fields); i++)
		rc = format_field(p, id, &fields[i], out);
	return rc;
}

int secprof_format(const struct secprof_store *s, struct buf *out)
{
	int rc;

	if (s == NULL || out == NULL)
		return -EINVAL;
	rc = buf_appendf(out, "%s\n", IMAGE_MAGIC);
	for (int id = 0; rc == 0 && id < SECPROF_COUNT; id++)
		rc = format_profile(&s->p[id], id, out);
	return rc;
}

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int apply_cipher(struct secprof *p, const char *key, const char *val)
{
	long v;
	char *end;

	if (strcmp(key, "cipher_form") == 0) {
		if (parse_int(val, 0, 100, &v) < 0 ||
		    (v != SECPROF_CIPHER_AUTO && v != SECPROF_CIPHER_LEGACY &&
		     v != SECPROF_CIPHER_IANA && v != SECPROF_CIPHER_LIST))
			return -EINVAL;
		p->cipher_form = (enum secprof_cipher_form)v;
		return 0;
	}
	v = strtol(val, &end, 16);
	if (*end != '\0' || end == val || v <= 0 || v > 0xffff ||
	    p->n_ciphers == SECPROF_CIPHERS_MAX)
		return -EINVAL;
	p->ciphers[p->n_ciphers++] = (uint16_t)v;
	return 0;
}

static int apply_field(struct secprof *p, const struct field *f, const char *val)
{
	char *base = (char *)p + f->off;
	long v;
	int n;

	if (f->kind == F_INT) {
		if (parse_int(val, 0, (long)f->cap, &v) < 0)
			return -EINVAL;
		*(int *)(void *)base = (int)v;
		return 0;
	}
	n = hex_decode(val, strlen(val), (uint8_t *)base, f->cap);
	if (n < 0)
		return -EINVAL;
	if (f->kind == F_STR) {
		base[n] = '\0';
		if (strlen(base) != (size_t)n)
			return -EINVAL;
	} else {
		*(size_t *)(void *)((char *)p + f->len_off) = (size_t)n;
	}
	return 0;
}

static int apply_line(void *ctx, char *line)
{
	struct secprof_store *s = ctx;
	char *id_s = strtok_r(line, " ", &line), *key = NULL, *val = NULL;
	long id;

	if (id_s != NULL)
		key = strtok_r(NULL, " ", &line);
	if (key != NULL)
		val = strtok_r(NULL, " ", &line);
	if (val == NULL || strtok_r(NULL, " ", &line) != NULL ||
	    parse_int(id_s, 0, SECPROF_COUNT - 1, &id) < 0)
		return -EINVAL;
	if (strncmp(key, "cipher", 6) == 0)
		return apply_cipher(&s->p[id], key, val);
	for (size_t i = 0; i < ARRAY_LEN(fields); i++)
		if (strcmp(fields[i].key, key) == 0)
			return apply_field(&s->p[id], &fields[i], val);
	return -EINVAL;
}

int secprof_parse(struct secprof_store *s, const void *data, size_t len)
{
	struct secprof_store *tmp;
	int rc;

	if (s == NULL)
		return -EINVAL;
	tmp = secprof_store_create();
	if (tmp == NULL)
		return -ENOMEM;
	rc = image_parse(data, len, IMAGE_MAGIC, apply_line, tmp);
	if (rc == 0)
		memcpy(s->p, tmp->p, sizeof(s->p));
	secprof_store_destroy(tmp);
	return rc;
}
