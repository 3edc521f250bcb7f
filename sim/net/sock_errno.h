/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket error numbers as the module reports them (+USOER, +USOCTL=<s>,1, +UUSOCO): BSD/Linux
 * errno numbering as in ubxlib's u_sock_errno.h. Kept as an explicit table so the numbers stay
 * fixed even on a host whose errno values differ.
 */
#ifndef SIM_NET_SOCK_ERRNO_H
#define SIM_NET_SOCK_ERRNO_H

enum sock_ublox_err {
	SOCK_UERR_NONE = 0,
	SOCK_UERR_EPERM = 1,
	SOCK_UERR_ENOENT = 2,
	SOCK_UERR_EIO = 5,
	SOCK_UERR_EBADF = 9,
	SOCK_UERR_EAGAIN = 11,
	SOCK_UERR_ENOMEM = 12,
	SOCK_UERR_EACCES = 13,
	SOCK_UERR_EINVAL = 22,
	SOCK_UERR_EMFILE = 24,
	SOCK_UERR_EPIPE = 32,
	SOCK_UERR_EMSGSIZE = 90,
	SOCK_UERR_EPROTONOSUPPORT = 93,
	SOCK_UERR_EOPNOTSUPP = 95,
	SOCK_UERR_EADDRINUSE = 98,
	SOCK_UERR_EADDRNOTAVAIL = 99,
	SOCK_UERR_ENETDOWN = 100,
	SOCK_UERR_ENETUNREACH = 101,
	SOCK_UERR_ECONNABORTED = 103,
	SOCK_UERR_ECONNRESET = 104,
	SOCK_UERR_ENOBUFS = 105,
	SOCK_UERR_EISCONN = 106,
	SOCK_UERR_ENOTCONN = 107,
	SOCK_UERR_ETIMEDOUT = 110,
	SOCK_UERR_ECONNREFUSED = 111,
	SOCK_UERR_EHOSTUNREACH = 113,
	SOCK_UERR_EALREADY = 114,
	SOCK_UERR_EINPROGRESS = 115,
};

/* Host -errno (or errno) -> u-blox number; unknown errors map to EIO (5). 0 -> 0. */
int sock_errno_to_ublox(int err);
/* Symbolic name of a u-blox number ("ECONNREFUSED"), "E?" if unknown. */
const char *sock_errno_name(int ublox);

#endif /* SIM_NET_SOCK_ERRNO_H */
