/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: rot_identity_parse + platform_resolve/derive on the built-in demo platform. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rot/platform.h"
#include "rot/rot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform *p; /* parsed once per process; read-only afterwards */
	struct platform_device d;
	struct rot_identity id;
	struct rot_psk psk;
	char out[ROT_IDENTITY_HEX + 1];

	if (p == NULL)
		p = platform_load_default();
	if (p == NULL)
		abort();
	if (rot_identity_parse((const char *)data, size, &id) != 0)
		return 0;
	if (rot_identity_format(&id, out, sizeof(out)) != 0)
		abort();
	if (platform_resolve(p, &id, &d) == 0 &&
	    platform_derive_psk(p, &id, (data[size - 1] & 1) ? 32 : 16, NULL, &psk) != 0)
		abort(); /* resolved identities always derive */
	rot_psk_clear(&psk);
	return 0;
}
