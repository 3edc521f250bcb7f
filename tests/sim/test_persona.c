/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Persona table (sim/persona.c): --model lookups and the per-family behaviour flags that
 * ublox-at.md §7 and quirks.md ask for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "persona.h"

/* The ten models of the seed's availability list, as --model accepts them. */
static const char *const models[] = {
	"SARA-R510M8S",   "SARA-R500S",     "SARA-R510S",     "SARA-R422S",   "SARA-R422M8S",
	"SARA-R410M-63B", "SARA-R410M-73B", "SARA-R410M-83B", "ALEX-R510M8S", "LARA-R6",
};

static const struct persona *must_find(const char *model)
{
	const struct persona *p = persona_find(model);

	assert_non_null(p);
	return p;
}

static void test_all_models_present(void **state)
{
	(void)state;
	assert_int_equal(persona_count(), sizeof(models) / sizeof(models[0]));
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		assert_string_equal(must_find(models[i])->model, models[i]);
	assert_null(persona_at(persona_count()));
}

static void test_default_is_sara_r510m8s(void **state)
{
	(void)state;
	assert_string_equal(persona_default()->model, "SARA-R510M8S");
	assert_ptr_equal(persona_default(), persona_find(PERSONA_DEFAULT));
	/* host-transcripts.md (b): ATI9 of the default module */
	assert_string_equal(persona_default()->ati9, "02.06,A00.01");
}

static void test_lookup_case_insensitive(void **state)
{
	(void)state;
	assert_ptr_equal(persona_find("sara-r510m8s"), persona_find("SARA-R510M8S"));
	assert_ptr_equal(persona_find("Lara-r6"), persona_find("LARA-R6"));
	assert_ptr_equal(persona_find("sara-r410m-63b"), persona_find("SARA-R410M-63B"));
}

static void test_lookup_unknown(void **state)
{
	(void)state;
	assert_null(persona_find("SARA-R52"));
	assert_null(persona_find("SARA-R510M8")); /* prefix only */
	assert_null(persona_find("SARA-R510M8SX"));
	assert_null(persona_find(""));
	assert_null(persona_find(NULL));
}

/* ubxlib's auto-detect: SARA-R5 needs a CGMM starting with SARA-R50 / SARA-R51 (not R52). */
static void test_cgmm_prefixes(void **state)
{
	(void)state;
	for (size_t i = 0; i < persona_count(); i++) {
		const struct persona *p = persona_at(i);

		assert_non_null(p->cgmm);
		assert_non_null(p->cgmr);
		assert_non_null(p->ati9);
		/* ATI9 is "<modem fw>,<application fw>" */
		assert_non_null(strchr(p->ati9, ','));
		if (strcmp(p->family, "SARA-R5") == 0 && strncmp(p->model, "SARA", 4) == 0)
			assert_true(strncmp(p->cgmm, "SARA-R50", 8) == 0 ||
				    strncmp(p->cgmm, "SARA-R51", 8) == 0);
	}
	assert_string_equal(must_find("LARA-R6")->cgmm, "LARA-R6001D");
	assert_string_equal(must_find("SARA-R422S")->cgmm, "SARA-R422S");
}

static void test_r5_family_flags(void **state)
{
	static const char *const r5[] = { "SARA-R510M8S", "SARA-R500S", "SARA-R510S",
					  "ALEX-R510M8S" };

	(void)state;
	for (size_t i = 0; i < sizeof(r5) / sizeof(r5[0]); i++) {
		const struct persona *p = must_find(r5[i]);

		assert_true(p->has_upsda);
		assert_true(p->has_upsd);
		assert_false(p->uauthreq_pwd_first);
		assert_true(p->colon_space);
		assert_true(p->cipher_list);
		assert_int_equal(p->reboot_cfun, 16);
		assert_int_equal(p->upsv_modes & 0xf, 0xf); /* UPSV 0..3 */
	}
	/* quirks Q19: hex mode survives a reboot only on 01B firmware */
	assert_false(must_find("SARA-R510M8S")->hexmode_persists);
	assert_true(must_find("SARA-R500S")->hexmode_persists);
}

