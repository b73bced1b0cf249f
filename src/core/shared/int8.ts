/**
 * The largest value of PostgreSQL's int8 (bigint), where amounts in minor units and sequence numbers
 * live: a larger one fails in SQL (a 500), so input is checked against it and refused first.
 */
export const INT8_MAX = 2n ** 63n - 1n;
