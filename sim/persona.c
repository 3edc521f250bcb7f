/* SPDX-License-Identifier: Apache-2.0 */
#include "persona.h"

#include <strings.h>

#include "compiler.h"

/*
 * SARA-R5 00B is LTE-M only; 01B adds NB-IoT (ubxlib's module table, U_CFG_CELL_SARA_R5_00B).
 * Firmware strings are plausible per family, not copied from a module: the SARA-R5 00B string
 * is the one in host-transcripts.md (b); the generations follow the seed's availability list
 * (R410M x3B-01, R422 00B, R5 00B/01B, ALEX 01B, LARA-R6).
 */
#define UPSV_R5 ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3))
#define UPSV_R4 ((1u << 0) | (1u << 4))

/*
 * Factory band masks (bit n-1 = band n; mask2 bit n-65): the bands of each family's data
 * sheet, the same for both of its +UBANDMASK RATs. Band 5 (the simulated cell) is in all.
 */
static const unsigned long long bands_r5[2][2] = {
	{ 185473183ull, 1048642ull }, /* 1 2 3 4 5 8 12 13 18 19 20 25 26 28 / 66 71 85 */
	{ 185473183ull, 1048642ull },
};
static const unsigned long long bands_r410[2][2] = {
	{ 134748318ull, 0 }, /* 2 3 4 5 8 12 13 20 28 */
	{ 134748318ull, 0 },
};
static const unsigned long long bands_lara_r6[2][2] = {
	{ 26ull, 0 },       /* rat 2 (2G/3G): 2 4 5 */
	{ 14362ull, 66ull } /* rat 3 (LTE): 2 4 5 12 13 14 / 66 71 (LARA-R6001D) */
};
/* +CEDRXS <AcT-type>: 4 E-UTRAN WB-S1 (Cat-M1, LTE), 5 E-UTRAN NB-S1 (NB-IoT). */
#define EDRX_M1    (1u << 4)
#define EDRX_M1_NB ((1u << 4) | (1u << 5))

#define SARA_R5(name, gen, mver, persist, nb)                                                      \
	{                                                                                          \
		.model = name, .family = "SARA-R5", .cgmm = name, .cgmr = mver,                    \
		.ati9 = mver ",A00.01", .fw_gen = gen, .has_rot = true, .has_upsd = true,          \
		.has_upsda = true, .colon_space = true, .cipher_list = true,                       \
		.hexmode_persists = persist, .reboot_cfun = 16, .upsv_modes = UPSV_R5,             \
		.max_sockets = 7, .max_secure_sockets = 7, .tls_verify_default = 1,                \
		.tls_min_default = 3, .ucged = PERSONA_UCGED_R5,                                   \
		.rats = (1u << 7) | (nb ? 1u << 8 : 0u), .rats_max = 1,                            \
		.rat_default = { 7, -1, -1 }, .rat_lte = 7, .has_bandmask = true,                  \
		.bandmask_two = true, .bandmask_rats = { 0, 1 }, .bands_default = bands_r5,        \
		.edrx_acts = nb ? EDRX_M1_NB : EDRX_M1, .ipr_autobaud = true,                      \
		.edrx_read_all = true                                                              \
	}

#define SARA_R410M(name)                                                                           \
	{                                                                                          \
		.model = name, .family = "SARA-R4", .cgmm = name, .cgmr = "L0.0.00.00.05.12",      \
		.ati9 = "L0.0.00.00.05.12,A.02.19", .fw_gen = "x3B-01", .has_rot = true,           \
		.uauthreq_pwd_first = true, .reboot_cfun = 15, .upsv_modes = UPSV_R4,              \
		.max_sockets = 7, .max_secure_sockets = 4, .ucged = PERSONA_UCGED_R4,              \
		.ucged_modes = (1u << 0) | (1u << 5), .rats = (1u << 7) | (1u << 8),               \
		.rats_max = 2, .rat_default = { 7, 8, -1 }, .rat_lte = 7, .has_bandmask = true,    \
		.bandmask_rats = { 0, 1 }, .bands_default = bands_r410, .edrx_acts = EDRX_M1_NB,   \
		.edrx_off_bare = true, .edrx_urc_volatile = true                                   \
	}

#define SARA_R422(name)                                                                            \
	{                                                                                          \
		.model = name, .family = "SARA-R422", .cgmm = name, .cgmr = "00.12",               \
		.ati9 = "00.12,A00.03", .fw_gen = "00B", .has_rot = true, .has_upsd = true,        \
		.uauthreq_pwd_first = true, .reboot_cfun = 15, .upsv_modes = UPSV_R4,              \
		.max_sockets = 7, .max_secure_sockets = 7, .sec_busy_ms = 3000,                    \
		.tls_verify_default = 1, .tls_min_default = 3, .ucged = PERSONA_UCGED_R422,        \
		.ucged_modes = (1u << 0) | (1u << 2), .rats = (1u << 7) | (1u << 8) | (1u << 9),   \
		.rats_max = 3, .rat_default = { 7, 8, 9 }, .rat_lte = 7, .has_bandmask = true,     \
		.bandmask_two = true, .bandmask_rats = { 0, 1 }, .bands_default = bands_r5,        \
		.edrx_acts = EDRX_M1_NB, .edrx_urc_volatile = true                                 \
	}

static const struct persona personas[] = {
	SARA_R5("SARA-R510M8S", "00B", "02.06", false, false),
	SARA_R5("SARA-R500S", "01B", "03.15", true, true),
	SARA_R5("SARA-R510S", "01B", "03.15", true, true),
	SARA_R422("SARA-R422S"),
	SARA_R422("SARA-R422M8S"),
	SARA_R410M("SARA-R410M-63B"),
	SARA_R410M("SARA-R410M-73B"),
	SARA_R410M("SARA-R410M-83B"),
	SARA_R5("ALEX-R510M8S", "01B", "03.15", true, true),
	{ .model = "LARA-R6",
	  .family = "LARA-R6",
	  .cgmm = "LARA-R6001D",
	  .cgmr = "03.02",
	  .ati9 = "03.02,A00.01",
	  .fw_gen = "00B",
	  .has_rot = true,
	  .has_upsd = true,
	  .uauthreq_pwd_first = true,
	  .colon_space = true,
	  .reboot_cfun = 16,
	  .upsv_modes = UPSV_R5,
	  .max_sockets = 7,
	  .max_secure_sockets = 7,
	  .tls_verify_default = 1,
	  .ucged = PERSONA_UCGED_LARA_R6,
	  .ucged_modes = (1u << 0) | (1u << 2),
	  .rats = (1u << 0) | (1u << 2) | (1u << 3),
	  .rats_max = 3,
	  .rat_default = { 3, 2, 0 },
	  .rat_lte = 3,
	  .has_bandmask = true,
	  .bandmask_two = true,
	  .bandmask_rats = { 2, 3 },
	  .bandmask_cell = 1,
	  .bands_default = bands_lara_r6,
	  .edrx_acts = EDRX_M1,
	  .ipr_autobaud = true },
};

const struct persona *persona_find(const char *model)
{
	if (model == NULL)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(personas); i++)
		if (strcasecmp(personas[i].model, model) == 0)
			return &personas[i];
	return NULL;
}

const struct persona *persona_default(void)
{
	return &personas[0];
}

size_t persona_count(void)
{
	return ARRAY_LEN(personas);
}

const struct persona *persona_at(size_t i)
{
	return i < ARRAY_LEN(personas) ? &personas[i] : NULL;
}
