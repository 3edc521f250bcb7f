/* SPDX-License-Identifier: Apache-2.0 */
/* Verbose +CME ERROR texts: 3GPP TS 27.007 §9.2.1 (general errors), one table. */
#include "at_priv.h"

static const struct at_cme_text ts27007_texts[] = {
	{ 0, "phone failure" },
	{ 1, "no connection to phone" },
	{ 2, "phone-adaptor link reserved" },
	{ 3, "operation not allowed" },
	{ 4, "operation not supported" },
	{ 5, "PH-SIM PIN required" },
	{ 6, "PH-FSIM PIN required" },
	{ 7, "PH-FSIM PUK required" },
	{ 10, "SIM not inserted" },
	{ 11, "SIM PIN required" },
	{ 12, "SIM PUK required" },
	{ 13, "SIM failure" },
	{ 14, "SIM busy" },
	{ 15, "SIM wrong" },
	{ 16, "incorrect password" },
	{ 17, "SIM PIN2 required" },
	{ 18, "SIM PUK2 required" },
	{ 20, "memory full" },
	{ 21, "invalid index" },
	{ 22, "not found" },
	{ 23, "memory failure" },
	{ 24, "text string too long" },
	{ 25, "invalid characters in text string" },
	{ 26, "dial string too long" },
	{ 27, "invalid characters in dial string" },
	{ 30, "no network service" },
	{ 31, "network timeout" },
	{ 32, "network not allowed - emergency calls only" },
	{ 40, "network personalization PIN required" },
	{ 41, "network personalization PUK required" },
	{ 42, "network subset personalization PIN required" },
	{ 43, "network subset personalization PUK required" },
	{ 44, "service provider personalization PIN required" },
	{ 45, "service provider personalization PUK required" },
	{ 46, "corporate personalization PIN required" },
	{ 47, "corporate personalization PUK required" },
	{ 48, "hidden key required" },
	{ 49, "EAP method not supported" },
	{ 50, "incorrect parameters" },
	{ 100, "unknown" },
};

static const char *lookup(const struct at_cme_text *t, size_t n, int code)
{
	for (size_t i = 0; t != NULL && i < n; i++)
		if (t[i].code == code && t[i].text != NULL)
			return t[i].text;
	return NULL;
}

const char *at_cme_text(const struct at_engine *e, int code)
{
	const char *s = NULL;

	if (e != NULL)
		s = lookup(e->cfg.cme_texts, e->cfg.n_cme_texts, code);
	if (s == NULL)
		s = lookup(ts27007_texts, ARRAY_LEN(ts27007_texts), code);
	return s != NULL ? s : "unknown";
}
