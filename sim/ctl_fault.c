/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control ops `fault` and `faults` and the "faults" field of `status`, over h11b's fault
 * registry (sim/fault.h). The op turns {"params":{"k":v}} into the registry's "k=v,k=v".
 */
#define LOG_MODULE "ctl"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ctl_priv.h"
#include "fault.h"
#include "log.h"
#include "modem.h"

static void add_active(const char *name, const char *kv, void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "params", kv);
	cJSON_AddItemToArray(ctx, o);
}

void ctl_status_faults(struct ctl_call *c, cJSON *r)
{
	faults_foreach_active(c->m->faults, add_active, cJSON_AddArrayToObject(r, "faults"));
}

/* {"k":1,"j":"2"} -> "k=1,j=2" (values are decimal integers; the registry checks ranges). */
static int params_kv(struct ctl_call *c, const cJSON *params, struct buf *kv)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, params)
	{
		const char *sep = kv->len > 0 ? "," : "";
		int rc;

		if (cJSON_IsNumber(p))
			rc = buf_appendf(kv, "%s%s=%.0f", sep, p->string, p->valuedouble);
		else
			rc = buf_appendf(kv, "%s%s=%s", sep, p->string, p->valuestring);
		if (rc < 0 || strpbrk(p->string, "=,") != NULL ||
		    (cJSON_IsString(p) && strpbrk(p->valuestring, "=,") != NULL))
			return ctl_fail(c, -EINVAL, "bad fault parameter \"%.40s\"", p->string);
	}
	return 0;
}

int ctl_op_fault(struct ctl_call *c)
{
	const char *name = ctl_arg_str(c, "name", "");
	bool on = ctl_arg_bool(c, "on", true);
	struct buf kv;
	int rc;

	buf_init(&kv, FAULT_KV_MAX);
	rc = params_kv(c, ctl_arg_json(c, "params"), &kv);
	if (rc == 0)
		rc = faults_set(c->m->faults, name, on, kv.len > 0 ? buf_cstr(&kv) : "", c->msg,
				sizeof(c->msg));
	if (rc == 0) {
		log_info("fault %s %s%s%s (control)", name, on ? "on" : "off",
			 kv.len > 0 ? " " : "", kv.len > 0 ? buf_cstr(&kv) : "");
		modem_state_event(c->m, "fault %s %s", name, on ? "on" : "off");
		ctl_status_faults(c, c->result);
	}
	buf_finish(&kv);
	return rc;
}

int ctl_op_faults(struct ctl_call *c)
{
	size_t n = 0;
	const struct fault_desc *t = faults_table(&n);
	cJSON *arr = cJSON_AddArrayToObject(c->result, "faults");

	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *ps = cJSON_AddArrayToObject(o, "params");

		cJSON_AddStringToObject(o, "name", t[i].name);
		cJSON_AddStringToObject(o, "help", t[i].help);
		cJSON_AddBoolToObject(o, "on", faults_is_on(c->m->faults, (enum fault_id)i));
		for (size_t k = 0; k < t[i].n_params; k++) {
			const struct fault_param *fp = &t[i].params[k];
			cJSON *p = cJSON_CreateObject();

			cJSON_AddStringToObject(p, "key", fp->key);
			cJSON_AddStringToObject(p, "help", fp->help);
			cJSON_AddNumberToObject(
				p, "value",
				(double)faults_get(c->m->faults, (enum fault_id)i, fp->key));
			cJSON_AddNumberToObject(p, "default", (double)fp->def);
			cJSON_AddNumberToObject(p, "min", (double)fp->min);
			cJSON_AddNumberToObject(p, "max", (double)fp->max);
			cJSON_AddItemToArray(ps, p);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return 0;
}
