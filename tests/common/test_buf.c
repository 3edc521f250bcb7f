/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void test_append_and_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "hello", 5), 0);
	assert_int_equal(buf_appendf(&b, "%d", 1234), 0);
	assert_int_equal(b.len, 9);
	assert_string_equal(buf_cstr(&b), "hello1234");
	/* Past the cap: error, contents unchanged. */
	assert_int_equal(buf_append(&b, "xy", 2), -ENOSPC);
	assert_int_equal(buf_appendf(&b, "%s", "xy"), -ENOSPC);
	assert_int_equal(b.len, 9);
	assert_string_equal(buf_cstr(&b), "hello1234");
	assert_int_equal(buf_append(&b, "!", 1), 0); /* exactly the cap is fine */
	assert_int_equal(b.len, 10);
	buf_finish(&b);
	buf_finish(&b); /* idempotent */
}

static void test_consume_binary(void **state)
{
	struct buf b;
	const uint8_t data[] = { 0, 1, 2, 0, 0xff };

	(void)state;
	buf_init_secret(&b, 0);
	assert_int_equal(buf_append(&b, data, sizeof(data)), 0);
	buf_consume(&b, 2);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, data + 2, 3);
	buf_consume(&b, 100);
	assert_int_equal(b.len, 0);
	buf_finish(&b);
}

static void test_growth(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_appendf(&b, "%04d", i % 10000), 0);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.data + 4 * 9999, "9999", 4);
	buf_finish(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_cap),
		cmocka_unit_test(test_consume_binary),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
