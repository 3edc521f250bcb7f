/* SPDX-License-Identifier: Apache-2.0 */
/* The only -errno -> +CME ERROR mapping of the simulator (style.md C3). */
#include <errno.h>

#include "cmd.h"

const struct at_cme_text cmd_cme_texts[] = {
	/* u-blox numbering: ESM causes as 100 + cause; file system errors 16xx (the table of the
	 * u-blox AT manual appendix A.1 as ublox-cellular-rs carries it; hosts match the texts) */
	{ 127, "Missing or unknown APN" },
	{ 1612, "FILE NOT FOUND" },
	{ 1950, "SEC busy" },
};
const size_t cmd_cme_text_count = ARRAY_LEN(cmd_cme_texts);

int cmd_cme_from_errno(int err)
{
	static const struct {
		int err;
		int cme;
	} map[] = {
		{ -EINVAL, AT_CME_INCORRECT_PARAMETERS },
		{ -ERANGE, AT_CME_INCORRECT_PARAMETERS },
		{ -EPERM, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EACCES, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EALREADY, AT_CME_OPERATION_NOT_ALLOWED },
		{ -ENOTCONN, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EBADF, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EOPNOTSUPP, AT_CME_OPERATION_NOT_SUPPORTED },
		{ -ENOSYS, AT_CME_OPERATION_NOT_SUPPORTED },
		{ -ENOENT, AT_CME_NOT_FOUND },
		{ -ENOSPC, AT_CME_MEMORY_FULL },
		{ -ENOMEM, AT_CME_MEMORY_FULL },
		/* the NVM could not be written (nvm_commit): the change was undone */
		{ -EFBIG, AT_CME_MEMORY_FULL },
		{ -EDQUOT, AT_CME_MEMORY_FULL },
		{ -EROFS, AT_CME_MEMORY_FAILURE },
		{ -EMFILE, AT_CME_OPERATION_NOT_ALLOWED },
		{ -E2BIG, AT_CME_TEXT_TOO_LONG },
		{ -ENAMETOOLONG, AT_CME_TEXT_TOO_LONG },
		{ -EILSEQ, AT_CME_INVALID_CHARACTERS },
		{ -ENETDOWN, AT_CME_NO_NETWORK_SERVICE },
		{ -ENETUNREACH, AT_CME_NO_NETWORK_SERVICE },
		{ -ETIMEDOUT, AT_CME_NETWORK_TIMEOUT },
		{ -EBUSY, 1950 },
		{ -ENXIO, AT_CME_SIM_NOT_INSERTED },
		{ -ENODATA, 1612 },     /* module file system: FILE NOT FOUND */
		{ -ENOMEDIUM, 1912 },   /* +USECMNG of a fresh R422 before +ULSTFILE (fault Q24) */
		{ -EDESTADDRREQ, 127 }, /* netsim: APN not served (ESM cause 27) */
		/* sockets (cmd_socket.c): the cause is in +USOER, the log says why in words */
		{ -ECONNREFUSED, AT_CME_OPERATION_NOT_ALLOWED },
		{ -ECONNRESET, AT_CME_OPERATION_NOT_ALLOWED },
		{ -ECONNABORTED, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EHOSTUNREACH, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EPIPE, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EISCONN, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EADDRINUSE, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EAGAIN, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EPROTO, AT_CME_OPERATION_NOT_ALLOWED },
		{ -EMSGSIZE, AT_CME_INCORRECT_PARAMETERS },
		{ -ENOPROTOOPT, AT_CME_INCORRECT_PARAMETERS },
	};

	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (map[i].err == err)
			return map[i].cme;
	return AT_CME_UNKNOWN;
}

enum at_rc cmd_fail(struct at_req *req, int err)
{
	return at_fail(req, cmd_cme_from_errno(err));
}
