/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: platform_parse; anything accepted must format and re-parse to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rot/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct platform *p = platform_parse((const char *)data, size, err, sizeof(err));
	struct platform *q = NULL;
	char *t1 = NULL, *t2 = NULL;

	if (p == NULL) {
		if (err[0] == '\0')
			abort(); /* every refusal says why */
		return 0;
	}
	t1 = platform_format(p);
	if (t1 != NULL)
		q = platform_parse(t1, strlen(t1), err, sizeof(err));
	if (t1 != NULL && q == NULL)
		abort();
	if (q != NULL)
		t2 = platform_format(q);
	if (t1 != NULL && t2 != NULL && strcmp(t1, t2) != 0)
		abort();
	free(t1);
	free(t2);
	platform_destroy(q);
	platform_destroy(p);
	return 0;
}
