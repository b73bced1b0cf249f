/** Merchant API keys start with `rmp_`, operator keys with `rop_`, so a leaked key says what it is. */
export const MERCHANT_KEY_PREFIX = "rmp";
export const OPERATOR_KEY_PREFIX = "rop";
