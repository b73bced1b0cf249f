/** Merchant API keys start with `rmp_`, operator keys with `rop_`, so a leaked key says what it is. */
export const MERCHANT_KEY_PREFIX = "rmp";
/** A test key (issue 19) says so in its prefix: `rmp_test_…`. It belongs to the merchant's test twin. */
export const TEST_MERCHANT_KEY_PREFIX = "rmp_test";
export const OPERATOR_KEY_PREFIX = "rop";
