/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The BUILT-IN PUBLIC DEMO platform (docs/platform-file.md).
 *
 * THIS IS NOT A SECRET. Its platform_secret is SHA-256("ukms public demo platform - not a
 * secret") and its API secrets are printed in the docs, so that every program of the kit
 * (ukms-rot, ukms-sim, ukms-fakeapi) agrees out of the box. Anyone can derive every PSK of
 * these devices: use `ukms-rot init FILE` and --platform FILE for anything but a demo.
 *
 * It is parsed by the same strict parser as a platform file.
 */
#include "rot/platform.h"

#include <string.h>

/* Kept byte-identical to the block in docs/platform-file.md (test_platform checks it). */
static const char demo_json[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"platform_secret\": "
	"\"f07386a50e572233637ab570d75e899e572415c35b2f038b03831c81c11188f7\",\n"
	"  \"accounts\": [\n"
	"    {\"name\": \"demo\", \"api_key\": \"11111111-2222-4333-8444-555555555555\", "
	"\"api_secret\": \"ukmsDemoSecretNotSecretPublic001\"},\n"
	"    {\"name\": \"other\", \"api_key\": \"99999999-8888-4777-8666-555555555555\", "
	"\"api_secret\": \"ukmsOtherAccountSecretPublic0002\"}\n"
	"  ],\n"
	"  \"devices\": [\n"
	"    {\"rot_uid\": \"0A04F008003C9623\", \"imei\": \"352753090000017\", \"imsi\": "
	"\"001010000000001\", \"iccid\": \"8900101000000000019\", \"model\": \"SARA-R510M8S\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0002000089282245\", \"imei\": \"352753090000025\", \"imsi\": "
	"\"001010000000002\", \"iccid\": \"8900101000000000027\", \"model\": \"SARA-R500S\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F00800000003\", \"imei\": \"352753090000033\", \"imsi\": "
	"\"001010000000003\", \"iccid\": \"8900101000000000035\", \"model\": \"SARA-R510S\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F00800000004\", \"imei\": \"352753090000041\", \"imsi\": "
	"\"001010000000004\", \"iccid\": \"8900101000000000043\", \"model\": \"SARA-R422S\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F00800000005\", \"imei\": \"352753090000058\", \"imsi\": "
	"\"001010000000005\", \"iccid\": \"8900101000000000050\", \"model\": \"SARA-R422M8S\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F00800000006\", \"imei\": \"352753090000066\", \"imsi\": "
	"\"001010000000006\", \"iccid\": \"8900101000000000068\", \"model\": \"SARA-R410M-63B\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F00800000007\", \"imei\": \"352753090000074\", \"imsi\": "
	"\"001010000000007\", \"iccid\": \"8900101000000000076\", \"model\": \"SARA-R410M-73B\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F00800000008\", \"imei\": \"352753090000082\", \"imsi\": "
	"\"001010000000008\", \"iccid\": \"8900101000000000084\", \"model\": \"SARA-R410M-83B\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F00800000009\", \"imei\": \"352753090000090\", \"imsi\": "
	"\"001010000000009\", \"iccid\": \"8900101000000000092\", \"model\": \"ALEX-R510M8S\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F0080000000A\", \"imei\": \"352753090000108\", \"imsi\": "
	"\"001010000000010\", \"iccid\": \"8900101000000000100\", \"model\": \"LARA-R6\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F0080000000B\", \"imei\": \"352753090000116\", \"imsi\": "
	"\"001010000000011\", \"iccid\": \"8900101000000000118\", \"model\": \"SARA-R510M8S\", "
	"\"account\": \"demo\", \"psk_provisioning\": true, \"sealed\": false, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F0080000000C\", \"imei\": \"352753090000124\", \"imsi\": "
	"\"001010000000012\", \"iccid\": \"8900101000000000126\", \"model\": \"SARA-R510M8S\", "
	"\"account\": \"demo\", \"psk_provisioning\": false, \"sealed\": true, \"bootstrapped\": "
	"true},\n"
	"    {\"rot_uid\": \"0A04F0080000000D\", \"imei\": \"352753090000132\", \"imsi\": "
	"\"001010000000013\", \"iccid\": \"8900101000000000134\", \"model\": \"SARA-R510M8S\", "
	"\"account\": \"other\", \"psk_provisioning\": true, \"sealed\": true, \"bootstrapped\": "
	"true}\n"
	"  ]\n"
	"}\n";

const char *platform_default_json(void)
{
	return demo_json;
}

struct platform *platform_load_default(void)
{
	return platform_parse(demo_json, sizeof(demo_json) - 1, NULL, 0);
}