static void test_r4_flags(void **state)
{
	static const char *const r4[] = { "SARA-R410M-63B", "SARA-R410M-73B", "SARA-R410M-83B" };

	(void)state;
	for (size_t i = 0; i < sizeof(r4) / sizeof(r4[0]); i++) {
		const struct persona *p = must_find(r4[i]);

		assert_false(p->has_upsda); /* no +UPSDA on R4 */
		assert_false(p->has_upsd);  /* nor +UPSD (ublox-at.md 4.3) */
		assert_true(p->uauthreq_pwd_first);
		assert_false(p->colon_space); /* quirks Q20 */
		assert_false(p->cipher_list);
		assert_int_equal(p->reboot_cfun, 15);
		assert_true(p->upsv_modes & (1u << 4)); /* R4: UPSV mode 4 */
		assert_false(p->upsv_modes & (1u << 1));
	}
}

static void test_r422_and_lara_flags(void **state)
{
	const struct persona *r422 = must_find("SARA-R422M8S");
	const struct persona *lara = must_find("LARA-R6");

	(void)state;
	/* context mapping (+UPSD) but no +UPSDA */
	assert_true(r422->has_upsd);
	assert_false(r422->has_upsda);
	assert_false(r422->colon_space);
	assert_false(r422->cipher_list);
	assert_true(lara->has_upsd);
	assert_false(lara->has_upsda);
	assert_true(lara->uauthreq_pwd_first);
	assert_false(lara->cipher_list);
}

static void test_every_model_has_rot_and_sockets(void **state)
{
	(void)state;
	for (size_t i = 0; i < persona_count(); i++) {
		const struct persona *p = persona_at(i);

		assert_true(p->has_rot);
		assert_int_equal(p->max_sockets, 7);
		assert_true(p->max_secure_sockets >= 1 && p->max_secure_sockets <= p->max_sockets);
		assert_true(p->upsv_modes & 1u); /* UPSV=0 always accepted (ubxlib open) */
	}
}

/*
 * Radio rows (issue 10) are consistent: the factory +URAT list is made of allowed RATs, each
 * once, within the count, and holds the simulated cell's RAT; the factory band mask of that
 * RAT holds the cell's band 5; a persona with a +UCGED set has mode 0 and one report mode.
 */
static void test_radio_rows_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < persona_count(); i++) {
		const struct persona *p = persona_at(i);
		unsigned seen = 0, n = 0;
		bool lte = false;

		for (size_t k = 0; k < PERSONA_RATS_MAX && p->rat_default[k] >= 0; k++, n++) {
			unsigned bit = 1u << p->rat_default[k];

			assert_true(p->rats & bit);
			assert_false(seen & bit);
			seen |= bit;
			lte = lte || p->rat_default[k] == p->rat_lte;
		}
		assert_true(n >= 1 && n <= p->rats_max);
		assert_true(lte);
		if (p->has_bandmask) {
			assert_non_null(p->bands_default);
			assert_true(p->bands_default[p->bandmask_cell][0] & (1ull << (5 - 1)));
		}
		if (p->ucged_modes != 0) {
			assert_true(p->ucged_modes & 1u);
			assert_true(p->ucged_modes & ((1u << 2) | (1u << 5)));
		} else {
			assert_int_equal(p->ucged, PERSONA_UCGED_R5);
		}
		assert_true(p->edrx_acts & (1u << 4)); /* the cell's Cat-M1/LTE eDRX */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_models_present),
		cmocka_unit_test(test_default_is_sara_r510m8s),
		cmocka_unit_test(test_lookup_case_insensitive),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_cgmm_prefixes),
		cmocka_unit_test(test_r5_family_flags),
		cmocka_unit_test(test_r4_flags),
		cmocka_unit_test(test_r422_and_lara_flags),
		cmocka_unit_test(test_every_model_has_rot_and_sockets),
		cmocka_unit_test(test_radio_rows_consistent),
	};

	return cmocka_run_group_tests_name("persona", tests, NULL, NULL);
}
