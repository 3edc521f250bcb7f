/* SPDX-License-Identifier: Apache-2.0 */
/* The demo account's login through api_handle(), shared by the fakeapi benches. */
#ifndef UKMS_BENCH_FAKEAPI_DEMO_LOGIN_H
#define UKMS_BENCH_FAKEAPI_DEMO_LOGIN_H

#include <stddef.h>

#include "api.h"

/* The AuthToken of the demo account, copied into tok (cap bytes); 0, or -1 if none fits. */
int demo_login(struct api *a, char *tok, size_t cap);

#endif
