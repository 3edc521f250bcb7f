/* SPDX-License-Identifier: Apache-2.0 */
/* Versioned text images of NVM stores: the parse loop and hex fields (see image.h). */
#include "image.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

int image_parse(const void *data, size_t len, const char *magic, image_line_fn *fn, void *ctx)
{
	char *text = NULL, *save = NULL, *line;
	int rc = -EINVAL;

	if ((data == NULL && len > 0) || (len > 0 && memchr(data, '\0', len) != NULL))
		goto out;
	rc = -ENOMEM;
	text = malloc(len + 1);
	if (text == NULL)
		goto out;
	if (len > 0)
		memcpy(text, data, len);
	text[len] = '\0';
	rc = -EINVAL;
	line = strtok_r(text, "\n", &save);
	if (line == NULL || strcmp(line, magic) != 0)
		goto out;
	rc = 0;
	while (rc == 0 && (line = strtok_r(NULL, "\n", &save)) != NULL)
		rc = fn(ctx, line);
out:
	if (text != NULL)
		OPENSSL_cleanse(text, len + 1);
	free(text);
	return rc;
}

int image_append_hex(struct buf *out, const void *data, size_t len)
{
	const uint8_t *p = data;
	int rc = 0;

	if (len == 0)
		return buf_appendf(out, "-");
	for (size_t i = 0; rc == 0 && i < len; i++)
		rc = buf_appendf(out, "%02X", p[i]);
	return rc;
}
