/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route tables. Sources: u-blox Security Services REST API 1.1.12 (/v1/authenticate, the
 * "Authorize" step; /v1/GetPSK from the E2E Symmetric KMS page); everything else is an
 * extension of this fake, documented as such in docs/api.md.
 */
#include "api_priv.h"

#include "compiler.h"

const struct route api_public_routes[] = {
	{ "POST", "/v1/authenticate", h_authenticate, ROUTE_JSON },  /* API-DOC */
	{ "POST", "/v1/Authorize", h_authenticate, ROUTE_JSON },     /* SEED wording; alias */
	{ "POST", "/v1/refresh", h_refresh, ROUTE_JSON },            /* extension */
	{ "POST", "/v1/GetPSK", h_getpsk, ROUTE_JSON | ROUTE_AUTH }, /* SEED */
	{ "GET", "/healthz", h_healthz, 0 },                         /* extension */
};
const size_t api_public_routes_len = ARRAY_LEN(api_public_routes);

/* Served only by the loopback admin listener (extension). */
const struct route api_admin_routes[] = {
	{ "GET", "/admin/devices", h_admin_list_devices, 0 },
	{ "POST", "/admin/devices", h_admin_add_device, ROUTE_JSON },
	{ "GET", "/admin/devices/*", h_admin_get_device, 0 },
	{ "POST", "/admin/devices/*/provisioning", h_admin_provisioning, ROUTE_JSON },
	{ "POST", "/admin/accounts", h_admin_add_account, ROUTE_JSON },
	{ "GET", "/admin/faults", h_admin_get_faults, 0 },
	{ "POST", "/admin/faults", h_admin_set_faults, ROUTE_JSON },
	{ "GET", "/healthz", h_healthz, 0 },
};
const size_t api_admin_routes_len = ARRAY_LEN(api_admin_routes);
